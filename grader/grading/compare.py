"""Compare one student value with the expected one, and name the mistake behind it.

Runs only in the grader process.  Order of checks: the student's code produced a
value at all, then its kind (number, text, array), then shape, then values.
Shapes are compared exactly: no broadcasting.  A wrong value is compared with the
values each modeled mistake gives on the same inputs, so feedback can say which
misconception it matches.  Hidden cases never reveal expected values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.grading.answer_record import answer_json
from grader.grading.gradient_hints import describe_relation
from grader.grading.locate import describe_error_pattern
from grader.model import AnswerForm, Case, ModeledAnswer, Tolerance
from grader.results import CheckResult

MAX_SHOWN_CHARS = 600
SHOWN_VALUES = 64  # larger arrays are summarised with "..." before being turned into text
_EXACT_FLOAT = 2**53  # integers up to this convert to float64 exactly


def check_case(case: Case, outcome: Any) -> CheckResult:
    """The verdict on one case, given the sandbox's outcome (``value`` / ``error``)."""
    if outcome.error is not None:
        return _result(case, 0.0, "error", f"{case.label}: {outcome.error}")
    if case.metric is not None:  # scored by a metric on hidden data, not compared
        from grader.grading.metric import check_metric_case

        return check_metric_case(case, outcome.value)
    if isinstance(case.expected, AnswerForm):
        return _check_form(case, case.expected, outcome.value)
    if case.probe.outputs:
        return _check_parts(case, outcome.value)
    return _check_single(case, outcome.value)


def values_match(got: Any, expected: Any, tolerance: Tolerance) -> bool:
    """True when ``got`` equals ``expected`` in kind, shape and value (within tolerance)."""
    return _problem(got, expected) is None and _all_close(_close(got, expected, tolerance))


def _all_close(close: Any) -> bool:
    """``bool(np.all(close))``; ``_close`` gives a plain bool for two plain scalars."""
    return close if type(close) is bool else bool(np.all(close))


def _check_single(case: Case, got: Any, *, part: bool = False) -> CheckResult:
    """The verdict on one value; a ``part`` of a multi-output case records no answer
    and no shown values (the whole case's result records them once)."""
    recorded = None if part else got
    problem = _problem(got, case.expected)
    if problem:
        mistake = _matching_mistake(got, case.mistakes, case.tolerance)
        lines = [f"{case.label}: {problem}"]
        if mistake is not None:
            lines.append(f"This matches a common mistake: {mistake.explanation}")
        return _result(case, 0.0, "failed", "\n".join(lines), got=recorded,
                       mistake=mistake)
    close = _close(got, case.expected, case.tolerance)
    if _all_close(close):
        return _result(case, case.points, "passed", f"{case.label}: correct", raw=recorded)
    fraction = float(np.mean(close)) if case.per_element_credit else 0.0
    mistake = _matching_mistake(got, case.mistakes, case.tolerance)
    message = _wrong_value_message(case, got, close, mistake)
    status = "partial" if fraction > 0 else "failed"
    return _result(case, case.points * fraction, status, message, got=recorded,
                   mistake=mistake)


def _check_parts(case: Case, got: Any) -> CheckResult:
    """Multi-output cases (``dx, dw, db``): each part earns an equal share of the points."""
    names = case.probe.outputs
    if not isinstance(got, tuple) or len(got) != len(names):
        message = f"{case.label}: expected a tuple of {len(names)} values ({', '.join(names)})"
        return _result(case, 0.0, "failed", message, got=got)
    parts = [_check_single(_part_case(case, i, name), got[i], part=True)
             for i, name in enumerate(names)]
    wrong = [part for part in parts if part.status != "passed"]
    if not wrong:
        return _result(case, case.points, "passed", f"{case.label}: correct", raw=got)
    right_names = [part.label for part in parts if part.status == "passed"]
    header = f"{case.label}: {', '.join(p.label for p in wrong)} wrong"
    if right_names:
        header += f"; {', '.join(right_names)} right"
    score = sum(part.score for part in parts)
    status = "partial" if score > 0 else "failed"
    mistake = next((part.mistake_id for part in wrong if part.mistake_id), None)
    return _result(
        case, score, status, "\n".join([header, *(p.message for p in wrong)]), mistake=mistake,
        raw=got,
    )


def _check_form(case: Case, form: AnswerForm, got: Any) -> CheckResult:
    """A hidden answer in ``check``: only whether it has the form grading needs.

    Never stricter than grading: whatever passes here is compared by value later.
    """
    problem = _form_problem(form, got)
    if problem:
        return _result(case, 0.0, "failed", f"{case.label}: {problem}")
    return _result(case, 0.0, "passed",
                   f"{case.label}: answered in the right form; its value is graded after "
                   "you submit")


def _form_problem(form: AnswerForm, got: Any) -> str | None:
    if form.choices:
        if not isinstance(got, str):
            return f"expected a letter, got {_kind(got)}"
        letters = ", ".join(form.choices)
        return None if got.strip().upper() in form.choices else (
            f"{got[:40]!r} is not one of the letters {letters}")
    if isinstance(got, str):
        return f"expected a number or array, got the text {got[:40]!r}"
    array = np.asarray(got)
    if array.dtype.kind not in "biuf":
        return "expected numbers (rows of equal length for a matrix)"
    if form.shape is not None and array.shape != form.shape:
        return f"has shape {_shape_text(array.shape)}, expected {_shape_text(form.shape)}"
    if array.ndim != form.ndim:
        return f"has {array.ndim} axes, expected {form.ndim}" + (
            " (a list of rows)" if form.ndim == 2 else "")
    if form.answer_type in ("integer", "shape") and not np.all(np.mod(array, 1) == 0):
        return "expected whole numbers" if array.ndim else f"expected an integer, got {got!r}"
    return None


