"""Making text a student controls safe for the programs that read our outputs.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and tab or
carriage return) as a formula; an XML parser rejects control characters; a
Markdown renderer turns ``#``, ``[x](y)`` and ``![x](y)`` into headings, links and
images.  Each writer uses these helpers on every string that may hold student
text (their output, an exception message, a notebook's contents), and long
strings are cut with a note saying so.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 2000
# what XML 1.0 allows: tab, newline, carriage return and the ranges below
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BACKTICKS = re.compile("`+")


def cut(text: str, limit: int) -> str:
    """``text`` of at most about ``limit`` characters, with a note when it was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} [... cut: {len(text)} characters in all]"


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: formulas neutralised (a leading
    apostrophe), long text cut.  Numbers and None pass unchanged."""
    if not isinstance(value, str):
        return value
    text = cut(value, MAX_CELL_CHARS)
    return "'" + text if text.startswith(FORMULA_START) else text


def xml_text(text: str, limit: int = 20000) -> str:
    """Text that is well-formed in any XML document: characters XML forbids (control
    characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD; long text is cut."""
    return _NOT_XML.sub("\ufffd", cut(text, limit))


def plain_line(text: str, limit: int = 300) -> str:
    """One line of text with control characters removed (a name, a label)."""
    return _CONTROL.sub("?", " ".join(cut(text, limit).split()))


def code_span(text: str) -> str:
    """``text`` as a Markdown code span: shown literally, never a link or heading.
    The delimiter is one backtick longer than the longest run inside."""
    text = " ".join(_CONTROL.sub("?", text).split())
    if not text:
        return "``"
    fence = "`" * (max((len(r) for r in _BACKTICKS.findall(text)), default=0) + 1)
    return f"{fence} {text} {fence}"


def code_block(text: str, limit: int = 4000, indent: str = "") -> list[str]:
    """``text`` as a fenced Markdown block (lines, each prefixed by ``indent``), the
    fence longer than any backtick run inside so nothing can close it early."""
    body = _CONTROL.sub("?", cut(text, limit).replace("\r\n", "\n").replace("\r", "\n"))
    longest = max((len(r) for r in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{indent}{fence}text", *(f"{indent}{line}" for line in body.split("\n")),
            f"{indent}{fence}"]
