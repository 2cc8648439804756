"""The roster: who is in the course, read from our CSV or from an LMS export.

A student id names a folder and appears in every path and output, so it is held
to a safe character set here, where it enters.  LMS exports name their columns
their own way (``Student ID``, ``ID number``, ``SIS User ID``, ``Email address``);
``course.yml`` maps them, and a roster that matches neither our header nor the
mapping is refused with the headers found and the mapping to write.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.authoring.yamldoc import Problem, Report, SpecProblems

ROSTER_HEADER = ("student_id", "name", "email")
STUDENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
# what a batch writes beside the student folders of OUT/<assignment>/: an id of that
# name would make its folder and the class's file the same path
CLASS_FILE_NAMES = frozenset({"grades.csv", "grades-long.csv", "batch-summary.txt"})
STUDENT_ID_RULE = ("1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or "
                   "digit (it names a folder)")
RESERVED_ID_RULE = ("the name of a file a batch writes beside the student folders ("
                    + ", ".join(sorted(CLASS_FILE_NAMES)) + ")")
LMS_ID_HEADERS = ("student_id", "student id", "id number", "sis user id", "sis login id",
                  "username", "login id", "id", "email address", "email")
LMS_NAME_HEADERS = ("name", "student", "full name", "student name")
LMS_EMAIL_HEADERS = ("email", "email address", "e-mail")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str
    email: str


def roster_columns(value: Mapping[str, Any], report: Report) -> dict[str, str] | None:
    columns = value.get("columns")
    good = (set(value) <= {"file", "columns"} and isinstance(columns, Mapping)
            and "student_id" in columns and set(columns) <= set(ROSTER_HEADER)
            and all(isinstance(h, str) and h.strip() for h in columns.values()))
    if not good:
        report.add(("roster",), "expected {file: PATH, columns: {student_id: HEADER, name: "
                                "HEADER, email: HEADER}} (student_id required), "
                                f"got {dict(value)!r}")
        return None
    return {key: header.strip() for key, header in columns.items()}


def load_roster(path: Path | str, *, columns: Mapping[str, str] | None = None
                ) -> tuple[Student, ...]:
    """Read a roster CSV (student_id,name,email, or the ``columns`` of an LMS export);
    every bad row is reported by line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecProblems([Problem(str(path), None, "", f"cannot read the roster ({error})")]
                           ) from None
    return parse_roster(text, source=str(path), columns=columns)


def parse_roster(text: str, *, source: str, columns: Mapping[str, str] | None = None
                 ) -> tuple[Student, ...]:
    try:
        return _parse_roster(csv.reader(io.StringIO(text, newline="")), source, columns)
    except csv.Error as error:
        raise SpecProblems([Problem(source, None, "", f"not a CSV file ({error})")]) from None


def _parse_roster(reader: Any, source: str, columns: Mapping[str, str] | None
                  ) -> tuple[Student, ...]:
    header = [h.strip() for h in next(reader, None) or []]
    where = _column_indices(header, columns, source)
    problems: list[Problem] = []
    students: list[Student] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(source, line, "", f"expected {len(header)} fields "
                                    f"({','.join(header)}), got {len(row)}"))
            continue
        student = Student(*(row[where[k]].strip() if k in where else "" for k in ROSTER_HEADER))
        problem = _row_problem(student, set(where), first_line)
        if problem:
            problems.append(Problem(source, line, "", problem))
            continue
        first_line[student.student_id] = line
        students.append(student)
    if problems:
        raise SpecProblems(problems)
    return tuple(students)


def _column_indices(header: list[str], columns: Mapping[str, str] | None,
                    source: str) -> dict[str, int]:
    """Field -> column index, or a problem listing the headers found and the mapping
    to write in ``course.yml``."""
    if columns is None and tuple(header) == ROSTER_HEADER:
        return {key: index for index, key in enumerate(ROSTER_HEADER)}
    if columns is not None and all(h in header for h in columns.values()):
        return {key: header.index(h) for key, h in columns.items()}
    found = ", ".join(repr(h) for h in header) or "none"
    if columns is not None:
        absent = [h for h in columns.values() if h not in header]
        message = f"roster columns {absent!r} not found; headers found: {found}"
    else:
        message = (f"expected the header {','.join(ROSTER_HEADER)}; headers found: {found}. "
                   f"For an LMS export write in course.yml: {_suggested_mapping(header)}")
    raise SpecProblems([Problem(source, 1, "", message)])


def _suggested_mapping(header: list[str]) -> str:
    guesses = {"student_id": LMS_ID_HEADERS, "name": LMS_NAME_HEADERS,
               "email": LMS_EMAIL_HEADERS}
    mapping = {}
    for key, names in guesses.items():
        found = [h for h in header if h.lower() in names and h not in mapping.values()]
        mapping[key] = found[0] if found else "HEADER"
    inner = ", ".join(f'{key}: "{h}"' for key, h in mapping.items())
    return f"roster: {{file: FILE, columns: {{{inner}}}}}"


def id_rule(value: str) -> str:
    """What a refused id broke: the pattern, or a name the batch keeps for itself."""
    if isinstance(value, str) and value.lower() in CLASS_FILE_NAMES:
        return f"any id but {RESERVED_ID_RULE}"
    return STUDENT_ID_RULE


def is_valid_student_id(value: str) -> bool:
    """Whether ``value`` may name a student (and so a folder and a path)."""
    return (isinstance(value, str) and STUDENT_ID_PATTERN.fullmatch(value) is not None
            and value.lower() not in CLASS_FILE_NAMES)


def _row_problem(student: Student, mapped: set[str], first_line: Mapping[str, int]
                 ) -> str | None:
    if not is_valid_student_id(student.student_id):
        return f"student_id {student.student_id[:80]!r}: expected {id_rule(student.student_id)}"
    if student.student_id in first_line:
        return (f"duplicate student_id {student.student_id!r} "
                f"(first on line {first_line[student.student_id]})")
    if "name" in mapped and not student.name:
        return "name is empty"
    if "email" in mapped and not EMAIL_PATTERN.match(student.email):
        return f"email {student.email!r} is not an e-mail address"
    return None


