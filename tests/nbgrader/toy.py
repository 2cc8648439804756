"""A hand-made two-exercise variant family, independent of the exercise catalogue.

Each student's numbers come from a hash of their id, so students differ; the
expected values are plain arithmetic written here, not computed by the code under
test.
"""

from __future__ import annotations

import hashlib

import numpy as np

from grader.model import AssignmentVariant, Case, ExerciseVariant, ModeledAnswer, Probe, Tolerance

COURSE = "toy-course"
ASSIGNMENT = "a1"
FLOOR_FORGOTTEN = "floor_forgotten"


def numbers(student_id: str) -> tuple[int, int, int]:
    """(input size, kernel, stride) of a student: sizes where the floor matters."""
    digest = hashlib.sha256(student_id.encode()).digest()
    n = 20 + digest[0] % 60
    k = 3 + 2 * (digest[1] % 2)
    stride = 2
    if (n - k) % stride == 0:
        n += 1
    return n, k, stride


def _size_cases(student_id: str) -> tuple[Case, ...]:
    n, k, s = numbers(student_id)
    right = (n - k) // s + 1
    wrong = (n - k) / s + 1  # the modeled mistake: no floor
    mistake = (ModeledAnswer(FLOOR_FORGOTTEN, "The division in the size formula is floored.",
                             wrong),)
    return (
        Case("out_h", "OUT_H", 2.0, True, "float", Probe("attribute", "OUT_H"), float(right),
             Tolerance(0.0, 1e-9), False, mistake),
        Case("out_w", "OUT_W", 1.0, False, "float", Probe("attribute", "OUT_W"),
             float(right + 1), Tolerance(0.0, 1e-9), False, ()),
    )


def _scale_cases(student_id: str) -> tuple[Case, ...]:
    factor = float(numbers(student_id)[0])
    x = np.arange(6, dtype=np.float64).reshape(2, 3)
    return (
        Case("scale_public", "scale(x, factor)", 1.0, True, "array",
             Probe("call", "scale", (("x", x), ("factor", factor))), x * factor),
        Case("scale_hidden", "scale(x, factor), hidden", 2.0, False, "array",
             Probe("call", "scale", (("x", -x), ("factor", factor))), -x * factor,
             Tolerance(1e-9, 1e-12), True),
    )


def toy_variant(student_id: str) -> AssignmentVariant:
    n, k, s = numbers(student_id)
    factor = float(n)
    size = ExerciseVariant(
        exercise_id="output-size", title="Output size", kind="by_hand", version="v1",
        points=3.0, module="output_size",
        prompt_markdown=f"An input of {n}×{n+1} pixels, kernel {k}, stride {s}, no padding.",
        stub_source="OUT_H = None  # replace None with your answer\nOUT_W = None\n",
        cases=_size_cases(student_id),
        solution_source=f"OUT_H = {(n - k) // s + 1}\nOUT_W = {(n + 1 - k) // s + 1}\n",
    )
    scale = ExerciseVariant(
        exercise_id="scale-rows", title="Scale", kind="implementation", version="v1",
        points=3.0, module="scale_rows",
        prompt_markdown=f"Return `x` multiplied by `factor` (yours: {factor:g}).",
        stub_source="def scale(x, factor):\n    raise NotImplementedError\n",
        cases=_scale_cases(student_id),
        solution_source=("def scale(x, factor):\n    ### BEGIN SOLUTION\n"
                         "    return x * factor\n    ### END SOLUTION\n"),
    )
    return AssignmentVariant(COURSE, ASSIGNMENT, student_id, "Toy assignment", (size, scale))
