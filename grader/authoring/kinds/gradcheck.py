"""The gradient check the grader runs itself before trusting a backward pass's expected value.

A backward exercise (option ``gradient_check: {loss: tinycnn_loss, parameters: [...]}``
of kind ``implementation``) compares the student's gradients with the reference's.
Before any student sees a case, the reference's gradients on that case's very
inputs are checked against two-sided finite differences of the reference loss, as
the notes prescribe (relative error below ``MAX_RELATIVE_ERROR``).  So the expected
values, the per-group verdicts and the relation hints (sign, factor, which cells) all
rest on a numerical gradient, not only on our own backward code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.errors import SpecError

EPSILON = 1e-6
MAX_RELATIVE_ERROR = 1e-6

# Losses with a stand-in that returns the same floats faster on inputs differing from
# a base in one array (``Stand-in(inputs)(**arguments) == loss(**arguments)``, bit for
# bit, tested in tests/tinycnn/test_cached_loss.py): TinyCNN's check was a third of a
# TinyCNN student's build.  The verdict, hence the variant, cannot change.
CACHED_LOSSES = MappingProxyType({"tinycnn_loss": ("solutions.tinycnn_cached", "CachedTinyLoss")})


def numerical_gradient(loss: Callable[..., float], inputs: Mapping[str, Any],
                       name: str, epsilon: float = EPSILON) -> np.ndarray:
    """``d loss / d inputs[name]`` by central differences, one element at a time."""
    base = np.array(inputs[name], dtype=np.float64)
    grad = np.zeros_like(base)
    arguments = dict(inputs)
    for index in np.ndindex(base.shape):
        shifted = base.copy()
        shifted[index] += epsilon
        arguments[name] = shifted
        up = loss(**arguments)
        shifted[index] -= 2 * epsilon
        down = loss(**arguments)
        grad[index] = (up - down) / (2 * epsilon)
    return grad


def relative_error(analytic: Any, numeric: Any) -> float:
    """``|a - n| / (|a| + |n|)`` (0 when both are zero), the notes' measure."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    return float(np.linalg.norm(a - n) / scale) if scale else 0.0


def check_case_gradients(option: Any, inputs: Mapping[str, Any], gradients: Sequence[Any],
                         *, where: str) -> None:
    """Check one case's reference ``gradients`` (one per ``option['parameters']``).

    ``SpecError`` for a malformed option; ``ValueError`` (the framework then draws other
    inputs) when a gradient disagrees, which also happens when an input sits within
    ``EPSILON`` of a kink (a ReLU at 0, a tie in a pooling window).
    """
    from grader.authoring.kinds.reference import reference_function

    if not isinstance(option, Mapping) or not isinstance(option.get("parameters"), list):
        raise SpecError("gradient_check needs loss: <reference> and parameters: [names]",
                        where=where)
    loss = reference_function(str(option.get("loss")), where=where)
    parameters = option["parameters"]
    if len(parameters) != len(gradients) or any(p not in inputs for p in parameters):
        raise SpecError(f"gradient_check.parameters {parameters} must name the inputs, one per "
                        "output", where=where)
    loss = cached_loss(str(option.get("loss")), inputs) or loss
    for name, analytic in zip(parameters, gradients, strict=True):
        error = relative_error(analytic, _differences(loss, inputs, name))
        if error > MAX_RELATIVE_ERROR:
            raise ValueError(f"the reference gradient for {name} fails the gradient check "
                             f"(relative error {error:.2e})")


def cached_loss(name: str, inputs: Mapping[str, Any]) -> Callable[..., float] | None:
    """The stand-in of loss ``name`` for a gradient check around ``inputs``, if it has one.

    Only for inputs naming exactly the loss's arguments (what the stand-in assumes);
    otherwise None, and the reference loss is used.
    """
    if name not in CACHED_LOSSES:
        return None
    module, attribute = CACHED_LOSSES[name]
    stand_in = getattr(importlib.import_module(module), attribute)
    if set(inputs) != set(stand_in.arguments):
        return None
    return stand_in(dict(inputs))


def _differences(loss: Callable[..., float], inputs: Mapping[str, Any], name: str) -> np.ndarray:
    """``numerical_gradient``, or the stand-in's own equal result when it has one."""
    batched = getattr(loss, "differences", None)
    result = batched(name, EPSILON) if batched is not None else None
    return numerical_gradient(loss, inputs, name) if result is None else result
