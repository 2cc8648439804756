"""Prompts as HTML for learning-management systems (Moodle, Canvas).

A small Markdown subset is enough for our prompts: paragraphs, bullet lists,
``**bold**``, ``*italic*``, `` `code` `` and fenced blocks.  A fenced block that
holds only a grid of numbers is a matrix and becomes an HTML table (an LMS has no
monospaced layout students can rely on); any other block stays ``<pre>``.
MathJax delimiters ``\\( \\)`` pass through untouched, so both systems typeset them.
Everything else is HTML-escaped.  The multiple-choice kind's question blocks are
recognised so an exporter can turn their option lists into real answer options.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(```|~~~)")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_QUESTION = re.compile(r"^\*\*(\d+)\.\s+(.+?)\*\*\s*\(answer in `([A-Z][A-Z0-9_]*)`\)\s*$")
_OPTION = re.compile(r"^\s*-\s+\*\*([A-Z])\.\*\*\s+(.*)$")


@dataclass(frozen=True)
class ChoiceBlock:
    """One question of a multiple-choice prompt: its text and lettered options."""

    name: str
    question: str
    options: tuple[tuple[str, str], ...]  # (letter, text)


def markdown_html(text: str) -> str:
    """The prompt as HTML (see the module docstring for what is understood)."""
    lines = text.splitlines()
    parts: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
        elif _FENCE.match(line):
            index = _fenced(lines, index, parts)
        elif _BULLET.match(line):
            items = []
            while index < len(lines) and (match := _BULLET.match(lines[index])):
                items.append(f"<li>{inline_html(match.group(1))}</li>")
                index += 1
            parts.append("<ul>" + "".join(items) + "</ul>")
        else:
            body = []
            while index < len(lines) and lines[index].strip() and not (
                    _FENCE.match(lines[index]) or _BULLET.match(lines[index])):
                body.append(lines[index].strip())
                index += 1
            parts.append(f"<p>{inline_html(' '.join(body))}</p>")
    return "\n".join(parts)


def inline_html(text: str) -> str:
    """Escape, then code spans, bold and italic (never inside code)."""
    pieces = re.split(r"(`[^`]+`)", text)
    out = []
    for piece in pieces:
        code = _CODE.fullmatch(piece)
        if code:
            out.append(f"<code>{html.escape(code.group(1))}</code>")
            continue
        escaped = _BOLD.sub(r"<strong>\1</strong>", html.escape(piece))
        out.append(_ITALIC.sub(r"<em>\1</em>", escaped))
    return "".join(out)


def number_grid(lines: list[str]) -> list[list[str]] | None:
    """The rows of a block that holds only numbers (same count per row), else None."""
    rows = [line.split() for line in lines if line.strip()]
    if not rows or len({len(row) for row in rows}) != 1:
        return None
    if not all(_NUMBER.match(cell) for row in rows for cell in row):
        return None
    return rows


def matrix_table(rows: list[list[str]]) -> str:
    """A grid of cells (already HTML) as a bordered table, one number per cell."""
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL_STYLE}">{cell}</td>' for cell in row) + "</tr>"
        for row in rows)
    return f'<table style="border-collapse:collapse">{body}</table>'


_CELL_STYLE = "border:1px solid gray;padding:2px 8px;text-align:right"


def _fenced(lines: list[str], index: int, parts: list[str]) -> int:
    fence = _FENCE.match(lines[index]).group(1)  # type: ignore[union-attr]
    body: list[str] = []
    index += 1
    while index < len(lines) and not lines[index].strip().startswith(fence):
        body.append(lines[index])
        index += 1
    blocks = _split_blank(body)
    grids = [number_grid(block) for block in blocks]
    if blocks and all(grid is not None for grid in grids):
        parts.extend(matrix_table([[html.escape(c) for c in row] for row in grid])
                     for grid in grids if grid is not None)
    else:
        parts.append("<pre>" + html.escape("\n".join(body)) + "</pre>")
    return index + 1


def _split_blank(lines: list[str]) -> list[list[str]]:
    """Blocks separated by empty lines (a 3-D array is printed as several matrices)."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def choice_blocks(text: str) -> tuple[str, tuple[ChoiceBlock, ...]]:
    """The intro and the question blocks of a multiple-choice prompt.

    The kind writes ``**1. question** (answer in `NAME`)`` followed by
    ``- **A.** option`` lines; text before the first question is the intro.
    """
    lines = text.splitlines()
    intro: list[str] = []
    blocks: list[ChoiceBlock] = []
    index = 0
    while index < len(lines):
        match = _QUESTION.match(lines[index].strip())
        index += 1
        if match is None:
            if not blocks:
                intro.append(lines[index - 1])
            continue
        options = []
        while index < len(lines) and (not lines[index].strip() or _OPTION.match(lines[index])):
            option = _OPTION.match(lines[index])
            if option:
                options.append((option.group(1), option.group(2).strip()))
            index += 1
        blocks.append(ChoiceBlock(match.group(3), match.group(2), tuple(options)))
    return "\n".join(intro).strip(), tuple(blocks)
