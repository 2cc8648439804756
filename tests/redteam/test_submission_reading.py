"""Red team, class "links of every kind": a submission can only hand in its own files.

One class holds an honest student and one attacker per kind of planted entry: a
symbolic link to the course secret, a linked student folder, a link in nbgrader's
``<student>/<assignment>/`` layout, a linked notebook, a hard link, a FIFO (which
must not hang the grader), a socket and a device.  Graded in one batch and one by
one: every attacker scores 0 with a message naming the entry, the honest student
gets full marks (the grader is alive), and no decoy's bytes appear in any output.
"""

from __future__ import annotations

import os
import socket
import stat

import pytest

from grader.grading.collect import OversizedFileError, collect_submission, read_regular_file

from .classroom import make_classroom

ATTACKS = ("symlink_file", "symlink_folder", "nbgrader_link", "symlink_notebook",
           "hard_link", "fifo", "socket", "device")
EXPECTED = {  # student -> what their message must say
    "symlink_file": "`conv_output_size.py` is a symbolic link",
    "symlink_folder": "`symlink_folder` is a symbolic link, not a folder",
    "nbgrader_link": "`a1` is a symbolic link, not a folder",
    "symlink_notebook": "`a1.ipynb` is a symbolic link",
    "hard_link": "`conv_output_size.py` is a hard link",
    "fifo": "`conv_output_size.py` is a named pipe (FIFO)",
    "socket": "`pool_output_size.py` is a socket",
    "device": "`conv_output_size.py` is a character device",
}


def plant(room, student: str) -> bool:
    """Plant one attack as ``student``'s submission; False when this machine cannot."""
    folder = room.submit(student)  # honest files, then one of them replaced
    secret_file = room.root / ".course-secret"
    module = folder / "conv_output_size.py"
    if student == "symlink_file":
        module.unlink()
        module.symlink_to(secret_file)
    elif student == "symlink_folder":
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        folder.symlink_to(room.classmate_file.parent, target_is_directory=True)
    elif student == "nbgrader_link":
        for path in folder.iterdir():
            path.unlink()
        (folder / "a1").symlink_to(room.outside_file.parent, target_is_directory=True)
    elif student == "symlink_notebook":
        (folder / "a1.ipynb").symlink_to(room.outside_file)
    elif student == "hard_link":
        module.unlink()
        os.link(room.outside_file, module)
    elif student == "fifo":
        module.unlink()
        os.mkfifo(module)
    elif student == "socket":
        (folder / "pool_output_size.py").unlink()
        here = os.getcwd()
        os.chdir(folder)  # a socket path must be short: bind relative to its folder
        try:
            socket.socket(socket.AF_UNIX).bind("pool_output_size.py")
        finally:
            os.chdir(here)
    elif student == "device":
        module.unlink()
        try:
            os.mknod(module, stat.S_IFCHR | 0o644, os.makedev(1, 3))
        except PermissionError:
            return False
    return True


@pytest.fixture
def room(tmp_path):
    room = make_classroom(tmp_path, ("honest", "classmate", *ATTACKS))
    room.submit("honest")
    planted = {student for student in ATTACKS if plant(room, student)}
    return room, planted


def test_every_planted_entry_scores_zero_with_its_name_and_nothing_leaks(room, capsys):
    room, planted = room
    assert planted >= set(ATTACKS) - {"device"}  # mknod may be denied even to root
    assert room.grade_batch() == 0
    printed = capsys.readouterr()
    rows = room.rows()
    assert rows["honest"].score == rows["honest"].max_score > 0
    for student in planted:
        assert rows[student].score == 0, student
        assert all(EXPECTED[student] in m for m in room.messages(student)), student
        assert f"refused {student}: " in printed.err
        feedback = (room.out / "a1" / student / "feedback.md").read_text()
        assert EXPECTED[student] in feedback
    assert room.leaked() == []
    assert room.outside_file.read_bytes().startswith(b"OUTSIDE_")  # decoys unchanged


