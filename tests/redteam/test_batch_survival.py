"""Red team, class "malformed files in a batch": one student's files never stop grading.

A corpus of broken files (deeply nested JSON, lists where mappings belong, bytes
that are not UTF-8, huge and empty files, odd file names, an nbgrader layout gone
wrong) is handed in by one student each beside honest classmates.  The batch and
``--student`` mode both finish: each broken submission is that student's record
(score 0 or what their readable files earn, with a message), the classmates get
full marks, and no internal error escapes.  Hypothesis then fuzzes each reader
(notebook, times, folder trees) for anything but its documented error.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.authoring.yamldoc import SpecProblems
from grader.errors import SubmissionError
from grader.grading.collect import collect_submission
from grader.grading.notebook_cells import notebook_to_files
from grader.grading.times import nbgrader_timestamp, parse_times

from .classroom import make_classroom

CELL = {"cell_type": "code", "metadata": {"cnn_grader": {"module": "conv_output_size"}},
        "source": "OUTPUT_SIZE = 1\n"}
NOTEBOOKS = {  # student -> the bytes of their a1.ipynb (no .py files beside it)
    "deep_json": b"[" * 200_000 + b"]" * 200_000,
    "deep_cells": json.dumps({"cells": [CELL]}).encode().replace(
        b'"source"', b'"x": ' + b"[" * 50_000 + b"]" * 50_000 + b', "source"'),
    "list_top": b"[]",
    "cells_mapping": b'{"cells": {"a": 1}}',
    "cells_of_lists": b'{"cells": [[], 1, "x", null]}',
    "metadata_list": json.dumps({"cells": [{**CELL, "metadata": []}]}).encode(),
    "module_path": json.dumps({"cells": [{**CELL, "metadata": {
        "cnn_grader": {"module": "../../escape"}}}]}).encode(),
    "source_number": json.dumps({"cells": [{**CELL, "source": 12}]}).encode(),
    "not_utf8_nb": b'{"cells": [\xff\xfe]}',
    "lone_surrogate": json.dumps({"cells": [{**CELL, "source": "\ud800 = 1"}]}).encode(),
    "long_integer": b'{"cells": [' + b"1" * 100_000 + b"]}",
    "empty_nb": b"",
    "huge_nb": b'{"cells": [], "x": "' + b"a" * (3 * 2**20) + b'"}',
}
MODULES = {  # student -> {file name: bytes}
    "not_utf8_py": {"conv_output_size.py": b"\xff\xfe\x00OUTPUT_SIZE = 1\n"},
    "empty_py": {"conv_output_size.py": b""},
    "huge_py": {"conv_output_size.py": b"#" * (3 * 2**20)},
    "nul_bytes": {"conv_output_size.py": b"OUTPUT\x00SIZE = 1\n"},
    "odd_names": {"new\nline.py": b"X = 1\n", "tab\t.py": b"X = 1\n"},
}
STUDENTS = ("honest", "classmate", *NOTEBOOKS, *MODULES, "many_files", "two_subfolders",
            "binary_name", "deep_folders")


def hand_in(room, student: str) -> None:
    folder = room.submissions / student
    folder.mkdir(parents=True, exist_ok=True)
    if student in NOTEBOOKS:
        (folder / "a1.ipynb").write_bytes(NOTEBOOKS[student])
    elif student in MODULES:
        for name, data in MODULES[student].items():
            (folder / name).write_bytes(data)
    elif student == "many_files":
        for index in range(5000):
            (folder / f"m{index}.py").write_bytes(b"")
    elif student == "two_subfolders":
        (folder / "a1").mkdir()
        (folder / "a2").mkdir()
    elif student == "binary_name":
        os.close(os.open(os.fsencode(folder) + b"/\xff\xfe.py", os.O_CREAT | os.O_WRONLY))
    elif student == "deep_folders":
        inner = folder
        for _ in range(40):
            inner = inner / "a1"
        inner.mkdir(parents=True)
        (inner / "conv_output_size.py").write_text("OUTPUT_SIZE = 1\n")


@pytest.fixture
def room(tmp_path):
    room = make_classroom(tmp_path, STUDENTS)
    room.submit("honest")
    for student in STUDENTS[2:]:
        hand_in(room, student)
    return room


def test_a_batch_with_every_broken_file_grades_everyone(room, capsys):
    code = room.grade_batch()
    printed = capsys.readouterr()
    assert "internal error" not in printed.out + printed.err
    assert code == 0, printed.err
    rows = room.rows()
    assert set(rows) == set(STUDENTS)  # every student has a record
    assert rows["honest"].score == rows["honest"].max_score > 0
    for student in set(STUDENTS) - {"honest"}:
        assert rows[student].score == 0, student
        assert all(room.messages(student)), student  # each case says why
    assert any("not a notebook" in m for m in room.messages("deep_json"))
    assert any("larger than 2 MiB" in m for m in room.messages("huge_py"))
    assert room.leaked() == []


def test_student_mode_survives_every_broken_submission(room, capsys):
    for student in STUDENTS[2:]:
        code = room.grade("--student", student, "--submission", str(room.submissions / student))
        printed = capsys.readouterr()
        assert code == 0 and "internal error" not in printed.err, (student, printed.err)
        assert room.rows()[student].score == 0
    assert room.grade("--student", "honest", "--submission", str(room.submissions / "honest")) == 0
    assert room.rows()["honest"].score > 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["cells", "cell_type", "metadata", "cnn_grader", "module", "source",
                         "nbgrader", "grade_id", "solution", "code"]) | st.text(max_size=5),
        inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_document_is_a_notebook_or_a_value_error(document):
    try:
        modules = notebook_to_files(json.dumps(document).encode())
    except ValueError:
        return
    assert all(name.endswith(".py") and "/" not in name for name in modules)
    assert all(isinstance(source, bytes) for source in modules.values())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_a_notebook_or_a_value_error(data):
    with contextlib.suppress(ValueError):
        notebook_to_files(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_times_file_is_parsed_or_refused_with_a_located_problem(text):
    try:
        times = parse_times(text, source="times.csv")
    except SpecProblems as error:
        assert all(p.source == "times.csv" for p in error.problems)
        return
    assert all(moment.tzinfo is not None for moment in times.values())


entries = st.lists(st.tuples(
    st.sampled_from(["a.py", "b.ipynb", "a1", "test_x.py", ".hidden", "timestamp.txt",
                     "c.py", "a1/a.py", "a1/b.ipynb", "a1/timestamp.txt"]),
    st.sampled_from(["file", "folder", "symlink", "fifo", "hardlink"]),
    st.binary(max_size=64)), max_size=8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries)
def test_any_folder_tree_is_read_or_refused_as_the_students_problem(tree):
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "student"
        root.mkdir()
        outside = Path(temporary) / "outside.txt"
        outside.write_bytes(b"OUTSIDE-BYTES")
        for name, kind, data in tree:
            build(root / name, kind, data, outside)
        try:
            files = collect_submission(root)
        except SubmissionError:
            files = {}
        assert not any(b"OUTSIDE-BYTES" in data for data in files.values())
        nbgrader_timestamp(root)  # None or a time, never an exception


def build(path: Path, kind: str, data: bytes, outside: Path) -> None:
    if path.exists() or path.is_symlink() or not path.parent.is_dir():
        return
    if kind == "file":
        path.write_bytes(data)
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink":
        path.symlink_to(outside)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        os.link(outside, path)
