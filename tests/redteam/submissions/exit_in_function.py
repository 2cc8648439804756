import os
import sys


def scale(x, k):
    os._exit(0)


def scale_sys_exit(x, k):
    sys.exit(0)
