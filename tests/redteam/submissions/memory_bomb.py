import numpy as np


def scale(x, k):
    hoard = []
    while True:
        hoard.append(np.empty(64 * 1024 * 1024, dtype=np.uint8))


def scale_numpy(x, k):
    return np.ones((100_000, 100_000)) * k


def scale_touching(x, k):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))
