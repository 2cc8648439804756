"""What Gradescope's ``run_autograder`` does for one submission.

Gradescope gives ``<root>/submission_metadata.json`` (who submitted),
``<root>/submission/`` (their files) and ``<root>/source/`` (our zip, with the
course and its secret), and reads ``<root>/results/results.json``.  That file is
written whatever happens: a submitter missing from the roster, a course that
does not load or a crash of ours all become a result that says so, never a
missing file (Gradescope then shows students only "the autograder failed").
The root is ``/autograder`` on Gradescope and a folder of one's own in tests.

Isolation: the strongest tier the container allows.  Docker withholds the
capabilities namespaces need, so on Gradescope that is usually the user switch
alone: student code runs as an unprivileged uid, and ``setup.sh`` makes the
course files and the secret readable by root only.  Running student code as
the grading user itself is refused (unless ``insecure``, for tests).
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from grader.errors import CnnGraderError, GraderError, SpecError, SubmissionError
from grader.exports.gradescope import gradescope_results

COURSE_DIR = "course"  # inside source/: course.yml, roster, exercises
SECRET_FILE = "course/.autograder-secret"  # inside source/, written by the packager


def run_autograder(*, root: Path, assignment_id: str, insecure: bool = False) -> dict[str, Any]:
    """Grade ``root/submission`` and write ``root/results/results.json``; returns it."""
    started = time.perf_counter()
    try:
        document = _grade(root, assignment_id, insecure)
    except CnnGraderError as error:  # ours to explain: no roster entry, bad course, ...
        document = failure_result(str(error))
    except Exception:  # a bug of ours: the student still gets a result, we get the traceback
        document = failure_result("the autograder itself failed (not your fault); your "
                                  "instructor can see the details",
                                  detail=traceback.format_exc())
    document["execution_time"] = round(time.perf_counter() - started, 3)
    write_results(root, document)
    return document


def _grade(root: Path, assignment_id: str, insecure: bool) -> dict[str, Any]:
    from grader.authoring.course import load_course
    from grader.authoring.variant import build_assignment_variant
    from grader.grading.collect import collect_submission
    from grader.grading.grade import grade_submission
    from grader.sandbox import REDUCED_ISOLATION, Sandbox

    course_dir = root / "source" / COURSE_DIR
    course = load_course(course_dir / "course.yml")
    metadata = read_metadata(root / "submission_metadata.json")
    student_id = submitter(metadata.get("users", ()), course.roster)
    secret = read_secret(root / "source" / SECRET_FILE)
    variant = build_assignment_variant(course, assignment_id, student_id, secret)
    files = collect_submission(root / "submission")
    hidden = (str((root / "source").resolve()), str(root / "submission_metadata.json"))
    with Sandbox(require_full_isolation=False, hidden_paths=hidden) as sandbox:
        if sandbox.isolation == REDUCED_ISOLATION and not insecure:
            raise GraderError("student code would run as the grading user (no user switch "
                              "here); the autograder needs root, as on Gradescope")
        result = grade_submission(variant=variant, files=files, sandbox=sandbox)
    return results_document(gradescope_results(result), student_id=student_id)


def read_secret(path: Path) -> bytes:
    try:
        secret = path.read_bytes().strip()
    except OSError:
        secret = b""
    if not secret:
        raise SpecError("the autograder zip holds no course secret; rebuild it with "
                        "`cnn-grader gradescope package`", where=str(path))
    return secret


def read_metadata(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SubmissionError(f"cannot read Gradescope's {path.name}: {error}") from None
    if not isinstance(data, dict):
        raise SubmissionError(f"{path.name} does not hold a JSON object")
    return data


def submitter(users: Sequence[Mapping[str, Any]], roster: Sequence[Any]) -> str:
    """The roster id of the first submitter found by student id (``sid``), else by email."""
    by_id = {student.student_id: student.student_id for student in roster}
    by_email = {student.email.casefold(): student.student_id for student in roster if student.email}
    for user in users:
        sid = str(user.get("sid") or "").strip()
        if sid in by_id:
            return by_id[sid]
        email = str(user.get("email") or "").strip().casefold()
        if email in by_email:
            return by_email[email]
    who = ", ".join(f"sid {u.get('sid') or '-'} / {u.get('email') or '-'}" for u in users)
    raise SpecError(f"the submitter ({who or 'nobody named'}) is not on the course roster, so "
                    "there is no variant to grade; ask your instructor to add you")


def results_document(document: dict[str, Any], *, student_id: str) -> dict[str, Any]:
    """Our results.json with Markdown output and each test's message kept verbatim."""
    tests = [{**test, "output": _verbatim(test["output"]), "output_format": "md"}
             for test in document["tests"]]
    mistakes = sorted({tag for test in tests for tag in test["tags"]})
    summary = [document["output"], "", f"Graded the variant of **{student_id}**."]
    if mistakes:
        summary.append("Recognised misconceptions: " + ", ".join(f"`{m}`" for m in mistakes))
    return {**document, "tests": tests, "output": "\n".join(summary), "output_format": "md",
            "extra_data": {"student_id": student_id, "mistakes": mistakes}}


def failure_result(reason: str, *, detail: str = "") -> dict[str, Any]:
    """A results.json that says grading did not happen, and why."""
    document: dict[str, Any] = {
        "score": 0.0, "output": f"**Not graded:** {reason}", "output_format": "md",
        "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
    if detail:
        document["extra_data"] = {"traceback": detail}
    return document


def write_results(root: Path, document: Mapping[str, Any]) -> Path:
    """``results/results.json``, written whole or not at all (a rename)."""
    folder = root / "results"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "results.json"
    temporary = folder / ".results.json.tmp"
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    return target


def _verbatim(text: str) -> str:
    """A message as a fenced block, so Markdown shows it exactly (arrays, ``*`` and ``_``)."""
    fence = "````" if "```" in text else "```"
    return f"{fence}\n{text}\n{fence}"
