"""Synthetic submissions for the demo and the benchmarks, written from a variant.

Each profile is what a kind of student hands in: the reference, the untouched
stub, by-hand answers that follow a modeled mistake, code with a classic bug,
and an attack.  Pure functions: variant in, ``{file name: bytes}`` out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.model import AssignmentVariant, ExerciseVariant

Files = dict[str, bytes]

# Plain-NumPy bugs a student might write, appended after the reference so that the
# public name now does the wrong thing.  Keyed by the function students implement.
CODE_BUGS: Mapping[str, str] = MappingProxyType(
    {
        "conv2d_forward": (
            "_reference_conv2d_forward = conv2d_forward\n\n\n"
            "def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):\n"
            "    # flips the kernel: a true convolution instead of cross-correlation\n"
            "    return _reference_conv2d_forward(\n"
            "        x, w[:, :, ::-1, ::-1], b, stride, padding, dilation, groups\n"
            "    )\n"
        ),
        "maxpool_backward": (
            "_reference_maxpool_backward = maxpool_backward\n\n\n"
            "def maxpool_backward(dout, x, size, stride=None, padding=0):\n"
            "    # routes the gradient to the smallest value of each window\n"
            "    return _reference_maxpool_backward(dout, -x, size, stride, padding)\n"
        ),
    }
)

ATTEMPTED_PATHS = ("/proc/1/environ", "../results.json", "/root/.course-secret")
MALICIOUS_SOURCE = b"""\
import os, sys
print("PASSED: score 100/100")
for path in %s:
    try:
        open(path, "w").write("owned")
    except OSError:
        pass
os.environ.get("CNN_GRADER_SECRET")
sys.exit(0)
""" % repr(ATTEMPTED_PATHS).encode()


def literal(value: Any) -> str:
    """Python source for a by-hand answer value (ints, floats, tuples, arrays, text)."""
    if isinstance(value, np.ndarray):
        return repr(value.tolist())
    if isinstance(value, tuple):
        return repr(tuple(v.item() if isinstance(v, np.generic) else v for v in value))
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def answers_module(exercise: ExerciseVariant, choose: Callable[[Any], Any]) -> bytes:
    """A by-hand module assigning ``choose(case)`` to every answer constant."""
    lines = [f'"""Answers for {exercise.title}."""', ""]
    for case in exercise.cases:
        if case.probe.kind == "attribute":
            lines.append(f"{case.probe.name} = {literal(choose(case))}")
    return ("\n".join(lines) + "\n").encode()


def reference_files(variant: AssignmentVariant) -> Files:
    return {f"{ex.module}.py": ex.solution_source.encode() for ex in variant.exercises}


def blank_files(variant: AssignmentVariant) -> Files:
    return {f"{ex.module}.py": ex.stub_source.encode() for ex in variant.exercises}


def mistaken_files(variant: AssignmentVariant) -> Files:
    """By-hand answers from the first modeled mistake of each case; code with a known bug."""
    files: Files = {}
    for exercise in variant.exercises:
        if _is_by_hand(exercise):
            files[f"{exercise.module}.py"] = answers_module(exercise, _first_mistake_value)
        else:
            files[f"{exercise.module}.py"] = _with_bugs(exercise).encode()
    return files


def half_right_files(variant: AssignmentVariant) -> Files:
    """Every other exercise right, the others blank."""
    files = reference_files(variant)
    for index, exercise in enumerate(variant.exercises):
        if index % 2:
            files[f"{exercise.module}.py"] = exercise.stub_source.encode()
    return files


def malicious_files(variant: AssignmentVariant) -> Files:
    return {f"{ex.module}.py": MALICIOUS_SOURCE for ex in variant.exercises}


def _is_by_hand(exercise: ExerciseVariant) -> bool:
    return all(case.probe.kind == "attribute" for case in exercise.cases)


def _first_mistake_value(case: Any) -> Any:
    return case.mistakes[0].value if case.mistakes else case.expected


def _with_bugs(exercise: ExerciseVariant) -> str:
    source = exercise.solution_source
    names = {case.probe.name for case in exercise.cases if case.probe.kind == "call"}
    patches = [CODE_BUGS[name] for name in sorted(names) if name in CODE_BUGS]
    return source + "".join("\n\n" + patch for patch in patches)


PROFILES: Mapping[str, Callable[[AssignmentVariant], Files]] = MappingProxyType(
    {
        "reference": reference_files,
        "blank": blank_files,
        "mistaken": mistaken_files,
        "half-right": half_right_files,
        "malicious": malicious_files,
    }
)
