"""A small real course with a roster, a real secret file and decoys, graded through
the real command line, for the red-team tests of the grading boundary (reading
submissions, batch survival, times, outputs, ids and the secret).

Decoys carry unique markers: the course secret (in the course folder, as on a
real server), a classmate's answer file and a file outside every submission.
``leaked`` looks for any of them in everything a grading run wrote.
"""

from __future__ import annotations

import os
import secrets
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.variant import build_assignment_variant, load_course
from grader.cli import main
from grader.cli.demo_submissions import PROFILES

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1"
EXERCISES = ("conv-output-size", "pool-output-size")
DUE = "2026-10-05T23:59:00+00:00"


@dataclass(frozen=True)
class Classroom:
    root: Path
    course_yml: Path
    secret: bytes
    submissions: Path
    out: Path
    markers: tuple[bytes, ...]  # bytes that must never appear in any output
    classmate_file: Path
    outside_file: Path

    def course(self):
        return load_course(self.course_yml)

    def submit(self, student: str, profile: str = "reference") -> Path:
        """A folder for ``student`` with the files of a demo profile."""
        variant = build_assignment_variant(self.course(), ASSIGNMENT, student, self.secret)
        folder = self.submissions / student
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in PROFILES[profile](variant).items():
            (folder / name).write_bytes(data)
        return folder

    def grade(self, *extra: str) -> int:
        """``cnn-grader grade`` in this process; afterwards no process it started is left
        (children that lived before it, such as other tests' warm sandboxes, are not its)."""
        before = set(live_children(wait=0.0))
        code = main(["grade", "--assignment", ASSIGNMENT, "--course", str(self.course_yml),
                     "--out", str(self.out), "--workers", "1", "--insecure", *extra])
        assert live_children(ignore=before) == [], "grading left processes behind"
        return code

    def grade_batch(self, *extra: str) -> int:
        return self.grade("--submissions", str(self.submissions), *extra)

    def rows(self) -> dict[str, object]:
        from grader.exports.gradebook import Gradebook

        with Gradebook(self.out / "gradebook.db") as book:
            return {r.student_id: r for r in book.current(self.course().course_id, ASSIGNMENT)}

    def messages(self, student: str) -> list[str]:
        from grader.exports.gradebook import Gradebook

        with Gradebook(self.out / "gradebook.db") as book:
            return [c.message for c in book.checks(self.course().course_id, ASSIGNMENT, student)]

    def leaked(self) -> list[str]:
        """Every output file (and the gradebook) holding a decoy's bytes, and every
        decoy changed (the secret file, the classmate's file, the outside file)."""
        decoys = (self.classmate_file, self.outside_file)
        found = [f"{path} changed" for path, marker in zip(decoys, self.markers[1:], strict=True)
                 if path.read_bytes() != marker]
        for path in sorted(self.out.rglob("*")):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                found += [f"{path}: {m!r}" for m in self.markers if m in data]
        return found


def live_children(wait: float = 5.0, ignore: set[int] = frozenset()) -> list[int]:
    """Pids of this process's live children (but multiprocessing's resource tracker
    and ``ignore``), after giving them ``wait`` s to exit."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if (int(fields[1]) == os.getpid() and fields[0] != "Z"
                    and int(entry.name) not in ignore and not _helper(entry)):
                found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _helper(entry: Path) -> bool:
    """multiprocessing's resource tracker lives as long as this process, by design."""
    try:
        return b"multiprocessing.resource_tracker" in (entry / "cmdline").read_bytes()
    except OSError:
        return True


def make_classroom(tmp: Path, students: tuple[str, ...]) -> Classroom:
    """The course folder (roster, secret file), a classmate and an outside decoy."""
    root = tmp / "course"
    root.mkdir(parents=True)
    secret = f"redteam_{secrets.token_hex(16)}_secret"  # a NameError would quote it whole
    (root / ".course-secret").write_text(secret + "\n")
    os.chmod(root / ".course-secret", 0o600)
    roster = "student_id,name,email\n" + "".join(
        f"{s},Student {s},{s.replace('@', '.')}@example.org\n" for s in students)
    (root / "roster.csv").write_text(roster)
    (root / "course.yml").write_text(textwrap.dedent(f"""\
        schema_version: 1
        id: redteam-boundary
        title: Red-team boundary course
        secret: {{file: .course-secret}}
        roster: roster.csv
        exercises: {REPO / 'exercises'}
        assignments:
          - id: {ASSIGNMENT}
            title: Sizes
            due: {DUE}
            late: {{per_day: 0.25, max_days: 3}}
            exercises: [{', '.join(EXERCISES)}]
          - id: a2
            title: Pooling
            due: {DUE}
            exercises: [same-padding]
        """))
    classmate_marker = f"CLASSMATE_{secrets.token_hex(8)}".encode()
    outside_marker = f"OUTSIDE_{secrets.token_hex(8)}".encode()
    submissions = tmp / "submissions"
    classmate = submissions / "classmate"
    classmate.mkdir(parents=True)
    (classmate / "notes_of_classmate.txt").write_bytes(classmate_marker)
    outside = tmp / "elsewhere" / "private.txt"
    outside.parent.mkdir()
    outside.write_bytes(outside_marker)
    return Classroom(root, root / "course.yml", secret.encode(), submissions, tmp / "out",
                     (secret.encode(), classmate_marker, outside_marker),
                     classmate / "notes_of_classmate.txt", outside)
