"""Workers come from a fork server that holds nothing of the batch: no open gradebook,
no submission; the server is stopped and reaped when the batch ends, so no process
of ours outlives it and its CPU is accounted to the batch."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import threading
import time
from pathlib import Path

from grader.cli import main
from grader.exports.gradebook import Gradebook
from grader.grading.batch import grade_batch

from .conftest import ASSIGNMENT, SECRET, SECRET_ENV, write_submissions

SLOW_CLASS = {f"st{index:02d}": "reference" for index in range(6)}


def _children_named(word: str) -> list[int]:
    """Live children of this process whose command line holds ``word``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and word in command:
            found.append(int(entry.name))
    return found


def test_the_grade_command_leaves_no_fork_server_running(course, course_path, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    submissions = write_submissions(course, tmp_path / "subs", SLOW_CLASS)
    out = tmp_path / "out"
    code = main(["grade", "--course", str(course_path), "--assignment", ASSIGNMENT,
                 "--submissions", str(submissions), "--out", str(out), "--workers", "2"])
    assert code == 0
    with Gradebook(out / "gradebook.db") as book:
        assert len(book.current(course.course_id, ASSIGNMENT)) == len(SLOW_CLASS)
    assert _children_named("forkserver") == []
    assert multiprocessing.active_children() == []


def test_a_worker_holds_no_gradebook_or_submission_file_open(course, tmp_path):
    submissions = write_submissions(course, tmp_path / "subs", SLOW_CLASS)
    (tmp_path / "book").mkdir()
    gradebook = tmp_path / "book" / "gradebook.db"
    seen: list[set[str]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for worker in multiprocessing.active_children():
                seen.append(_open_files(worker.pid))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        summary = grade_batch(course=course, assignment_id=ASSIGNMENT,
                              submissions_dir=submissions, secret=SECRET,
                              gradebook_path=gradebook, workers=2, progress=False)
    finally:
        done.set()
        watcher.join()
    assert summary.graded == len(SLOW_CLASS)
    assert any(seen), "no worker was seen"
    opened = set().union(*seen)
    assert not any(path.startswith(str(gradebook)) for path in opened), opened
    assert not any(path.startswith(str(submissions)) for path in opened), opened


def _open_files(pid: int) -> set[str]:
    links = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.add(os.readlink(fd))
            except OSError:
                continue
    except OSError:
        pass
    return links


def test_the_fork_servers_folder_is_hidden_from_student_code(course, tmp_path):
    from grader.grading.batch import private_paths

    socket_folder = multiprocessing.util.get_temp_dir()
    hidden = private_paths(course, tmp_path / "subs", tmp_path / "gradebook.db", None)
    assert str(Path(socket_folder).resolve()) in hidden
