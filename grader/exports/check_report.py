"""What ``cnn-grader check`` prints, and the one-case message ``test_public.py`` shares.

A check result holds three sorts of checks, told apart by the case: practice
answers (``practice.`` ids; full diagnosis, never graded), public tests (full
diagnosis, graded again after submitting) and graded answers, of which a release
holds only the form (not public: "answered in the right form" or what is missing).
``pytest test_public.py`` prints ``check_message`` of the same results, so both
say the same words, mistake names included.
"""

from __future__ import annotations

from grader.results import CheckResult, ExerciseResult, GradingResult, format_score

PRACTICE_PREFIX = "practice."
MARK = {"passed": "PASS", "partial": "PART", "failed": "FAIL", "error": "FAIL",
        "grader_error": "GRADER ERROR"}
FORM_MARK = {"passed": "OK", "grader_error": "GRADER ERROR"}
PRINTED_CHARS = 2000


def is_practice(check: CheckResult) -> bool:
    return check.case_id.startswith(PRACTICE_PREFIX)


def is_graded_answer(check: CheckResult) -> bool:
    """A graded answer of which ``check`` saw only the form (its value is hidden)."""
    return not check.public and not is_practice(check)


def check_message(check: CheckResult) -> str:
    """The grader's message, with the id of the matching mistake when there is one
    (the id to look up in the course's list of common mistakes)."""
    if check.mistake_id and check.status != "passed":
        return f"{check.message}\n(mistake: {check.mistake_id})"
    return check.message


def all_passed(result: GradingResult) -> bool:
    """Whether ``check`` should exit 0: every check passes, every answer is given."""
    return all(check.status == "passed" for ex in result.exercises for check in ex.checks)


def render_check(result: GradingResult) -> str:
    """The report of ``check``: each exercise's checks, then a summary and what next."""
    lines = [f"cnn-grader check: {result.assignment_id}, student {result.student_id}"]
    for number, exercise in enumerate(result.exercises, start=1):
        lines += ["", f"{number}. {exercise.title}", *_exercise_lines(exercise)]
    lines += ["", *_summary(result)]
    return "\n".join(lines) + "\n"


def _exercise_lines(exercise: ExerciseResult) -> list[str]:
    if not exercise.checks:
        return ["   (nothing to check here: graded after you submit)"]
    lines = []
    for check in exercise.checks:
        marks = FORM_MARK if is_graded_answer(check) else MARK
        mark = marks.get(check.status, "TO DO")
        first, *rest = check_message(check).splitlines() or [""]
        lines.append(f"   {mark:<6} {first}")
        lines += [f"          {line}" for line in rest]
    printed = (exercise.stdout + exercise.stderr).strip()
    if printed:
        lines += ["   Your code printed:", *(f"   | {line}" for line in
                                            printed[:PRINTED_CHARS].splitlines())]
    return lines


def _summary(result: GradingResult) -> list[str]:
    checks = [check for ex in result.exercises for check in ex.checks]
    scored = [check for check in checks if not is_graded_answer(check)]
    graded = [check for check in checks if is_graded_answer(check)]
    lines = []
    if scored:
        score = format_score(sum(check.score for check in scored))
        total = format_score(sum(check.max_score for check in scored))
        lines.append(f"Practice and public checks: {score} / {total} points "
                     "(practice does not count towards your grade)")
    if graded:
        ready = sum(check.status == "passed" for check in graded)
        lines.append(f"Graded answers given in the right form: {ready} of {len(graded)} "
                     "(their values are graded after you submit)")
    if any(check.status == "grader_error" for check in checks):
        lines.append("A grader error occurred: not your fault; please tell your instructor.")
    lines.append("Everything checked here passes." if all_passed(result) else
                 "Not everything passes yet: see the lines not marked PASS or OK above.")
    return lines
