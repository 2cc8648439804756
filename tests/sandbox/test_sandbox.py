"""The sandbox end to end: probes, messages, limits, tiers (real child processes)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import grader.sandbox.sandbox as sandbox_module
from grader.errors import GraderError
from grader.model import Probe
from grader.sandbox import (
    FULL_ISOLATION,
    REDUCED_ISOLATION,
    UID_ISOLATION,
    Limits,
    Sandbox,
    SandboxRequest,
    machine_isolation,
)
from grader.sandbox.isolation import user_processes

MODULE = b"""
import numpy as np

OUTPUT_HEIGHT = 5
OUTPUT_SHAPE = (1, 8, 5, 5)
KERNEL = [[1, 0], [0, -1]]
CHOICE = "valid"
NOT_ANSWERED = None


def conv1d(x, w, stride=1):
    return np.convolve(x, w[::-1], mode="valid")[::stride]


def backward(dout):
    return dout * 2, dout.sum(), np.float32(1.5)


def divide(a):
    print("about to divide")
    return a / 0


def slow_then_fine(delay):
    import time
    time.sleep(delay)
    return delay
"""


NORMAL = Limits(wall_seconds=5)


def request(*probes: Probe, limits: Limits = NORMAL) -> SandboxRequest:
    return SandboxRequest(files={"exercise.py": MODULE}, module="exercise", probes=probes,
                          limits=limits)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def test_the_isolation_tier_is_the_one_the_machine_allows(sandbox):
    assert sandbox.isolation.startswith(machine_isolation())
    if sandbox.uid is not None:  # with a user switch, the whole run is bounded one way or another
        assert sandbox.isolation.endswith(("+cgroup-v1(memory,pids)", "+cgroup-v2(memory,pids)",
                                           "+nproc-cap"))
    result = sandbox.run(request(Probe(kind="attribute", name="OUTPUT_HEIGHT")))
    assert result.isolation == sandbox.isolation


def test_by_hand_answers_are_read_as_plain_values(sandbox):
    names = ("OUTPUT_HEIGHT", "OUTPUT_SHAPE", "KERNEL", "CHOICE", "NOT_ANSWERED", "MISSING")
    result = sandbox.run(request(*(Probe(kind="attribute", name=name) for name in names)))
    height, shape, kernel, choice, blank, missing = result.probes
    assert height.value == 5 and type(height.value) is int
    assert shape.value.dtype == np.int64 and shape.value.tolist() == [1, 8, 5, 5]
    assert kernel.value.tolist() == [[1, 0], [0, -1]]
    assert choice.value == "valid"
    assert blank.error == "NOT_ANSWERED is still None (replace None with your answer)"
    assert missing.error == "module has no variable named 'MISSING'"


def test_a_call_gets_its_inputs_and_returns_a_float64_array(sandbox):
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    w = np.array([1.0, -1.0])
    probe = Probe(kind="call", name="conv1d", inputs=(("x", x), ("w", w), ("stride", 2)))
    value = sandbox.run(request(probe)).probes[0].value
    np.testing.assert_array_equal(value, [-1.0, -4.0])
    assert value.dtype == np.float64


def test_a_tuple_return_comes_back_as_one_validated_value_per_output(sandbox):
    probe = Probe(kind="call", name="backward", inputs=(("dout", np.ones((2, 2))),),
                  outputs=("dx", "dw", "db"))
    dx, dw, db = sandbox.run(request(probe)).probes[0].value
    np.testing.assert_array_equal(dx, np.full((2, 2), 2.0))
    assert (dw, db) == (4.0, 1.5)


def test_a_tuple_of_the_wrong_length_is_explained(sandbox):
    probe = Probe(kind="call", name="backward", inputs=(("dout", np.ones(2)),),
                  outputs=("dx", "dw"))
    error = sandbox.run(request(probe)).probes[0].error
    assert error == "returned 3 values; expected a tuple of 2 values (dx, dw)"


def test_an_exception_names_its_type_message_and_student_line(sandbox):
    probe = Probe(kind="call", name="divide", inputs=(("a", 1),))
    result = sandbox.run(request(probe))
    line = MODULE.decode().splitlines().index("    return a / 0") + 1
    assert result.probes[0].error == (
        f"raised ZeroDivisionError: division by zero (line {line} of exercise.py)")
    assert result.stdout == "about to divide\n"


def test_a_missing_module_file_is_an_import_error(sandbox):
    result = sandbox.run(SandboxRequest(files={}, module="absent",
                                        probes=(Probe(kind="attribute", name="X"),)))
    assert result.import_error.startswith("raised ModuleNotFoundError: No module named 'absent'")
    assert result.probes[0].value is None


def test_a_module_named_like_a_preloaded_one_is_the_students(sandbox):
    result = sandbox.run(SandboxRequest(files={"statistics.py": b"ANSWER = 3\n"},
                                        module="statistics",
                                        probes=(Probe(kind="attribute", name="ANSWER"),)))
    assert result.probes[0].value == 3


IMPORTS = b"""
import collections, dataclasses, functools, itertools, math, typing
from typing import Tuple
import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

