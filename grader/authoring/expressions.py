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
from collections.abc import Mapping
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
    passed to ``eval``.
    """

    source: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str]

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        try:
            return _evaluate(self.tree.body, scope)
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
    return Expression(source=source, tree=tree, names=frozenset(names))


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


def _evaluate(node: ast.AST, scope: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in scope:
            raise ValueError(f"unknown parameter {node.id!r}")
        return scope[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, scope), _evaluate(node.right, scope)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise ValueError(f"exponent {right} is too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, scope)
        return (not value) if isinstance(node.op, ast.Not) else (-value if isinstance(
            node.op, ast.USub) else +value)
    if isinstance(node, ast.BoolOp):  # like Python: short-circuit, return the deciding value
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = _evaluate(operand, scope)
            if bool(value) != is_and:
                return value
        return value
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, scope)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*(_evaluate(a, scope) for a in node.args))
    raise ValueError(f"cannot evaluate {type(node).__name__}")
