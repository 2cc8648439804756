"""Drops a pickled object array (and a symlink, and a FIFO) where the parent reads results."""

import os

import numpy as np

MARKER = "__DECOY__/unpickled"


class Payload:
    def __reduce__(self):
        return (open, (MARKER, "w"))


def _forge(index, make_npy):
    make_npy(f"../out/probe-{index}-0.npy")
    with open(f"../out/probe-{index}.json", "w") as handle:
        handle.write('{"parts": [{"npy": true}]}')


def pickled(x, k):
    array = np.empty(1, dtype=object)
    array[0] = Payload()
    _forge(0, lambda path: np.save(path, array, allow_pickle=True))
    os._exit(0)


def symlinked(x, k):
    _forge(0, lambda path: os.symlink("/etc/passwd", path))
    os._exit(0)


def fifo(x, k):
    _forge(0, os.mkfifo)
    os._exit(0)


def lying_header(x, k):
    def write(path):
        with open(path, "wb") as handle:
            header = {"descr": "<f8", "fortran_order": False, "shape": (400_000_000,)}
            np.lib.format.write_array_header_1_0(handle, header)
            handle.write(b"\0" * 32)
    _forge(0, write)
    os._exit(0)
