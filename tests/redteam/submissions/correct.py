"""A correct submission: scale(x, k) returns x * k."""

import numpy as np


def scale(x, k):
    return np.asarray(x) * k
