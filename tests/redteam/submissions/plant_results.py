"""Returns the right answer, after planting, where the NEXT module of the same child
will write its results, a symlink, a FIFO, a folder and a forged second segment:
the next module's results must come back all the same."""

import os

NEXT = "../../r-2/out/"


def scale(x, k):
    if os.path.isdir(NEXT):  # only in a shared child (the attack is request 1 of 3)
        os.symlink("/etc/passwd", NEXT + "results")
        os.mkfifo(NEXT + "results.1")
        os.makedirs(NEXT + "results.2/inside")
        with open(NEXT + "results.3", "wb") as handle:
            handle.write(b"\0" * 100)
    return x * k