def windows(x):
    return sliding_window_view(np.asarray(x), 2).sum(axis=-1)

def needs_scipy():
    import scipy.signal
    return 1
"""


def test_numpy_and_the_standard_library_can_be_imported_in_every_tier(sandbox):
    result = sandbox.run(SandboxRequest(
        files={"imports.py": IMPORTS}, module="imports",
        probes=(Probe(kind="call", name="windows", inputs=(("x", np.arange(4.0)),)),)))
    assert result.import_error is None, result.import_error
    assert result.probes[0].value.tolist() == [1.0, 3.0, 5.0]


RARE_MODULES = b"""
import colorsys
import numpy.testing
import numpy.ma as ma

def masked_sum(x):
    numpy.testing.assert_array_equal(x, x)
    assert colorsys.rgb_to_hsv(0.0, 0.0, 0.0) == (0.0, 0.0, 0.0)
    return float(ma.masked_less(x, 1.0).sum())
"""


def test_standard_library_modules_not_preloaded_import_in_every_tier(sandbox):
    if Path(os.__file__).resolve().is_relative_to("/tmp"):
        pytest.skip("this interpreter lies below /tmp, which every run covers with its own")
    result = sandbox.run(SandboxRequest(
        files={"rare.py": RARE_MODULES}, module="rare",
        probes=(Probe(kind="call", name="masked_sum", inputs=(("x", np.arange(4.0)),)),)))
    assert result.import_error is None, result.import_error
    assert result.probes[0].error is None, result.probes[0].error
    assert result.probes[0].value == 6.0


def test_a_library_outside_the_allowed_ones_gets_a_hint(sandbox):
    if not sandbox.isolation.startswith(FULL_ISOLATION):
        pytest.skip("only the full tier (a view holding NumPy alone) limits imports")
    result = sandbox.run(SandboxRequest(files={"imports.py": IMPORTS}, module="imports",
                                        probes=(Probe(kind="call", name="needs_scipy"),)))
    assert "only NumPy and the standard library can be imported" in result.probes[0].error


def test_earlier_results_survive_a_later_timeout(sandbox):
    probes = tuple(Probe(kind="call", name="slow_then_fine", inputs=(("delay", delay),))
                   for delay in (0.0, 30.0, 0.0))
    started = time.monotonic()
    result = sandbox.run(request(*probes, limits=Limits(wall_seconds=1)))
    assert time.monotonic() - started < 4
    assert [outcome.value for outcome in result.probes] == [0.0, None, None]
    assert [outcome.error for outcome in result.probes][1:] == [
        "timed out after 1 s", "not run: an earlier call timed out"]


def test_a_module_that_hangs_while_imported_times_out_with_that_said(sandbox):
    source = b"import time\ntime.sleep(30)\nANSWER = 1\n"
    result = sandbox.run(SandboxRequest(files={"hang.py": source}, module="hang",
                                        probes=(Probe(kind="attribute", name="ANSWER"),),
                                        limits=Limits(wall_seconds=1)))
    assert result.import_error == "timed out after 1 s while the module was being imported"
    assert result.probes[0].error == ("not run: the module could not be imported "
                                      "(timed out after 1 s while the module was being imported)")


@pytest.mark.parametrize(("files", "module"), [
    ({"../escape.py": b""}, "escape"), ({"ok.py": b""}, "not-an-identifier"),
    ({"ok.py": "text, not bytes"}, "ok"),
])
def test_a_malformed_request_is_our_fault_and_raises_grader_error(sandbox, files, module):
    with pytest.raises(GraderError, match="sandbox request"):
        sandbox.run(SandboxRequest(files=files, module=module, probes=()))


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match=r"Limits\.wall_seconds"):
        Limits(wall_seconds=0)


def test_runs_are_forked_from_one_warm_zygote_not_a_fresh_interpreter_each(sandbox):
    """What keeps a run cheap (the figures are in bench/, not asserted here): every run
    is a fork of the same zygote, which already holds NumPy when it forks."""
    source = b"import sys\nNUMPY_WAS_LOADED = int('numpy' in sys.modules)\n"
    probe = Probe(kind="attribute", name="NUMPY_WAS_LOADED")
    zygote = sandbox.zygote_pid
    for _ in range(3):
        result = sandbox.run(SandboxRequest(files={"warm.py": source}, module="warm",
                                            probes=(probe,)))
        assert result.probes[0].value == 1
    assert zygote is not None and sandbox.zygote_pid == zygote
    assert Path(f"/proc/{zygote}").exists()


@pytest.fixture
def readable_elsewhere():
    """A world-readable secret outside every temporary folder the child gets fresh."""
    base = "/run" if os.access("/run", os.W_OK) else tempfile.gettempdir()
    folder = Path(tempfile.mkdtemp(prefix="cnn-grader-hidden-", dir=base))
    folder.chmod(0o755)
    (folder / "secret.txt").write_text("the course secret")
    (folder / "secret.txt").chmod(0o644)
    yield folder
    shutil.rmtree(folder)


def read_file_request(path: Path) -> SandboxRequest:
    source = f"def read():\n    return open({str(path)!r}).read()\n".encode()
    return SandboxRequest(files={"reader.py": source}, module="reader",
                          probes=(Probe(kind="call", name="read"),))


def test_a_secret_outside_the_view_does_not_exist_for_the_child(readable_elsewhere):
    if machine_isolation() != FULL_ISOLATION:
        pytest.skip("a view of its own needs a mount namespace (root); not allowed here")
    with Sandbox() as plain:
        error = plain.run(read_file_request(readable_elsewhere / "secret.txt")).probes[0].error
    assert error.startswith("raised FileNotFoundError"), error


def list_folder_request(path: str) -> SandboxRequest:
    source = f"import os\ndef names():\n    return ' '.join(os.listdir({path!r}))\n".encode()
    return SandboxRequest(files={"lister.py": source}, module="lister",
                          probes=(Probe(kind="call", name="names"),))


def test_hidden_paths_inside_the_view_are_covered_for_the_child():
    if machine_isolation() != FULL_ISOLATION:
        pytest.skip("hiding folders needs a mount namespace (root); not allowed here")
    inside = os.path.dirname(json.__file__)  # the standard library is in every view
    with Sandbox() as plain:
        assert "decoder.py" in plain.run(list_folder_request(inside)).probes[0].value
    with Sandbox(hidden_paths=(inside,)) as hiding:
        outcome = hiding.run(list_folder_request(inside)).probes[0]
    assert outcome.value is None or "decoder.py" not in outcome.value, outcome.value


def sabotaged_self_test(self):
    raise GraderError("sabotaged for the test")


def test_require_full_isolation_refuses_a_weaker_tier_when_the_machine_allows_it(monkeypatch):
    if machine_isolation() != FULL_ISOLATION:
        pytest.skip("the full tier is not possible on this machine (needs root)")
    monkeypatch.setattr(Sandbox, "_self_test", sabotaged_self_test)
    with pytest.raises(GraderError, match="could not be set up: sabotaged for the test"):
        Sandbox(require_full_isolation=True)
    with Sandbox() as fallback:
        assert fallback.isolation.startswith(UID_ISOLATION)  # root: still another uid
        assert "full isolation failed: sabotaged for the test" in fallback.isolation


def test_without_root_the_reduced_tier_still_limits_and_kills(monkeypatch):
    monkeypatch.setattr(sandbox_module, "machine_isolation", lambda: REDUCED_ISOLATION)
    monkeypatch.setattr(sandbox_module, "can_switch_user", lambda: False)
    with Sandbox() as reduced:
        assert reduced.isolation == REDUCED_ISOLATION and reduced.uid is None
        result = reduced.run(request(
            Probe(kind="call", name="slow_then_fine", inputs=(("delay", 0.0),)),
            Probe(kind="call", name="slow_then_fine", inputs=(("delay", 30.0),)),
            limits=Limits(wall_seconds=1)))
        assert result.isolation == REDUCED_ISOLATION
        assert [o.error for o in result.probes] == [None, "timed out after 1 s"]
        assert reduced.run(request(Probe(kind="attribute", name="OUTPUT_HEIGHT"))) \
            .probes[0].value == 5


KILLER = b"""
import os, signal

