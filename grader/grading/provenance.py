"""Does a submission belong to this assignment and this secret?

A release writes ``.cnn-grader/release.json`` into each student's folder with the
assignment and a fingerprint of the secret (``authoring.fingerprint``).  Grading
a3 submissions as a1, or with another secret than the release was made with,
gives plausible-looking zeros; with the record at hand ``grade`` refuses instead,
saying which.  A folder without the record (an nbgrader notebook, an older
release) is graded as before.  The record is read like any submission file:
without following links, size-limited.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from grader.errors import SubmissionError
from grader.grading.collect import open_folder, read_regular_file, submission_root

RECORD_FOLDER = ".cnn-grader"
RECORD_FILE = "release.json"
RECORD_LIMIT = 64 * 1024


def release_record(folder: Path) -> dict[str, Any] | None:
    """The release record in a submission folder, or None when there is none (or it
    is not a JSON mapping: a record we cannot read says nothing)."""
    try:
        root = open_folder(None, submission_root(Path(folder)))
    except SubmissionError:
        return None
    try:
        inner = open_folder(root, RECORD_FOLDER)
    except SubmissionError:
        return None
    finally:
        os.close(root)
    try:
        data = json.loads(read_regular_file(inner, RECORD_FILE, RECORD_LIMIT))
    except (SubmissionError, ValueError, RecursionError):
        return None
    finally:
        os.close(inner)
    return data if isinstance(data, dict) else None


def mismatch(record: dict[str, Any] | None, *, course_id: str, assignment_id: str,
             fingerprint: str) -> str | None:
    """Why this submission was not released for what is being graded, or None."""
    if record is None:
        return None
    released_course = record.get("course_id")
    if isinstance(released_course, str) and released_course != course_id:
        return f"this folder was released for course {released_course!r}, not {course_id!r}"
    released = record.get("assignment_id")
    if isinstance(released, str) and released != assignment_id:
        return (f"this folder was released for assignment {released!r}, not "
                f"{assignment_id!r}; grade it with --assignment {released}")
    recorded = record.get("secret_fingerprint")
    if isinstance(recorded, str) and recorded != fingerprint:
        return (f"this folder was released with another course secret (fingerprint "
                f"{recorded[:16]}, the secret given has {fingerprint}); grade with the "
                "secret the release was made with")
    return None
