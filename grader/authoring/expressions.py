"""Safe arithmetic and boolean expressions over scalar parameters.

Constraints (``"(n + 2*p - k) % s != 0"``), derived parameters and expression bounds
are parsed into a Python AST and walked by a tiny evaluator that knows only numbers,
parameter names, arithmetic, comparisons, ``and``/``or``/``not`` and ``min``/``max``/
``abs``.  Nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ExpressionError(ValueError):
    """An expression is not allowed, or cannot be evaluated for these values."""


_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_FUNCTIONS = {"min": min, "max": max, "abs": abs}
_MAX_EXPONENT = 64


@dataclass(frozen=True)
class Expression:
    """A parsed arithmetic/boolean expression over scalar parameters.

    Only numbers, parameter names, ``+ - * / // % **``, comparisons, ``and``/``or``/
    ``not`` and calls of ``min``/``max``/``abs`` are accepted; nothing is ever
    passed to ``eval``.  ``run`` is the tree turned into nested closures once (at
    parse time): every draw evaluates the same few expressions again.
    """

    source: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str]
    run: Callable[[Mapping[str, Any]], Any] = field(repr=False, compare=False, default=None)

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        try:
            return self.run(scope)
        except (ArithmeticError, TypeError, ValueError) as error:
            raise ExpressionError(f"{self.source!r}: {error}") from error


@functools.lru_cache(maxsize=4096)
def parse_expression(source: str) -> Expression:
    """Parse and vet ``source``; raises ``ExpressionError`` naming what is not allowed."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("expected a non-empty expression string")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression ({error.msg})") from error
    names: set[str] = set()
    for node in ast.walk(tree):
        _vet(node, names)
    return Expression(source=source, tree=tree, names=frozenset(names),
                      run=_compiled(tree.body))


def _vet(node: ast.AST, names: set[str]) -> None:
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Load,
               ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, *_BINARY, *_COMPARE)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id not in _FUNCTIONS:
            names.add(node.id)
    elif isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS) or node.keywords:
            raise ExpressionError("only min(...), max(...) and abs(...) may be called")
    elif not isinstance(node, allowed):
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


def _compiled(node: ast.AST) -> Callable[[Mapping[str, Any]], Any]:
    """``node`` as a function of the scope: the same steps, in the same order, as a
    walk of the tree would take (operands left to right, the exponent bound checked
    after both operands, ``and``/``or`` short-circuiting, comparisons chained)."""
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda scope: value
    if isinstance(node, ast.Name):
        return _name(node.id)
    if isinstance(node, ast.BinOp):
        return _binary(node)
    if isinstance(node, ast.UnaryOp):
        operand = _compiled(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda scope: not operand(scope)
        if isinstance(node.op, ast.USub):
            return lambda scope: -operand(scope)
        return lambda scope: +operand(scope)
    if isinstance(node, ast.BoolOp):
        return _boolean(isinstance(node.op, ast.And), [_compiled(v) for v in node.values])
    if isinstance(node, ast.Compare):
        return _comparison(node)
    if isinstance(node, ast.Call):
        function, arguments = _FUNCTIONS[node.func.id], [_compiled(a) for a in node.args]
        return lambda scope: function(*(argument(scope) for argument in arguments))
    name = type(node).__name__

    def cannot(scope: Mapping[str, Any]) -> Any:
        raise ValueError(f"cannot evaluate {name}")
    return cannot


def _name(name: str) -> Callable[[Mapping[str, Any]], Any]:
    def value(scope: Mapping[str, Any]) -> Any:
        if name not in scope:
            raise ValueError(f"unknown parameter {name!r}")
        return scope[name]
    return value


def _binary(node: ast.BinOp) -> Callable[[Mapping[str, Any]], Any]:
    left, right, operation = _compiled(node.left), _compiled(node.right), _BINARY[type(node.op)]
    if not isinstance(node.op, ast.Pow):
        return lambda scope: operation(left(scope), right(scope))

    def power(scope: Mapping[str, Any]) -> Any:
        base, exponent = left(scope), right(scope)
        if abs(exponent) > _MAX_EXPONENT:
            raise ValueError(f"exponent {exponent} is too large")
        return operation(base, exponent)
    return power


def _boolean(is_and: bool, operands: list[Callable[[Mapping[str, Any]], Any]]
             ) -> Callable[[Mapping[str, Any]], Any]:
    """Like Python: short-circuit, return the deciding value."""
    def decide(scope: Mapping[str, Any]) -> Any:
        value = None
        for operand in operands:
            value = operand(scope)
            if bool(value) != is_and:
                return value
        return value
    return decide


def _comparison(node: ast.Compare) -> Callable[[Mapping[str, Any]], Any]:
    first = _compiled(node.left)
    steps = [(_COMPARE[type(op)], _compiled(c)) for op, c in zip(node.ops, node.comparators,
                                                                 strict=True)]

    def compare(scope: Mapping[str, Any]) -> bool:
        left = first(scope)
        for operation, comparator in steps:
            right = comparator(scope)
            if not operation(left, right):
                return False
            left = right
        return True
    return compare
