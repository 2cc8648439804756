"""Reading constant-only answer modules without the sandbox changes no verdict.

The oracle is the sandbox itself: wherever the shortcut answers, the real child
process must give the same outcome (value, type, dtype, shape, or message).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.cli.demo_submissions import PROFILES
from grader.grading.grade import module_files_for
from grader.grading.literal_answers import literal_outcomes
from grader.model import Probe
from grader.sandbox import Sandbox, SandboxRequest

REPO = Path(__file__).resolve().parents[2]
SECRET = b"literal-answers-test-secret-0123456789abcdef"
NAMES = ("ANSWER", "OUTPUT_SIZE", "GRAD")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def same_outcome(fast, slow) -> bool:
    if (fast.error, type(fast.value)) != (slow.error, type(slow.value)):
        return False
    if isinstance(fast.value, np.ndarray):
        return (fast.value.dtype == slow.value.dtype and fast.value.shape == slow.value.shape
                and np.array_equal(fast.value, slow.value))
    return fast.value == slow.value


def sandbox_outcomes(sandbox, source: bytes, probes):
    return sandbox.run(SandboxRequest(files={"answers.py": source}, module="answers",
                                      probes=tuple(probes)))


def assert_agrees(sandbox, source: bytes, probes) -> bool:
    """True when the shortcut answered (and agreed); False when it left it to the sandbox."""
    fast = literal_outcomes(source, probes)
    if fast is None:
        return False
    slow = sandbox_outcomes(sandbox, source, probes)
    assert slow.import_error is None, (source, slow.import_error)
    assert slow.stdout == slow.stderr == ""
    for probe, quick, real in zip(probes, fast, slow.probes, strict=True):
        assert same_outcome(quick, real), (source, probe.name, quick, real)
    return True


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_demo_profile_gets_the_sandboxs_outcomes(sandbox, profile):
    course = load_course(REPO / "course.yml")
    answered = 0
    for assignment in course.assignments:
        variant = build_assignment_variant(course, assignment.assignment_id, "s2026001", SECRET)
        files = PROFILES[profile](variant)
        for exercise in variant.exercises:
            module_file = f"{exercise.module}.py"
            chosen = module_files_for(exercise, files)
            if module_file in chosen:
                probes = [case.probe for case in exercise.cases]
                answered += assert_agrees(sandbox, chosen[module_file], probes)
    if profile in ("reference", "blank", "mistaken"):
        assert answered > 10  # the by-hand modules of these profiles take the shortcut


def test_what_only_the_sandbox_can_judge_is_left_to_it():
    probe = [Probe(kind="attribute", name="ANSWER")]
    for source in (
        b"import os\nANSWER = 3\n",
        b"ANSWER = np.array([1, 2])\n",
        b"ANSWER = True\n",  # a bool is refused with the sandbox's own message
        b"ANSWER = 1e999\n",  # not finite
        b"ANSWER = [[1, 2], [3]]\n",  # ragged
        b"ANSWER = 2 ** 70\n",
        b"ANSWER = 99999999999999999999999\n",
        b"ANSWER: int = 3\n",
        b"OTHER = 3\n",  # missing name
        b"ANSWER = (\n",  # syntax error
        b"ANSWER = 'a\\d'\n",  # an escape that warns at compile time
        b"# -*- coding: latin-1 -*-\nANSWER = '\xe9'\n",
        b"ANSWER = 'x' * 3\n",
        b"ANSWER = " + b"[" * 20 + b"1" + b"]" * 20 + b"\n",  # nested too deep
    ):
        assert literal_outcomes(source, probe) is None, source


def test_call_probes_always_go_to_the_sandbox():
    assert literal_outcomes(b"ANSWER = 3\n", [Probe(kind="call", name="ANSWER")]) is None


scalars = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.text(max_size=4), st.none(), st.booleans(),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple)), max_leaves=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(NAMES), values), min_size=1, max_size=4),
       st.sampled_from(["\n", "\r\n"]))
def test_generated_constant_modules_agree_with_the_sandbox(sandbox_for_hypothesis,
                                                          assignments, newline):
    source = newline.join(f"{name} = {value!r}" for name, value in assignments) + newline
    probes = [Probe(kind="attribute", name=name) for name in dict(assignments)]
    assert_agrees(sandbox_for_hypothesis, source.encode("utf-8"), probes)


@pytest.fixture(scope="module")
def sandbox_for_hypothesis(sandbox):
    return sandbox
