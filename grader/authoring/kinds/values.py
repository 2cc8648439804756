"""Turning YAML templates into call arguments, and results into answer values.

Exercise files describe the arguments of a reference call with small templates
so that one kind serves many exercises:

- a string is an arithmetic expression over the sampled parameters (a bare
  parameter name is the simplest expression) and may also name an array parameter;
- a number, ``true``/``false`` or ``null`` is itself;
- a list becomes a tuple of its resolved items (``[k1, s1]``);
- ``{value: ...}`` is a literal, taken as written (``{value: max}``);
- ``{param: x, lift: 4}`` is an array parameter with leading axes of length 1
  added until it has ``lift`` dimensions (a 2-D image becomes ``(1, 1, H, W)``);
- ``{array: [[a, b], [c, d]]}`` builds a float array from templates;
- ``{random: [N, C, H, W], low: -1, high: 1}`` draws uniform floats of that shape;
- any other mapping becomes a dict of resolved values (a layer description).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.errors import SpecError

SPECIAL_KEYS = ("value", "param", "array", "random")


def resolve(template: Any, params: Mapping[str, Any], rng: Any = None, *, where: str = "") -> Any:
    """The Python value that ``template`` describes, given sampled ``params``."""
    if isinstance(template, str):
        return _expression(template, params, where)
    if type(template) is dict:  # the usual mapping: skip the tests below (ABC ones are slow)
        return _resolve_mapping(template, params, rng, where)
    if template is None or isinstance(template, bool | int | float):
        return template
    if isinstance(template, list | tuple):
        return tuple(
            resolve(item, params, rng, where=f"{where}[{i}]") for i, item in enumerate(template)
        )
    if isinstance(template, Mapping):
        return _resolve_mapping(template, params, rng, where)
    raise SpecError(f"cannot use {template!r} as an argument", where=where)


def _expression(source: str, params: Mapping[str, Any], where: str) -> Any:
    if source in params:
        return params[source]
    try:
        value = parse_expression(source).evaluate(params)
    except ExpressionError as error:
        raise SpecError(str(error), where=where) from error
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _resolve_mapping(
    template: Mapping[str, Any], params: Mapping[str, Any], rng: Any, where: str
) -> Any:
    special = [key for key in SPECIAL_KEYS if key in template]
    if not special:
        return {
            str(key): resolve(item, params, rng, where=f"{where}.{key}")
            for key, item in template.items()
        }
    key = special[0]
    if key == "value":
        return _literal(template["value"])
    if key == "param":
        return _lifted(template, params, where)
    if key == "array":
        return np.asarray(resolve(template["array"], params, rng, where=where), dtype=np.float64)
    return _random(template, params, rng, where)


def _literal(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_literal(item) for item in value)
    return value


def _lifted(template: Mapping[str, Any], params: Mapping[str, Any], where: str) -> np.ndarray:
    name = template["param"]
    if name not in params:
        raise SpecError(f"unknown parameter {name!r}", where=where)
    array = np.asarray(params[name], dtype=np.float64)
    ndim = int(template.get("lift", array.ndim))
    if ndim < array.ndim:
        raise SpecError(f"cannot lift a {array.ndim}-D parameter to {ndim}-D", where=where)
    return array.reshape((1,) * (ndim - array.ndim) + array.shape)


def _random(
    template: Mapping[str, Any], params: Mapping[str, Any], rng: Any, where: str
) -> np.ndarray:
    if rng is None:
        raise SpecError("random inputs need a random stream", where=where)
    shape = resolve(template["random"], params, rng, where=f"{where}.random")
    if not isinstance(shape, tuple) or not all(isinstance(s, int) and s > 0 for s in shape):
        raise SpecError(f"random shape must be positive integers, got {shape!r}", where=where)
    low, high = float(template.get("low", -1.0)), float(template.get("high", 1.0))
    return np.asarray(rng.uniform(low, high, size=shape), dtype=np.float64)


def take(value: Any, index: Sequence[int] | None) -> Any:
    """Follow an index path into a result (a tuple element, then array indices)."""
    for step in index or ():
        value = value[step]
    return value


def as_answer(value: Any, answer_type: str, *, strict: bool) -> Any:
    """Convert a computed value to the answer type.

    ``strict`` (the reference answer) raises ``ValueError`` when the value does not
    fit the type; a mistake's value is kept as close to the type as it allows, so
    that a fractional size from a forgotten floor stays fractional.
    """
    if answer_type == "integer":
        return _as_integer(value, strict)
    if answer_type == "float":
        return float(value)
    if answer_type == "shape":
        return tuple(_as_integer(item, strict) for item in value)
    if answer_type in ("matrix", "array"):
        array = np.asarray(value, dtype=np.float64)
        if strict and answer_type == "matrix" and array.ndim != 2:
            raise ValueError(f"a matrix answer needs a 2-D value, got shape {array.shape}")
        return array
    if answer_type == "choice":
        return str(value)
    raise ValueError(f"unknown answer type {answer_type!r}")


def _as_integer(value: Any, strict: bool) -> int | float:
    number = float(value)
    if number.is_integer():
        return int(number)
    if strict:
        raise ValueError(f"expected an integer answer, the reference gives {value!r}")
    return number


def same_value(a: Any, b: Any, rtol: float = 1e-9, atol: float = 1e-9) -> bool:
    """Whether two answer values agree (shapes must match exactly)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        first, second = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if first.shape != second.shape:
        return False
    return bool(np.all(np.abs(first - second) <= atol + rtol * np.abs(second)))


