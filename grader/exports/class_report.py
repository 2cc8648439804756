"""The HTML class report of one assignment: scores, item statistics, misconceptions,
fairness of variants, copy evidence and one row per student (docs/report.md).

Callers (the ``report`` command, the demo) gather a ``ClassData`` and call
``write_class_report``; everything below it is pure.
"""

from __future__ import annotations

from pathlib import Path

from grader.exports.class_report_html import render_html
from grader.exports.class_summary import ClassData, ExerciseInfo, summarise

__all__ = ["ClassData", "ExerciseInfo", "write_class_report"]


def write_class_report(path: str | Path, data: ClassData) -> Path:
    """Summarise ``data`` and write the self-contained HTML page to ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(summarise(data)), encoding="utf-8")
    return target
