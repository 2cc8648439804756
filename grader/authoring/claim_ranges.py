"""Claims over ranges of integers: grids of values, substitution, and SymPy identities.

A claim may name integer variables with ranges (``symbols: {n: [5, 40]}``,
``exists: {h: [1, 1000]}``).  Its arguments then use the variables in expressions
(``c_out: h``, ``padding: "k // 2"``); a string whose names are not all variables
(``mode: max``, ``type: conv``) stays a word.  The claim is checked at every point
of the grid; a formula compared with a formula, without reference calls, is first
tried as an identity with SymPy, from our own vetted syntax tree (never ``eval``).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from grader.authoring.expressions import ExpressionError, parse_expression

MAX_POINTS = 20_000


class ClaimProblem(ValueError):
    """A claim cannot be checked as written (its set-up, formula or ranges)."""


def parse_ranges(raw: Any, key: str) -> dict[str, tuple[int, int]]:
    """``{name: [low, high]}`` with integer bounds, at most ``MAX_POINTS`` points in all."""
    if not isinstance(raw, Mapping) or not raw:
        raise ClaimProblem(f"{key}: expected a mapping of names to [low, high] integer ranges")
    ranges, points = {}, 1
    for name, bounds in raw.items():
        if not (isinstance(name, str) and name.isidentifier()):
            raise ClaimProblem(f"{key}: {name!r} is not a name")
        if (not isinstance(bounds, list) or len(bounds) != 2 or not all(
                isinstance(b, int) and not isinstance(b, bool) for b in bounds)
                or bounds[0] > bounds[1]):
            raise ClaimProblem(f"{key}.{name}: expected [low, high] integers with low <= high, "
                               f"got {bounds!r}")
        ranges[name] = (bounds[0], bounds[1])
        points *= bounds[1] - bounds[0] + 1
    if points > MAX_POINTS:
        raise ClaimProblem(f"{key}: {points} points to check; narrow the ranges to at most "
                           f"{MAX_POINTS}")
    return ranges


def grid(ranges: Mapping[str, tuple[int, int]], where: str | None) -> Iterator[dict[str, int]]:
    """Every point of the ranges (in order), keeping those where ``where`` holds."""
    names = list(ranges)
    test = parse_expression(where) if where else None
    for values in itertools.product(*(range(lo, hi + 1) for lo, hi in ranges.values())):
        point = dict(zip(names, values, strict=True))
        if test is None or test.evaluate(point):
            yield point


def substitute(template: Any, env: Mapping[str, Any]) -> Any:
    """``template`` with every expression over the variables replaced by its value."""
    if isinstance(template, str) and env:
        try:
            expression = parse_expression(template)
        except ExpressionError:
            return template
        if expression.names and expression.names <= set(env):
            value = expression.evaluate(env)
            return int(value) if isinstance(value, float) and value.is_integer() else value
        return template
    if isinstance(template, list):
        return [substitute(item, env) for item in template]
    if isinstance(template, Mapping):
        return {key: substitute(value, env) for key, value in template.items()}
    return template


def proved_identical(left: str, right: str) -> bool:
    """True when SymPy simplifies ``left - right`` to 0 over the integers."""
    import sympy  # only claims with symbols need it

    names = parse_expression(left).names | parse_expression(right).names
    symbols = {name: sympy.Symbol(name, integer=True) for name in names}
    difference = (_to_sympy(parse_expression(left).tree.body, symbols, sympy)
                  - _to_sympy(parse_expression(right).tree.body, symbols, sympy))
    return bool(sympy.simplify(difference) == 0)


def _to_sympy(node: ast.AST, symbols: Mapping[str, Any], sympy: Any) -> Any:
    if isinstance(node, ast.Constant):
        return sympy.Rational(str(node.value)) if isinstance(node.value, float) else sympy.Integer(
            node.value)
    if isinstance(node, ast.Name):
        return symbols[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _to_sympy(node.operand, symbols, sympy)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        a, b = _to_sympy(node.left, symbols, sympy), _to_sympy(node.right, symbols, sympy)
        operations = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                      ast.Div: lambda: a / b, ast.Pow: lambda: a ** b,
                      ast.FloorDiv: lambda: sympy.floor(a / b), ast.Mod: lambda: sympy.Mod(a, b)}
        return operations[type(node.op)]()
    if isinstance(node, ast.Call):
        args = [_to_sympy(arg, symbols, sympy) for arg in node.args]
        return {"min": sympy.Min, "max": sympy.Max, "abs": sympy.Abs}[node.func.id](*args)
    raise ClaimProblem(f"{type(node).__name__} has no SymPy form")
