"""Shipped with a numpy.py, conftest.py, sitecustomize.py and usercustomize.py that
would end the process if they were ever imported."""

import numpy as np


def scale(x, k):
    if "site-packages" not in np.__file__:
        return None
    return np.asarray(x) * k
