"""The course: ``course.yml``, its roster and its exercise folder, validated together.

``load_course`` reads everything, collects every problem of every file and raises
one ``SpecProblems`` listing them, so ``cnn-grader validate`` shows all at once.
The course secret is not part of the course object: ``read_secret`` fetches it from
the place the course names (an environment variable or an untracked file) only
when variants are built.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from grader.authoring.late import LatePolicy
from grader.authoring.roster import (  # noqa: F401  (re-exported: the roster is the course's)
    ROSTER_HEADER,
    STUDENT_ID_PATTERN,
    STUDENT_ID_RULE,
    Student,
    id_rule,
    is_valid_student_id,
    load_roster,
    parse_roster,
    roster_columns,
)
from grader.authoring.secret_file import (  # noqa: F401  (read_secret re-exported)
    SecretSource,
    read_secret,
)
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
    """``roster: FILE`` (our header) or ``roster: {file: FILE, columns: {...}}`` naming
    the columns of an LMS export."""
    value = data["roster"]
    columns: Mapping[str, str] | None = None
    if isinstance(value, Mapping):
        columns, value = roster_columns(value, report), value.get("file")
        if columns is None:
            return ()
    if not isinstance(value, str) or not value:
        report.add(("roster",), "expected the path of a CSV file, or {file: PATH, columns: "
                                f"{{student_id: HEADER, ...}}}}, got {value!r}")
        return ()
    try:
        return load_roster(root / value, columns=columns)
    except SpecProblems as error:
        report.problems.extend(error.problems)
        return ()


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
