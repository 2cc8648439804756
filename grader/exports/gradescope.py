"""Gradescope autograder ``results.json``.

Format: top-level ``score``, ``execution_time``, ``output``, ``visibility``,
``stdout_visibility`` and ``tests``; each test ``score``, ``max_score``, ``status``,
``name``, ``number``, ``output``, ``tags``, ``visibility``.  Public cases are
``visible``; hidden cases ``after_published`` and their output never holds
expected values (compare.py already redacts them).
"""

from __future__ import annotations

import json
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
    """The document with one top-level key, and one test, per line.

    ``json.dumps(indent=...)`` runs Python's pure-Python encoder (CPython's C encoder
    only writes compact JSON): for a 16-exercise assignment it cost about four times
    this layout, which encodes each line in C and stays readable line by line."""
    document = gradescope_results(result)
    tests = document.pop("tests")
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in document.items()]
    rows = ",\n".join(f"    {json.dumps(test)}" for test in tests)
    listed = f"[\n{rows}\n  ]" if tests else "[]"
    return "{\n" + "\n".join(lines) + f'\n  "tests": {listed}\n}}\n'
