"""``cnn-grader demo``: the whole round trip on the demo course, in one folder.

Generates an assignment for the sample roster, writes one submission per student
(reference, blank, modeled mistakes, half right, malicious, and one worked in the
notebook), grades them all in the sandbox, and returns what to print.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from grader.authoring.course import Course, load_course, read_secret
from grader.authoring.fingerprint import new_secret
from grader.authoring.late import LatePolicy
from grader.authoring.release import write_release
from grader.authoring.variant import build_assignment_variant
from grader.cli.demo_submissions import PROFILES, reference_files
from grader.cli.demo_summary import isolation_line, late_lines, sandbox_line
from grader.errors import SpecError
from grader.exports import report
from grader.exports.gradebook import Gradebook
from grader.grading.batch import grade_batch
from grader.grading.class_data import write_assignment_report
from grader.grading.times import SubmissionTimes, load_times
from grader.model import AssignmentVariant

DEMO_MARKER = ".cnn-grader-demo"
SECRET_FILE = ".demo-secret"  # in the demo folder, mode 0600: grade its files again with it
TIMES_HEADER = "Student ID,Submitted at\n"  # as an LMS exports submission times
PROFILE_ORDER = ("reference", "blank", "mistaken", "half-right", "malicious", "notebook")


@dataclass(frozen=True)
class DemoRun:
    out_dir: Path
    course_id: str
    assignment_ids: tuple[str, ...]
    profiles: tuple[tuple[str, str], ...]  # (student id, profile)
    secret_note: str
    reports: tuple[Path, ...] = ()  # one HTML class report per assignment
    late_policies: tuple[tuple[str, LatePolicy | None], ...] = ()  # (assignment, policy)


def find_course_file(start: Path | None = None) -> Path:
    """``course.yml`` in the current folder, else in the source checkout of this package."""
    candidates = [Path(start or Path.cwd()) / "course.yml"]
    candidates.append(Path(__file__).resolve().parent.parent / "course.yml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise SpecError("no course.yml here or in the cnn-grader checkout; pass --course")


def prepare_out_dir(out_dir: Path) -> None:
    """A fresh folder: refuse to overwrite anything that is not an earlier demo."""
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / DEMO_MARKER).exists():
            raise SpecError(
                "exists and is not an earlier demo folder; choose another --out", where=str(out_dir)
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DEMO_MARKER).write_text("written by cnn-grader demo\n", encoding="utf-8")


def demo_secret(course: Course, out_dir: Path) -> tuple[bytes, str]:
    """The course secret when one is set; else a fresh strong one for this demo only,
    kept (mode 0600) in the demo folder so that its files can be graded again."""
    try:
        return read_secret(course), "using the course secret"
    except SpecError:
        secret = new_secret()
        path = out_dir / SECRET_FILE
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
        return secret.encode(), f"no course secret set: made a fresh one for this demo ({path})"


def run_demo(
    *,
    out_dir: Path,
    course_path: Path | None = None,
    assignment_ids: tuple[str, ...] = (),
    workers: int = 2,
    progress: Callable[[str], None] = print,
) -> DemoRun:
    """Generate, submit and grade each assignment (default: all of them) into
    ``out_dir``; one gradebook, ``out_dir/gradebook.db``, holds every result."""
    course = load_course(course_path or find_course_file())
    ids = assignment_ids or tuple(a.assignment_id for a in course.assignments)
    prepare_out_dir(out_dir)
    secret, note = demo_secret(course, out_dir)
    progress(f"{len(course.roster)} students, {note}")
    profiles: tuple[tuple[str, str], ...] = ()
    reports = []
    for number, assignment_id in enumerate(ids, start=1):
        progress(f"[{number}/{len(ids)}] {assignment_id}: generate, submit, grade")
        write_release(course, assignment_id, course.roster, secret, out_dir / "release")
        submissions = out_dir / "submissions" / assignment_id
        profiles = _write_submissions(
            course, assignment_id, secret, submissions, out_dir / "release" / assignment_id
        )
        grade_batch(
            course=course,
            assignment_id=assignment_id,
            submissions_dir=submissions,
            secret=secret,
            gradebook_path=out_dir / "gradebook.db",
            workers=workers,
            progress=False,
            policy=course.assignment(assignment_id).late_policy,
            out_dir=out_dir / "graded",
            times=SubmissionTimes(per_student=load_times(times_file(submissions)),
                                  source=str(times_file(submissions))),
        )
        reports.append(write_assignment_report(
            course=course, assignment_id=assignment_id, gradebook_path=out_dir / "gradebook.db",
            html_path=out_dir / f"report-{assignment_id}.html",
            feedback_root=out_dir / "graded", secret=secret,
        ))
    policies = tuple((a, course.assignment(a).late_policy) for a in ids)
    return DemoRun(out_dir, course.course_id, ids, profiles, note, tuple(reports), policies)


def times_file(submissions: Path) -> Path:
    """Where the demo puts the submission times, as the instructor's LMS export (the
    grader trusts times only from the instructor, never from a submission)."""
    return submissions.parent / f"{submissions.name}.times.csv"


def _write_submissions(
    course: Course, assignment_id: str, secret: bytes, submissions: Path, release: Path
) -> tuple[tuple[str, str], ...]:
    """One folder per student; the half-right one arrives a day late, the rest on time
    (times in the LMS-style times file beside the folder)."""
    due = course.assignment(assignment_id).due
    chosen, times = [], [TIMES_HEADER]
    for index, student in enumerate(course.roster):
        profile = PROFILE_ORDER[index % len(PROFILE_ORDER)]
        variant = build_assignment_variant(course, assignment_id, student.student_id, secret)
        folder = submissions / student.student_id
        folder.mkdir(parents=True)
        if profile == "notebook":
            files = _notebook_submission(variant, release / student.student_id)
        else:
            files = PROFILES[profile](variant)
        late = timedelta(days=1) if profile == "half-right" else timedelta(hours=-2)
        times.append(f"{student.student_id},{(due + late).isoformat()}\n")
        for name, content in files.items():
            (folder / name).write_bytes(content)
        chosen.append((student.student_id, profile))
    times_file(submissions).write_text("".join(times), encoding="utf-8")
    return tuple(chosen)


def _notebook_submission(variant: AssignmentVariant, release: Path) -> dict[str, bytes]:
    """The student's released notebook with every exercise cell answered, plus the
    untouched stubs (the grader prefers the notebook over an untouched stub)."""
    answers = {
        name.removesuffix(".py"): source.decode()
        for name, source in reference_files(variant).items()
    }
    notebook_name = f"{variant.assignment_id}.ipynb"
    notebook = json.loads((release / notebook_name).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        module = cell.get("metadata", {}).get("cnn_grader", {}).get("module")
        if cell["cell_type"] == "code" and module in answers:
            cell["source"] = answers[module]
    files = {
        f"{ex.module}.py": (release / f"{ex.module}.py").read_bytes() for ex in variant.exercises
    }
    files[notebook_name] = json.dumps(notebook, indent=1).encode()
    return files


def gradebook_table(run: DemoRun, assignment_id: str) -> str:
    """The assignment's gradebook, each student labelled with their demo profile."""
    with Gradebook(run.out_dir / "gradebook.db") as gradebook:
        rows = gradebook.current(run.course_id, assignment_id)
    return report.gradebook_table(rows, dict(run.profiles))


