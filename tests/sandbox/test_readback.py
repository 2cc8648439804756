"""The parent's validation of what a child leaves behind, on hand-made files."""

from __future__ import annotations

import io
import os
import pickle
import signal

import numpy as np
import pytest

from grader.sandbox import Limits
from grader.sandbox.messages import describe_end
from grader.sandbox.readback import (
    Invalid,
    check_scalar,
    parse_npy,
    read_capped,
    read_head,
)


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


@pytest.mark.parametrize("dtype", ["int8", "int32", ">i4", "uint16", "int64"])
def test_integer_arrays_come_back_as_int64_with_the_same_values(dtype):
    original = np.array([[1, 2, 3], [4, 5, 6]], dtype=dtype)
    value = parse_npy(npy_bytes(original))
    assert value.dtype == np.int64 and value.tolist() == original.tolist()


@pytest.mark.parametrize("dtype", ["float16", "float32", ">f8", "longdouble"])
def test_float_arrays_come_back_as_float64(dtype):
    original = np.array([0.5, -1.25, 3.0], dtype=dtype)
    value = parse_npy(npy_bytes(original))
    assert value.dtype == np.float64 and value.tolist() == [0.5, -1.25, 3.0]


def test_fortran_order_is_respected():
    original = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(parse_npy(npy_bytes(original)), original)


def test_zero_dimensional_arrays_become_python_scalars():
    assert parse_npy(npy_bytes(np.array(7, dtype=np.int16))) == 7
    assert type(parse_npy(npy_bytes(np.array(2.5)))) is float


@pytest.mark.parametrize(("array", "message"), [
    (np.array([1 + 2j]), "complex array"),
    (np.array([True]), "bool array"),
    (np.array(["a"]), "array of strings"),
    (np.zeros(2, dtype=[("a", "f8")]), "structured array"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "array of dates"),
])
def test_non_numeric_dtypes_are_refused_by_name(array, message):
    with pytest.raises(Invalid, match=message):
        parse_npy(npy_bytes(array))


def test_a_pickled_object_array_is_refused_without_being_unpickled(tmp_path):
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    array = np.empty(1, dtype=object)
    array[0] = Payload()
    data = npy_bytes(array, allow_pickle=True)
    assert pickle.dumps(Payload())  # the payload would really run if unpickled
    with pytest.raises(Invalid, match="object array"):
        parse_npy(data)
    assert not marker.exists()


def test_a_header_claiming_more_data_than_the_file_holds_is_refused():
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    with pytest.raises(Invalid, match="size does not match shape"):
        parse_npy(buffer.getvalue() + b"\0" * 16)


@pytest.mark.parametrize("shape", [(2**32, 2**32), (2**62, 4), (-1, -2), (0, -3)])
def test_a_shape_built_to_overflow_or_go_negative_is_refused(shape):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    with pytest.raises(Invalid, match="could not read"):
        parse_npy(buffer.getvalue())


def test_garbage_is_refused():
    with pytest.raises(Invalid, match="could not read"):
        parse_npy(b"not an npy file at all")


def test_nan_and_inf_are_refused_with_their_position():
    with pytest.raises(Invalid, match=r"NaN at \[1, 0\]"):
        parse_npy(npy_bytes(np.array([[1.0, 2.0], [np.nan, 3.0]])))
    with pytest.raises(Invalid, match=r"-inf at \[2\]; 2 such values"):
        parse_npy(npy_bytes(np.array([1.0, 2.0, -np.inf, np.inf])))


def test_values_that_overflow_float64_are_refused():
    huge = np.array([np.finfo(np.longdouble).max], dtype=np.longdouble)
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("long double is float64 on this platform")
    with pytest.raises(Invalid, match="not finite"):
        parse_npy(npy_bytes(huge))


def test_unsigned_values_beyond_int64_are_refused():
    with pytest.raises(Invalid, match="too large"):
        parse_npy(npy_bytes(np.array([2**63], dtype=np.uint64)))


@pytest.mark.parametrize(("value", "message"), [
    (True, "bool"), (2**63, "type"), (float("nan"), "type"), ("x" * 1001, "type"), ([1], "type"),
])
def test_json_scalars_outside_the_accepted_types_are_refused(value, message):
    with pytest.raises(Invalid, match=message):
        check_scalar(value)


@pytest.mark.parametrize("value", [0, -(2**63), 2**63 - 1, 1.5, "valid"])
def test_accepted_json_scalars_pass_unchanged(value):
    assert check_scalar(value) == value


def test_symlinks_fifos_and_oversized_files_are_not_read(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("top secret")
    (tmp_path / "link").symlink_to(secret)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(Invalid, match="could not open"):
        read_capped(str(tmp_path / "link"), 100)
    with pytest.raises(Invalid, match="not a regular file"):
        read_capped(str(tmp_path / "fifo"), 100)
    with pytest.raises(Invalid, match="more data than allowed"):
        read_capped(str(tmp_path / "big"), 100)
    assert read_capped(str(tmp_path / "absent"), 100) is None


def test_captured_output_is_cut_to_a_few_kilobytes(tmp_path):
    (tmp_path / "out.txt").write_bytes(b"a" * 10_000)
    text = read_head(str(tmp_path / "out.txt"))
    assert text.startswith("a" * 4096) and text.endswith("[... output truncated]")
    assert len(text) < 4200


def exited(code: int) -> int:
    return code << 8


@pytest.mark.parametrize(("status", "timed_out", "cpu", "expected"), [
    (None, True, None, "timed out after 2.5 s"),
    (signal.SIGXCPU, False, 3.0, "used more than 3 s of CPU time"),
    (signal.SIGKILL, False, 4.2, "used more than 3 s of CPU time"),
    (signal.SIGKILL, False, 0.1, "was killed (SIGKILL), for example for using too much memory"),
    (signal.SIGSEGV, False, 0.1, "crashed (signal SIGSEGV)"),
    (exited(0), False, 0.1, "exited the process (exit code 0) before returning"),
])
def test_the_way_a_child_ended_is_told_in_words(status, timed_out, cpu, expected):
    limits = Limits(wall_seconds=2.5, cpu_seconds=3)
    assert describe_end(status, timed_out, limits, cpu)[0] == expected


def test_a_kill_by_the_whole_runs_memory_limit_says_so():
    reason = describe_end(signal.SIGKILL, False, Limits(), 0.1, oom_mb=1344)[0]
    assert reason == "used more memory than allowed (1344 MiB for all its processes)"
