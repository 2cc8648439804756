"""Cases scored by a metric on hidden data: partial credit, limits, and what never leaves."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest

from grader.authoring.kinds.metric import MetricKind, released_arrays
from grader.errors import GraderError
from grader.grading.grade import grade_submission
from grader.grading.metric import check_metric_case, metric_fraction, resolve_metric
from grader.model import MetricScoring
from tests.tinycnn.conftest import REPO, exercise


def _train_case(variant):
    (case,) = exercise(variant, "tinycnn-train").cases
    return case


def _only(variant, *ids):
    return dataclasses.replace(variant, exercises=tuple(
        e for e in variant.exercises if e.exercise_id in ids))


def test_score_is_linear_between_the_thresholds():
    scoring = MetricScoring("solutions.tinycnn:tinycnn_accuracy", (), full_at=0.9, zero_at=0.5)
    for value, share in [(0.95, 1.0), (0.9, 1.0), (0.7, 0.5), (0.6, 0.25), (0.5, 0.0), (0.1, 0.0)]:
        assert metric_fraction(value, scoring) == pytest.approx(share)


def test_only_reference_functions_can_be_metrics():
    assert callable(resolve_metric("solutions.tinycnn:tinycnn_accuracy"))
    for name in ("os:system", "solutions.tinycnn", "solutions.tinycnn:nothing_here"):
        with pytest.raises(GraderError):
            resolve_metric(name)


def test_the_test_set_stays_in_the_grader_and_the_training_set_ships(variant):
    case = _train_case(variant)
    probe = dict(case.probe.inputs)
    hidden = dict(case.metric.data)
    assert probe["x"].shape == (2000, 1, 8, 8) and hidden["x"].shape == (1000, 1, 8, 8)
    assert not any(np.array_equal(row, test) for row in probe["x"][:50] for test in hidden["x"])
    files = released_arrays(variant)
    assert set(files) == {"tinycnn_train_x.npy", "tinycnn_train_y.npy"}
    for name, key in (("tinycnn_train_x.npy", "x"), ("tinycnn_train_y.npy", "y")):
        loaded = np.load(io.BytesIO(files[name]), allow_pickle=False)
        assert np.array_equal(loaded, probe[key])


def test_a_weak_training_gets_partial_credit(variant, solutions, sandbox):
    weak = solutions["tinycnn_train.py"].decode().replace(
        "def tinycnn_train(x, y, seed=0, epochs=40, restarts=3):",
        "def tinycnn_train(x, y, seed=0, epochs=1, restarts=1):")
    result = grade_submission(variant=_only(variant, "tinycnn-train"),
                              files={"tinycnn_train.py": weak.encode()}, sandbox=sandbox)
    check = result.exercises[0].checks[0]
    assert check.status == "partial" and 0 < check.score < check.max_score
    accuracy = float(check.message.split("test accuracy ")[1].split()[0])
    assert 0.34 < accuracy < 0.99
    assert check.score == pytest.approx(10 * (accuracy - 0.34) / (0.99 - 0.34), abs=0.01)


def test_parameters_that_always_say_vertical_score_zero(variant):
    constant = (np.zeros((3, 1, 3, 3)), np.zeros(3), np.zeros((3, 27)), np.array([1.0, 0, 0]))
    check = check_metric_case(_train_case(variant), constant)
    assert check.status == "failed" and check.score == 0


def test_wrong_shapes_are_named(variant):
    params = (np.zeros((3, 1, 3, 3)), np.zeros(3), np.zeros((27, 3)), np.zeros(3))
    check = check_metric_case(_train_case(variant), params)
    assert check.status == "failed"
    assert "dense_w has shape (27, 3), expected (3, 27)" in check.message


def test_endless_training_hits_the_cpu_limit_and_the_rest_is_still_graded(
        variant, solutions, sandbox):
    endless = "import numpy as np\n\ndef tinycnn_train(x, y):\n    while True:\n        pass\n"
    files = {"tinycnn_train.py": endless.encode(),
             "tinycnn_forward.py": solutions["tinycnn_forward.py"]}
    quick = _only(variant, "tinycnn-forward", "tinycnn-train")  # 2 s of CPU, not the file's 30
    quick = dataclasses.replace(quick, exercises=tuple(
        dataclasses.replace(e, limits=(("cpu_seconds", 2),)) if e.limits else e
        for e in quick.exercises))
    result = grade_submission(variant=quick, files=files, sandbox=sandbox)
    forward, train = result.exercises
    assert forward.score == forward.max_score
    message = train.checks[0].message  # the wall limit is larger: the CPU limit fires
    assert train.checks[0].status == "error" and "used more than 2 s of CPU time" in message


def test_bad_options_are_reported_by_key():
    problems = dict(MetricKind().check_options({
        "reference": "tinycnn_train", "dataset": {"generator": "solutions.stripes:make_stripes",
                                                  "train": 0, "test": 10},
        "metric": {"function": "solutions.tinycnn:tinycnn_accuracy", "full_at": 0.5,
                   "zero_at": 0.9}}))
    assert set(problems) == {"options.dataset.train", "options.metric.full_at"}


def test_a_misspelt_option_names_file_line_and_key(tmp_path):
    from grader.authoring.course import load_exercises

    text = (REPO / "exercises" / "tinycnn-train.yml").read_text()
    (tmp_path / "tinycnn-train.yml").write_text(text.replace("  dataset:", "  datasett:"))
    _, problems = load_exercises(tmp_path)
    (problem,) = problems
    assert problem.path == "options.datasett" and "did you mean 'dataset'" in problem.message
    assert text.splitlines()[problem.line - 1].strip().startswith("dataset:")
