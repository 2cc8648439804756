"""Pinned: the full release folders of two students of every demo assignment.

A decision, not a mirror of the implementation: these digests were computed once
from the release that ``generate`` of main wrote before the speed work of issue 15
changed it, and that work must leave every released byte as it was (variants, handouts, stubs,
notebooks, public cases).  When an exercise, a template or a student-facing text is
changed on purpose, the release changes too: then, and only then, recompute the
digests with ``python -m tests.speed.test_release_pinned`` and replace them here,
saying why in the commit.  The golden tests (tests/framework/test_golden.py) pin the
sampler; this pins what is built from it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .conftest import STUDENTS

PINNED = {  # computed on main at 81ec246 (before this branch's generate changes)
    ("a1-sizes-and-counts", "s00000"):
        "fa0638b404108cdf39e8f359aa40915a951468fe7658a6baf448895e46eaadb3",
    ("a1-sizes-and-counts", "s00001"):
        "67b9e5690085a7c3038eaec7e288d6e28d0c63a86d6041d4170c5f9af69d00fa",
    ("a2-by-hand", "s00000"):
        "5d6466965ee63ef93f9e49e1c350b31fa53f5ecbdc9a02bf0fd0c1daedde8085",
    ("a2-by-hand", "s00001"):
        "f6f7b479f9f724442f712139e2fffe04c5a7465582d7a88a955ac707df40b5e6",
    ("a3-implementation", "s00000"):
        "9d1fa58852eb8ebe468468da02e029c4f8c3cf027013ae28c9f86f822202c523",
    ("a3-implementation", "s00001"):
        "e2a9818f968d48a6ba31176914360ff04707b23ccd1745fbcf39593972a14af0",
    ("a4-tinycnn", "s00000"):
        "f15f0eb7f6ee4fc90301ca7f797f3e654e119939e5f34879f4abccb6c7035875",
    ("a4-tinycnn", "s00001"):
        "727afb39838f0d307c0f12f58c41d2c0b6af587dcd6b1da4da8e73793c0263fb",
}


def folder_digest(folder: Path) -> str:
    """SHA-256 over every file under ``folder`` (relative path and bytes, sorted)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("assignment", sorted({a for a, _ in PINNED}))
def test_released_files_are_byte_for_byte_the_pinned_ones(demo_release, assignment):
    release = demo_release(assignment)
    for student in STUDENTS:
        folder = release / student
        assert folder_digest(folder) == PINNED[assignment, student], (
            f"the release of {assignment}/{student} changed; its files now: "
            f"{file_digests(folder)}")


def test_every_demo_assignment_is_pinned():
    from grader.authoring.course import load_course

    course = load_course(Path(__file__).resolve().parents[2] / "course.yml")
    assert {a.assignment_id for a in course.assignments} == {a for a, _ in PINNED}


if __name__ == "__main__":  # print the digests of the current release, to pin them
    import tempfile

    from grader.cli.instructor import generate_release

    from .conftest import REPO, SECRET

    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["CNN_GRADER_SECRET"] = SECRET
        roster = Path(tmp) / "roster.csv"
        roster.write_text("student_id,name,email\n" + "".join(
            f"{s},Student {s},{s}@example.org\n" for s in STUDENTS), encoding="utf-8")
        from grader.authoring.course import load_course

        for assignment in load_course(REPO / "course.yml").assignments:
            release, _ = generate_release(course_path=REPO / "course.yml",
                                          assignment_id=assignment.assignment_id,
                                          roster_path=roster, out_dir=Path(tmp) / "out")
            for student in STUDENTS:
                print(f'    ("{assignment.assignment_id}", "{student}"):\n'
                      f'        "{folder_digest(release / student)}",')
