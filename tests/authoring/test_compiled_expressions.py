"""Compiled expressions give exactly what the tree walk they replaced gave.

``walk`` below is the evaluator ``parse_expression`` used before expressions were
compiled into closures (kept here as the reference).  Every expression of the demo
exercises, plus edge cases, is evaluated both ways on many scopes: the same value of
the same type, or the same error message.
"""

from __future__ import annotations

import ast
import contextlib
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from grader.authoring.expressions import (
    _BINARY,
    _COMPARE,
    _FUNCTIONS,
    _MAX_EXPONENT,
    ExpressionError,
    parse_expression,
)

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
EDGE_CASES = ("(n + 2*p - k) % s != 0", "a < b <= c", "a and b or c", "not a", "-a + +b",
              "a ** b", "a ** 100", "2 ** -a", "min(a, b, c) + max(a, b) * abs(c)", "a // b",
              "a / b", "a == b == c", "a or q", "0 and q", "1.5 * a - b / 3", "q + 1")
VALUES = (0, 1, 2, 3, -1, 7, 100, 2.5, 0.0, -0.5, True)


def walk(node: ast.AST, scope: Mapping[str, Any]) -> Any:
    """The evaluator before compiling (the reference)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in scope:
            raise ValueError(f"unknown parameter {node.id!r}")
        return scope[node.id]
    if isinstance(node, ast.BinOp):
        left, right = walk(node.left, scope), walk(node.right, scope)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise ValueError(f"exponent {right} is too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = walk(node.operand, scope)
        return (not value) if isinstance(node.op, ast.Not) else (-value if isinstance(
            node.op, ast.USub) else +value)
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        value = None
        for operand in node.values:
            value = walk(operand, scope)
            if bool(value) != is_and:
                return value
        return value
    if isinstance(node, ast.Compare):
        left = walk(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = walk(comparator, scope)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*(walk(a, scope) for a in node.args))
    raise ValueError(f"cannot evaluate {type(node).__name__}")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [text for item in items for text in strings(item)]


def expressions() -> list[Any]:
    found = []
    texts = [*EDGE_CASES, *(text for path in sorted(EXERCISES.rglob("*.yml"))
                            for text in strings(yaml.safe_load(path.read_text())))]
    for text in sorted(set(texts)):
        with contextlib.suppress(ExpressionError):  # prose, not an expression
            found.append(parse_expression(text))
    return found


def outcome(run: Any, scope: Mapping[str, Any]) -> tuple[str, ...]:
    try:
        value = run(scope)
    except (ArithmeticError, TypeError, ValueError) as error:
        return ("error", type(error).__name__, str(error))
    return ("value", type(value).__name__, repr(value))


def test_compiled_expressions_agree_with_the_tree_walk():
    draw = random.Random(15)
    found = expressions()
    assert len(found) > 50
    for expression in found:
        for _ in range(40):
            scope = {name: draw.choice(VALUES) for name in sorted(expression.names)
                     if draw.random() < 0.95}
            assert outcome(expression.run, scope) == outcome(
                lambda s, e=expression: walk(e.tree.body, s), scope), (expression.source, scope)
