"""Messages on the control pipe and the encoding of probe inputs."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from grader.sandbox import wire


def test_probe_inputs_survive_encoding_exactly():
    value = (("x", np.arange(12, dtype=np.float32).reshape(3, 4)),
             ("w", np.array([[1, -2]], dtype=np.int64)), ("stride", (2, 1)),
             ("padding", [1, 2]), ("mode", "max"), ("bias", None), ("scale", np.float64(0.5)),
             ("options", {"a": 1}))
    decoded = wire.decode_value(wire.encode_value(value))
    assert isinstance(decoded, tuple) and len(decoded) == len(value)
    for (name, original), (got_name, got) in zip(value, decoded, strict=True):
        assert name == got_name
        if isinstance(original, np.ndarray):
            assert got.dtype == original.dtype and np.array_equal(got, original)
            assert got.flags.writeable
        elif isinstance(original, np.generic):
            assert type(got) is float and got == original.item()
        else:
            assert got == original and type(got) is type(original)


def test_unsupported_input_types_are_refused():
    with pytest.raises(TypeError, match="set"):
        wire.encode_value({1, 2})


def test_messages_cross_a_pipe_whole():
    read_end, write_end = os.pipe()
    try:
        wire.send(write_end, {"event": "started", "pid": 12})
        wire.send(write_end, {"event": "done", "status": 0})
        assert wire.receive(read_end) == {"event": "started", "pid": 12}
        assert wire.receive(read_end, deadline=time.monotonic() + 1) == {"event": "done",
                                                                          "status": 0}
    finally:
        os.close(read_end)
        os.close(write_end)


def test_waiting_past_the_deadline_raises_a_timeout():
    read_end, write_end = os.pipe()
    try:
        started = time.monotonic()
        with pytest.raises(wire.WireTimeout):
            wire.receive(read_end, deadline=started + 0.1)
        assert time.monotonic() - started < 1
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_closed_pipe_is_reported():
    read_end, write_end = os.pipe()
    os.close(write_end)
    with pytest.raises(wire.WireClosed):
        wire.receive(read_end)
    os.close(read_end)
