"""Parameter distributions sampled from a ``VariantRng``, and constraint checks.

The random stream itself lives in :mod:`grader.authoring.rng` (kept apart so that
the code every golden variant depends on changes only on purpose); it is re-exported
here for the callers that import it with the distributions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from grader.authoring.expressions import ExpressionError, parse_expression
from grader.authoring.rng import VariantRng, derive_key

__all__ = ["DISTRIBUTION_KEYS", "SamplingFailure", "VariantRng", "derive_key",
           "distribution_key", "failed_constraint", "sample_one", "sample_params"]

# --- parameter distributions ---------------------------------------------------------
# The forms are documented in docs/schema.md and validated by grader/authoring/spec.py; here
# they are only sampled.  A distribution is a mapping with one of the keys below, or
# a bare scalar (a constant).

DISTRIBUTION_KEYS = ("int", "float", "choice", "matrix", "tensor", "derived", "value")
_KEY_SET = frozenset(DISTRIBUTION_KEYS)
_ASYMMETRY_TRIES = 100
_CONSTANT = ("value", "derived")  # the distributions that never draw


class SamplingFailure(Exception):
    """One attempt at sampling did not work out; the caller retries with a new sub-stream."""


def distribution_key(spec: Any) -> str | None:
    """Which distribution a parameter spec uses (``value`` for a bare constant)."""
    if type(spec) is dict:  # one set intersection in C (every parameter of every draw)
        found = spec.keys() & _KEY_SET
        return next(iter(found)) if len(found) == 1 else None
    if not isinstance(spec, Mapping):
        return "value"
    keys = [key for key in DISTRIBUTION_KEYS if key in spec]
    return keys[0] if len(keys) == 1 else None


def sample_params(specs: Mapping[str, Any], rng: VariantRng) -> dict[str, Any]:
    """Sample every parameter in order; later ones may refer to earlier scalar ones."""
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        key = distribution_key(spec)
        # a constant or derived parameter never draws: its child stream is not derived
        # (deriving one never advances ``rng``, so no other draw changes)
        stream = rng if key in _CONSTANT else rng.child(f"param/{name}")
        values[name] = _sample(name, spec, key, values, stream)
    return values


def sample_one(name: str, spec: Any, scope: Mapping[str, Any], rng: VariantRng) -> Any:
    """One parameter's value; ``rng`` is its own stream (``scope``: earlier values)."""
    return _sample(name, spec, distribution_key(spec), scope, rng)


def _sample(name: str, spec: Any, key: str | None, scope: Mapping[str, Any],
            rng: VariantRng) -> Any:
    if key == "value":
        return _freeze(spec["value"] if isinstance(spec, Mapping) else spec)
    if key == "derived":
        return _number(spec["derived"], scope, name)
    if key == "choice":
        return _freeze(rng.choice(spec["choice"]))
    if key == "int":
        low, high = spec["int"]
        low, high = _number(low, scope, name), _number(high, scope, name)
        if low > high:
            raise SamplingFailure(f"params.{name}: empty range [{low}, {high}]")
        return rng.integers(low, high)
    if key == "float":
        low, high = (_number(b, scope, name) for b in spec["float"])
        return _rounded(rng.uniform(low, high), spec.get("decimals"))
    if key in ("matrix", "tensor"):
        return _sample_array(name, spec[key], scope, rng)
    raise SamplingFailure(f"params.{name}: unknown distribution")


def _sample_array(name: str, spec: Mapping[str, Any], scope: Mapping[str, Any],
                  rng: VariantRng) -> np.ndarray:
    shape = tuple(int(_number(s, scope, name)) for s in spec["shape"])
    for _ in range(_ASYMMETRY_TRIES):
        if "float" in spec:
            low, high = (_number(b, scope, name) for b in spec["float"])
            array = _rounded(rng.uniform(low, high, shape), spec.get("decimals"))
        else:
            low, high = (int(_number(b, scope, name)) for b in spec["int"])
            if spec.get("distinct"):
                array = _distinct_integers(name, low, high, shape, rng)
            else:
                array = rng.integers(low, high, shape)
        if not spec.get("asymmetric") or not _is_rotation_symmetric(array):
            return array
    raise SamplingFailure(f"params.{name}: no asymmetric array in {_ASYMMETRY_TRIES} tries")


def _distinct_integers(name: str, low: int, high: int, shape: tuple[int, ...],
                       rng: VariantRng) -> np.ndarray:
    """Integers without repeats: draw one at a time, skipping values already used."""
    count = int(np.prod(shape, dtype=np.int64))
    if high - low + 1 < count:
        raise SamplingFailure(
            f"params.{name}: {count} distinct values do not fit in [{low}, {high}]")
    chosen: list[int] = []
    seen: set[int] = set()
    while len(chosen) < count:
        value = rng.integers(low, high)
        if value not in seen:
            seen.add(value)
            chosen.append(value)
    return np.array(chosen, dtype=np.int64).reshape(shape)


def _is_rotation_symmetric(array: np.ndarray) -> bool:
    """True when turning the array by 180° (over its last two axes) changes nothing."""
    if array.ndim == 0:
        return True
    axes = (-2, -1) if array.ndim >= 2 else (-1,)
    return bool(np.array_equal(array, np.flip(array, axis=axes)))


def _number(value: Any, scope: Mapping[str, Any], name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return parse_expression(value).evaluate(scope)
    except ExpressionError as error:
        raise SamplingFailure(f"params.{name}: {error}") from error


def _rounded(value: Any, decimals: int | None) -> Any:
    if decimals is None:
        return value
    if isinstance(value, np.ndarray):  # Python's round is correctly rounded on every platform
        flat = [round(float(v), int(decimals)) for v in value.ravel()]
        return np.array(flat, dtype=np.float64).reshape(value.shape)
    return round(float(value), int(decimals))


def _freeze(value: Any) -> Any:
    """YAML lists become tuples so sampled values cannot be changed in place."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def failed_constraint(constraints: Sequence[str], values: Mapping[str, Any]) -> str | None:
    """The first constraint that does not hold for ``values`` (None when all hold)."""
    for source in constraints:
        try:
            holds = parse_expression(source).evaluate(values)
        except ExpressionError:
            holds = False
        if not holds:
            return source
    return None
