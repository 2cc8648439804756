"""A course whose TinyCNN spec names no ``stream`` keeps the ``v1`` data, byte for byte.

The demo course switched its training exercise to the cheaper ``stream: v2`` noise
(issue 15).  A course that upgrades cnn-grader in mid-semester, with its exercise files
as they were, must not see any student's released folder change.  The oracle is the
pins of the demo release taken before ``v2`` existed (94c2400, in
tests/speed/test_release_pinned.py until the switch): the demo course is copied with
the one line of ``tinycnn-train.yml`` put back as it was, then released.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.cli.instructor import generate_release
from tests.speed.conftest import REPO, SECRET, STUDENTS
from tests.speed.test_release_pinned import file_digests, folder_digest

V1_PINNED = {  # 94c2400's release of a4-tinycnn, before the demo course chose v2
    "s00000": "e05753bb6c30f89fc96d3ed693912aaca08790002d9c17d70f6bdbfda21fdc1e",
    "s00001": "edf17372e2ba89da022a0f7b3f90c86217726c2691449c8ea398dbb5f95937a0",
}
V2_LINE = "    arguments: {noise: 0.2, stream: v2}"
V1_LINE = "    arguments: {noise: 0.2}"
# Changed in the file since 94c2400, besides the data line: its own limits and the
# prompt's sentence that states them (put back as they were, text for text).
LIMITS_NOW = (
    "  The grader runs your function under a limit of {{ limits.cpu_seconds }} s of CPU time\n"
    "  ({{ limits.wall_seconds }} s of wall-clock time) and measures the accuracy of the\n"
    "  returned parameters on {{ n_test }} hidden test images of the same kind, with the\n"
    "  reference forward pass. Full marks from\n")
LIMITS_BEFORE = (
    "  The grader runs your function under a CPU-time limit of a few seconds and measures\n"
    "  the accuracy of the returned parameters on {{ n_test }} hidden test images of the\n"
    "  same kind, with the reference forward pass. Full marks from\n")


def _course_as_before(folder: Path) -> Path:
    """The demo course under ``folder`` with tinycnn-train.yml as it was before v2."""
    shutil.copy(REPO / "course.yml", folder / "course.yml")
    shutil.copy(REPO / "roster.csv", folder / "roster.csv")
    shutil.copytree(REPO / "exercises", folder / "exercises")
    train = folder / "exercises" / "tinycnn-train.yml"
    text = train.read_text(encoding="utf-8")
    assert text.count(LIMITS_NOW) == 1
    text = text.replace(LIMITS_NOW, LIMITS_BEFORE)
    lines = text.split("\n")
    start = lines.index(next(line for line in lines if line.startswith("limits:")))
    end = start + 1
    while lines[end].startswith("  "):
        end += 1
    del lines[start:end]
    (index,) = [i for i, line in enumerate(lines) if line.startswith(V2_LINE)]
    lines[index] = V1_LINE
    train.write_text("\n".join(lines), encoding="utf-8")
    return folder / "course.yml"


def test_a_spec_without_stream_releases_the_v1_folders_as_pinned(tmp_path, monkeypatch):
    course = _course_as_before(tmp_path)
    roster = tmp_path / "students.csv"
    roster.write_text("student_id,name,email\n" + "".join(
        f"{s},Student {s},{s}@example.org\n" for s in STUDENTS), encoding="utf-8")
    monkeypatch.setenv("CNN_GRADER_SECRET", SECRET)
    release, _ = generate_release(course_path=course, assignment_id="a4-tinycnn",
                                  roster_path=roster, out_dir=tmp_path / "out")
    for student in STUDENTS:
        assert folder_digest(release / student) == V1_PINNED[student], (
            f"a v1 course's release of {student} changed: {file_digests(release / student)}")


def test_the_demo_course_does_choose_v2():
    # else the test above would prove nothing about v2 being opt-in
    text = (REPO / "exercises" / "tinycnn-train.yml").read_text(encoding="utf-8")
    assert any(line.startswith(V2_LINE) for line in text.split("\n"))
