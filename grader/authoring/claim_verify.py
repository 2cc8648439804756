"""Recomputing claims: the right answer, the modeled mistake behind a wrong one.

Each claim is checked on its own: a claim that cannot be computed as written (a
window larger than its input, a formula using a call that returns several values,
a symbol where a number is needed) is reported as a problem at its line, and the
other claims are still checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.authoring.claim_calls import (
    call_topic,
    friendly_arguments,
    squeezed,
    symbolic_arguments,
    to_json,
)
from grader.authoring.claim_ranges import ClaimProblem, grid, proved_identical, substitute
from grader.authoring.claims import Claim
from grader.authoring.expressions import parse_expression
from grader.authoring.kinds.reference import evaluate_safely, mistakes_of
from grader.authoring.kinds.values import same_value, take

COMPUTE_ERRORS = (ArithmeticError, TypeError, ValueError, IndexError, KeyError)
MISTAKE_POINTS = 200  # grid points a mistake must match to be named for a symbolic claim


@dataclass(frozen=True)
class ClaimVerdict:
    claim: Claim
    correct: bool
    answer: Any
    mistakes: tuple[str, ...]
    problem: str | None = None  # why the claim could not be checked
    note: str = ""  # a witness, a counterexample, or how it was shown


def _scalar(name: str, value: Any) -> float:
    if isinstance(value, tuple):
        raise ClaimProblem(f"call {name!r} returns {len(value)} values; pick one with "
                           f"index: [i] in the call")
    if np.ndim(value) and np.size(value) != 1:
        raise ClaimProblem(f"call {name!r} returns an array of shape {np.shape(value)}; "
                           f"pick one value with index: [...] in the call")
    return float(np.asarray(value).reshape(()))


def _combine(claim: Claim, results: Mapping[str, Any], env: Mapping[str, Any]) -> Any:
    if claim.formula is not None:
        expression = parse_expression(claim.formula)
        scope = {**env, **{name: _scalar(name, value) for name, value in results.items()
                           if name in expression.names}}
        value = expression.evaluate(scope)
    else:
        value = take(next(iter(results.values())), claim.index)
    return np.asarray(value).T if claim.transpose else value


def _call(claim: Claim, name: str, env: Mapping[str, Any], fn: Any = None) -> Any:
    call = claim.calls[name]
    arguments = substitute(call.arguments, env)
    try:
        return take(call_topic(call.topic, arguments, fn), call.index)
    except COMPUTE_ERRORS as error:
        hint = "" if claim.ranges else _symbol_hint(call.topic, arguments)
        raise ClaimProblem(f"{call.topic} cannot be computed here: {error}{hint}") from error


def _symbol_hint(topic: str, arguments: Mapping[str, Any]) -> str:
    symbolic = symbolic_arguments(topic, arguments)
    if not symbolic:
        return ""
    return (f" ({', '.join(symbolic)} is a symbol, not a number: give it a range under "
            "symbols: to check the claim on a grid)")


def _compute(claim: Claim, env: Mapping[str, Any]) -> Any:
    results = {name: _call(claim, name, env) for name in claim.calls}
    return _combine(claim, results, env)


def _matches(value: Any, claimed: Any, atol: float) -> bool:
    return same_value(value, claimed, rtol=1e-9, atol=max(atol, 1e-9))


def _mistake_values(claim: Claim, env: Mapping[str, Any]):
    """``(mistake id, the claim's value with that mistake in one call)`` for each mistake."""
    results = {name: _call(claim, name, env) for name in claim.calls}
    for name, call in claim.calls.items():
        for mistake in mistakes_of(call.topic):
            ready, lifted = friendly_arguments(call.topic, substitute(call.arguments, env))
            ok, value = evaluate_safely(mistake.fn, ready)
            if not ok:
                continue
            try:
                value = take(squeezed(value) if lifted else value, call.index)
                yield mistake.mistake_id, _combine(claim, {**results, name: value}, env)
            except (*COMPUTE_ERRORS, ClaimProblem):
                continue


def _verify_value(claim: Claim) -> ClaimVerdict:
    answer = _compute(claim, {})
    if _matches(answer, claim.claimed, claim.atol):
        return ClaimVerdict(claim, True, to_json(answer), ())
    found = tuple(mistake_id for mistake_id, wrong in _mistake_values(claim, {})
                  if _matches(wrong, claim.claimed, claim.atol))
    return ClaimVerdict(claim, False, to_json(answer), found)


def _point(env: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in env.items())


def _verify_symbols(claim: Claim) -> ClaimVerdict:
    claimed = parse_expression(str(claim.claimed))
    if not claim.calls and claim.formula is not None and proved_identical(
            claim.formula, str(claim.claimed)):
        return ClaimVerdict(claim, True, claim.formula, (), note="proved with SymPy")
    if not claim.ranges and claim.calls:
        raise ClaimProblem("reference calls are checked on a grid: give the symbols ranges "
                           "({name: [low, high]})")
    if not claim.ranges:
        raise ClaimProblem("SymPy could not show the formulas equal; give the symbols "
                           "ranges ({name: [low, high]}) to check them on a grid")
    points = list(grid(claim.ranges, claim.condition))
    if not points:
        raise ClaimProblem("no point of the ranges satisfies where:")
    for env in points:
        value, expected = _compute(claim, env), claimed.evaluate(env)
        if not _matches(value, expected, claim.atol):
            note = (f"at {_point(env)} the right answer is {to_json(value)}, the claimed "
                    f"formula gives {to_json(expected)}")
            return ClaimVerdict(claim, False, to_json(value), _symbolic_mistakes(
                claim, claimed, points), note=note)
    return ClaimVerdict(claim, True, str(claim.claimed), (),
                        note=f"holds at all {len(points)} points")


def _symbolic_mistakes(claim: Claim, claimed: Any, points: list[dict[str, int]]
                       ) -> tuple[str, ...]:
    """The mistakes whose value equals the claimed formula at every (first) grid point."""
    candidates: set[str] | None = None
    for env in points[:MISTAKE_POINTS]:
        expected = claimed.evaluate(env)
        here = {mistake_id for mistake_id, wrong in _mistake_values(claim, env)
                if _matches(wrong, expected, claim.atol)}
        candidates = here if candidates is None else candidates & here
        if not candidates:
            return ()
    return tuple(sorted(candidates or ()))


def _verify_quantified(claim: Claim) -> ClaimVerdict:
    if not isinstance(claim.claimed, bool):
        raise ClaimProblem(f"claimed: expected true or false for {claim.form}")
    exists, found, skipped, checked = claim.form == "exists", None, [], 0
    for env in grid(claim.ranges, claim.condition):
        try:
            holds = bool(_compute(claim, env))
        except ClaimProblem as problem:
            skipped.append(str(problem))
            continue
        checked += 1
        if holds == exists:
            found = env
            break
    if not checked and found is None:
        raise ClaimProblem(f"no point could be computed ({skipped[0] if skipped else 'empty'})")
    answer = (found is not None) if exists else (found is None)
    if found is not None:
        note = f"{_point(found)} " + ("satisfies it" if exists else "does not satisfy it")
    else:
        note = f"{'none' if exists else 'all'} of {checked} points satisfy it"
    if skipped:
        note += f"; {len(skipped)} points skipped ({skipped[0]})"
    return ClaimVerdict(claim, answer == claim.claimed, answer, (), note=note)


def verify_claim(claim: Claim) -> ClaimVerdict:
    """Recompute ``claim``; a claim that cannot be computed becomes a problem verdict."""
    try:
        if claim.form == "symbols":
            return _verify_symbols(claim)
        if claim.form in ("exists", "for_all"):
            return _verify_quantified(claim)
        return _verify_value(claim)
    except ClaimProblem as problem:
        return ClaimVerdict(claim, False, None, (), problem=str(problem))
    except COMPUTE_ERRORS as error:
        return ClaimVerdict(claim, False, None, (), problem=f"cannot be computed: {error}")


def verify_claims(claims: Sequence[Claim]) -> list[ClaimVerdict]:
    return [verify_claim(claim) for claim in claims]


def report_lines(verdicts: Sequence[ClaimVerdict]) -> list[str]:
    """One line per wrong or uncheckable claim, then a summary."""
    lines = []
    for verdict in verdicts:
        claim = verdict.claim
        place = f"({claim.source}; {claim.where})" if claim.source else f"({claim.where})"
        if verdict.problem is not None:
            lines.append(f"PROBLEM {claim.claim_id} {place}: {verdict.problem}")
            continue
        if verdict.correct:
            continue
        line = (f"WRONG {claim.claim_id} {place}: claimed {to_json(claim.claimed)}, "
                f"right answer {verdict.answer}")
        if verdict.note:
            line += f" ({verdict.note})"
        if verdict.mistakes:
            line += f"; matches the modeled mistake {', '.join(verdict.mistakes)}"
        lines.append(line)
    wrong = sum(not v.correct and v.problem is None for v in verdicts)
    problems = sum(v.problem is not None for v in verdicts)
    summary = f"{len(verdicts)} claims checked, {wrong} wrong"
    lines.append(summary + (f", {problems} could not be checked" if problems else ""))
    return lines
