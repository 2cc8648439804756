import numpy as np


class Sub(np.ndarray):
    pass


class Sneaky:
    def __array__(self, dtype=None, copy=None):
        return np.array([1.0, 2.0])


def broadcasting(x, k):
    return np.array([float(k)])


def nan(x, k):
    out = np.asarray(x) * k
    out[0, 2] = np.nan
    return out


def inf(x, k):
    out = np.asarray(x) * k
    out[1, 0] = np.inf
    return out


def complex_array(x, k):
    return np.asarray(x) * k + 0j


def bool_array(x, k):
    return np.asarray(x) > 0


def bool_scalar(x, k):
    return True


def object_array(x, k):
    return np.array([np.zeros(2), np.zeros(3)], dtype=object)


def ragged_list(x, k):
    return [[1.0, 2.0], [3.0]]


def subclass(x, k):
    return (np.asarray(x) * k).view(Sub)


def array_like(x, k):
    return Sneaky()


def none(x, k):
    return None


def wrong_tuple(x, k):
    return (x, x)


def string_array(x, k):
    return np.array(["a", "b"])
