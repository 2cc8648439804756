"""What the batch keeps of each variant, and when it needs the full one.

A first grading stores nothing (the write would pay only on a re-grade); a re-grade
stores the variant; a notebook hand-in is graded against the full variant, whose
stub (shaped by the practice sections) is the one the release handed out."""

from __future__ import annotations

import json
from pathlib import Path

from grader.authoring.release import write_release
from grader.authoring.roster import Student
from grader.authoring.variant import build_assignment_variant
from grader.cli.demo_submissions import PROFILES
from grader.exports.gradebook import Gradebook
from grader.grading.batch import VARIANT_STORE, grade_batch

from .conftest import ASSIGNMENT, SECRET, write_submissions


def _run(course, folder, gradebook, **options):
    return grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=folder,
                       secret=SECRET, gradebook_path=gradebook, workers=1, progress=False,
                       **options)


def _entries(gradebook: Path) -> list[Path]:
    return sorted((gradebook.parent / VARIANT_STORE).rglob("*.npz"))


def _scores(course, gradebook: Path) -> dict[str, tuple[float, float]]:
    with Gradebook(gradebook) as book:
        return {r.student_id: (r.score, r.max_score)
                for r in book.current(course.course_id, ASSIGNMENT)}


def test_a_first_grading_keeps_no_variant_and_a_regrade_keeps_each(course, tmp_path):
    folder = write_submissions(course, tmp_path / "subs",
                               {"ann": "reference", "ben": "mistaken", "cat": "blank"})
    gradebook = tmp_path / "book" / "gradebook.db"
    gradebook.parent.mkdir()
    assert _run(course, folder, gradebook).graded == 3
    assert _entries(gradebook) == []
    first = _scores(course, gradebook)
    assert _run(course, folder, gradebook, force=True).graded == 3
    assert len(_entries(gradebook)) == 3
    assert _scores(course, gradebook) == first
    assert _run(course, folder, gradebook, force=True).graded == 3  # read from the store
    assert _scores(course, gradebook) == first
    assert first["ann"][0] == first["ann"][1] > first["ben"][0]


def test_a_notebook_answer_beside_the_released_stubs_is_graded(course, tmp_path):
    release = write_release(course, ASSIGNMENT, [Student("nia", "Nia", "nia@example.org")],
                            SECRET, tmp_path / "release") / "nia"
    variant = build_assignment_variant(course, ASSIGNMENT, "nia", SECRET)
    answers = PROFILES["reference"](variant)
    notebook_path = next(release.glob("*.ipynb"))
    notebook = json.loads(notebook_path.read_text())
    filled = 0
    for cell in notebook["cells"]:
        module = cell.get("metadata", {}).get("cnn_grader", {}).get("module")
        if module:
            cell["source"] = answers[f"{module}.py"].decode()
            filled += 1
    assert filled == len(variant.exercises)
    notebook_path.write_text(json.dumps(notebook))
    assert all((release / f"{e.module}.py").is_file() for e in variant.exercises)
    gradebook = tmp_path / "gradebook.db"
    assert _run(course, release.parent, gradebook, allow_unlisted=True).graded == 1
    score, top = _scores(course, gradebook)["nia"]
    assert score == top > 0
