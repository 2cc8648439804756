"""Which folders of a batch are graded: the roster decides, before any path is made.

A student id becomes a folder name and a path in every output, so it is checked
first: a safe character set always, and the roster when the course has one.  A
folder not on the roster is reported and not graded unless the instructor asks
(``--allow-unlisted``); a roster student with no folder is reported as missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from grader.authoring.course import id_rule, is_valid_student_id
from grader.errors import SpecError


@dataclass(frozen=True)
class RosterPlan:
    to_grade: tuple[str, ...]
    unlisted: tuple[str, ...]  # folders of ids not on the roster (graded only if allowed)
    bad_names: tuple[str, ...]  # folder names that are not student ids: never graded
    missing: tuple[str, ...]  # roster students with no folder
    has_roster: bool


def plan_batch(folder_names: Iterable[str], roster_ids: Iterable[str], *,
               allow_unlisted: bool = False) -> RosterPlan:
    """Split a batch's folder names against the roster (pure)."""
    roster = set(roster_ids)
    names = sorted(set(folder_names))
    bad = tuple(n for n in names if not is_valid_student_id(n))
    valid = [n for n in names if is_valid_student_id(n)]
    unlisted = tuple(n for n in valid if roster and n not in roster)
    graded = tuple(n for n in valid if not roster or n in roster or allow_unlisted)
    missing = tuple(sorted(roster - set(valid)))
    return RosterPlan(graded, unlisted, bad, missing, bool(roster))


def check_student_id(student_id: str, roster_ids: Iterable[str], *,
                     allow_unlisted: bool = False) -> str:
    """``student_id`` when it may be graded (``--student``); else a SpecError saying why."""
    if not is_valid_student_id(student_id):
        rule = id_rule(student_id)
        raise SpecError(f"--student {student_id[:80]!r} is not a student id ({rule})")
    roster = set(roster_ids)
    if roster and student_id not in roster and not allow_unlisted:
        raise SpecError(f"--student {student_id!r} is not on the course roster; "
                        "pass --allow-unlisted to grade them anyway")
    return student_id