def fine():
    return 1

def kill_helper():
    os.kill(os.getppid(), signal.SIGKILL)
    import time
    time.sleep(30)
"""


def test_without_root_killing_the_helper_keeps_earlier_results_and_restarts_it(monkeypatch):
    monkeypatch.setattr(sandbox_module, "machine_isolation", lambda: REDUCED_ISOLATION)
    monkeypatch.setattr(sandbox_module, "can_switch_user", lambda: False)
    with Sandbox() as reduced:
        helper = reduced.zygote_pid
        result = reduced.run(SandboxRequest(
            files={"killer.py": KILLER}, module="killer",
            probes=(Probe(kind="call", name="fine"), Probe(kind="call", name="kill_helper")),
            limits=Limits(wall_seconds=5)))
        assert result.probes[0].value == 1
        assert result.probes[1].error.startswith("stopped the sandbox helper")
        assert reduced.zygote_pid != helper
        assert reduced.run(request(Probe(kind="attribute", name="OUTPUT_HEIGHT"))) \
            .probes[0].value == 5


DAEMON = b"""
import os, time

def spawn_daemon():
    if os.fork() == 0:
        os.setsid()
        time.sleep(60)
        os._exit(0)
    return os.getuid()
"""


def test_as_root_without_namespaces_children_still_run_as_another_uid(monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("the user switch needs root; not allowed here")
    monkeypatch.setattr(sandbox_module, "machine_isolation", lambda: UID_ISOLATION)
    with Sandbox() as switched:
        assert switched.isolation.startswith(UID_ISOLATION) and switched.uid is not None
        result = switched.run(SandboxRequest(
            files={"daemon.py": DAEMON}, module="daemon",
            probes=(Probe(kind="call", name="spawn_daemon"),)))
        assert result.probes[0].value == switched.uid
        assert user_processes(switched.uid) == []  # the setsid daemon was killed by uid


HOARDER = b"""
import os

