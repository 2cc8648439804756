"""``notebook_to_files``: which cells become which module."""

from __future__ import annotations

import json

import pytest

from grader.grading.notebook_cells import notebook_to_files


def _code(source, metadata=None):
    return {"cell_type": "code", "metadata": metadata or {}, "source": source, "outputs": [],
            "execution_count": None}


def _notebook(*cells):
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4,
                       "nbformat_minor": 5}).encode()


def test_cells_with_our_module_metadata_become_that_module_in_order():
    nb = _notebook(
        _code("A = 1\n", {"cnn_grader": {"module": "sizes"}}),
        _code("print('scratch')"),
        _code(["B = ", "2"], {"cnn_grader": {"module": "sizes"}}),
    )
    assert notebook_to_files(nb) == {"sizes.py": b"A = 1\n\n\nB = 2\n"}


def test_nbgrader_solution_cells_are_found_by_grade_id_without_our_metadata():
    solution = {"nbgrader": {"solution": True, "grade": False, "grade_id": "solution_pool"}}
    test_cell = {"nbgrader": {"solution": False, "grade": True, "grade_id": "tests_pool",
                              "points": 1}}
    nb = _notebook(_code("def f(): return 1", solution), _code("assert f() == 1", test_cell))
    assert notebook_to_files(nb) == {"pool.py": b"def f(): return 1\n"}


def test_solution_cells_named_otherwise_and_markdown_cells_are_ignored():
    other = {"nbgrader": {"solution": True, "grade": False, "grade_id": "answer_1"}}
    markdown = {"cell_type": "markdown", "metadata": {"cnn_grader": {"module": "m"}},
                "source": "text"}
    assert notebook_to_files(_notebook(_code("X = 1", other), markdown)) == {}


@pytest.mark.parametrize("data", [b"not json", b"[1, 2]", b'{"cells": 3}', b"\xff\xfe"])
def test_something_that_is_not_a_notebook_is_a_value_error(data):
    with pytest.raises(ValueError, match="not a notebook"):
        notebook_to_files(data)