def _part_case(case: Case, index: int, name: str) -> Case:
    share = case.points / len(case.probe.outputs)
    mistakes = tuple(
        ModeledAnswer(m.mistake_id, m.explanation, m.value[index])
        for m in case.mistakes
        if isinstance(m.value, tuple) and len(m.value) > index
    )
    return Case(
        case_id=f"{case.case_id}.{name}",
        label=name,
        points=share,
        public=case.public,
        answer_type=case.answer_type,
        probe=case.probe,
        expected=case.expected[index],
        tolerance=case.tolerance,
        per_element_credit=case.per_element_credit,
        mistakes=mistakes,
    )


def _problem(got: Any, expected: Any) -> str | None:
    """Why ``got`` cannot even be compared with ``expected`` (kind or shape), or None."""
    if type(got) in (int, float) and type(expected) in (int, float):  # shapes ()
        return None
    if isinstance(expected, str):
        return None if isinstance(got, str) else f"expected a letter or text, got {_kind(got)}"
    if isinstance(got, str):
        return f"expected a number or array, got the text {got[:40]!r}"
    if isinstance(got, tuple | list):
        got = np.asarray(got)
    expected_shape = np.shape(expected)
    got_shape = np.shape(got)
    if got_shape != expected_shape:
        return f"has shape {_shape_text(got_shape)}, expected {_shape_text(expected_shape)}"
    return None


def _close(got: Any, expected: Any, tolerance: Tolerance) -> np.ndarray | bool:
    """Per element, whether ``got`` is within ``tolerance`` of ``expected``; a bool for
    text and for two plain numbers (read like a 0-d array by ``np.mean``, ``np.ndim``)."""
    if isinstance(expected, str):
        return str(got).strip().casefold() == expected.strip().casefold()
    close = _numbers_close(got, expected, tolerance)
    if close is not None:
        return close
    got_array = np.asarray(got, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    return np.abs(got_array - expected_array) <= tolerance.atol + tolerance.rtol * np.abs(
        expected_array
    )


def _numbers_close(got: Any, expected: Any, tolerance: Tolerance) -> bool | None:
    """``_close`` of two plain finite ints or floats (ints exact in float64) with float
    tolerances, in Python floats: IEEE float64 as NumPy's; None for anything else."""
    if type(tolerance.atol) is not float or type(tolerance.rtol) is not float:
        return None
    values = []
    for value in (got, expected):
        if type(value) is int and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
            values.append(float(value))
        elif type(value) is float and math.isfinite(value):
            values.append(value)
        else:
            return None
    got_float, expected_float = values
    return abs(got_float - expected_float) <= tolerance.atol + tolerance.rtol * abs(
        expected_float)


def _matching_mistake(
    got: Any, mistakes: tuple[ModeledAnswer, ...], tolerance: Tolerance
) -> ModeledAnswer | None:
    for mistake in mistakes:
        if values_match(got, mistake.value, tolerance):
            return mistake
    return None


def _wrong_value_message(
    case: Case, got: Any, close: np.ndarray, mistake: ModeledAnswer | None
) -> str:
    lines = [f"{case.label}: wrong value"]
    if np.ndim(close) > 0:
        wrong = int(close.size - np.count_nonzero(close))
        lines[0] = f"{case.label}: {wrong} of {close.size} values wrong"
        pattern = describe_error_pattern(~close)
        if pattern:
            lines.append(pattern)
        relation = describe_relation(got, case.expected) if mistake is None else None
        if relation:
            lines.append(relation)
    if mistake is not None:
        lines.append(f"This matches a common mistake: {mistake.explanation}")
    if case.public:
        lines.append(f"got:      {_show(got)}")
        lines.append(f"expected: {_show(case.expected)}")
    else:
        lines.append("(hidden test: expected values are not shown)")
    return "\n".join(lines)


def _result(
    case: Case,
    score: float,
    status: str,
    message: str,
    *,
    got: Any = None,
    mistake: ModeledAnswer | str | None = None,
    raw: Any = None,
) -> CheckResult:
    mistake_id = mistake.mistake_id if isinstance(mistake, ModeledAnswer) else mistake
    show = case.public and got is not None
    return CheckResult(
        case_id=case.case_id,
        label=case.label,
        score=score,
        max_score=case.points,
        status=status,  # type: ignore[arg-type]
        message=message,
        public=case.public,
        mistake_id=mistake_id,
        got=_show(got) if show else None,
        expected=_show(case.expected) if show else None,
        answer=answer_json(got if raw is None else raw),
    )


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {_shape_text(value.shape)}"
    return f"a {type(value).__name__}"


def _shape_text(shape: tuple[int, ...]) -> str:
    if not shape:
        return "() (a single number)"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = repr(value)
    elif type(value) in (int, float):  # what np.asarray(value).item() gives back
        text = _scalar_text(value)
    elif isinstance(value, tuple) and not all(np.ndim(v) == 0 for v in value):
        text = "(" + ", ".join(_show(v) for v in value) + ")"
    else:
        array = np.asarray(value)
        if array.ndim == 0:
            text = _scalar_text(array.item())
        else:
            text = np.array2string(
                array, precision=4, suppress_small=True, separator=", ", threshold=SHOWN_VALUES
            )
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 3] + "..."


def _scalar_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)
