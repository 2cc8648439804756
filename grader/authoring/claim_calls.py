"""Calling a reference function on arguments written the way a worked example shows them.

Instructors write a single-channel image as a plain matrix, a kernel as a matrix, a
bias as a number.  For the functions on ``(N, C, H, W)`` tensors such arguments are
lifted to 4-D before the call and the result is squeezed back, so
``x=[[1, 2], [3, 4]]`` just works (``cnn-grader answer`` and claim files).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.authoring.kinds.reference import reference_function
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


def squeezed(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(squeezed(part) for part in value)
    if isinstance(value, np.ndarray):
        while value.ndim > 2 and value.shape[0] == 1:
            value = value[0]
    return value


def call_topic(topic: str, arguments: Mapping[str, Any], fn: Any = None) -> Any:
    """Call the reference function ``topic`` (or ``fn``, a mistake of it) on friendly arguments."""
    ready, lifted = friendly_arguments(topic, arguments)
    target = fn or reference_function(topic)
    value = target(**ready)
    return squeezed(value) if lifted else value


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


def symbolic_arguments(topic: str, arguments: Mapping[str, Any]) -> list[str]:
    """Arguments written as a name where the function takes a number (``n: N``).

    A word is right for a word-valued parameter (``mode: max``, a layer's
    ``type: conv``) but a symbol where a count or size is expected.
    """
    parameters = inspect.signature(reference_function(topic)).parameters
    found = []
    for name, value in arguments.items():
        annotation = str(getattr(parameters.get(name), "annotation", ""))
        if isinstance(value, str) and any(word in annotation for word in ("int", "float",
                                                                         "Pair")):
            found.append(f"{name}={value!r}")
        elif isinstance(value, list):
            found += [f"{name}[{i}].{key}={item!r}" for i, layer in enumerate(value)
                      if isinstance(layer, Mapping) for key, item in layer.items()
                      if isinstance(item, str) and key != "type"]
    return found
