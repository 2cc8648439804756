import numpy as np


def scael(x, k):
    return np.asarray(x) * k
