"""Submission times, only from sources the instructor vouches for.

A late penalty takes points away, so the time it is computed from must not be in
the student's hands: never a file inside the submission, never file modification
times (copying without preserving them once made a whole class late).  A time
comes from ``--submitted-at`` (everyone), a times file exported from the LMS
(student, time), or nbgrader's exchange ``timestamp.txt`` when the instructor
says to trust it.  Without one no penalty is applied, and the summary says so.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.authoring.roster import Student
from grader.authoring.yamldoc import Problem, SpecProblems
from grader.errors import SpecError, SubmissionError
from grader.grading.collect import open_folder, read_regular_file, submission_root

NBGRADER_TIMESTAMP = "timestamp.txt"
STUDENT_HEADERS = ("student_id", "student", "id", "username", "login", "user",
                   "sis user id", "sis login id", "student id", "id number", "email",
                   "email address")
TIME_HEADERS = ("submitted_at", "submitted", "submission time", "submitted at", "time",
                "timestamp", "date submitted", "submission date", "last submission")


@dataclass(frozen=True)
class SubmissionTimes:
    """Where this run's submission times come from (at most one source)."""

    everyone: datetime | None = None  # --submitted-at
    per_student: Mapping[str, datetime] = field(default_factory=dict)  # --times FILE
    trust_nbgrader: bool = False  # --trust-nbgrader-timestamps
    source: str = ""  # named in the summary

    @property
    def given(self) -> bool:
        return self.everyone is not None or bool(self.per_student) or self.trust_nbgrader

    def time_for(self, student_id: str, folder: Path | None = None) -> datetime | None:
        """The trusted time of one student's submission, or None (no penalty)."""
        if self.everyone is not None:
            return self.everyone
        if self.per_student:
            return self.per_student.get(student_id)
        if self.trust_nbgrader and folder is not None:
            return nbgrader_timestamp(folder)
        return None


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with a timezone (``Z`` and nbgrader's `` UTC`` suffix too)."""
    text = text.strip()
    utc = text.endswith(" UTC")
    try:
        moment = datetime.fromisoformat(text.removesuffix(" UTC"))
    except ValueError:
        raise ValueError(f"{text[:60]!r} is not an ISO 8601 time such as "
                         "2026-10-05T23:59:00+02:00") from None
    if utc and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.tzinfo is None:
        raise ValueError(f"{text[:60]!r} has no timezone; write it as 2026-10-05T23:59:00+02:00 "
                         "or with Z for UTC")
    return moment


def nbgrader_timestamp(folder: Path) -> datetime | None:
    """nbgrader's exchange ``timestamp.txt`` of a submission (read without following
    links, at most 256 bytes), or None when absent or unreadable."""
    root = submission_root(Path(folder))
    try:
        descriptor = open_folder(None, root)
    except SubmissionError:
        return None
    try:
        text = read_regular_file(descriptor, NBGRADER_TIMESTAMP, 256).decode("utf-8")
        return parse_time(text)
    except (SubmissionError, UnicodeDecodeError, ValueError):
        return None
    finally:
        os.close(descriptor)


def load_times(path: Path | str) -> dict[str, datetime]:
    """``{student_id: time}`` from a CSV of the instructor's (an LMS export)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecProblems([Problem(str(path), None, "", f"cannot read the times file ({error})")]
                           ) from None
    return parse_times(text, source=str(path))


def parse_times(text: str, *, source: str) -> dict[str, datetime]:
    """Parse a times CSV; common LMS headers are recognised, every bad row reported."""
    try:
        return _parse_times(csv.reader(io.StringIO(text, newline="")), source)
    except csv.Error as error:
        raise SpecProblems([Problem(source, None, "", f"not a CSV file ({error})")]) from None


def _parse_times(reader: Any, source: str) -> dict[str, datetime]:
    header = next(reader, None) or []
    student_col = _column(header, STUDENT_HEADERS)
    time_col = _column(header, TIME_HEADERS)
    if student_col is None or time_col is None:
        raise SpecProblems([Problem(source, 1, "", (
            f"expected a student column ({', '.join(STUDENT_HEADERS[:3])}, ...) and a time "
            f"column ({', '.join(TIME_HEADERS[:3])}, ...); found {header!r}"))])
    times: dict[str, datetime] = {}
    problems: list[Problem] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(student_col, time_col):
            problems.append(Problem(source, line, "", f"expected {len(header)} fields"))
            continue
        student, when = row[student_col].strip(), row[time_col].strip()
        if not when:
            continue  # nothing submitted: no time, no penalty
        if student in times:
            problems.append(Problem(source, line, "", f"{student!r} is listed twice"))
            continue
        try:
            times[student] = parse_time(when)
        except ValueError as error:
            problems.append(Problem(source, line, header[time_col], str(error)))
    if problems:
        raise SpecProblems(problems)
    return times


def keyed_by_student_id(times: Mapping[str, datetime],
                        roster: Iterable[Student]) -> dict[str, datetime]:
    """The same times keyed by student id, where the LMS keyed them by e-mail address."""
    by_email = {student.email.lower(): student.student_id for student in roster if student.email}
    return {by_email.get(key.lower(), key): moment for key, moment in times.items()}


def from_options(*, submitted_at: datetime | None, times_file: Path | None, trust_nbgrader: bool,
                 roster: Iterable[Student] = ()) -> SubmissionTimes:
    """The one time source the instructor chose on the command line."""
    chosen = [name for name, given in (("--submitted-at", submitted_at is not None),
                                       ("--times", times_file is not None),
                                       ("--trust-nbgrader-timestamps", trust_nbgrader)) if given]
    if len(chosen) > 1:
        raise SpecError(f"give one source of submission times, not {' and '.join(chosen)}")
    if submitted_at is not None:
        if submitted_at.tzinfo is None:
            raise SpecError("--submitted-at needs a timezone, e.g. 2026-10-05T23:59:00+02:00")
        return SubmissionTimes(everyone=submitted_at, source="--submitted-at")
    if times_file is not None:
        per_student = keyed_by_student_id(load_times(times_file), roster)
        return SubmissionTimes(per_student=per_student, source=str(times_file))
    if trust_nbgrader:
        return SubmissionTimes(trust_nbgrader=True, source="nbgrader's exchange timestamps")
    return SubmissionTimes()


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [" ".join(h.strip().lower().replace("_", " ").split()) for h in header]
    for name in names:
        wanted = name.replace("_", " ")
        if wanted in normal:
            return normal.index(wanted)
    return None
