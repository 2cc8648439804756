"""Cases scored by a metric on hidden data instead of being compared with a value.

A training exercise cannot have one right answer: any parameters that classify well
are right.  The student's function runs in the sandbox and returns its value (for
example trained weights); here, in the grader process, a reference metric evaluates
that value on data that never left the grader (the hidden test set) and the score
follows the metric: full marks from ``full_at``, nothing at or below ``zero_at``,
linear between.  The metric is named in the variant (``Case.metric``) as
``"solutions.module:function"`` so any exercise can use this case type.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.errors import GraderError
from grader.model import Case, MetricScoring
from grader.results import CheckResult

METRIC_PACKAGE = "solutions."
MAX_FIGURE_CELLS = 400  # a figure is a few small kernels, never a whole image set


def resolve_metric(name: str) -> Callable[..., float]:
    """The reference function ``"solutions.module:function"``; ``GraderError`` otherwise."""
    module_name, _, function_name = name.partition(":")
    if not module_name.startswith(METRIC_PACKAGE) or not function_name:
        raise GraderError(f"metric {name!r} must be 'solutions.<module>:<function>'")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise GraderError(f"metric {name!r} not found: {error}") from error
    if not callable(function):
        raise GraderError(f"metric {name!r} is not a function")
    return function


def metric_fraction(value: float, scoring: MetricScoring) -> float:
    """The share of the points a metric value earns (0 to 1, linear between the thresholds)."""
    if value >= scoring.full_at:
        return 1.0
    span = scoring.full_at - scoring.zero_at
    return float(min(1.0, max(0.0, (value - scoring.zero_at) / span)))


def check_metric_case(case: Case, got: Any) -> CheckResult:
    """The verdict on a metric case, given the student's (already validated) value."""
    scoring = case.metric
    if scoring is None:
        raise GraderError(f"case {case.case_id} has no metric")
    metric = resolve_metric(scoring.metric)
    try:
        value = float(metric(got, **dict(scoring.data)))
    except (ValueError, TypeError, IndexError) as error:
        return _verdict(case, 0.0, f"{case.label}: your result cannot be evaluated: {error}")
    if not np.isfinite(value):
        return _verdict(case, 0.0, f"{case.label}: the {scoring.name} is not a finite number")
    fraction = metric_fraction(value, scoring)
    message = (f"{case.label}: {scoring.name} {_number(value)} on hidden data "
               f"(full marks from {_number(scoring.full_at)}, none at or below "
               f"{_number(scoring.zero_at)})")
    return _verdict(case, fraction, message, figures=_figures(got, scoring))


def _verdict(case: Case, fraction: float, message: str, *, figures: tuple = ()) -> CheckResult:
    status = "passed" if fraction >= 1.0 else "partial" if fraction > 0 else "failed"
    return CheckResult(
        case_id=case.case_id,
        label=case.label,
        score=round(case.points * fraction, 6),
        max_score=case.points,
        status=status,
        message=message,
        public=case.public,
        figures=figures,
    )


def _figures(got: Any, scoring: MetricScoring) -> tuple:
    """The value's parts named in ``scoring.figures`` as stacks of 2-D grids (plain floats)."""
    shown = []
    for title, index in scoring.figures:
        part = got[index] if isinstance(got, tuple) and index < len(got) else None
        array = np.asarray(part, dtype=np.float64) if part is not None else np.empty(0)
        if array.ndim < 2 or array.size > MAX_FIGURE_CELLS:
            continue
        grids = array.reshape(-1, *array.shape[-2:])
        shown.append((title, tuple(tuple(tuple(float(v) for v in row) for row in g)
                                   for g in grids)))
    return tuple(shown)


def _number(value: float) -> str:
    return f"{value:.4g}"
