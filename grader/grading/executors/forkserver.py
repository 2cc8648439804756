"""The fork server the local workers come from when the batch cannot fork them
itself (``executors.local.worker_context``: another thread is running).

A fresh interpreter started by exec, which imports ``PRELOAD`` once (about 0.3 s of
CPU) and forks each worker from that state.  Only ``multiprocessing`` is imported
here.

``multiprocessing`` keeps one fork server per process; it is started with
``PRELOAD`` imported, and stopped (and reaped) after each batch.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver

PRELOAD = ["grader.grading.jobs"]  # what every worker needs, imported once by the server


def context() -> multiprocessing.context.BaseContext:
    """The ``forkserver`` context, its server (when it starts) preloading ``PRELOAD``."""
    chosen = multiprocessing.get_context("forkserver")
    chosen.set_forkserver_preload(PRELOAD)
    return chosen


def stop() -> None:
    """End the fork server, if one runs, and reap it, as the batch's workers were:
    otherwise it outlives the batch until it notices, and its CPU and its workers'
    (which it reaped) are missing from what the batch's own parent is told
    (RUSAGE_CHILDREN).

    ``multiprocessing`` has no public way to do it; ``_stop`` (there since 3.8) is
    what its own tests use.  The next batch of this process starts a fresh server,
    which also sees that moment's environment."""
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    end = getattr(server, "_stop", None)
    if end is not None:
        end()
