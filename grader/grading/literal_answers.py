"""By-hand answers read without running any code, when that is provably the same.

A by-hand answer module is usually nothing but constants (``OUTPUT_SIZE = 3``).
Importing it in a sandbox child costs a fork and a dozen file operations; reading
it here costs a parse.  This module takes the shortcut only where the outcome
cannot differ from the sandbox's:

* the source is small, plain UTF-8 (no encoding declaration, BOM, NUL, lone
  carriage return or backslash), parses, and holds nothing but a docstring, ``pass`` and
  assignments of *literals* (numbers, strings, ``None``, and nested lists/tuples of
  them) to plain names: no call, no name lookup, no import, so no code of the
  student's can run;
* every probe is an ``attribute`` probe whose value converts cleanly with the same
  NumPy operations and checks the sandbox child and its parent apply (``None`` gives
  the sandbox's "still None" message).

Anything else — an answer written as ``np.array(...)``, a bool, an over-long string,
a ragged list, a value that is not finite, a missing name, a syntax error — returns
``None``, and the sandbox grades the module as before with its own messages.
``tests/grading/test_literal_answers.py`` holds the two paths against each other.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from grader.model import Probe
from grader.sandbox.api import ProbeOutcome
from grader.sandbox.checks import array_problem

MAX_SOURCE_BYTES = 64 * 1024  # larger modules are left to the sandbox
MAX_DEPTH = 8  # nesting of lists/tuples in one literal
MAX_ELEMENTS = 4096  # scalars in one literal
MAX_TEXT = 1000  # the sandbox's limit on a returned string
INT64 = np.iinfo(np.int64)
_STILL_NONE = "{name} is still None (replace None with your answer)"


class _NotLiteral(Exception):
    """This module or value needs the sandbox."""


def literal_outcomes(source: bytes, probes: Sequence[Probe]) -> tuple[ProbeOutcome, ...] | None:
    """What the sandbox would report for ``probes`` on this module, or ``None`` when
    only the sandbox can say (see the module docstring for when that is)."""
    source = source.replace(b"\r\n", b"\n")  # as Python's tokenizer reads the file
    if len(source) > MAX_SOURCE_BYTES or not _plain_text(source):
        return None
    if any(p.kind != "attribute" or p.outputs for p in probes):
        return None
    try:
        text = source.decode("utf-8")
        names = _lines_read(text)
        if names is None:
            names = _assigned_literals(text)
        return tuple(_outcome(probe.name, names) for probe in probes)
    except (_NotLiteral, SyntaxError, ValueError, UnicodeDecodeError, MemoryError,
            RecursionError, OverflowError, TypeError):
        return None


def _plain_text(source: bytes) -> bool:
    """No byte whose meaning depends on the importer: an encoding declaration, a BOM,
    NUL, or a backslash (escapes can warn at compile time, which the child prints)."""
    head = b"\n".join(source.split(b"\n", 2)[:2])
    return not (b"coding" in head or source.startswith(b"\xef\xbb\xbf")
                or b"\x00" in source or b"\\" in source or b"\r" in source)


def _assigned_literals(text: str) -> dict[str, Any]:
    """Name -> value of every top-level assignment, in order (later ones win)."""
    tree = ast.parse(text, mode="exec")
    names: dict[str, Any] = {}
    for index, statement in enumerate(tree.body):
        if isinstance(statement, ast.Pass):
            continue
        if index == 0 and _is_docstring(statement):
            continue
        target, value = _simple_assignment(statement)
        _check_shape(value, depth=0, budget=[MAX_ELEMENTS])
        names[target] = ast.literal_eval(value)
    return names


# --- the line reader: the usual answer module, read without building a syntax tree ---
# It accepts a strict subset of what ``_assigned_literals`` accepts and gives the same
# names and values (``tests/grading/test_literal_lines.py`` holds the two against each
# other); for anything else it returns None and the syntax tree decides as before.
_NUMBER = r"[-+]?(?:(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)"
_STRING = r"'[^'\n]*'|\"[^\"\n]*\""
_TAIL = re.compile(r" *(?:#.*)?")  # what may follow a statement on its line
_SCALAR_LINE = re.compile(rf"([A-Z_][A-Z0-9_]*) *= *(None|{_NUMBER}|{_STRING}) *(?:#.*)?")
_ANY_LINE = re.compile(r"([A-Z_][A-Z0-9_]*) *= *(.*)")
_TOKEN = re.compile(rf" *(?:(None)|({_NUMBER})|({_STRING})|([\[(])|([\])])|(,))")
_SKIPPED = re.compile(r" *(?:#.*)?|pass *(?:#.*)?")  # blank, comment, ``pass``
_ONE_LINE_STRING = re.compile(rf"(?:{_STRING}) *(?:#.*)?")
# escapes (no string here has one), tabs, form feeds, \r...: the tree decides
_NOT_READ = re.compile(r"[\\\x00-\x09\x0b-\x1f\x7f]")
_MAX_NUMBER = 40  # characters of a number; longer ones are left to the syntax tree
_NO = object()  # not a value this reader takes


def _lines_read(text: str) -> dict[str, Any] | None:
    """``_assigned_literals(text)`` for a module of one-line ``NAME = literal``
    statements (upper-case ASCII names), ``pass``, comments and a leading docstring;
    None for anything else.  Several times cheaper than building and walking the tree."""
    if _NOT_READ.search(text):
        return None
    lines = text.split("\n")  # only "\n" ends a line for Python (not splitlines' others)
    start = _after_docstring(lines)
    if start is None:
        return None
    names: dict[str, Any] = {}
    for line in lines[start:]:
        if not line or line[0] == "#" or _SKIPPED.fullmatch(line):  # the first two: cheaply
            continue
        assigned = _line_value(line)
        if assigned is None:
            return None
        names[assigned[0]] = assigned[1]
    return names


def _after_docstring(lines: list[str]) -> int | None:
    """The index of the first line after the docstring (the first statement's, when
    it starts with a quote; 0 without one); None when it is not one plain string."""
    index = next((i for i, line in enumerate(lines) if line.startswith("pass")
                  or not _SKIPPED.fullmatch(line)), len(lines))
    line = lines[index] if index < len(lines) else ""
    if line[:1] not in ("'", '"'):
        return 0
    quote = line[:3]
    if quote not in ('"""', "'''"):
        return index + 1 if _ONE_LINE_STRING.fullmatch(line) else None
    rest = "\n".join(lines[index:])
    end = rest.find(quote, 3)  # where Python's tokenizer ends it, too
    if end < 0:
        return None
    line_end = rest.find("\n", end)
    after = rest[end + 3:] if line_end < 0 else rest[end + 3:line_end]
    return index + rest.count("\n", 0, end) + 1 if _TAIL.fullmatch(after) else None


