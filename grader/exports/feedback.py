"""Per-student ``feedback.md``: what was right, what was wrong, and why.

Written for the student: scores per exercise, every failed case's message (which
names the matching misconception when there is one), and a line on isolation.

A message may quote the student's own text (an exception message, a printed
line), so every message is shown literally: a code span, or a fenced block for
several lines, the fence longer than any backtick run inside.  Nothing a student
writes can become a heading, a link, an image or HTML in the rendered page.
"""

from __future__ import annotations

from grader.exports.cells import code_block, code_span
from grader.exports.filters import figure_markdown
from grader.results import ExerciseResult, GradingResult, format_score

STATUS_MARK = {
    "passed": "PASS",
    "partial": "PART",
    "failed": "FAIL",
    "error": "ERROR",
    "grader_error": "GRADER ERROR",
}
MAX_OUTPUT_CHARS = 4000


def render_feedback(result: GradingResult, *, show_output: bool = False) -> str:
    """Markdown feedback; ``show_output`` adds the student's (truncated) stdout/stderr."""
    lines = [
        f"# Feedback: {result.assignment_id} for {result.student_id}",
        "",
        f"**Score: {_num(result.score)} / {_num(result.max_score)}**",
    ]
    if result.late_penalty:
        lines.append(
            f"(raw {_num(result.raw_score)}; {result.late_days} day(s) late, "
            f"{result.late_penalty:.0%} off)"
        )
    if result.grader_error:
        lines += [
            "",
            "> A grader error occurred. It is not your fault; your instructor will re-grade.",
        ]
    for exercise in result.exercises:
        lines += ["", *_exercise_section(exercise, show_output)]
    lines += [
        "",
        f"_Graded in {result.wall_seconds:.2f} s under isolation:_ {code_span(result.isolation)}",
        "",
    ]
    return "\n".join(lines)


def _exercise_section(exercise: ExerciseResult, show_output: bool) -> list[str]:
    if not exercise.checks:
        return [
            f"## {exercise.title}",
            "",
            "No public tests: this part is graded after you submit.",
        ]
    lines = [f"## {exercise.title} ({_num(exercise.score)} / {_num(exercise.max_score)})", ""]
    for check in exercise.checks:
        visibility = "" if check.public else " (hidden test)"
        message = check.message.strip()
        if "\n" in message:
            lines.append(f"- **{STATUS_MARK[check.status]}**{visibility}")
            lines += ["", *code_block(message, indent="  "), ""]
        else:
            lines.append(f"- **{STATUS_MARK[check.status]}**{visibility} {code_span(message)}")
        for title, grids in check.figures:  # e.g. the learned filters of a training exercise
            lines += ["", *figure_markdown(title, grids), ""]
    if show_output and (exercise.stdout or exercise.stderr):
        lines += ["", "Your code printed:", "",
                  *code_block(exercise.stdout + exercise.stderr, MAX_OUTPUT_CHARS)]
    return lines


_num = format_score
