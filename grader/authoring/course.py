"""The course: ``course.yml``, its roster and its exercise folder, validated together.

``load_course`` reads everything, collects every problem of every file and raises
one ``SpecProblems`` listing them, so ``cnn-grader validate`` shows all at once.
The course secret is not part of the course object: ``read_secret`` fetches it from
the place the course names (an environment variable or an untracked file) only
when variants are built.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from grader.authoring.late import LatePolicy
from grader.authoring.spec import (
    ExerciseSpec,
    KindLookup,
    check_id,
    check_positive,
    check_schema_version,
    check_text,
    default_kind_lookup,
    parse_exercise,
)
from grader.authoring.yamldoc import LocatedYaml, Problem, Report, SpecProblems, read_yaml
from grader.errors import SpecError

COURSE_KEYS = ("schema_version", "id", "title", "secret", "roster", "exercises", "assignments")
ASSIGNMENT_KEYS = ("id", "title", "due", "late", "exercises")
ROSTER_HEADER = ("student_id", "name", "email")
STUDENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    email: str


@dataclass(frozen=True)
class AssignedExercise:
    exercise_id: str
    points: float  # the assignment's points, or the exercise's own when not overridden


@dataclass(frozen=True)
class Assignment:
    assignment_id: str
    title: str
    due: datetime  # timezone-aware
    late_per_day: float  # fraction of the score off per started day late
    late_max_days: int | None  # zero after this many days (None: no limit)
    exercises: tuple[AssignedExercise, ...]

    @property
    def late_policy(self) -> LatePolicy:
        return LatePolicy(due=self.due, per_day=self.late_per_day, max_days=self.late_max_days)


@dataclass(frozen=True)
class SecretSource:
    """Where the course secret comes from; checked in this order."""

    env: str | None
    file: Path | None


@dataclass(frozen=True)
class Course:
    schema_version: int
    course_id: str
    title: str
    root: Path  # the folder of course.yml; relative paths start here
    secret: SecretSource
    roster: tuple[Student, ...]
    assignments: tuple[Assignment, ...]
    exercises: Mapping[str, ExerciseSpec]
    source: str

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.assignment_id == assignment_id:
                return assignment
        known = ", ".join(a.assignment_id for a in self.assignments)
        raise SpecError(f"no assignment {assignment_id!r} in {self.source}; known: {known}")


def load_course(path: Path | str, *, get_kind: KindLookup = default_kind_lookup) -> Course:
    """Read and validate ``course.yml``, its roster and every exercise file."""
    path = Path(path)
    doc = read_yaml(path)
    report = Report(doc)
    data = doc.data
    if not isinstance(data, Mapping):
        report.add((), "expected a mapping of course fields at the top level")
        raise SpecProblems(report.problems)
    if not check_schema_version(data, report):
        raise SpecProblems(report.problems)
    for key in data:
        if key not in COURSE_KEYS:
            report.add((key,), f"unknown key; expected one of {', '.join(COURSE_KEYS)}")
    root = path.parent
    exercises, exercise_problems = load_exercises(root / str(data.get("exercises", "exercises")),
                                                  get_kind=get_kind)
    roster: tuple[Student, ...] = ()
    if "roster" in data:
        roster = _roster_from(data, root, report)
    course = Course(
        schema_version=data.get("schema_version", 0), course_id=check_id(data, ("id",), report),
        title=check_text(data, ("title",), report), root=root,
        secret=_secret_source(data, root, report), roster=roster,
        assignments=_assignments(doc, exercises, exercise_problems, report),
        exercises=exercises, source=str(path))
    problems = report.problems + exercise_problems
    if problems:
        raise SpecProblems(problems)
    return course


def load_exercises(folder: Path, *, get_kind: KindLookup = default_kind_lookup
                   ) -> tuple[dict[str, ExerciseSpec], list[Problem]]:
    """Every ``*.yml`` of the folder, keyed by exercise id, and the problems found."""
    if not folder.is_dir():
        return {}, [Problem(str(folder), None, "", "exercise folder not found")]
    specs: dict[str, ExerciseSpec] = {}
    problems: list[Problem] = []
    for file in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        try:
            spec, found = parse_exercise(read_yaml(file), get_kind)
        except SpecProblems as error:
            problems.extend(error.problems)
            continue
        problems.extend(found)
        if spec is None:
            continue
        if spec.exercise_id in specs:
            first = specs[spec.exercise_id].source
            problems.append(Problem(str(file), None, "id", f"duplicate exercise id "
                                    f"{spec.exercise_id!r}, already used in {first}"))
            continue
        specs[spec.exercise_id] = spec
    return specs, problems


def _roster_from(data: Mapping[str, Any], root: Path, report: Report) -> tuple[Student, ...]:
    value = data["roster"]
    if not isinstance(value, str) or not value:
        report.add(("roster",), f"expected the path of a CSV file, got {value!r}")
        return ()
    try:
        return load_roster(root / value)
    except SpecProblems as error:
        report.problems.extend(error.problems)
        return ()


def load_roster(path: Path | str) -> tuple[Student, ...]:
    """Read a roster CSV (student_id,name,email); every bad row is reported by line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecProblems([Problem(str(path), None, "", f"cannot read the roster ({error})")]
                           ) from None
    return parse_roster(text, source=str(path))


