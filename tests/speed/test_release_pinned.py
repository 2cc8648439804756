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

PINNED = {  # computed on main at 94c2400 (before this branch's generate changes)
    ("a1-sizes-and-counts", "s00000"):
        "c5b11856d4d18d568b7f9c704c2ce264732e7ffd54d2b8123389e47eb8e1afcc",
    ("a1-sizes-and-counts", "s00001"):
        "69606c05973d703c295447125bfcfd471c15b74c3d7ba9ed87a08804196862c4",
    ("a2-by-hand", "s00000"):
        "cc93d13a03459005f3820292fd0fdeaf4d3c1db8e5ccf1f0e97ac39402329da8",
    ("a2-by-hand", "s00001"):
        "9941c66969e66983b81a037829b157945e1a9dbf9a5282b19091c0037b75bc5a",
    ("a3-implementation", "s00000"):
        "9b9901e941be4e15ea509cf0eeaf6e35fd3f6c49ff4a25409e896ac21ea96c16",
    ("a3-implementation", "s00001"):
        "bcc521419feb7464f7889923a09d419a496e16b747d030ead2b85920bcc02c19",
    ("a4-tinycnn", "s00000"):
        "35d71c86d56b99e2706b80b899626eee1f5f6625d14a9cbda3e8dcb8401d35ca",
    ("a4-tinycnn", "s00001"):
        "7718f62e3f5c2bbd70b39ecffded898e0c5aa31d1275ad567071bdd654a34c00",
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
