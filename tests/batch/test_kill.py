"""A batch killed with SIGKILL half-way, then run again, grades everyone exactly once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from grader.authoring.variant import build_assignment_variant
from grader.errors import GraderError
from grader.exports.gradebook import Gradebook
from grader.grading.batch import grade_batch

from .conftest import ASSIGNMENT, REPO, SECRET, SECRET_ENV

STUDENTS = 40
BUSY_SECONDS = 0.05  # each module computes this long, so the batch takes seconds
KILL_AFTER_ROWS = 8

SUBMITTED_AT = "2026-10-01T12:00:00+00:00"  # on time for the test course's deadline


def _write_slow_class(course, folder: Path, count: int = STUDENTS) -> list[str]:
    """Correct answers behind a short busy loop at import."""
    busy = (f"import time\n_end = time.perf_counter() + {BUSY_SECONDS}\n"
            "while time.perf_counter() < _end:\n    pass\n")
    students = [f"st{index:03d}" for index in range(count)]
    for student in students:
        variant = build_assignment_variant(course, ASSIGNMENT, student, SECRET)
        (folder / student).mkdir(parents=True)
        for exercise in variant.exercises:
            source = busy + exercise.solution_source
            (folder / student / f"{exercise.module}.py").write_text(source)
    return students


def _rows(gradebook: Path) -> int:
    if not gradebook.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def _children(pids: set[int]) -> set[int]:
    """Processes whose parent is one of ``pids`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) in pids:
                found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()
            and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]}


def _kill_half_way(course_path: Path, submissions: Path, gradebook: Path) -> set[int]:
    """Start ``cnn-grader grade`` in its own process, SIGKILL it once some rows are committed;
    return the helper processes it had started (workers and their sandboxes)."""
    command = [sys.executable, "-m", "grader", "grade", "--course", str(course_path),
               "--assignment", ASSIGNMENT, "--submissions", str(submissions),
               "--gradebook", str(gradebook), "--out", str(gradebook.parent / "out"),
               "--workers", "2", "--submitted-at", SUBMITTED_AT]
    environment = {**os.environ, SECRET_ENV: SECRET.decode()}
    batch = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _rows(gradebook) < KILL_AFTER_ROWS:
        assert batch.poll() is None, batch.stderr.read().decode()
        assert time.monotonic() < deadline, "the batch never committed a result"
        time.sleep(0.01)
    workers = _children({batch.pid})
    helpers = workers | _children(workers)
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait()
    batch.stderr.close()
    return helpers


@pytest.mark.slow
def test_a_batch_killed_half_way_finishes_on_the_next_run_grading_each_once(
    course, course_path, tmp_path
):
    submissions = tmp_path / "subs"
    students = _write_slow_class(course, submissions)
    gradebook = tmp_path / "gradebook.db"

    helpers = _kill_half_way(course_path, submissions, gradebook)
    committed = _rows(gradebook)
    assert len(helpers) >= 2, "the two worker processes were not found"
    assert KILL_AFTER_ROWS <= committed < STUDENTS, "the kill did not land half-way"

    deadline = time.monotonic() + 15
    while _alive(helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(helpers), "worker or sandbox processes outlived the killed batch"

    # the same time and policy as the killed command (a changed time would re-grade)
    summary = grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=submissions,
                          secret=SECRET, gradebook_path=gradebook, workers=2, progress=False,
                          policy=course.assignment(ASSIGNMENT).late_policy,
                          submitted_at=datetime.fromisoformat(SUBMITTED_AT))
    assert (summary.skipped, summary.graded, summary.failures) == (
        committed, STUDENTS - committed, ()
    )
    with Gradebook(gradebook) as book:
        current = book.current(course.course_id, ASSIGNMENT)
        history = book.history(course.course_id, ASSIGNMENT)
    assert sorted(row.student_id for row in current) == students
    assert all(row.score == row.max_score > 0 for row in current)
    assert Counter(row.student_id for row in history) == dict.fromkeys(students, 1)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_stops_the_batch_with_a_clear_error_and_loses_nothing(
    course, tmp_path
):
    submissions = tmp_path / "subs"
    students = _write_slow_class(course, submissions, count=12)
    gradebook = tmp_path / "gradebook.db"
    killer = threading.Thread(target=_kill_one_worker_after_first_rows, args=(gradebook,))
    killer.start()
    try:
        with pytest.raises(GraderError, match="stopped; results so far are saved"):
            grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=submissions,
                        secret=SECRET, gradebook_path=gradebook, workers=2, progress=False)
    finally:
        killer.join()
    committed = _rows(gradebook)
    summary = grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=submissions,
                          secret=SECRET, gradebook_path=gradebook, workers=2, progress=False)
    assert (summary.skipped, summary.graded) == (committed, len(students) - committed)
    with Gradebook(gradebook) as book:
        history = book.history(course.course_id, ASSIGNMENT)
    assert Counter(row.student_id for row in history) == dict.fromkeys(students, 1)


def _kill_one_worker_after_first_rows(gradebook: Path) -> None:
    deadline = time.monotonic() + 60
    while _rows(gradebook) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = multiprocessing.active_children()
    os.kill(workers[0].pid, signal.SIGKILL)
