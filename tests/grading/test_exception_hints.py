"""Kernel indices swapped inside loops: the grader says so from where the code raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring.kinds import get_kind
from grader.authoring.spec import parse_exercise
from grader.authoring.variant import build_exercise_variant
from grader.authoring.yamldoc import read_yaml
from grader.grading.exception_hints import diagnose_exception
from grader.grading.grade import grade_submission
from grader.model import AssignmentVariant
from grader.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]

SWAPPED = '''\
import numpy as np


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    out = np.zeros((n, f, h - kh + 1, wd - kw + 1))
    for i in range(h - kh + 1):
        for j in range(wd - kw + 1):
            for u in range(kh):
                for v in range(kw):
                    # the slip: w[:, :, v, u] instead of w[:, :, u, v]
                    out[:, :, i, j] += x[:, :, i + u, j + v] @ w[:, :, v, u].T
    if b is not None:
        out += np.asarray(b).reshape(1, -1, 1, 1)
    return out
'''


@pytest.fixture(scope="module")
def variant():
    spec, problems = parse_exercise(read_yaml(REPO / "exercises" / "impl-conv2d-forward.yml"),
                                    get_kind)
    assert not problems
    exercise = build_exercise_variant(spec, secret=b"hints", points=spec.points,
                                      path=("c", "a", spec.exercise_id, "s1"),
                                      kind=get_kind(spec.kind))
    return AssignmentVariant(course_id="c", assignment_id="a", student_id="s1", title="A",
                             exercises=(exercise,))


def test_swapped_kernel_indices_are_diagnosed_on_the_non_square_kernel(variant):
    with Sandbox() as sandbox:
        result = grade_submission(variant=variant, sandbox=sandbox,
                                  files={"impl_conv2d_forward.py": SWAPPED.encode()})
    checks = {check.case_id: check for check in result.exercises[0].checks}
    assert checks["one_channel"].status == "error"  # its kernel is 3x2
    assert "IndexError" in checks["one_channel"].message
    assert checks["one_channel"].message.endswith(
        "It raises only where the kernel is not square (3×2): are the kernel's row and "
        "column indices swapped?")
    # on a square kernel the same loop runs (and gives the transposed kernel's answer)
    assert checks["channels_and_bias"].status == "failed"
    assert "IndexError" not in checks["channels_and_bias"].message


def test_no_hint_when_square_kernels_raise_too_or_the_error_is_another(variant):
    case = next(c for c in variant.exercises[0].cases if c.case_id == "one_channel")
    square = next(c for c in variant.exercises[0].cases if c.case_id == "channels_and_bias")
    error = "raised IndexError: index 2 is out of bounds for axis 3 with size 2"
    assert diagnose_exception(case, error, square_in_range=True) is not None
    assert diagnose_exception(case, error, square_in_range=False) is None
    assert diagnose_exception(case, "raised ZeroDivisionError: x", square_in_range=True) is None
    assert diagnose_exception(square, error, square_in_range=True) is None
