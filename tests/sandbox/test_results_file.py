"""The run's one results file: the child's writer, and the parent's strict reader on
hand-made streams (what student code could leave there instead)."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest

from grader.model import Probe
from grader.sandbox.readback import ResultBudget
from grader.sandbox.results_file import RESULTS, SEGMENT_BYTES, ResultsWriter
from grader.sandbox.results_read import read_results

CALL = Probe(kind="call", name="f")
PAIR = Probe(kind="call", name="f", outputs=("dx", "dw"))
CAP = 32 * 2**20
IMPORTED = {"import": True}


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def record(data: dict | bytes, *blobs: bytes) -> bytes:
    """One record as the format's description says: length, JSON, blobs."""
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return len(body).to_bytes(4, "big") + body + b"".join(blobs)


def array_record(index: int, array: np.ndarray) -> bytes:
    blob = npy_bytes(array)
    return record({"probe": index, "parts": [{"npy": len(blob)}]}, blob)


def read(folder, probes=(CALL,), budget=None):
    return read_results(str(folder), tuple(probes), CAP,
                        budget or ResultBudget(allowed=2**40))


def errors(outcomes) -> list[str | None]:
    return [None if outcome is None else outcome.error for outcome in outcomes]


def test_what_the_child_writes_reads_back_value_for_value(tmp_path):
    writer = ResultsWriter(str(tmp_path))
    writer.add(IMPORTED, [])
    blob = npy_bytes(np.arange(6.0).reshape(2, 3))
    writer.add({"probe": 0, "parts": [{"npy": len(blob)}]}, [blob])
    writer.add({"probe": 1, "parts": [{"scalar": 7}, {"scalar": "seven"}]}, [])
    writer.add({"probe": 2, "error": "raised ValueError: no"}, [])
    writer.close()
    status, outcomes = read(tmp_path, (CALL, PAIR, CALL))
    assert status == (True, None)
    np.testing.assert_array_equal(outcomes[0].value, np.arange(6.0).reshape(2, 3))
    assert outcomes[1].value == (7, "seven")
    assert errors(outcomes) == [None, None, "raised ValueError: no"]


def test_a_stream_larger_than_a_segment_goes_on_in_the_next_files(tmp_path):
    arrays = [np.full(200_000, float(index)) for index in range(4)]  # 1.6 MB each
    writer = ResultsWriter(str(tmp_path))
    writer.add(IMPORTED, [])
    for index, array in enumerate(arrays):
        blob = npy_bytes(array)
        writer.add({"probe": index, "parts": [{"npy": len(blob)}]}, [blob])
    writer.close()
    names = sorted(os.listdir(tmp_path))
    assert len(names) == 7 and names[0] == RESULTS
    assert all(os.path.getsize(tmp_path / name) == SEGMENT_BYTES for name in names[:-1])
    outcomes = read(tmp_path, [CALL] * 4)[1]
    for array, outcome in zip(arrays, outcomes, strict=True):
        np.testing.assert_array_equal(outcome.value, array)


def test_the_writer_opens_its_file_again_when_student_code_closed_it(tmp_path):
    writer = ResultsWriter(str(tmp_path))
    writer.add(IMPORTED, [])
    os.close(writer._fd)  # what a student's os.closerange(3, ...) does to it
    writer.add({"probe": 0, "parts": [{"scalar": 1.5}]}, [])
    writer.close()
    assert read(tmp_path)[1][0].value == 1.5


def test_no_file_or_an_empty_one_means_the_import_never_finished(tmp_path):
    assert read(tmp_path) == (None, [None])
    (tmp_path / RESULTS).write_bytes(b"")
    assert read(tmp_path) == (None, [None])
    (tmp_path / RESULTS).write_bytes(record(IMPORTED)[:-3])
    assert read(tmp_path) == (None, [None])