def parse_roster(text: str, *, source: str) -> tuple[Student, ...]:
    reader = csv.reader(io.StringIO(text))
    problems: list[Problem] = []
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != ROSTER_HEADER:
        raise SpecProblems([Problem(source, 1, "", f"expected the header "
                                    f"{','.join(ROSTER_HEADER)}, got {header!r}")])
    students: list[Student] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        problem = _row_problem(row, first_line)
        if problem:
            problems.append(Problem(source, line, "", problem))
            continue
        student = Student(*(cell.strip() for cell in row))
        first_line[student.student_id] = line
        students.append(student)
    if problems:
        raise SpecProblems(problems)
    return tuple(students)


def _row_problem(row: list[str], first_line: Mapping[str, int]) -> str | None:
    if len(row) != len(ROSTER_HEADER):
        return f"expected 3 fields (student_id,name,email), got {len(row)}"
    student_id, name, email = (cell.strip() for cell in row)
    if not STUDENT_ID_PATTERN.match(student_id):
        return (f"student_id {student_id!r}: expected letters, digits, '.', '_' or '-' "
                "(it names a folder)")
    if student_id in first_line:
        return f"duplicate student_id {student_id!r} (first on line {first_line[student_id]})"
    if not name:
        return "name is empty"
    if not EMAIL_PATTERN.match(email):
        return f"email {email!r} is not an e-mail address"
    return None


def _secret_source(data: Mapping[str, Any], root: Path, report: Report) -> SecretSource:
    value = data.get("secret")
    keys = set(value) if isinstance(value, Mapping) else set()
    bad = (not keys or not keys <= {"env", "file"}
           or not all(isinstance(value[k], str) and value[k] for k in keys))
    if bad:
        report.add(("secret",), "expected {env: VARIABLE} and/or {file: PATH} naming where the "
                                f"course secret is kept, got {value!r}")
        return SecretSource(None, None)
    file = root / value["file"] if "file" in keys else None
    return SecretSource(value.get("env"), file)


def read_secret(course: Course, *, environ: Mapping[str, str] | None = None) -> bytes:
    """The course secret from the environment variable, else the file; never logged."""
    environ = os.environ if environ is None else environ
    source = course.secret
    if source.env and environ.get(source.env, "").strip():
        return environ[source.env].strip().encode("utf-8")
    if source.file and source.file.is_file():
        secret = source.file.read_text(encoding="utf-8").strip()
        if secret:
            return secret.encode("utf-8")
    places = [f"environment variable {source.env}"] if source.env else []
    places += [f"file {source.file}"] if source.file else []
    raise SpecError(f"no course secret found (looked in {' and '.join(places) or 'nowhere'}); "
                    "set it before generating or grading")


def _assignments(doc: LocatedYaml, exercises: Mapping[str, ExerciseSpec],
                 exercise_problems: list[Problem], report: Report) -> tuple[Assignment, ...]:
    value = doc.data.get("assignments") if isinstance(doc.data, Mapping) else None
    if not isinstance(value, list) or not value:
        report.add(("assignments",), "expected a non-empty list of assignments")
        return ()
    known = set(exercises) if not exercise_problems else None
    assignments: list[Assignment] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        assignment = _assignment(item, ("assignments", index), exercises, known, report)
        if assignment is None:
            continue
        if assignment.assignment_id in seen:
            report.add(("assignments", index, "id"), "duplicate assignment id")
        seen.add(assignment.assignment_id)
        assignments.append(assignment)
    return tuple(assignments)