def assignment_notes(run: DemoRun, assignment_id: str) -> list[str]:
    """Under the table: why someone is late and what the sandbox stopped."""
    policy = dict(run.late_policies).get(assignment_id)
    submissions = run.out_dir / "submissions" / assignment_id
    with Gradebook(run.out_dir / "gradebook.db") as gradebook:
        rows = gradebook.current(run.course_id, assignment_id)
        checks = gradebook.all_checks(run.course_id, assignment_id)
    notes = late_lines(rows, policy, f"the times file {times_file(submissions).name}")
    for student_id, profile in run.profiles:
        if profile == "malicious" and student_id in checks:
            notes.append(sandbox_line(student_id, checks[student_id], rows[0].isolation))
    return notes


def isolation_note(run: DemoRun) -> str:
    """The isolation tier every result was graded under, in words."""
    with Gradebook(run.out_dir / "gradebook.db") as gradebook:
        tiers = {row.isolation for a in run.assignment_ids
                 for row in gradebook.current(run.course_id, a)}
    return "; ".join(isolation_line(tier) for tier in sorted(tiers))


def richest_feedback(run: DemoRun) -> Path | None:
    """The mistaken student's feedback in the assignment where most mistakes were named."""
    student = next((s for s, p in run.profiles if p == "mistaken"), None)
    if student is None:
        return None
    with Gradebook(run.out_dir / "gradebook.db") as gradebook:
        counts = {
            a: sum(
                len(r.mistakes.split())
                for r in gradebook.current(run.course_id, a)
                if r.student_id == student
            )
            for a in run.assignment_ids
        }
    best = max(run.assignment_ids, key=lambda a: counts[a])
    return run.out_dir / "graded" / best / student / "feedback.md"
