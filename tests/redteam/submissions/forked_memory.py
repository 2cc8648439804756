"""Forks several children that each allocate (and touch) a large block, then counts
how many hold their block at the same moment."""

import os
import select
import signal
import time

import numpy as np

CHILDREN = int("__CHILDREN__")
BLOCK_MB = int("__BLOCK_MB__")


def _hold(write_end, index):
    block = np.ones(BLOCK_MB * 1024 * 1024 // 8)  # every page touched
    os.write(write_end, bytes([index]))
    time.sleep(60 + block[0])


def held(x, k):
    read_end, write_end = os.pipe()
    children = []
    for index in range(CHILDREN):
        try:
            pid = os.fork()
        except OSError:
            break  # no more processes allowed: fewer holders
        if pid == 0:
            os.close(read_end)
            try:
                _hold(write_end, index)
            finally:
                os._exit(0)
        children.append(pid)
    os.close(write_end)
    reported, deadline = set(), time.monotonic() + 5
    while len(reported) < len(children) and time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], 0.2)
        if ready:
            reported.update(os.read(read_end, 64))
    time.sleep(0.5)  # a limit that kills needs a moment to act
    alive = {index for index, pid in enumerate(children) if os.waitpid(pid, os.WNOHANG)[0] == 0}
    for index in alive:
        os.kill(children[index], signal.SIGKILL)
    return len(reported & alive)  # children holding their whole block at this moment


def outgrow(x, k):
    """Two children hold a block each, then this process outgrows them: the whole
    run passes its memory budget with this process the largest one."""
    read_end, write_end = os.pipe()
    for index in range(2):
        if os.fork() == 0:
            os.close(read_end)
            try:
                _hold(write_end, index)
            finally:
                os._exit(0)
    os.close(write_end)
    reported, deadline = set(), time.monotonic() + 5
    while len(reported) < 2 and time.monotonic() < deadline:
        if select.select([read_end], [], [], 0.2)[0]:
            reported.update(os.read(read_end, 64))
    block = np.ones(2 * BLOCK_MB * 1024 * 1024 // 8)
    return x * k + block[0] - 1


def scale(x, k):
    return x * k
