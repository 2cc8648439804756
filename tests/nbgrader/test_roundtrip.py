"""The whole nbgrader round trip on real catalogue exercises, through both command lines.

``cnn-grader nbgrader export``, ``nbgrader generate_assignment``, ``cnn-grader nbgrader
release``, notebooks placed in ``submitted/<student>/A/``, ``nbgrader autograde``,
``generate_feedback`` and ``export``.  Four students: the reference (alice), the
blank release (bob), a modeled by-hand mistake (carol), and dave, who pastes alice's
numbers into his prompts and her answers into his cells, and rewrites the locked
cells to award full marks.  mallory shows the limit of any kernel-based grading: her
code reads the expected value from the grader's objects in the same kernel.
The same notebooks are then graded by our engine, which must agree on every score.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.model import AssignmentVariant
from grader.nbgrader.course import student_release_dir
from grader.nbgrader.notebook import with_module_sources
from tests.nbgrader.nbgrader_cli import (
    exported_scores,
    nbgrader,
    nbgrader_available,
    require_python3_kernel,
    run_nbgrader,
)

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.slow,
    pytest.mark.skipif(not nbgrader_available(), reason="nbgrader is not installed"),
]

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1"
SECRET_ENV = "NBGRADER_ROUNDTRIP_SECRET"
EXERCISES = ("conv-output-size", "pool-output-size", "impl-maxpool")
BY_HAND, MISTAKE = "conv-output-size", "floor_forgotten"
STUDENTS = ("alice", "bob", "carol", "dave", "mallory")
COURSE_YML = f"""\
schema_version: 1
id: nb-roundtrip
title: nbgrader round trip
secret: {{env: {SECRET_ENV}}}
roster: roster.csv
exercises: exercises
assignments:
  - id: {ASSIGNMENT}
    title: Sizes and pooling
    due: 2030-01-01T00:00:00+00:00
    exercises: [{", ".join(EXERCISES)}]
"""


def _write_course(root: Path) -> Path:
    (root / "exercises").mkdir(parents=True)
    for exercise in EXERCISES:
        shutil.copy(REPO / "exercises" / f"{exercise}.yml", root / "exercises")
    rows = "".join(f"{s},{s.title()},{s}@example.org\n" for s in STUDENTS)
    (root / "roster.csv").write_text("student_id,name,email\n" + rows, encoding="utf-8")
    (root / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    return root / "course.yml"


def _cnn_grader(*args: str, cwd: Path) -> None:
    env = dict(os.environ, **{SECRET_ENV: "roundtrip-secret-0123456789-ABCDEFGI"})
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _variant(course_yml: Path, student: str) -> AssignmentVariant:
    from grader.authoring.variant import build_assignment_variant, load_course

    return build_assignment_variant(load_course(course_yml), ASSIGNMENT, student,
                                    b"roundtrip-secret-0123456789-ABCDEFGI")


def _solutions(variant: AssignmentVariant) -> dict[str, str]:
    return {exercise.module: exercise.solution_source for exercise in variant.exercises}


def _mistaken(variant: AssignmentVariant) -> tuple[dict[str, str], float]:
    """Reference answers except the by-hand constant, which takes the mistake's value."""
    sources = _solutions(variant)
    exercise = next(ex for ex in variant.exercises if ex.exercise_id == BY_HAND)
    case = exercise.cases[0]
    wrong = next(m.value for m in case.mistakes if m.mistake_id == MISTAKE)
    sources[exercise.module] += f"\n{case.probe.name} = {wrong!r}\n"
    return sources, case.points


def _tampered(notebook: dict, other: AssignmentVariant) -> dict:
    """``other``'s prompts and correct answers, test cells rewritten to print full marks,
    and the set-up cell replaced."""
    prompts = {ex.exercise_id: ex.prompt_markdown for ex in other.exercises}
    for cell in notebook["cells"]:
        nbgrader_meta = cell.get("metadata", {}).get("nbgrader", {})
        ours = cell.get("metadata", {}).get("cnn_grader", {})
        if nbgrader_meta.get("grade_id", "").startswith("tests_"):
            cell["source"] = f"_score = {nbgrader_meta['points']}\n_score"
        elif nbgrader_meta.get("locked"):
            cell["source"] = "_cnn_grader = None"
        elif ours.get("role") == "prompt":
            cell["source"] = prompts[ours["exercise"]]
    return with_module_sources(notebook, _solutions(other))


def _reading_the_key(notebook: dict, variant: AssignmentVariant) -> dict:
    """The blank notebook, but the by-hand answer is taken from the in-kernel key."""
    exercise = next(ex for ex in variant.exercises if ex.exercise_id == BY_HAND)
    name = exercise.cases[0].probe.name
    cheat = f"{name} = _cnn_grader.key.exercise({BY_HAND!r}).cases[0].expected\n"
    return with_module_sources(notebook, {exercise.module: cheat})