def _assignment(item: Any, path: tuple, exercises: Mapping[str, ExerciseSpec],
                known: set[str] | None, report: Report) -> Assignment | None:
    """One assignment; ``known`` is None when some exercise files failed to load."""
    if not isinstance(item, Mapping):
        report.add(path, "expected a mapping with id, title, due, late and exercises")
        return None
    for key in item:
        if key not in ASSIGNMENT_KEYS:
            report.add((*path, key), f"unknown key; expected one of {', '.join(ASSIGNMENT_KEYS)}")
    before = len(report.problems)
    assignment_id = check_id(item, (*path, "id"), report)
    title = check_text(item, (*path, "title"), report)
    due = _due(item.get("due"), (*path, "due"), report)
    per_day, max_days = _late(item.get("late", {}), (*path, "late"), report)
    assigned = _assigned(item.get("exercises"), (*path, "exercises"), exercises, known, report)
    if len(report.problems) > before or due is None:
        return None
    return Assignment(assignment_id, title, due, per_day, max_days, assigned)


def _due(value: Any, path: tuple, report: Report) -> datetime | None:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    expected = "expected an ISO 8601 date and time with a timezone"
    if isinstance(value, datetime) and value.tzinfo is None:
        report.add(path, f"{expected}: {value.isoformat(sep=' ')} has no timezone, so it "
                         "would mean a different moment on every machine; add the offset, "
                         f"e.g. {value.isoformat()}+02:00 (or Z for UTC)")
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        report.add(path, f"{expected}: {value.isoformat()} has no time of day; write the "
                         f"moment with its timezone, e.g. {value.isoformat()}T23:59:00+02:00")
        return None
    if not isinstance(value, datetime):
        report.add(path, "expected an ISO 8601 date and time with a timezone, such as "
                         f"2026-10-05T23:59:00+02:00, got {value!r}")
        return None
    return value


def _late(value: Any, path: tuple, report: Report) -> tuple[float, int | None]:
    if not isinstance(value, Mapping) or not set(value) <= {"per_day", "max_days"}:
        report.add(path, f"expected {{per_day: 0.1, max_days: 5}}, got {value!r}")
        return 0.0, None
    per_day = value.get("per_day", 0.0)
    max_days = value.get("max_days")
    if isinstance(per_day, bool) or not isinstance(per_day, int | float) or not 0 <= per_day <= 1:
        report.add((*path, "per_day"), f"expected a fraction from 0 to 1, got {per_day!r}")
    if max_days is not None and (isinstance(max_days, bool) or not isinstance(max_days, int)
                                 or max_days < 0):
        report.add((*path, "max_days"), f"expected a whole number of days >= 0, got {max_days!r}")
    return float(per_day) if isinstance(per_day, int | float) else 0.0, max_days


def _assigned(value: Any, path: tuple, exercises: Mapping[str, ExerciseSpec],
              known: set[str] | None, report: Report) -> tuple[AssignedExercise, ...]:
    if not isinstance(value, list) or not value:
        report.add(path, "expected a non-empty list of exercise ids (or {id, points})")
        return ()
    assigned: list[AssignedExercise] = []
    for index, entry in enumerate(value):
        item = {"id": entry} if isinstance(entry, str) else entry
        where = (*path, index)
        if not isinstance(item, Mapping) or not set(item) <= {"id", "points"}:
            report.add(where, f"expected an exercise id or {{id, points}}, got {entry!r}")
            continue
        exercise_id = item.get("id")
        if exercise_id in [a.exercise_id for a in assigned]:
            report.add(where, f"exercise {exercise_id!r} is listed twice")
        elif exercise_id not in exercises:
            if known is not None or not isinstance(exercise_id, str):
                close = difflib.get_close_matches(str(exercise_id), list(exercises), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                report.add(where, f"unknown exercise {exercise_id!r}; no exercise file has "
                                  f"this id{hint}")
            continue
        points = check_positive(item, (*where, "points"), report) if "points" in item else (
            exercises[exercise_id].points)
        assigned.append(AssignedExercise(exercise_id, points))
    return tuple(assigned)