def _line_value(line: str) -> tuple[str, Any] | None:
    """(name, value) of one ``NAME = literal`` line, or None."""
    scalar = _SCALAR_LINE.fullmatch(line)
    if scalar is not None:
        value = _scalar(scalar.group(2))
        return None if value is _NO else (scalar.group(1), value)
    match = _ANY_LINE.fullmatch(line)
    if match is None or match.group(2)[:1] not in ("[", "("):
        return None
    text = match.group(2)
    try:
        value, position = _bracketed(text, 0, 0, [MAX_ELEMENTS])
    except _NotLiteral:
        return None
    return (match.group(1), value) if _TAIL.fullmatch(text, position) else None


def _bracketed(text: str, position: int, depth: int, budget: list[int]) -> tuple[Any, int]:
    """The list or tuple opening at ``text[position]`` and the position after it;
    counts nodes and depth as ``_check_shape`` does (over its limits: ``_NotLiteral``)."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _NotLiteral
    opener = text[position]
    items: list[Any] = []
    commas, want_value, position = 0, True, position + 1
    while True:
        token = _TOKEN.match(text, position)
        if token is None:
            raise _NotLiteral
        kind, position = token.lastindex, token.end()
        if kind == 5:  # a closing bracket: of this kind; ``(x)`` is no tuple
            if token.group(5) != ("]" if opener == "[" else ")") or (
                    opener == "(" and len(items) == 1 and commas == 0):
                raise _NotLiteral
            return (items if opener == "[" else tuple(items)), position
        if kind == 6:
            if want_value:
                raise _NotLiteral
            commas, want_value = commas + 1, True
            continue
        if not want_value:
            raise _NotLiteral  # two values in a row: a call, an index, implicit concatenation
        if kind == 4:
            value, position = _bracketed(text, position - 1, depth + 1, budget)
        else:
            budget[0] -= 1
            value = _scalar(token.group(kind))
            if budget[0] < 0 or depth + 1 > MAX_DEPTH or value is _NO:
                raise _NotLiteral
        items.append(value)
        want_value = False


def _scalar(token: str) -> Any:
    """The value of a ``None``, number or string token (``_NO``: left to the tree)."""
    first = token[0]
    if first in ("'", '"'):
        return token[1:-1]
    if token == "None":
        return None
    if len(token) > _MAX_NUMBER:
        return _NO
    if "." in token or "e" in token or "E" in token:
        return float(token)  # the compiler's own conversion of a float literal
    digits = token.lstrip("+-")
    return _NO if digits[0] == "0" and len(digits) > 1 else int(token)


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _simple_assignment(statement: ast.stmt) -> tuple[str, ast.expr]:
    """``NAME = value`` (an annotated assignment evaluates its annotation: not here)."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)):
        raise _NotLiteral
    return statement.targets[0].id, statement.value


def _check_shape(node: ast.expr, depth: int, budget: list[int]) -> None:
    """Only constants, signed numbers and lists/tuples of them, bounded in size."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _NotLiteral
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float, str) and node.value is not None:
            raise _NotLiteral  # bools, bytes, complex, Ellipsis: the sandbox decides
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        if not (isinstance(node.operand, ast.Constant)
                and type(node.operand.value) in (int, float)):
            raise _NotLiteral
        return
    if isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            _check_shape(element, depth + 1, budget)
        return
    raise _NotLiteral


def _outcome(name: str, names: dict[str, Any]) -> ProbeOutcome:
    if name not in names:
        raise _NotLiteral  # "module has no variable named ...": the sandbox's message
    value = names[name]
    if value is None:
        return ProbeOutcome(value=None, error=_STILL_NONE.format(name=name))
    return ProbeOutcome(value=_converted(value), error=None)


def _converted(value: Any) -> Any:
    """The value as the sandbox's parent would hand it over, or ``_NotLiteral``."""
    if type(value) is int:
        if not INT64.min <= value <= INT64.max:
            raise _NotLiteral
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise _NotLiteral
        return value
    if type(value) is str:
        if len(value) > MAX_TEXT:
            raise _NotLiteral
        return value
    if not isinstance(value, list | tuple):
        raise _NotLiteral
    return _converted_array(value)


def _converted_array(value: list | tuple) -> Any:
    array = np.asarray(value)  # the child's conversion; ragged lists raise ValueError
    if array_problem(array.dtype) is not None or array.dtype.kind not in "if":
        raise _NotLiteral
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise _NotLiteral
    if array.dtype.kind == "i":
        result = np.array(array, dtype=np.int64, order="C", copy=True)
    else:
        result = np.array(array, dtype=np.float64, order="C", copy=True)
    return result.item() if result.ndim == 0 else result
