"""Workers are forked from the batch itself when it runs no other thread, and from a
fork server otherwise; either way a worker holds nothing of the batch open (no
gradebook, no submission), and no process of ours outlives the batch."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from grader.cli import main
from grader.exports.gradebook import Gradebook
from grader.grading.batch import grade_batch

from .conftest import ASSIGNMENT, SECRET, SECRET_ENV, write_submissions

SLOW_CLASS = {f"st{index:02d}": "reference" for index in range(6)}


def _children_named(word: str, parent: int | None = None) -> list[int]:
    """Live children of ``parent`` (default: this process) whose command line holds
    ``word``."""
    parent = os.getpid() if parent is None else parent
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
        if int(fields[1]) == parent and fields[0] != "Z" and word in command:
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


def test_workers_are_forked_from_the_grade_command_and_hold_none_of_its_files(
        course, course_path, tmp_path):
    submissions = write_submissions(course, tmp_path / "subs", SLOW_CLASS)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "grade", "--course", str(course_path),
               "--assignment", ASSIGNMENT, "--submissions", str(submissions),
               "--out", str(out), "--workers", "2"]
    env = {**os.environ, SECRET_ENV: SECRET.decode()}
    grading = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    seen: dict[int, set[str]] = {}
    while grading.poll() is None:
        for worker in _children_named("grader", parent=grading.pid):
            seen.setdefault(worker, set()).update(_open_files(worker))
        time.sleep(0.005)
    assert grading.wait() == 0, grading.stderr.read().decode()
    assert seen, "no worker forked from the grade command was seen"
    opened = set().union(*seen.values())
    assert (out / "gradebook.db").exists()
    assert not any(path.startswith(str(out)) for path in opened), opened
    assert not any(path.startswith(str(submissions)) for path in opened), opened


def test_with_another_thread_running_workers_come_from_a_fork_server(course, tmp_path):
    submissions = write_submissions(course, tmp_path / "subs", SLOW_CLASS)
    (tmp_path / "book").mkdir()
    gradebook = tmp_path / "book" / "gradebook.db"
    seen: list[set[str]] = []
    parents: set[int | None] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for worker in multiprocessing.active_children():
                seen.append(_open_files(worker.pid))
                parents.add(_parent_of(worker.pid))
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
    assert all(parent != os.getpid() for parent in parents), "forked from a threaded batch"
    opened = set().union(*seen)
    assert not any(path.startswith(str(gradebook)) for path in opened), opened
    assert not any(path.startswith(str(submissions)) for path in opened), opened


def _parent_of(pid: int) -> int | None:
    try:
        return int((Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split())[1])
    except (OSError, IndexError, ValueError):
        return None


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