def _submit(course_dir: Path, student: str, notebook: dict) -> Path:
    folder = course_dir / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    require_python3_kernel()
    root = tmp_path_factory.mktemp("nbgrader-course")
    course_yml = _write_course(root)
    course_dir = root / "nb"
    _cnn_grader("nbgrader", "export", "--assignment", ASSIGNMENT, "--course-dir",
                str(course_dir), cwd=root)
    (root / "ids.csv").write_text("id\n" + "\n".join(STUDENTS) + "\n", encoding="utf-8")
    nbgrader(course_dir, "db", "student", "import", str(root / "ids.csv"))
    nbgrader(course_dir, "generate_assignment", ASSIGNMENT)
    _cnn_grader("nbgrader", "release", "--assignment", ASSIGNMENT, "--course-dir",
                str(course_dir), cwd=root)
    variants = {student: _variant(course_yml, student) for student in STUDENTS}
    released = {
        student: json.loads((student_release_dir(course_dir, ASSIGNMENT, student)
                             / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
        for student in STUDENTS
    }
    carol_sources, mistake_points = _mistaken(variants["carol"])
    submitted = {
        "alice": with_module_sources(released["alice"], _solutions(variants["alice"])),
        "bob": released["bob"],
        "carol": with_module_sources(released["carol"], carol_sources),
        "dave": _tampered(released["dave"], variants["alice"]),
        "mallory": _reading_the_key(released["mallory"], variants["mallory"]),
    }
    paths = {student: _submit(course_dir, student, nb) for student, nb in submitted.items()}
    nbgrader(course_dir, "autograde", ASSIGNMENT)
    nbgrader(course_dir, "generate_feedback", ASSIGNMENT)
    return {"dir": course_dir, "variants": variants, "paths": paths,
            "scores": exported_scores(course_dir, ASSIGNMENT), "mistake_points": mistake_points}


def _total(variant: AssignmentVariant) -> float:
    return sum(ex.points for ex in variant.exercises)


def test_the_reference_notebook_earns_full_marks(course):
    total = _total(course["variants"]["alice"])
    assert course["scores"]["alice"] == (total, total)


def test_the_blank_release_notebook_earns_nothing(course):
    assert course["scores"]["bob"] == (0.0, _total(course["variants"]["bob"]))


def test_a_modeled_mistake_earns_partial_marks_and_is_named_in_the_feedback(course):
    total = _total(course["variants"]["carol"])
    assert course["scores"]["carol"] == (total - course["mistake_points"], total)
    feedback = course["dir"] / "feedback" / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert MISTAKE in feedback.read_text(encoding="utf-8")


def test_tampering_with_locked_cells_and_the_own_numbers_gains_nothing(course):
    # dave answers alice's numbers: right for the generic implementation, wrong for
    # every by-hand exercise, whatever his rewritten cells claim.
    dave, alice = course["variants"]["dave"], course["variants"]["alice"]
    by_hand = [ex for ex in dave.exercises if ex.kind == "by_hand"]
    theirs = {ex.exercise_id: ex.cases[0].expected for ex in alice.exercises}
    assert all(ex.cases[0].expected != theirs[ex.exercise_id] for ex in by_hand)
    earned = _total(dave) - sum(ex.points for ex in by_hand)
    assert course["scores"]["dave"] == (pytest.approx(earned), _total(dave))


def test_code_in_the_kernel_can_read_the_key_which_is_why_our_engine_isolates_it(course):
    # A documented limit of nbgrader, not a property we claim: see docs/nbgrader.md.
    by_hand = next(ex for ex in course["variants"]["mallory"].exercises
                   if ex.exercise_id == BY_HAND)
    assert course["scores"]["mallory"][0] == pytest.approx(by_hand.points)


def test_nothing_a_student_receives_contains_the_secret_or_another_students_key(course):
    handed_out = [p for folder in (course["dir"] / "release", course["dir"] / "cnn_grader"
                                   / "release") for p in folder.rglob("*") if p.is_file()]
    assert handed_out
    for path in handed_out:
        text = path.read_text(encoding="utf-8")
        assert "roundtrip-secret-0123456789-ABCDEFGI" not in text, path
        assert '"scope": "all"' not in text, path  # only public keys travel with notebooks


def test_a_student_without_an_answer_key_fails_autograde_instead_of_scoring_zero(course):
    # frank was never released to, so there is no key: a grader fault.  Autograde fails
    # loudly and writes no graded notebook (nbgrader's CSV still lists an empty
    # submission; see docs/nbgrader.md).
    course_dir = course["dir"]
    _submit(course_dir, "frank", json.loads(course["paths"]["bob"].read_text()))
    done = run_nbgrader(course_dir, "autograde", ASSIGNMENT, "--student", "frank")
    assert done.returncode != 0
    assert "no answer key" in done.stdout + done.stderr
    assert not (course_dir / "autograded" / "frank" / ASSIGNMENT).exists()


def test_our_engine_gives_every_notebook_the_score_nbgrader_gave(course):
    from grader.grading.collect import collect_submission
    from grader.grading.grade import grade_submission
    from grader.sandbox import Sandbox

    with Sandbox() as sandbox:
        ours = {
            student: grade_submission(variant=course["variants"][student], sandbox=sandbox,
                                      files=collect_submission(path)).score
            for student, path in course["paths"].items()
        }
    theirs = {student: score for student, (score, _) in course["scores"].items()
              if student != "mallory"}
    assert ours.pop("mallory") == 0.0
    # per-case scores are rounded to 6 places, so a total may exceed nbgrader's by 1e-6
    assert ours == pytest.approx(theirs, abs=1e-5)