def format_number(value: float) -> str:
    """An integer-looking float without its ``.0``; other floats with up to 4 decimals."""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.4f}".rstrip("0")


def format_matrix(value: Any) -> str:
    """A matrix as aligned rows of numbers, for a prompt's code block."""
    array = np.atleast_2d(np.asarray(value, dtype=np.float64))
    if array.ndim > 2:
        return "\n\n".join(format_matrix(part) for part in array)
    cells = [[format_number(v) for v in row] for row in array]
    width = max(len(cell) for row in cells for cell in row)
    return "\n".join(" ".join(cell.rjust(width) for cell in row) for row in cells)


def plain(value: Any) -> Any:
    """A value jinja2 templates can print: arrays become nested lists of numbers."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def argument_key(arguments: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A hashable stand-in for one build's resolved call arguments (call name ->
    argument name -> value), or None unless every value is a plain ``int`` or ``str``
    or a tuple of ints: those are equal only when they are the same (no ``1.0``,
    ``True`` or ``-0.0`` to be confused with another value, no arrays)."""
    parts: list[Any] = []
    for name, call in arguments.items():
        if type(call) is not dict:
            return None
        parts.append(name)
        for argument, value in call.items():
            kind = type(value)
            if not (kind is int or kind is str
                    or (kind is tuple and all(type(item) is int for item in value))):
                return None
            parts += (argument, value)
    return tuple(parts)


def is_immutable(value: Any) -> bool:
    """True for numbers, text, None and tuples of them: safe to share between builds."""
    if type(value) is tuple:
        return all(is_immutable(item) for item in value)
    return value is None or type(value) in (int, float, str, bool)


class BuildMemo:
    """What a kind built from one plan and one set of frozen arguments, bounded.

    The key holds the plan's ``id`` and the entry the plan itself, so the id cannot
    be reused by another plan while the entry lives."""

    def __init__(self, size: int = 2048) -> None:  # ~1,500 for all of a1; a few MB
        self._size = size
        self._entries: dict[tuple[int, Any], tuple[Any, Any]] = {}

    def get(self, plan: Any, key: Any) -> Any:
        entry = self._entries.get((id(plan), key))
        return entry[1] if entry is not None and entry[0] is plan else None

    def put(self, plan: Any, key: Any, built: Any, *, values: list[Any]) -> None:
        """Keep ``built`` when all its ``values`` are immutable (then shared)."""
        if not all(is_immutable(value) for value in values):
            return
        if len(self._entries) >= self._size:
            self._entries.clear()
        self._entries[(id(plan), key)] = (plan, built)
