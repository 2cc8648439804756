"""A ``ClassSummary`` as one static HTML page: no script, no server, no internet.

Plots are inline SVG (``report_plots``), styles are inline, every text from data is
escaped.  The page reads the same when mailed or put on the course site; links
to feedback files are relative to the page.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Iterable, Sequence

from grader.exports.class_summary import ClassSummary
from grader.exports.similarity import PairEvidence

MAX_MISTAKE_BARS = 20
MAX_PAIRS = 20

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
td.n{text-align:right}.flag{color:#b03a2e;font-weight:bold}
.plot svg{max-width:100%;height:auto}.note{color:#555;font-size:.9em}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dl.summary dt{font-weight:bold}
"""


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or value != value:
        return "-"
    return f"{round(value, digits) + 0.0:.{digits}f}"  # + 0.0: no "-0"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int] = frozenset()
           ) -> str:
    """Cells are already HTML (escape data before)."""
    top = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td class=\"n\">{c}</td>" if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def _plot(name: str, draw: str, *args: object) -> str:
    """``report_plots.<draw>(*args)`` as a figure, or a note when matplotlib is absent."""
    try:
        report_plots = importlib.import_module("grader.exports.report_plots")  # matplotlib
    except ImportError:
        return ('<p class="note">(plot left out: install the report extra, '
                '<code>pip install "cnn-grader[report]"</code>, for plots)</p>')
    svg = getattr(report_plots, draw)(*args)
    return f'<figure class="plot" id="plot-{e(name)}">{svg}</figure>'


def render_html(summary: ClassSummary) -> str:
    data = summary.data
    sections = [_overview(summary), _items(summary), _mistakes(summary), _fairness(summary),
                _similarity(summary), _students(summary)]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{e(data.title)}: class report</title><style>{_CSS}</style></head><body>"
        f"<h1>{e(data.title)}</h1><p class=\"note\">{e(data.course_id)} / "
        f"{e(data.assignment_id)}: class report written by cnn-grader from the gradebook. "
        "docs/report.md explains every figure.</p>" + "".join(sections) + "</body></html>\n"
    )


def _overview(s: ClassSummary) -> str:
    facts = [
        ("students on the roster", len(s.data.roster) or "-"),
        ("graded", s.graded),
        ("missing (on the roster, not in the gradebook)",
         f"{len(s.missing)}" + (f": {', '.join(s.missing)}" if s.missing else "")),
        ("late", s.late),
        ("grader errors (left out of the statistics)",
         f"{len(s.grader_errors)}" + (f": {', '.join(s.grader_errors)}" if s.grader_errors
                                      else "")),
        ("mean score", f"{_num(s.mean)} / {s.max_score:g}"),
        ("median score", f"{_num(s.median)} / {s.max_score:g}"),
        ("Cronbach's alpha", _num(s.alpha)),
    ]
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts)
    plot = _plot("scores", "score_histogram", s.scores, s.max_score) if s.scores else ""
    return f"<h2 id=\"scores\">Scores</h2><dl class=\"summary\">{items}</dl>{plot}"


def _items(s: ClassSummary) -> str:
    if not s.items:
        return "<h2 id=\"items\">Exercises</h2><p>No graded submission yet.</p>"
    chart = _plot("items", "item_chart", [i.exercise_id for i in s.items],
                  [i.facility for i in s.items], [i.discrimination for i in s.items])
    rows = [
        (e(i.exercise_id), f"{i.max_score:g}", _num(i.mean), _num(100 * i.facility, 0),
         _num(i.discrimination, 0),
         "<span class=\"flag\">" + e("; ".join(i.flags)) + "</span>" if i.flags else "")
        for i in s.items
    ]
    table = _table(("exercise", "points", "mean", "facility %", "discrimination", "flags"),
                   rows, numeric={1, 2, 3, 4})
    return f"<h2 id=\"items\">Exercises</h2>{chart}{table}"


