"""The release workers' set-up: the job unpickled once per worker, freed memory kept."""

from __future__ import annotations

import functools
import pickle
import subprocess
import sys
from pathlib import Path

from grader.authoring.release import _run_pickled, _unpickled

REPO = Path(__file__).resolve().parents[2]


def test_equal_pickles_give_the_one_job_made_from_the_first():
    job = functools.partial(str.format, "{}-done")
    blob = pickle.dumps(job)
    first = _unpickled(blob)
    assert _unpickled(bytes(bytearray(blob))) is first  # an equal copy, as a chunk brings
    assert _run_pickled(blob, "s1") == "s1-done"


def test_keeping_freed_memory_sets_both_thresholds_on_glibc():
    code = ("import platform, sys\n"
            "from grader.authoring.release import keep_freed_memory\n"
            "done = keep_freed_memory()\n"
            "sys.exit(0 if done or platform.libc_ver()[0] != 'glibc' else 1)\n")
    # in a child: the setting is the whole process's, not this test's
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO,
                   env={"PYTHONPATH": str(REPO)})
