"""What a student receives, as strings and dicts: pure functions of a variant.

Nothing here touches the disk; ``grader.authoring.release`` writes the results.  The HTML
handout is self-contained (inline CSS, no scripts, no external assets) and every
piece of text put into it is escaped.
"""

from __future__ import annotations

import functools
import html
import re
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from grader.model import AssignmentVariant, ExerciseVariant
from grader.results import format_score

NOTEBOOK_KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def stub_module(variant: AssignmentVariant, exercise: ExerciseVariant) -> str:
    """The student's starting module with a header naming them and the exercise."""
    header = (
        f"# {exercise.title}\n"
        f"# cnn-grader · course {variant.course_id} · assignment {variant.assignment_id}\n"
        f"# exercise {exercise.exercise_id} · student {variant.student_id}\n"
        "# Your numbers differ from your classmates'; see handout.md or handout.html.\n\n"
    )
    return header + exercise.stub_source.rstrip() + "\n"


def handout_markdown(variant: AssignmentVariant) -> str:
    return _template("handout.md.j2").render(variant=variant).rstrip() + "\n"


def handout_html(variant: AssignmentVariant) -> str:
    return _template("handout.html.j2").render(variant=variant)


@functools.lru_cache(maxsize=1)
def public_test_source() -> str:
    """``test_public.py``: the same for every student (their data is in .cnn-grader/)."""
    template = resources.files("grader.authoring") / "templates" / "test_public.py.txt"
    return template.read_text("utf-8")


def notebook(variant: AssignmentVariant) -> dict[str, Any]:
    """A plain nbformat-4 notebook: per exercise a prompt, the module cell and a check."""
    intro = (f"# {variant.title}\n\nCourse `{variant.course_id}` · assignment "
             f"`{variant.assignment_id}` · student `{variant.student_id}`\n\n"
             "Write each answer in the code cell under its exercise, run it, then run the "
             "check cell below it to test the public cases.")
    cells = [_cell("markdown", "intro", intro),
             _cell("code", "setup", "from test_public import check_in_notebook")]
    for index, exercise in enumerate(variant.exercises, start=1):
        prompt = f"## {index}. {exercise.title} ({_points(exercise.points)})\n\n"
        cells.append(_cell("markdown", f"{exercise.module}-prompt",
                           prompt + exercise.prompt_markdown.strip() + _practice(exercise)))
        cells.append(_cell("code", exercise.module, exercise.stub_source.rstrip(),
                           {"cnn_grader": {"module": exercise.module}}))
        cells.append(_cell("code", f"{exercise.module}-check",
                           f'check_in_notebook("{exercise.module}", globals())'))
    return {
        "cells": cells,
        "metadata": {"kernelspec": NOTEBOOK_KERNEL, "language_info": {"name": "python"},
                     "cnn_grader": {"course": variant.course_id,
                                    "assignment": variant.assignment_id,
                                    "student": variant.student_id}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _practice(exercise: ExerciseVariant) -> str:
    """The practice question under a notebook prompt (empty without one)."""
    if exercise.practice is None:
        return ""
    return ("\n\n### Practice (not graded): the same question with other numbers\n\n"
            "Answer it in the `PRACTICE_` constants; the check cell says whether they are "
            "right and, if not, which common mistake they match.\n\n"
            + exercise.practice.prompt_markdown.strip())


def _cell(cell_type: str, cell_id: str, source: str,
          metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": cell_type, "id": cell_id[:64], "metadata":
                            metadata or {}, "source": source.splitlines(keepends=True)}
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _points(points: float) -> str:
    return format_score(points) + (" point" if points == 1 else " points")


@functools.lru_cache(maxsize=8)
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("grader.authoring", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    environment.filters.update(points=_points, markdown=markdown_to_html, inline=_inline)
    return environment.get_template(name)


# --- a small Markdown subset, enough for prompts ---------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_DIVIDER = re.compile(r":?-{1,}:?")
_CODE_SPAN = re.compile(r"(`[^`]+`)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


@functools.lru_cache(maxsize=1024)
def markdown_to_html(text: str) -> Markup:
    """Headings, paragraphs, lists, fenced code and pipe tables; everything escaped.

    Cached: a prompt without the student's numbers is the same for every student.
    """
    lines = text.splitlines()
    parts: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
        elif _FENCE.match(line):
            index = _code_block(lines, index, parts)
        elif heading := _HEADING.match(line):
            level = min(6, len(heading.group(1)) + 2)  # below the handout's own headings
            parts.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            index += 1
        elif _BULLET.match(line) or _NUMBERED.match(line):
            index = _list_block(lines, index, parts)
        elif line.lstrip().startswith("|"):
            index = _table_block(lines, index, parts)
        else:
            index = _paragraph(lines, index, parts)
    return Markup("\n".join(parts))


def _code_block(lines: list[str], index: int, parts: list[str]) -> int:
    fence = _FENCE.match(lines[index]).group(1)  # type: ignore[union-attr]
    body: list[str] = []
    index += 1
    while index < len(lines) and not lines[index].strip().startswith(fence):
        body.append(lines[index])
        index += 1
    parts.append("<pre><code>" + html.escape("\n".join(body)) + "</code></pre>")
    return index + 1


def _list_block(lines: list[str], index: int, parts: list[str]) -> int:
    pattern = _BULLET if _BULLET.match(lines[index]) else _NUMBERED
    tag = "ul" if pattern is _BULLET else "ol"
    items: list[str] = []
    while index < len(lines) and (match := pattern.match(lines[index])):
        items.append(f"<li>{_inline(match.group(1))}</li>")
        index += 1
    parts.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
    return index


def _table_block(lines: list[str], index: int, parts: list[str]) -> int:
    rows: list[str] = []
    while index < len(lines) and lines[index].lstrip().startswith("|"):
        cells = [c.strip() for c in lines[index].strip().strip("|").split("|")]
        if not all(_DIVIDER.fullmatch(c) for c in cells):
            rows.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in cells) + "</tr>")
        index += 1
    parts.append("<table>" + "".join(rows) + "</table>")
    return index


def _paragraph(lines: list[str], index: int, parts: list[str]) -> int:
    body: list[str] = []
    while index < len(lines) and lines[index].strip() and not (
            _FENCE.match(lines[index]) or _HEADING.match(lines[index])
            or _BULLET.match(lines[index]) or lines[index].lstrip().startswith("|")):
        body.append(lines[index].strip())
        index += 1
    parts.append(f"<p>{_inline(' '.join(body))}</p>")
    return index


def _inline(text: str) -> Markup:
    """Escape, then `code`, **bold** and *italic* (never inside code)."""
    text = str(text)
    if "`" not in text and "*" not in text:  # nothing to mark up: escaping is all
        return Markup(html.escape(text))
    pieces = _CODE_SPAN.split(text)
    out = []
    for piece in pieces:
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            out.append(f"<code>{html.escape(piece[1:-1])}</code>")
            continue
        escaped = html.escape(piece)
        escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
        escaped = _ITALIC.sub(r"<em>\1</em>", escaped)
        out.append(escaped)
    return Markup("".join(out))