def _mistakes(s: ClassSummary) -> str:
    lines = s.mistakes
    if not lines:
        return "<h2 id=\"mistakes\">Misconceptions</h2><p>No wrong answer.</p>"
    top = sorted(lines, key=lambda m: -m.students)[:MAX_MISTAKE_BARS]
    chart = _plot("mistakes", "mistake_chart",
                  [f"{m.exercise_id}: {m.mistake_id or 'unexplained'}" for m in top],
                  [m.students for m in top])
    rows = [(e(m.exercise_id), e(m.mistake_id or "(none)"), str(m.students), str(m.occurrences),
             e(m.sentence)) for m in lines]
    table = _table(("exercise", "mistake", "students", "times", "what students were told"),
                   rows, numeric={2, 3})
    return f"<h2 id=\"mistakes\">Misconceptions</h2>{chart}{table}"


def _fairness(s: ClassSummary) -> str:
    head = "<h2 id=\"fairness\">Fairness of variants</h2>"
    if not s.fairness:
        return head + "<p>No variant parameters to compare (no secret given, or too few " \
                      "students per value).</p>"
    flagged = [b for b in s.fairness if b.flagged]
    notes = "".join(f"<li class=\"flag\">{e(b.sentence())}</li>" for b in flagged)
    rows = [(e(b.exercise_id), e(b.parameter), e(b.value), str(b.students),
             _num(100 * b.facility, 0), _num(100 * b.others_facility, 0),
             f"{_num(100 * b.low, 0)} to {_num(100 * b.high, 0)}",
             "<span class=\"flag\">outside</span>" if b.flagged else "") for b in s.fairness]
    table = _table(("exercise", "parameter", "value", "students", "facility %", "others %",
                    "median ± 2 MAD", ""), rows, numeric={3, 4, 5})
    summary = f"<ul>{notes}</ul>" if notes else "<p>No bucket outside median ± 2 MAD.</p>"
    return head + summary + table


def _pair_rows(pairs: Sequence[PairEvidence]) -> list[tuple[str, ...]]:
    return [(e(p.student), e(p.classmate), str(len(p.items)), f"{p.chance:.2g}",
             f"{p.expected:.2g}", "<span class=\"flag\">yes</span>" if p.flagged else "",
             e(p.sentence())) for p in pairs[:MAX_PAIRS]]


def _similarity(s: ClassSummary) -> str:
    head = "<h2 id=\"similarity\">Answers that fit a classmate's variant</h2>"
    sim = s.data.similarity
    if sim is None:
        return head + "<p>Not computed (needs the course secret to rebuild variants).</p>"
    intro = (f"<p class=\"note\">Evidence to look at, not a finding: {len(sim.flagged)} pair(s) "
             f"above the threshold among {sim.students} students and {sim.total_items} items. "
             "Chance = probability that one given classmate matches this many items by "
             "coincidence; expected = pairs this strong expected by chance in a class this "
             "size.</p>")
    head_cols = ("student", "classmate", "items", "chance", "expected", "above threshold",
                 "evidence")
    parts = [head, intro, "<h3>Wrong answers right for a classmate's numbers</h3>",
             _table(head_cols, _pair_rows(sim.fits), numeric={2, 3, 4}) if sim.fits
             else "<p>None.</p>",
             "<h3>The same wrong answer, unexplained</h3>",
             _table(head_cols, _pair_rows(sim.same_wrong), numeric={2, 3, 4}) if sim.same_wrong
             else "<p>None.</p>"]
    return "".join(parts)


def _students(s: ClassSummary) -> str:
    rows = []
    for r in sorted(s.data.rows, key=lambda r: r.student_id):
        link = s.data.feedback.get(r.student_id)
        feedback = f"<a href=\"{e(link)}\">feedback</a>" if link else ""
        rows.append((e(r.student_id), f"{round(r.score, 2):g} / {r.max_score:g}",
                     f"{r.late_days}d" if r.late_days else "",
                     "grader error" if r.grader_error else "",
                     e(", ".join(sorted(set(r.mistakes.split()))) or "-"), feedback))
    rows += [(e(m), "missing", "", "", "", "") for m in s.missing]
    table = _table(("student", "score", "late", "", "mistakes recognised", "feedback"), rows)
    return f"<h2 id=\"students\">Students</h2>{table}"