def test_an_import_error_is_told_and_no_probe_is_read(tmp_path):
    (tmp_path / RESULTS).write_bytes(record({"import": False, "error": "raised X"})
                                     + array_record(0, np.zeros(2)))
    assert read(tmp_path) == ((False, "raised X"), [None])


def test_a_probe_that_never_finished_keeps_the_results_before_it(tmp_path):
    complete = record(IMPORTED) + array_record(0, np.ones(3))
    for cut in (0, 2, 10, len(array_record(1, np.ones(3))) - 1):  # between and within
        (tmp_path / RESULTS).write_bytes(complete + array_record(1, np.ones(3))[:cut])
        outcomes = read(tmp_path, [CALL] * 3)[1]
        assert outcomes[0].value.tolist() == [1.0, 1.0, 1.0]
        assert outcomes[1:] == [None, None]


@pytest.mark.parametrize(("junk", "why"), [
    (record(b'{"probe": 0, "parts": [{"scalar": NaN}]}'), "a NaN constant"),
    (record(b"[1, 2]"), "not an object"),
    (record(b"\xff\xfe"), "not UTF-8"),
    (record({"probe": 1, "parts": [{"scalar": 1}]}), "out of order"),
    (record({"probe": True, "parts": [{"scalar": 1}]}), "a bool for an index"),
    (record({"probe": 0, "parts": [{"scalar": 1}], "extra": 1}), "an unknown key"),
    (record({"probe": 0, "parts": [{"npy": -5}]}), "a negative size"),
    (record({"probe": 0, "parts": [{"npy": True}]}), "today's marker without a size"),
    (record({"probe": 0, "parts": [{"scalar": 1}, {"scalar": 2}]}), "two parts for one"),
    ((2**31).to_bytes(4, "big") + b"{}", "a 2 GiB length"),
])
def test_a_record_that_cannot_be_framed_fails_its_probe_and_every_later_one(
        tmp_path, junk, why):
    (tmp_path / RESULTS).write_bytes(record(IMPORTED) + junk + array_record(1, np.ones(2)))
    status, outcomes = read(tmp_path, [CALL] * 2)
    assert status == (True, None), why
    assert errors(outcomes) == ["left a result file the grader could not read"] * 2, why


def test_a_forged_import_record_is_refused(tmp_path):
    (tmp_path / RESULTS).write_bytes(record({"import": "yes"}) + array_record(0, np.ones(2)))
    assert read(tmp_path) == ((False, "left an import record the grader could not read"),
                              [None])


def test_a_refused_part_fails_its_probe_only_and_is_named(tmp_path):
    good, bad = npy_bytes(np.zeros(2)), npy_bytes(np.zeros(2, dtype=complex))
    pair = record({"probe": 0, "parts": [{"npy": len(bad)}, {"npy": len(good)}]}, bad, good)
    (tmp_path / RESULTS).write_bytes(record(IMPORTED) + pair + array_record(1, np.ones(2)))
    outcomes = read(tmp_path, (PAIR, CALL))[1]
    assert errors(outcomes) == ["dx: returned a complex array", None]
    assert outcomes[1].value.tolist() == [1.0, 1.0]


def test_a_pickled_object_array_is_refused_without_being_unpickled(tmp_path):
    array = np.empty(1, dtype=object)
    array[0] = {"a": 1}
    blob = npy_bytes(array, allow_pickle=True)
    forged = record({"probe": 0, "parts": [{"npy": len(blob)}]}, blob)
    (tmp_path / RESULTS).write_bytes(record(IMPORTED) + forged)
    assert errors(read(tmp_path)[1]) == ["returned an object array"]


def test_an_array_over_the_cap_is_refused_from_its_declared_size(tmp_path):
    big = record({"probe": 0, "parts": [{"npy": CAP + 1}]}, b"\0" * (CAP + 1))
    (tmp_path / RESULTS).write_bytes(record(IMPORTED))
    with open(tmp_path / RESULTS, "ab") as handle:  # as one file: no segments needed here
        handle.write(big[:SEGMENT_BYTES - os.path.getsize(tmp_path / RESULTS)])
    assert errors(read(tmp_path)[1]) == [f"returned more data than allowed ({CAP + 1} bytes)"]


