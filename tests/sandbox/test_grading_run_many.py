"""``grade_submission`` grades all exercises through one ``run_many`` call and gives
the same result as one ``run`` per exercise (the oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring.variant import build_assignment_variant, load_course
from grader.cli.demo_submissions import PROFILES
from grader.errors import GraderError
from grader.grading.grade import grade_submission
from grader.sandbox import Sandbox

COURSE = Path(__file__).resolve().parents[2] / "course.yml"


class OnePerExercise:
    """A sandbox whose ``run_many`` runs each request alone (what grading used to do)."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.isolation = box.isolation

    def run(self, request):
        return self.box.run(request)

    def run_many(self, requests):
        return tuple(self.box.run(request) for request in requests)


class Counting(OnePerExercise):
    def __init__(self, box: Sandbox, fail_many: bool = False) -> None:
        super().__init__(box)
        self.fail_many = fail_many
        self.calls: list[str] = []

    def run(self, request):
        self.calls.append("run")
        return self.box.run(request)

    def run_many(self, requests):
        self.calls.append("run_many")
        if self.fail_many:
            raise GraderError("the shared child could not be set up")
        return self.box.run_many(requests)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


@pytest.fixture(scope="module")
def variant():
    course = load_course(COURSE)
    return build_assignment_variant(course, course.assignments[0].assignment_id, "s-one",
                                    b"test-secret")


@pytest.fixture(scope="module")
def implementation_variant():
    """An assignment whose modules are code (constant-only answer modules of the first
    one are read without a sandbox child, see ``grader.grading.literal_answers``)."""
    course = load_course(COURSE)
    return build_assignment_variant(course, "a3-implementation", "s-one", b"test-secret")


def summary(result):
    return [(ex.exercise_id, [(c.case_id, c.status, c.score, c.message) for c in ex.checks],
             ex.stdout, ex.stderr) for ex in result.exercises]


@pytest.mark.parametrize("profile", ["reference", "mistaken", "half-right", "blank",
                                     "malicious"])
def test_one_shared_child_grades_like_one_child_per_exercise(sandbox, variant, profile):
    files = PROFILES[profile](variant)
    shared = grade_submission(variant=variant, files=files, sandbox=sandbox)
    alone = grade_submission(variant=variant, files=files, sandbox=OnePerExercise(sandbox))
    assert summary(shared) == summary(alone)
    assert shared.isolation == alone.isolation


def test_a_submission_costs_one_run_many_call(sandbox, implementation_variant):
    variant = implementation_variant
    counting = Counting(sandbox)
    grade_submission(variant=variant, files=PROFILES["reference"](variant), sandbox=counting)
    assert counting.calls == ["run_many"]


def test_a_failing_shared_call_falls_back_to_one_run_per_exercise(sandbox,
                                                                  implementation_variant):
    variant = implementation_variant
    counting = Counting(sandbox, fail_many=True)
    result = grade_submission(variant=variant, files=PROFILES["reference"](variant),
                              sandbox=counting)
    assert counting.calls == ["run_many"] + ["run"] * len(variant.exercises)
    assert all(check.status == "passed" for ex in result.exercises for check in ex.checks)
