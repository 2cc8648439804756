"""Gradescope autograder ``results.json``.

Format: top-level ``score``, ``execution_time``, ``output``, ``visibility``,
``stdout_visibility`` and ``tests``; each test ``score``, ``max_score``, ``status``,
``name``, ``number``, ``output``, ``tags``, ``visibility``.  Public cases are
``visible``; hidden cases ``after_published`` and their output never holds
expected values (compare.py already redacts them).

The file is the text ``json.dumps(document, indent=2)`` gives, but written by
``indented_json``: with ``indent`` set, ``json`` falls back to its pure-Python
encoder, which in a batch cost the parent more than the gradebook's own writes.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any

from grader.results import GradingResult


def gradescope_results(result: GradingResult) -> dict[str, Any]:
    """The ``results.json`` document as a dict."""
    tests = []
    for ex_number, exercise in enumerate(result.exercises, start=1):
        for case_number, check in enumerate(exercise.checks, start=1):
            tests.append(
                {
                    "score": check.score,
                    "max_score": check.max_score,
                    "status": "passed" if check.status == "passed" else "failed",
                    "name": f"{exercise.title}: {check.label}",
                    "number": f"{ex_number}.{case_number}",
                    "output": check.message,
                    "tags": [check.mistake_id] if check.mistake_id else [],
                    "visibility": "visible" if check.public else "after_published",
                }
            )
    summary = f"Graded under isolation: {result.isolation}."
    if result.late_penalty:
        summary += f" Late by {result.late_days} day(s): {result.late_penalty:.0%} off."
    if result.grader_error:
        summary += " A grader error occurred; your instructor has been told. It is not your fault."
    return {
        "score": result.score,
        "execution_time": result.wall_seconds,
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render_gradescope(result: GradingResult) -> str:
    return indented_json(gradescope_results(result)) + "\n"


def indented_json(value: Any, depth: int = 0) -> str:
    """Exactly ``json.dumps(value, indent=2)`` for dicts with string keys, lists and
    JSON scalars, each scalar encoded as ``json``'s C encoder encodes it (tested
    against ``json.dumps`` in ``tests/grading/test_outputs_fast.py``)."""
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = "\n" + "  " * (depth + 1)
        items = [f"{_key(key)}: {indented_json(item, depth + 1)}"
                 for key, item in value.items()]
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = "\n" + "  " * (depth + 1)
        items = [indented_json(item, depth + 1) for item in value]
        return "[" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "]"
    return _scalar(value)


def _key(key: Any) -> str:
    if type(key) is not str:
        raise TypeError(f"a JSON key must be a string here, not {type(key).__name__}")
    return _quoted(key)


def _scalar(value: Any) -> str:
    """One scalar as ``json.dumps`` writes it: strings by the same C function, floats
    as its encoder writes them (``repr``, or ``NaN``/``Infinity``), anything else
    that JSON holds (``int``, ``bool``, ``None``, subclasses) by ``json.dumps``."""
    kind = type(value)
    if kind is str:
        return _quoted(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if not isinstance(value, (str, int, float)) and value is not None:
        raise TypeError(f"not a JSON scalar: {type(value).__name__}")
    return json.dumps(value)
