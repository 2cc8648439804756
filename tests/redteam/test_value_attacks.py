"""Attacks through the returned value, the output streams and the module itself."""

from __future__ import annotations

import os

import numpy as np
import pytest

from grader.grading.compare import check_case
from grader.sandbox import Limits

from .conftest import EXPECTED, grade, run_attack, scale_case, scale_probe


def scored(result, name: str = "scale", index: int = 0):
    return check_case(scale_case(name), result.probes[index])


def test_a_correct_submission_scores_full_marks(sandbox, decoy):
    result = run_attack(sandbox, decoy, "correct", (scale_probe(),))
    check = scored(result)
    assert (check.score, check.status) == (1.0, "passed")
    assert result.isolation == sandbox.isolation


def test_monkeypatching_numpy_comparisons_does_not_change_the_grade(sandbox, decoy):
    result = run_attack(sandbox, decoy, "monkeypatch_numpy", (scale_probe(),))
    check = scored(result)
    assert check.score == 0.0 and check.status == "failed"
    assert np.allclose(np.zeros(2), np.ones(2)) is False  # the grader's NumPy is untouched


def test_printing_a_fake_score_is_shown_but_never_believed(sandbox, decoy):
    result = run_attack(sandbox, decoy, "fake_score", (scale_probe(),))
    assert scored(result).score == 0.0
    assert "PASSED" in result.stdout and "Score: 100/100" in result.stderr


def test_searching_the_process_for_the_answer_finds_nothing(sandbox, decoy):
    result = run_attack(sandbox, decoy, "answer_hunter", (scale_probe(),))
    assert result.probes[0].value is not None
    assert not np.array_equal(result.probes[0].value, EXPECTED)
    assert scored(result).score == 0.0


def test_a_broadcasting_shape_comes_back_as_is_and_compare_rejects_it(sandbox, decoy):
    result = run_attack(sandbox, decoy, "bad_values", (scale_probe("broadcasting"),))
    assert result.probes[0].value.shape == (1,)
    check = scored(result, "broadcasting")
    assert check.score == 0.0 and check.status == "failed"
    assert "shape" in check.message


BAD_VALUES = [
    ("nan", "returned values that are not finite (NaN at [0, 2])"),
    ("inf", "returned values that are not finite (inf at [1, 0])"),
    ("complex_array", "returned a complex array"),
    ("bool_array", "returned a bool array"),
    ("bool_scalar", "returned a bool (True), not a number"),
    ("object_array", "returned an object array"),
    ("ragged_list", "cannot be turned into an array"),
    ("subclass", "returned a Sub, a subclass of numpy.ndarray"),
    ("none", "returned None"),
    ("wrong_tuple", "returned an array of shape"),
    ("string_array", "returned an array of strings"),
]


@pytest.mark.parametrize(("function", "message"), BAD_VALUES)
def test_a_value_that_is_not_plain_numbers_scores_zero_with_a_reason(
        sandbox, decoy, function, message):
    result = run_attack(sandbox, decoy, "bad_values", (scale_probe(function),))
    outcome = result.probes[0]
    if function == "wrong_tuple":  # a pair of arrays is one 3-d array: compare rejects it
        assert outcome.value.shape == (2, 2, 3)
        assert scored(result, function).score == 0.0
        return
    assert outcome.value is None
    assert message in outcome.error
    check = scored(result, function)
    assert check.score == 0.0 and message in check.message


def test_an_array_like_is_converted_inside_the_child(sandbox, decoy):
    result = run_attack(sandbox, decoy, "bad_values", (scale_probe("array_like"),))
    np.testing.assert_array_equal(result.probes[0].value, [1.0, 2.0])
    assert result.probes[0].value.dtype == np.float64
    assert grade(result, "array_like") == [0.0]  # shape (2,), expected (2, 3)


@pytest.mark.parametrize(("function", "message"), [
    ("pickled", "returned an object array"),
    ("symlinked", "could not open"),
    ("fifo", "not a regular file"),
    ("lying_header", "size does not match shape"),
    ("oversized", "returned more data than allowed (4194304 bytes)"),
    ("huge_blob", "returned more data than allowed (1000000000000 bytes)"),
    ("fifo_segment", "not a regular file"),
])
def test_result_files_forged_by_the_child_are_refused_without_unpickling(
        sandbox, decoy, function, message):
    result = run_attack(sandbox, decoy, "pickle_payload", (scale_probe(function),))
    assert result.probes[0].value is None
    assert message in result.probes[0].error
    assert not (decoy / "unpickled").exists()
    assert grade(result, function) == [0.0]


def test_results_planted_for_the_next_module_cannot_take_its_results_away(sandbox, decoy):
    result = run_attack(sandbox, decoy, "plant_results", (scale_probe(),))
    np.testing.assert_array_equal(result.probes[0].value, EXPECTED)  # run_many: and the next
    assert grade(result, "scale") == [1.0]


def test_a_huge_output_is_refused(sandbox, decoy):
    result = run_attack(sandbox, decoy, "huge_output", (scale_probe(),),
                        limits=Limits(wall_seconds=5, output_mb=32))
    assert result.probes[0].value is None
    assert "returned an array that is too large (69 MiB; at most 32 MiB)" in result.probes[0].error
    assert grade(result, "scale") == [0.0]


def test_a_stdout_flood_is_truncated_and_the_answer_still_counts(sandbox, decoy):
    result = run_attack(sandbox, decoy, "huge_output", (scale_probe("flood"),),
                        limits=Limits(wall_seconds=10))
    np.testing.assert_array_equal(result.probes[0].value, EXPECTED)
    assert len(result.stdout) < 5000 and result.stdout.endswith("[... output truncated]")
    assert len(result.stderr) < 5000
    assert grade(result, "flood") == [1.0]


def test_a_syntax_error_names_the_line(sandbox, decoy):
    result = run_attack(sandbox, decoy, "syntax_error", (scale_probe(),))
    assert result.import_error.startswith("syntax error at line 4 of syntax_error.py")
    assert result.probes[0].error.startswith("not run: the module could not be imported")
    assert scored(result).score == 0.0


def test_a_missing_function_is_named(sandbox, decoy):
    result = run_attack(sandbox, decoy, "missing_function", (scale_probe(),))
    assert result.import_error is None
    assert result.probes[0].error == "module has no function named 'scale'"
    assert grade(result, "scale") == [0.0]


def test_planted_numpy_conftest_and_sitecustomize_are_never_imported(sandbox, decoy):
    trap = b"import os\nos._exit(3)\n"
    names = ("numpy.py", "conftest.py", "sitecustomize.py", "usercustomize.py")
    planted = dict.fromkeys(names, trap)
    result = run_attack(sandbox, decoy, "planted", (scale_probe(),), extra_files=planted)
    assert result.import_error is None, result.import_error
    np.testing.assert_array_equal(result.probes[0].value, EXPECTED)
    assert grade(result, "scale") == [1.0]


def test_the_grader_process_environment_is_not_inherited(sandbox, decoy):
    from grader.model import Probe

    result = run_attack(sandbox, decoy, "read_secrets",
                        (Probe(kind="call", name="own_environment"),), reference="x",
                        grader_pid=os.getpid(), checkout_file="x")
    names = set(result.probes[0].value.split(","))
    assert names <= {"PATH", "LANG", "HOME", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                     "MKL_NUM_THREADS", "LC_CTYPE"}
