"""A whole variant as JSON plus packed arrays, read back exactly (for ``variant_store``).

Unlike ``public_cases`` (public cases only, in a format ``test_public.py`` reads
without the grader), this keeps everything, hidden answers included, and every type:
tuples stay tuples, NumPy scalars keep their dtype, arrays their dtype and shape,
floats their exact value (JSON writes ``repr``).  Only the frozen dataclasses of
``grader.model`` are rebuilt, by class name; anything else raises
``TypeError`` when encoding (the caller then does not store the variant).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader import model
from grader.authoring.public_cases import ArrayPool
from grader.model import AssignmentVariant

# Only the frozen dataclasses of grader.model are rebuilt, by name (new ones included).
CLASSES = {name: cls for name, cls in vars(model).items() if isinstance(cls, type)
           and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__}
FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in CLASSES.values()}
PLAIN = (bool, int, str, type(None))
NUMERIC = "biufc"  # dtype kinds packed exactly (text arrays would be widened by packing)


def encode_variant(variant: AssignmentVariant, pool: ArrayPool) -> Any:
    return encode(variant, pool)


def decode_variant(document: Any, arrays: Mapping[str, np.ndarray]) -> AssignmentVariant:
    variant = decode(document, arrays)
    if not isinstance(variant, AssignmentVariant):
        raise TypeError("the stored document is not a variant")
    return variant


def encode(value: Any, pool: ArrayPool) -> Any:
    """A JSON-able form of ``value``; arrays (and NumPy scalars, as 0-d arrays) go to
    ``pool``.  Raises ``TypeError`` for anything it could not give back exactly."""
    kind = type(value)
    if kind in PLAIN:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind is tuple:
        return {"$tuple": _encode_items(value, pool)}
    if kind is list:
        return _encode_items(value, pool)
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise TypeError("a mapping with keys that are not strings")
        return {"$dict": [[k, encode(v, pool)] for k, v in value.items()]}
    if kind is np.ndarray and value.dtype.kind in NUMERIC:
        return pool.add(value)
    if isinstance(value, np.generic) and value.dtype.kind in NUMERIC:
        return {"$scalar": pool.add(np.asarray(value))}
    if CLASSES.get(kind.__name__) is kind:
        return {"$class": kind.__name__, "fields": {
            name: encode(getattr(value, name), pool) for name in FIELDS[kind]}}
    raise TypeError(f"cannot store a value of type {kind.__name__}")


def _encode_items(items: list | tuple, pool: ArrayPool) -> list:
    """Items of a list or tuple; numbers and strings as they are (the common case, and
    most of the calls: a by-hand variant holds hundreds of short lists of numbers)."""
    if all(type(v) in PLAIN or (type(v) is float and math.isfinite(v)) for v in items):
        return list(items)
    return [encode(v, pool) for v in items]


def decode(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """The inverse of ``encode``."""
    if isinstance(value, list):
        if not any(type(v) is dict or type(v) is list for v in value):
            return list(value)  # numbers and strings only
        return [decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "$array" in value:
        return _array(value, arrays)
    if "$scalar" in value:
        return _array(value["$scalar"], arrays)[()]
    if "$float" in value:
        return float(value["$float"])
    if "$tuple" in value:
        return tuple(decode(value["$tuple"], arrays))
    if "$dict" in value:
        return {k: decode(v, arrays) for k, v in value["$dict"]}
    if "$class" in value:
        cls = CLASSES[value["$class"]]
        return cls(**{k: decode(v, arrays) for k, v in value["fields"].items()})
    raise TypeError(f"unknown tag in {sorted(value)}")


def _array(ref: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    shape = tuple(ref["shape"])
    start = ref["offset"]
    flat = arrays[ref["$array"]][start : start + math.prod(shape)]
    if flat.size != math.prod(shape):
        raise ValueError("a stored array is shorter than its shape")
    return np.array(flat).reshape(shape)
