"""Length-prefixed JSON messages on a pipe, and the encoding of probe inputs.

Shared by the grader and the zygote, so it imports nothing but the standard
library and NumPy (the zygote loads it as a top-level module).  Only control
messages and probe *inputs* travel this way; results never do (they come back as
files the parent validates), and nothing is ever unpickled.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import struct
import time
from typing import Any

import numpy as np

HEADER = struct.Struct(">I")
MAX_MESSAGE = 256 * 1024 * 1024
# A request pipe this large takes a whole submission's request in one write (a3's is
# ~72 KB, over the default 64 KiB), so the run's first process reads it in one go
# instead of waiting for the grader to be scheduled again for the rest.
PIPE_BYTES = 1024 * 1024


class WireClosed(Exception):
    """The other end of the pipe went away."""


class WireTimeout(Exception):
    """No complete message arrived before the deadline."""


def widen_pipe(fd: int) -> None:
    """Best effort: Linux only, and refused beyond the machine's per-user budget."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def send(fd: int, message: dict, deadline: float | None = None) -> None:
    """Write one message; with a deadline, give up (WireTimeout) when the reader stalls."""
    body = json.dumps(message, separators=(",", ":")).encode()
    data = memoryview(HEADER.pack(len(body)) + body)
    while data:
        if deadline is not None:
            _wait(fd, deadline, for_write=True)
        try:
            written = os.write(fd, data)
        except BrokenPipeError as exc:
            raise WireClosed("pipe closed") from exc
        data = data[written:]


def receive(fd: int, deadline: float | None = None) -> dict:
    """Read one message (blocking, or until the deadline)."""
    (size,) = HEADER.unpack(_read_exactly(fd, HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise WireClosed(f"message of {size} bytes is larger than allowed")
    message = json.loads(_read_exactly(fd, size, deadline))
    if not isinstance(message, dict):
        raise WireClosed("message is not a JSON object")
    return message


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            _wait(fd, deadline, for_write=False)
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise WireClosed("pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _wait(fd: int, deadline: float, *, for_write: bool) -> None:
    timeout = max(0.0, deadline - time.monotonic())
    readable, writable, _ = select.select([] if for_write else [fd], [fd] if for_write else [],
                                          [], timeout)
    if not (writable if for_write else readable):
        raise WireTimeout("deadline passed")


def encode_value(value: Any) -> Any:
    """Turn a probe input (scalars, strings, tuples, lists, ndarrays) into JSON data."""
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        return {"__ndarray__": {"dtype": array.dtype.str, "shape": list(array.shape),
                                "data": base64.b64encode(array.tobytes()).decode()}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode_value(item) for item in value]}
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        return {"__dict__": [[key, encode_value(item)] for key, item in value.items()]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot send a {type(value).__name__} to the sandbox")


def decode_value(data: Any) -> Any:
    """Inverse of ``encode_value``; arrays come back writable and owned."""
    if isinstance(data, list):
        return [decode_value(item) for item in data]
    if isinstance(data, dict):
        if "__ndarray__" in data:
            spec = data["__ndarray__"]
            raw = base64.b64decode(spec["data"])
            return np.frombuffer(raw, dtype=np.dtype(spec["dtype"])).reshape(spec["shape"]).copy()
        if "__tuple__" in data:
            return tuple(decode_value(item) for item in data["__tuple__"])
        if "__dict__" in data:
            return {key: decode_value(item) for key, item in data["__dict__"]}
        raise ValueError(f"unknown encoded value with keys {sorted(data)}")
    return data
