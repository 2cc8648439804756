"""Validation of parameter distributions (the forms ``grader.authoring.params`` samples).

Each problem is reported at its key path, e.g. ``params.k.int: expected [low, high]
with low <= high, got [5, 3]``.  Impossible requests that can be seen without
sampling (empty ranges, too few distinct values) are reported here; the rest show up
as sampling failures when a variant is built.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.params import DISTRIBUTION_KEYS, distribution_key
from grader.authoring.yamldoc import KeyPath, Report

_EXTRA_KEYS = {"int": (), "float": ("decimals",), "choice": (), "derived": (), "value": (),
               "matrix": (), "tensor": ()}
_ARRAY_KEYS = ("shape", "int", "float", "decimals", "distinct", "asymmetric")
MAX_ARRAY_SIZE = 100_000


def check_params(params: Mapping[str, Any], report: Report) -> set[str]:
    """Validate every distribution; returns the names of the scalar (numeric) params."""
    scalars: set[str] = set()
    for name, spec in params.items():
        path: KeyPath = ("params", name)
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            report.add(path, "expected a parameter name that is a Python identifier")
            continue
        key = distribution_key(spec)
        if key is None:
            report.add(path, f"expected exactly one of {', '.join(DISTRIBUTION_KEYS)}")
            continue
        if isinstance(spec, Mapping):
            for extra in spec:
                if extra != key and extra not in _EXTRA_KEYS[key]:
                    report.add((*path, extra), f"unknown key for a {key} parameter")
        if _check_distribution(key, spec, scalars, path, report):
            scalars.add(name)
    return scalars


def _check_distribution(key: str, spec: Any, scalars: set[str], path: KeyPath,
                        report: Report) -> bool:
    """Check one distribution; True when it yields a number usable in expressions."""
    if key == "value":
        value = spec["value"] if isinstance(spec, Mapping) else spec
        return _is_number(value)
    body = spec[key]
    if key == "derived":
        check_expression(body, scalars, (*path, key), report)
        return True
    if key == "choice":
        if not isinstance(body, list) or not body:
            report.add((*path, key), f"expected a non-empty list of options, got {body!r}")
            return False
        return all(_is_number(v) for v in body)
    if key in ("int", "float"):
        _check_bounds(body, scalars, (*path, key), report, integer=key == "int")
        if key == "float":
            _check_decimals(spec, path, report)
        return True
    _check_array(body, scalars, (*path, key), report)
    return False


def _check_bounds(bounds: Any, scalars: set[str], path: KeyPath, report: Report, *,
                  integer: bool) -> tuple[Any, Any] | None:
    """``[low, high]``: numbers (or expressions over earlier params) with low <= high."""
    number = int if integer else (int, float)
    if not isinstance(bounds, list) or len(bounds) != 2:
        report.add(path, f"expected [low, high], got {bounds!r}")
        return None
    for bound in bounds:
        if isinstance(bound, str):
            check_expression(bound, scalars, path, report)
        elif isinstance(bound, bool) or not isinstance(bound, number):
            what = "integers" if integer else "numbers"
            report.add(path, f"expected [low, high] with {what} or expressions, got {bounds!r}")
            return None
    low, high = bounds
    if not isinstance(low, str) and not isinstance(high, str) and low > high:
        report.add(path, f"expected [low, high] with low <= high, got {bounds!r}")
        return None
    return low, high


def _check_decimals(spec: Mapping[str, Any], path: KeyPath, report: Report) -> None:
    decimals = spec.get("decimals", 0)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
        report.add((*path, "decimals"), f"expected an integer from 0 to 12, got {decimals!r}")


def _check_array(body: Any, scalars: set[str], path: KeyPath, report: Report) -> None:
    if not isinstance(body, Mapping):
        report.add(path, "expected a mapping with shape and int (or float)")
        return
    for key in body:
        if key not in _ARRAY_KEYS:
            report.add((*path, key), f"unknown key; expected one of {', '.join(_ARRAY_KEYS)}")
    shape = _check_shape(body.get("shape"), scalars, (*path, "shape"), report)
    if ("int" in body) == ("float" in body):
        report.add(path, "expected exactly one of int: [low, high] or float: [low, high]")
        return
    element = "int" if "int" in body else "float"
    bounds = _check_bounds(body[element], scalars, (*path, element), report,
                           integer=element == "int")
    if element == "float":
        _check_decimals(body, path, report)
    for flag in ("distinct", "asymmetric"):
        if not isinstance(body.get(flag, False), bool):
            report.add((*path, flag), f"expected true or false, got {body[flag]!r}")
    if shape is None or bounds is None or any(isinstance(b, str) for b in bounds):
        return
    span = bounds[1] - bounds[0] + 1
    if body.get("distinct") is True and element == "int" and span < int(np.prod(shape)):
        report.add((*path, "distinct"), f"{int(np.prod(shape))} distinct values cannot fit "
                                        f"in {element}: {list(bounds)}")
    if body.get("asymmetric") is True and bounds[0] == bounds[1]:
        report.add((*path, "asymmetric"), "a constant array cannot be asymmetric")


def _check_shape(shape: Any, scalars: set[str], path: KeyPath,
                 report: Report) -> tuple[int, ...] | None:
    """A list of positive integers (or expressions); returns it when fully literal."""
    if not isinstance(shape, list) or not shape:
        report.add(path, f"expected a list of dimensions such as [3, 3], got {shape!r}")
        return None
    literal = True
    for size in shape:
        if isinstance(size, str):
            check_expression(size, scalars, path, report)
            literal = False
        elif isinstance(size, bool) or not isinstance(size, int) or size < 1:
            report.add(path, f"expected dimensions >= 1, got {shape!r}")
            return None
    if literal and int(np.prod(shape)) > MAX_ARRAY_SIZE:
        report.add(path, f"at most {MAX_ARRAY_SIZE} elements, got {shape!r}")
        return None
    return tuple(shape) if literal else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_expression(source: Any, known: set[str], path: KeyPath, report: Report) -> None:
    """An expression must parse and use only ``known`` scalar parameters."""
    try:
        expression = parse_expression(source)
    except ExpressionError as error:
        report.add(path, f"{error}, got {source!r}")
        return
    unknown = sorted(expression.names - known)
    if unknown:
        report.add(path, f"uses {', '.join(unknown)}, which is not a scalar parameter "
                         "defined before it")
