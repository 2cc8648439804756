"""A release built without the hidden test set is byte for byte the one built with it.

``write_release`` builds with ``release_kind_lookup`` (a ``metric`` kind that does not
draw its test set); the oracle is the release of the variant grading builds, with
the default kinds and the test set.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from grader.authoring.kinds.metric import MetricKind
from grader.authoring.release import release_kind_lookup, student_files
from grader.authoring.variant import build_assignment_variant

SECRET = b"tinycnn-tests-secret"


def _both(course, student):
    full = build_assignment_variant(course, "a4-tinycnn", student, SECRET)
    released = build_assignment_variant(course, "a4-tinycnn", student, SECRET,
                                        get_kind=release_kind_lookup)
    return full, released


def test_every_released_file_is_the_same_with_and_without_the_test_set(course):
    for student in ("s1", "s2", "s3"):
        full, released = _both(course, student)
        assert student_files(released, "f") == student_files(full, "f")


def test_only_the_hidden_data_are_left_out(course):
    full, released = _both(course, "s4")
    for with_data, without in zip(full.exercises, released.exercises, strict=True):
        for case, other in zip(with_data.cases, without.cases, strict=True):
            if case.metric is None:
                continue
            assert other.metric.data == () and len(case.metric.data) == 2
            for field in dataclasses.fields(case.metric):
                if field.name != "data":
                    assert getattr(case.metric, field.name) == getattr(other.metric, field.name)
            for (name, value), (other_name, other_value) in zip(
                    case.probe.inputs, other.probe.inputs, strict=True):
                assert name == other_name and np.array_equal(value, other_value)
        assert with_data.prompt_markdown == without.prompt_markdown
        assert with_data.stub_source == without.stub_source


def test_grading_keeps_the_test_set_and_only_metric_changes_for_a_release():
    assert MetricKind().hidden_data and not release_kind_lookup("metric").hidden_data
    assert type(release_kind_lookup("implementation")).__name__ == "ImplementationKind"
