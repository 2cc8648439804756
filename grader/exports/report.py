"""Plain-text class reports from the gradebook: one row per student, and which
misconceptions were recognised how often (what to revisit in the next lecture)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from grader.exports.cells import plain_line
from grader.exports.feedback import format_score
from grader.exports.gradebook_rows import MistakeCount, ResultRow

TOP_MISTAKES = 3  # per row of the table; the rest are counted ("and N more")


def gradebook_table(rows: Iterable[ResultRow], labels: Mapping[str, str] | None = None) -> str:
    """Fixed-width table: student, optional label (e.g. the demo's profile), score,
    days late, and the mistakes recognised in that student's submission."""
    labels = labels or {}
    width = max((len(v) for v in labels.values()), default=0)
    label_head = f" {'submission':<{width}}" if labels else ""
    lines = [f"{'student':<10}{label_head} {'score':>13} {'late':>5}  mistakes recognised"]
    for row in sorted(rows, key=lambda r: r.student_id):
        label = f" {labels.get(row.student_id, '?'):<{width}}" if labels else ""
        score = f"{format_score(row.score)} / {format_score(row.max_score)}"
        late = f"{row.late_days}d" if row.late_days else "-"
        lines.append(
            f"{row.student_id:<10}{label} {score:>13} {late:>5}  "
            f"{mistake_summary(row.mistakes.split())}"
        )
    return "\n".join(lines)


def mistake_summary(mistakes: Sequence[str], top: int | None = TOP_MISTAKES) -> str:
    """``a x3, b and 2 more`` from a list of mistake ids, most frequent first, at most
    ``top`` named (None: all); ``-`` when none."""
    ranked = Counter(mistakes).most_common()
    shown = ranked if top is None else ranked[:top]
    text = ", ".join(f"{m} x{n}" if n > 1 else m for m, n in shown)
    if len(ranked) > len(shown):
        text += f" and {len(ranked) - len(shown)} more"
    return text or "-"


def missing_lines(missing: Sequence[str]) -> list[str]:
    """Roster students with no result for the assignment (nothing submitted)."""
    if not missing:
        return []
    return [f"no result for {len(missing)} roster student(s): {', '.join(missing)}"]


def mistake_table(counts: Iterable[MistakeCount], students: int) -> str:
    """The class's recognised mistakes, most widespread first."""
    lines = [f"{'mistake':<40} {'students':>9} {'times':>6}"]
    for count in counts:
        share = f"{count.students}/{students}"
        lines.append(f"{plain_line(count.mistake_id):<40} {share:>9} {count.occurrences:>6}")
    if len(lines) == 1:
        lines.append("(no modeled mistake recognised)")
    return "\n".join(lines)
