"""Release folders of the demo course, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli.instructor import generate_release

REPO = Path(__file__).resolve().parents[2]
# strong enough for read_secret (256 bits); a test secret, never a course's
SECRET = "bf6e888a5c3f5c6146bea44cf29bfd300dc78fefcfa22bee68ad0cec4fd909d7"
STUDENTS = ("s00000", "s00001")


@pytest.fixture(scope="session")
def demo_release(tmp_path_factory):
    """``release(assignment_id)``: the demo course's release of that assignment for the
    two students of ``STUDENTS`` (generated on first use)."""
    root = tmp_path_factory.mktemp("release")
    roster = root / "roster.csv"
    roster.write_text("student_id,name,email\n" + "".join(
        f"{s},Student {s},{s}@example.org\n" for s in STUDENTS), encoding="utf-8")
    made: dict[str, Path] = {}

    def release(assignment_id: str) -> Path:
        if assignment_id not in made:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("CNN_GRADER_SECRET", SECRET)
                made[assignment_id], _ = generate_release(
                    course_path=REPO / "course.yml", assignment_id=assignment_id,
                    roster_path=roster, out_dir=root / "out")
        return made[assignment_id]

    return release
