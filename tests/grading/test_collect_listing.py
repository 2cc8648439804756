"""``collect`` trusts the folder listing's file type instead of an ``lstat`` per file:
a file swapped after the listing (for a link, a FIFO, a hard link) must still be
refused by the open and ``fstat`` that follow, never followed or read."""

from __future__ import annotations

import os

import pytest

from grader.grading.collect import UnsafeFileError, _read_at, collect_submission


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "secret.txt").write_text("not yours")
    (tmp_path / "plain.py").write_text("x = 1\n")
    os.symlink(tmp_path / "secret.txt", tmp_path / "link.py")
    os.mkfifo(tmp_path / "pipe.py")
    os.link(tmp_path / "secret.txt", tmp_path / "hard.py")
    descriptor = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    yield descriptor
    os.close(descriptor)


@pytest.mark.parametrize(("name", "why"), [("link.py", "cannot be opened"),
                                           ("pipe.py", "named pipe"),
                                           ("hard.py", "hard link")])
def test_a_file_listed_as_regular_but_swapped_since_is_refused(folder, name, why):
    with pytest.raises(UnsafeFileError, match=why):
        _read_at(folder, name, 1 << 20, listed_regular=True)


def test_a_listed_regular_file_is_read_and_the_others_refused_by_name(tmp_path):
    (tmp_path / "plain.py").write_text("x = 1\n")
    (tmp_path / "other.py").write_text("y = 2\n")
    assert collect_submission(tmp_path) == {"other.py": b"y = 2\n", "plain.py": b"x = 1\n"}
    os.symlink(tmp_path / "plain.py", tmp_path / "link.py")
    with pytest.raises(UnsafeFileError, match=r"`link\.py` is a symbolic link"):
        collect_submission(tmp_path)
