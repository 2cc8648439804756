import sys

import numpy as np


def scale(x, k):
    return np.zeros((3000, 3000))


def flood(x, k):
    line = "spam " * 2000 + "\n"
    for _ in range(5000):
        sys.stdout.write(line)
        print(line, file=sys.stderr)
    return np.asarray(x) * k
