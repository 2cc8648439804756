"""Pinned: the full release folders of two students of every demo assignment.

A decision, not a mirror of the implementation: these digests were computed once
from the release that ``generate`` wrote before the speed work of issue 15, and
that work must leave every released byte as it was (variants, handouts, stubs,
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

PINNED = {
    ("a1-sizes-and-counts", "s00000"):
        "7f759497a3f266df366ba908dc285aed1d4e5d55a809ac9457e3294acca9de9e",
    ("a1-sizes-and-counts", "s00001"):
        "4d07d6da519d58f77f409f38bd57cb6264776ca5e894617f09bcdc0c1ce223f8",
    ("a2-by-hand", "s00000"):
        "d5047eb5e06f38dac0d866127e32984c90e5b8988ed8e0fce213f7bb84080769",
    ("a2-by-hand", "s00001"):
        "26dc91b8f54c6a1abb23827e20487e13769e47328fd005f6a3d523c4229c1ec2",
    ("a3-implementation", "s00000"):
        "36bc530ad032531e6c01bafbfc2a708bacb4651062fe2bc25c4a3ba9e97e5872",
    ("a3-implementation", "s00001"):
        "981766e72413a8b6126b974e761a3fc1a5abe7d7a95bd8633bf2687f03e5bebe",
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