def test_the_result_budget_counts_arrays_as_the_grader_holds_them(tmp_path):
    stream = (record(IMPORTED) + array_record(0, np.ones(1000, dtype=np.int8))  # 8000 widened
              + array_record(1, np.ones(2000, dtype=np.uint8))    # 16000: over budget
              + array_record(2, np.ones(250, dtype=np.float32)))  # 2000: still fits
    (tmp_path / RESULTS).write_bytes(stream)
    budget = ResultBudget(allowed=10_000)
    first, second, third = read(tmp_path, [CALL] * 3, budget)[1]
    assert first.value.dtype == np.int64 and first.value.size == 1000
    assert second.value is None
    assert second.error.startswith("your results total 23.4 KiB, more than the 9.8 KiB allowed")
    assert third.value.dtype == np.float64 and budget.used == 8000 + 2000


def test_a_header_that_lies_about_its_size_is_refused_before_it_is_charged(tmp_path):
    data = npy_bytes(np.ones(10, dtype=np.int8))
    header_end = data.index(b"\n") + 1
    lying = data[:header_end].replace(b"(10,)", b"(99999999,)", 1) + data[header_end:]
    forged = record({"probe": 0, "parts": [{"npy": len(lying)}]}, lying)
    (tmp_path / RESULTS).write_bytes(record(IMPORTED) + forged + array_record(1, np.ones(2)))
    budget = ResultBudget(allowed=100)
    outcomes = read(tmp_path, [CALL] * 2, budget)[1]
    assert outcomes[0].error.endswith("(size does not match shape)")
    assert outcomes[1].value.tolist() == [1.0, 1.0] and budget.used == 16


def test_links_fifos_and_oversized_files_are_not_read(tmp_path):
    secret = tmp_path / "secret"
    secret.write_bytes(record(IMPORTED))
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / RESULTS).symlink_to(secret)
    assert read(folder)[0] == (False, "left a result file the grader could not open "
                                      "(Too many levels of symbolic links)")
    (folder / RESULTS).unlink()
    os.mkfifo(folder / RESULTS)  # opened without blocking, then refused
    assert read(folder)[0] == (False, "left a result that is not a regular file")
    (folder / RESULTS).unlink()
    with open(folder / RESULTS, "wb") as handle:
        handle.truncate(2**40)  # a sparse terabyte: judged by its size, never read
    assert read(folder)[0] == (False, f"returned more data than allowed ({2**40} bytes)")


def test_a_short_segment_ends_the_stream_whatever_follows(tmp_path):
    (tmp_path / RESULTS).write_bytes(record(IMPORTED))  # not a whole segment
    (tmp_path / f"{RESULTS}.1").write_bytes(array_record(0, np.ones(2)))
    assert read(tmp_path) == ((True, None), [None])


def test_a_later_segment_is_held_to_the_same_rules(tmp_path):
    stream = (record(IMPORTED) + array_record(0, np.ones(2))
              + array_record(1, np.ones(200_000)))  # crosses into a second segment
    (tmp_path / RESULTS).write_bytes(stream[:SEGMENT_BYTES])
    (tmp_path / "rest").write_bytes(stream[SEGMENT_BYTES:])
    os.symlink(tmp_path / "rest", tmp_path / f"{RESULTS}.1")
    outcomes = read(tmp_path, [CALL] * 3)[1]
    assert outcomes[0].value.tolist() == [1.0, 1.0]
    assert outcomes[1].error.startswith("left a result file the grader could not open")
    assert outcomes[2].error == outcomes[1].error
    os.unlink(tmp_path / f"{RESULTS}.1")
    os.rename(tmp_path / "rest", tmp_path / f"{RESULTS}.1")
    assert read(tmp_path, [CALL] * 3)[1][1].value.shape == (200_000,)
