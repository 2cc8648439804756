"""Claim files: worked examples of the lecture notes, written down to be recomputed.

A claims file (``docs/examples/lecture-claims.yml``) lists claims in four forms:

- a value: ``{id, source, topic, arguments, claimed}``, or several ``calls``
  combined by a ``formula``, or a ``formula`` of plain arithmetic;
- a formula in symbols: ``symbols: {n: [5, 40]}`` and ``claimed: "n - 2"``, checked
  at every point of the ranges (``where:`` keeps some points only), or proved with
  SymPy when a ``formula`` without calls is compared with ``claimed``;
- ``exists: {h: [1, 1000]}`` or ``for_all: {...}`` with a boolean ``condition`` and
  ``claimed: true`` or ``false`` ("no hidden width gives 1,242 parameters").

A call may pick one value of a result with ``index:`` (``conv2d_backward`` returns
three arrays).  Here claims are parsed with their lines; ``claim_verify`` checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.authoring.claim_calls import call_topic, reference_answer, to_json
from grader.authoring.claim_ranges import ClaimProblem, parse_ranges
from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.kinds.reference import reference_function
from grader.authoring.yamldoc import LocatedYaml, Problem, SpecProblems, read_yaml
from grader.errors import SpecError

__all__ = ["Call", "Claim", "call_topic", "load_claims", "parse_claims", "reference_answer",
           "to_json"]

FORMS = ("symbols", "exists", "for_all")


@dataclass(frozen=True)
class Call:
    """One reference call of a claim; ``index`` picks one value of its result."""

    topic: str
    arguments: Mapping[str, Any]
    index: tuple[int, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One worked example: how to recompute it and what the notes say it is."""

    claim_id: str
    source: str
    calls: Mapping[str, Call]
    formula: str | None  # combines the calls (a boolean condition for exists / for_all)
    index: tuple[int, ...]
    transpose: bool
    claimed: Any
    atol: float
    where: str = ""  # file:line of the claim, for messages
    form: str = "value"  # value, symbols, exists or for_all
    ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    symbols: tuple[str, ...] = ()  # symbol names (ranges or not)
    condition: str | None = None  # ``where:``: the points of the ranges that count


def parse_claims(doc: LocatedYaml) -> tuple[Claim, ...]:
    """Claims from a loaded document (a list, or a mapping with a ``claims`` list).

    Every malformed claim is reported, each at its line, in one ``SpecProblems``.
    """
    data = doc.data
    base: tuple[str, ...] = ("claims",) if isinstance(data, Mapping) else ()
    items = data.get("claims") if isinstance(data, Mapping) else data
    if not isinstance(items, list) or not items:
        raise SpecError("expected a non-empty list of claims", where=doc.source)
    claims, problems, seen = [], [], set()
    for i, raw in enumerate(items):
        path = (*base, i)
        where = f"{doc.source}:{doc.line_of(path)}"
        try:
            if not isinstance(raw, Mapping) or "id" not in raw or "claimed" not in raw:
                raise SpecError("each claim needs at least id, claimed and topic or calls")
            if raw["id"] in seen:
                raise SpecError(f"duplicate claim id {raw['id']!r}")
            seen.add(raw["id"])
            claims.append(_claim(raw, where))
        except (SpecError, ClaimProblem) as error:
            problems.append(Problem(doc.source, doc.line_of(path), f"claims[{i}]",
                                    str(error).removeprefix(f"{where}: ")))
    if problems:
        raise SpecProblems(problems)
    return tuple(claims)


def _calls(raw: Mapping[str, Any], where: str) -> dict[str, Call]:
    if "calls" in raw:
        if not isinstance(raw["calls"], Mapping):
            raise SpecError("calls: expected a mapping of names to {topic, arguments}")
        calls = {str(name): _call(call, f"calls.{name}")
                 for name, call in raw["calls"].items()}
    elif "topic" in raw:
        calls = {"result": _call(raw, "")}
    elif "formula" in raw or "condition" in raw:
        calls = {}  # plain arithmetic, e.g. the number of input features of an image
    else:
        raise SpecError("a claim needs a topic, or calls and a formula")
    for call in calls.values():
        reference_function(call.topic, where=where)
    return calls


def _call(raw: Any, key: str) -> Call:
    prefix = f"{key}: " if key else ""
    if not isinstance(raw, Mapping) or "topic" not in raw:
        raise SpecError(f"{prefix}expected {{topic, arguments}}")
    arguments = raw.get("arguments", {})
    if not isinstance(arguments, Mapping):
        raise SpecError(f"{prefix}arguments: expected a mapping of argument names")
    index = raw.get("index", ()) if key else ()  # a claim's own index applies after
    return Call(str(raw["topic"]), dict(arguments), _index(index, f"{prefix}index"))


def _index(value: Any, key: str) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise SpecError(f"{key}: expected a list of integer positions, got {value!r}")
    return tuple(value)


def _form(raw: Mapping[str, Any]) -> tuple[str, dict[str, tuple[int, int]], tuple[str, ...]]:
    forms = [key for key in FORMS if key in raw]
    if len(forms) > 1:
        raise SpecError(f"use one of {', '.join(forms)}, not several")
    if not forms:
        return "value", {}, ()
    form = forms[0]
    if form == "symbols" and isinstance(raw[form], list):  # names only: SymPy alone decides
        if not all(isinstance(name, str) and name.isidentifier() for name in raw[form]):
            raise SpecError("symbols: expected names, or a mapping of names to ranges")
        return form, {}, tuple(raw[form])
    ranges = parse_ranges(raw[form], form)
    return form, ranges, tuple(ranges)


def _claim(raw: Mapping[str, Any], where: str) -> Claim:
    calls = _calls(raw, where)
    form, ranges, symbols = _form(raw)
    formula = raw.get("condition" if form in ("exists", "for_all") else "formula")
    if form in ("exists", "for_all") and formula is None:
        raise SpecError(f"{form} needs a condition, e.g. \"result == 1242\"")
    if formula is None and len(calls) != 1:
        raise SpecError("several calls need a formula combining them")
    for key, text in (("formula", formula), ("where", raw.get("where"))):
        if text is not None:
            try:
                parse_expression(str(text))
            except ExpressionError as error:
                raise SpecError(f"{key}: {error}") from error
    if form == "symbols" and not isinstance(raw["claimed"], str | int | float):
        raise SpecError("claimed: expected a formula in the symbols, e.g. \"n - k + 1\"")
    return Claim(str(raw["id"]), str(raw.get("source", "")), calls,
                 None if formula is None else str(formula),
                 _index(raw.get("index", ()), "index"), bool(raw.get("transpose", False)),
                 raw["claimed"], float(raw.get("atol", 0.0)), where, form, ranges, symbols,
                 None if raw.get("where") is None else str(raw["where"]))


def load_claims(path: Path) -> tuple[Claim, ...]:
    """Read and parse a claims file; ``SpecProblems`` lists every malformed claim."""
    if not path.is_file():
        raise SpecError("cannot read the claims file (no such file)", where=str(path))
    return parse_claims(read_yaml(path))