def open_many():
    handles = [open(os.devnull) for _ in range(200)]
    return len(handles)

def write_big(megabytes):
    with open("big.bin", "wb") as handle:
        for _ in range(megabytes):
            handle.write(bytes(1 << 20))
    return megabytes
"""


def test_open_files_and_file_size_are_limited(sandbox):
    limits = Limits(wall_seconds=10, open_files=32, file_size_mb=4, output_mb=4)
    result = sandbox.run(SandboxRequest(
        files={"hoarder.py": HOARDER}, module="hoarder", limits=limits,
        probes=(Probe(kind="call", name="open_many"),
                Probe(kind="call", name="write_big", inputs=(("megabytes", 3),)),
                Probe(kind="call", name="write_big", inputs=(("megabytes", 40),)))))
    many, small, big = result.probes
    assert many.error.startswith("raised OSError: [Errno 24] Too many open files")
    assert small.value == 3
    assert big.error.startswith("raised OSError: [Errno 27] File too large")


def zygote_memory(pid: int) -> bytes:
    """Every readable, writable mapping of a process (needs root)."""
    chunks = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as memory:
        for line in maps:
            addresses, permissions = line.split()[:2]
            if not permissions.startswith("rw"):
                continue
            start, end = (int(value, 16) for value in addresses.split("-"))
            try:
                memory.seek(start)
                chunks.append(memory.read(end - start))
            except OSError:
                continue
    return b"".join(chunks)


def test_the_zygote_never_holds_a_submission(sandbox):
    if os.geteuid() != 0:
        pytest.skip("reading another process's memory needs root")
    marker = b"ZYGOTE_MUST_NOT_SEE_" + os.urandom(8).hex().encode()
    source = b"ANSWER = '" + marker + b"'\n"
    result = sandbox.run(SandboxRequest(files={"marked.py": source}, module="marked",
                                        probes=(Probe(kind="attribute", name="ANSWER"),)))
    assert result.probes[0].value == marker.decode()  # the child did see it
    memory = zygote_memory(sandbox.zygote_pid)
    assert b"stringprep" in memory  # the scan does see the zygote's own strings
    assert marker not in memory
    assert base64.b64encode(source)[:24] not in memory
