"""`cnn-grader selfcheck` passes for every a4 exercise: reference passes, mistakes named."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.tinycnn.conftest import REPO


@pytest.mark.parametrize("exercise_id, seeds", [
    ("tinycnn-sizes", 50), ("tinycnn-forward", 30), ("tinycnn-backward", 30),
    ("tinycnn-train", 2)])
def test_selfcheck_passes(exercise_id, seeds):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "selfcheck", "--exercise", exercise_id,
         "--seeds", str(seeds)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"ok   {exercise_id} ({seeds} seeds")
