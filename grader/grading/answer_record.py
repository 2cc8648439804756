"""What a student's answer is kept as for class analytics: canonical JSON of the
value (copy detection compares it with classmates' variants), or nothing.

Runs in the grader process for every checked case, so it is built to be cheap on
the large outputs of implementation exercises, which are almost never kept."""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii
from typing import Any

import numpy as np

MAX_ANSWER_CHARS = 4096  # larger answers (implementation outputs) are not stored


def answer_json(value: Any) -> str | None:
    """The student's value as canonical JSON, kept for class analytics (copy detection
    compares it with classmates' variants); None when absent, not plain data or too
    large to be worth storing.

    Implementation outputs were the parent's largest cost per grading: arrays are
    judged by their size before anything is encoded, and a finite numeric one is
    turned into lists without a per-item walk (also inside a tuple of outputs)."""
    scalar = _scalar_json(value)
    if scalar is not None:
        return scalar if len(scalar) <= MAX_ANSWER_CHARS else None
    if _surely_too_long(value):
        return None
    plain = _plain(value)
    if plain is None:
        return None
    text = json.dumps(plain, separators=(",", ":"), allow_nan=False)
    return text if len(text) <= MAX_ANSWER_CHARS else None


def _scalar_json(value: Any) -> str | None:
    """What ``json.dumps`` writes for a plain int, finite float or str (the C encoder's
    own steps), so that most by-hand answers skip the encoder's set-up; None otherwise."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is str:
        return encode_basestring_ascii(value)
    return None


def _surely_too_long(value: Any) -> bool:
    """True when the arrays in ``value`` alone make its JSON longer than kept: each
    element takes at least one character and each two a comma between them."""
    parts = value if isinstance(value, tuple | list) else (value,)
    least = sum(part.size * 2 - 1 for part in parts if isinstance(part, np.ndarray))
    return least > MAX_ANSWER_CHARS


def _plain(value: Any) -> Any:
    """Nested lists of numbers, text or booleans; non-finite numbers become None."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" \
            and bool(np.isfinite(value).all()):
        return value.tolist()  # finite numbers only: the walk below would keep each one
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return None