def test_each_attack_alone_in_student_mode_scores_zero_and_leaks_nothing(room, capsys):
    room, planted = room
    for student in sorted(planted):
        code = room.grade("--student", student, "--submission", str(room.submissions / student))
        assert code == 0, capsys.readouterr().err
        assert room.rows()[student].score == 0
        out = capsys.readouterr().out
        assert f"refused: {EXPECTED[student]}" in out, out
    assert room.grade("--student", "honest", "--submission", str(room.submissions / "honest")) == 0
    assert room.rows()["honest"].score > 0
    assert room.leaked() == []


def test_reading_a_fifo_returns_at_once_instead_of_blocking(tmp_path):
    os.mkfifo(tmp_path / "answer.py")  # nobody will ever write to it
    with pytest.raises(Exception, match="named pipe"):
        read_regular_file(tmp_path, "answer.py")


def test_a_link_swapped_in_after_listing_is_still_not_followed(tmp_path):
    """The check is made on the opened descriptor, not on a name looked at earlier."""
    (tmp_path / "secret.txt").write_text("SWAPPED-SECRET")
    (tmp_path / "answer.py").symlink_to(tmp_path / "secret.txt")
    descriptor = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
        with pytest.raises(OSError):  # what read_regular_file opens with
            os.open("answer.py", flags, dir_fd=descriptor)
        with pytest.raises(Exception, match="symbolic link"):
            read_regular_file(descriptor, "answer.py")
    finally:
        os.close(descriptor)


def test_names_with_a_path_are_refused_before_anything_is_opened(tmp_path):
    for name in ("../secret.txt", "a/b.py", "..", ""):
        with pytest.raises(Exception, match="not a file name"):
            read_regular_file(tmp_path, name)


def test_a_linked_submission_given_directly_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "answer.py").write_text("X = 1\n")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    with pytest.raises(Exception, match="`link` is a symbolic link, not a folder"):
        collect_submission(tmp_path / "link")
    assert collect_submission(tmp_path / "real") == {"answer.py": b"X = 1\n"}


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to the owner's uid needs root")
def test_as_root_a_folder_is_read_with_its_owners_rights_not_roots(tmp_path):
    """Even a file the reader would accept is not read when its owner could not read it."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "answer.py").write_text("X = 1\n")
    (folder / "planted.py").write_text("ROOT-ONLY-BYTES\n")  # root's, mode 0600
    os.chmod(folder / "planted.py", 0o600)
    for path in (folder, folder / "answer.py"):
        os.chown(path, 64999, 64999)
    with pytest.raises(Exception, match=r"`planted.py` cannot be opened \(Permission denied\)"):
        collect_submission(folder)
    (folder / "planted.py").unlink()
    assert collect_submission(folder) == {"answer.py": b"X = 1\n"}


@pytest.mark.parametrize("size", [0, 1, 4095, 65536, 65537, (1 << 20) + 3])
def test_a_file_reads_back_whole_whatever_its_size(tmp_path, size):
    data = os.urandom(size)
    (tmp_path / "answer.py").write_bytes(data)
    assert read_regular_file(tmp_path, "answer.py", limit=2 << 20) == data


def test_the_size_limit_holds_to_the_byte(tmp_path):
    (tmp_path / "at_limit.py").write_bytes(b"x" * 1000)
    (tmp_path / "over.py").write_bytes(b"x" * 1001)
    assert len(read_regular_file(tmp_path, "at_limit.py", limit=1000)) == 1000
    with pytest.raises(OversizedFileError, match=r"over\.py"):
        read_regular_file(tmp_path, "over.py", limit=1000)


def test_a_file_that_grew_after_it_was_measured_is_still_bounded(tmp_path, monkeypatch):
    """The first read is sized by ``fstat``; a file that grows after that (a student's
    process still writing) is read on in chunks and refused past the limit."""
    (tmp_path / "growing.py").write_bytes(b"y" * 300_000)
    real_fstat = os.fstat

    def measured_small(fd):  # what fstat said a moment before the file grew
        info = real_fstat(fd)
        fields = list(info)
        fields[stat.ST_SIZE] = 10
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", measured_small)
    assert read_regular_file(tmp_path, "growing.py", limit=400_000) == b"y" * 300_000
    with pytest.raises(OversizedFileError):
        read_regular_file(tmp_path, "growing.py", limit=200_000)
