import sys

sys.exit(0)


def scale(x, k):
    return x * k
