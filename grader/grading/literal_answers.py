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
        names = _assigned_literals(source.decode("utf-8"))
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
