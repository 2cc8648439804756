"""Checking worked examples: the reference answer for given arguments, and claim files.

Instructors write arguments the way a worked example shows them: a single-channel
image as a plain matrix, a kernel as a matrix, a bias as a number.  For the
functions on ``(N, C, H, W)`` tensors such arguments are lifted to 4-D before the
call and the result is squeezed back, so ``x=[[1, 2], [3, 4]]`` just works.

A claims file (``docs/examples/lecture-claims.yml``) lists worked examples as
``{id, source, topic, arguments, claimed}`` (or several ``calls`` combined by a
``formula``); ``verify_claims`` recomputes each one and names the modeled mistake
a wrong claim matches, if any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.kinds.reference import evaluate_safely, mistakes_of, reference_function
from grader.authoring.kinds.values import same_value, take
from grader.errors import SpecError

TENSOR_TOPICS = frozenset({
    "im2col", "conv2d_forward", "convolve2d_true", "conv2d_backward",
    "depthwise_separable_forward", "conv1x1_forward", "pool2d_forward",
    "maxpool_backward", "avgpool_backward",
})
TENSOR_ARGUMENTS = ("x", "w", "dout")
BIAS_ARGUMENTS = ("b", "b_depth", "b_point")


def friendly_arguments(topic: str, arguments: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """Arguments ready for the reference call, and whether any tensor was lifted to 4-D."""
    ready, lifted = {}, False
    for name, value in arguments.items():
        value = _as_array_or_tuple(value)
        if topic in TENSOR_TOPICS and isinstance(value, np.ndarray):
            value, grew = _lift(name, value)
            lifted = lifted or grew
        elif topic in TENSOR_TOPICS and name == "x_shape" and len(value) < 4:
            value, lifted = (1,) * (4 - len(value)) + tuple(value), True
        elif topic in TENSOR_TOPICS and name in BIAS_ARGUMENTS and np.ndim(value) == 0:
            value = np.array([float(value)])
        ready[name] = value
    return ready, lifted


def _as_array_or_tuple(value: Any) -> Any:
    """Nested lists of numbers become float arrays (int arrays for integers); others tuples."""
    if not isinstance(value, list):
        return value
    try:
        array = np.array(value)
    except ValueError:
        return tuple(_as_array_or_tuple(v) for v in value)
    if array.dtype.kind in "if" and array.dtype != object:
        return array.astype(np.int64) if array.dtype.kind == "i" else array
    return tuple(_as_array_or_tuple(v) for v in value)


def _lift(name: str, array: np.ndarray) -> tuple[np.ndarray, bool]:
    array = array.astype(np.float64)
    if name == "w_depth" and array.ndim == 3:
        return array[:, None], True
    if name == "w_point" and array.ndim == 2:
        return array[:, :, None, None], True
    if name in TENSOR_ARGUMENTS and array.ndim < 4:
        return array.reshape((1,) * (4 - array.ndim) + array.shape), True
    return array, False


def _squeezed(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_squeezed(part) for part in value)
    if isinstance(value, np.ndarray):
        while value.ndim > 2 and value.shape[0] == 1:
            value = value[0]
    return value


def call_topic(topic: str, arguments: Mapping[str, Any], fn: Any = None) -> Any:
    """Call the reference function ``topic`` (or ``fn``, a mistake of it) on friendly arguments."""
    ready, lifted = friendly_arguments(topic, arguments)
    target = fn or reference_function(topic)
    value = target(**ready)
    return _squeezed(value) if lifted else value


def reference_answer(*, topic: str, arguments: Mapping[str, Any]) -> Any:
    """The reference answer as plain JSON-ready data (lists, numbers)."""
    try:
        return to_json(call_topic(topic, arguments))
    except (TypeError, ValueError) as error:
        raise SpecError(f"{topic}: {error}") from error


def to_json(value: Any) -> Any:
    """Arrays and tuples as lists, NumPy scalars as Python numbers, integral floats as ints."""
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Claim:
    """One worked example: how to recompute it and what the notes say it is."""

    claim_id: str
    source: str
    calls: Mapping[str, tuple[str, Mapping[str, Any]]]
    formula: str | None
    index: tuple[int, ...]
    transpose: bool
    claimed: Any
    atol: float


@dataclass(frozen=True)
class ClaimVerdict:
    claim: Claim
    correct: bool
    answer: Any
    mistakes: tuple[str, ...]


def parse_claims(data: Any, source: str) -> tuple[Claim, ...]:
    """Claims from a loaded YAML document (a list, or a mapping with a ``claims`` list)."""
    items = data.get("claims") if isinstance(data, Mapping) else data
    if not isinstance(items, list) or not items:
        raise SpecError("expected a non-empty list of claims", where=source)
    claims, seen = [], set()
    for i, raw in enumerate(items):
        where = f"{source}: claims[{i}]"
        if not isinstance(raw, Mapping) or "id" not in raw or "claimed" not in raw:
            raise SpecError("each claim needs at least id, claimed and topic or calls",
                            where=where)
        if raw["id"] in seen:
            raise SpecError(f"duplicate claim id {raw['id']!r}", where=where)
        seen.add(raw["id"])
        claims.append(_claim(raw, where))
    return tuple(claims)


def _claim(raw: Mapping[str, Any], where: str) -> Claim:
    if "calls" in raw:
        calls = {str(name): (call["topic"], dict(call.get("arguments", {})))
                 for name, call in raw["calls"].items()}
    elif "topic" in raw:
        calls = {"result": (raw["topic"], dict(raw.get("arguments", {})))}
    elif "formula" in raw:
        calls = {}  # plain arithmetic, e.g. the number of input features of an image
    else:
        raise SpecError("a claim needs a topic, or calls and a formula", where=where)
    for topic, _ in calls.values():
        reference_function(topic, where=where)
    formula = raw.get("formula")
    if formula is None and len(calls) != 1:
        raise SpecError("several calls need a formula combining them", where=where)
    if formula is not None:
        try:
            parse_expression(str(formula))
        except ExpressionError as error:
            raise SpecError(f"formula: {error}", where=where) from error
    return Claim(str(raw["id"]), str(raw.get("source", "")), calls, formula,
                 tuple(raw.get("index", ())), bool(raw.get("transpose", False)),
                 raw["claimed"], float(raw.get("atol", 0.0)))


def load_claims(path: Path) -> tuple[Claim, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        message = f"cannot read the claims file ({error.strerror})"
        raise SpecError(message, where=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SpecError(f"invalid YAML: {error}", where=str(path)) from None
    return parse_claims(data, str(path))


def _evaluate(claim: Claim, results: Mapping[str, Any]) -> Any:
    if claim.formula is not None:
        expression = parse_expression(claim.formula)
        value = expression.evaluate({k: float(v) for k, v in results.items()
                                     if k in expression.names})
    else:
        value = take(next(iter(results.values())), claim.index)
    if claim.transpose:
        value = np.asarray(value).T
    return value


def _matches(value: Any, claimed: Any, atol: float) -> bool:
    return same_value(value, claimed, rtol=1e-9, atol=max(atol, 1e-9))


def verify_claim(claim: Claim) -> ClaimVerdict:
    """Recompute ``claim``; when it is wrong, list the modeled mistakes that reproduce it."""
    results = {name: call_topic(topic, args) for name, (topic, args) in claim.calls.items()}
    answer = _evaluate(claim, results)
    if _matches(answer, claim.claimed, claim.atol):
        return ClaimVerdict(claim, True, to_json(answer), ())
    found = []
    for name, (topic, args) in claim.calls.items():
        for mistake in mistakes_of(topic):
            ready, lifted = friendly_arguments(topic, args)
            ok, value = evaluate_safely(mistake.fn, ready)
            if not ok:
                continue
            try:
                wrong = _evaluate(claim, {**results, name: _squeezed(value) if lifted else value})
            except (TypeError, ValueError, IndexError, ExpressionError):
                continue
            if _matches(wrong, claim.claimed, claim.atol):
                found.append(mistake.mistake_id)
    return ClaimVerdict(claim, False, to_json(answer), tuple(found))


def verify_claims(claims: Sequence[Claim]) -> list[ClaimVerdict]:
    return [verify_claim(claim) for claim in claims]


def report_lines(verdicts: Sequence[ClaimVerdict]) -> list[str]:
    """One line per wrong claim (with the right answer and matching mistakes), then a summary."""
    lines = []
    for verdict in verdicts:
        if verdict.correct:
            continue
        claim = verdict.claim
        line = (f"WRONG {claim.claim_id} ({claim.source}): claimed {to_json(claim.claimed)}, "
                f"right answer {verdict.answer}")
        if verdict.mistakes:
            line += f"; matches the modeled mistake {', '.join(verdict.mistakes)}"
        lines.append(line)
    wrong = sum(not v.correct for v in verdicts)
    lines.append(f"{len(verdicts)} claims checked, {wrong} wrong")
    return lines
