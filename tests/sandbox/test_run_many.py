"""``Sandbox.run_many``: several modules in one child give what ``run`` gives for each.

The oracle is ``run`` itself: every request is also run alone in a child of its own,
and the two results must agree value for value and message for message.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from grader.errors import GraderError
from grader.model import Probe
from grader.sandbox import Limits, Sandbox, SandboxRequest, SandboxResult
from grader.sandbox.messages import SHARED_CAP_SECONDS, shared_limits

QUICK = Limits(wall_seconds=5)
X = np.arange(6.0).reshape(2, 3)

SOURCES = {
    "good": b"import numpy as np\nSIZE = 7\nSHAPE = (1, 2)\n"
            b"def double(x):\n    print('doubling')\n    return x * 2\n"
            b"def parts(x):\n    return x, x.sum(), 3\n",
    "raises": b"def double(x):\n    return {}['key']\n",
    "broken": b"def double(x)\n    return x\n",
    "import_fails": b"import numpy as np\nraise ValueError('not at import time')\n",
    "exits_at_import": b"import sys\nsys.exit(3)\n",
    "exits_in_call": b"import os\nSIZE = 1\ndef double(x):\n    os._exit(0)\n",
    "sys_exit_in_call": b"import sys\ndef double(x):\n    sys.exit(0)\n",
    "loops": b"SIZE = 2\ndef double(x):\n    while True:\n        pass\n",
    "sleeps": b"import time\ndef double(x):\n    time.sleep(60)\n",
    "burns_cpu": b"def double(x):\n    while True:\n        x = x + 1\n",
    "hoards": b"def double(x):\n    return bytearray(2 * 1024 ** 3)\n",
    "blank": b"SIZE = None\n",
    "patches": b"import builtins, numpy as np\nbuiltins.abs = lambda v: 0\n"
               b"import random\nrandom.seed(99)\nnp.seterr(all='raise')\nSIZE = abs(-4)\n",
    "uses_builtins": b"import numpy as np\nSIZE = abs(-4)\n"
                     b"def double(x):\n    return np.log(x * 0) * 0 + 2 * x\n",
    "random": b"SIZE = 11\n",
    "imports_random": b"import random\nSIZE = random.randint(1, 1)\n",
    "threads": b"import threading, time\n"
               b"threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
               b"SIZE = 5\n",
    "uses_helper": b"import helper\nSIZE = helper.VALUE\n",
}


def request(module: str, *probes: Probe, limits: Limits = QUICK,
            extra: dict[str, bytes] | None = None) -> SandboxRequest:
    files = {f"{module}.py": SOURCES[module], **(extra or {})}
    return SandboxRequest(files=files, module=module, probes=probes, limits=limits)


SIZE = Probe(kind="attribute", name="SIZE")
SHAPE = Probe(kind="attribute", name="SHAPE")
DOUBLE = Probe(kind="call", name="double", inputs=(("x", X),))
PARTS = Probe(kind="call", name="parts", inputs=(("x", X),), outputs=("x", "total", "three"))


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def same_value(left: object, right: object) -> bool:
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(same_value, left, right))
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        return (isinstance(left, np.ndarray) and isinstance(right, np.ndarray)
                and left.dtype == right.dtype and np.array_equal(left, right))
    return type(left) is type(right) and left == right


def assert_same(shared: SandboxResult, alone: SandboxResult) -> None:
    assert shared.import_error == alone.import_error
    assert [p.error for p in shared.probes] == [p.error for p in alone.probes]
    for one, other in zip(shared.probes, alone.probes, strict=True):
        assert same_value(one.value, other.value), (one.value, other.value)
    # Requests whose file sets differ from the first one's import from w-1/, w-2/, ...
    # instead of work/, which warnings and tracebacks printed to stderr show.
    stderr = re.sub(r"/tmp/run/w-\d+/", "/tmp/run/work/", shared.stderr)
    assert (shared.stdout, stderr, shared.isolation) == \
        (alone.stdout, alone.stderr, alone.isolation)


def assert_like_alone(sandbox: Sandbox, requests: list[SandboxRequest]) -> list[SandboxResult]:
    shared = sandbox.run_many(requests)
    assert len(shared) == len(requests)
    for one, req in zip(shared, requests, strict=True):
        assert_same(one, sandbox.run(req))
    return list(shared)


def test_normal_modules_give_the_same_values_and_output_as_alone(sandbox):
    results = assert_like_alone(sandbox, [
        request("good", SIZE, SHAPE, DOUBLE, PARTS),
        request("uses_helper", SIZE, extra={"helper.py": b"VALUE = 1\n"}),
        request("good", DOUBLE),
    ])
    assert results[0].probes[0].value == 7
    np.testing.assert_array_equal(results[0].probes[2].value, X * 2)
    assert results[0].stdout == "doubling\n" and results[2].stdout == "doubling\n"
    assert results[1].probes[0].value == 1


def test_each_request_imports_its_own_files_even_under_the_same_names(sandbox):
    first = request("uses_helper", SIZE, extra={"helper.py": b"VALUE = 1\n"})
    second = request("uses_helper", SIZE, extra={"helper.py": b"VALUE = 2\n"})
    results = assert_like_alone(sandbox, [first, second, first])
    assert [r.probes[0].value for r in results] == [1, 2, 1]


def test_import_errors_and_exceptions_stay_with_their_own_request(sandbox):
    results = assert_like_alone(sandbox, [
        request("raises", DOUBLE), request("broken", DOUBLE),
        request("import_fails", SIZE), request("exits_at_import", SIZE),
        request("sys_exit_in_call", DOUBLE, DOUBLE), request("blank", SIZE, DOUBLE),
        request("good", SIZE),
    ])
    assert results[0].probes[0].error == "raised KeyError: 'key' (line 2 of raises.py)"
    assert results[1].import_error.startswith("syntax error at line 1 of broken.py")
    assert results[3].import_error == "exited the process (sys.exit(3)) while being imported"
    assert results[5].probes[0].error == "SIZE is still None (replace None with your answer)"
    assert results[-1].probes[0].value == 7


def test_a_module_that_exits_the_process_costs_only_its_own_probes(sandbox):
    results = assert_like_alone(sandbox, [
        request("good", SIZE), request("exits_in_call", SIZE, DOUBLE, SIZE),
        request("good", DOUBLE), request("good", SIZE),
    ])
    assert [p.error for p in results[1].probes] == [
        None, "exited the process (exit code 0) before returning",
        "not run: an earlier call ended the process"]
    np.testing.assert_array_equal(results[2].probes[0].value, X * 2)


def test_a_timeout_in_the_middle_keeps_earlier_results_and_reruns_later_ones(sandbox):
    limits = Limits(wall_seconds=1.0)
    requests = [request("good", SIZE, limits=limits),
                request("loops", SIZE, DOUBLE, SIZE, limits=limits),
                request("good", SIZE, DOUBLE, limits=limits)]
    started = time.monotonic()
    results = sandbox.run_many(requests)
    seconds = time.monotonic() - started
    assert [p.error for p in results[1].probes] == [
        None, "timed out after 1 s", "not run: an earlier call timed out"]
    assert results[0].probes[0].value == 7 and results[2].probes[0].value == 7
    assert seconds < 2 * limits.wall_seconds + 1  # the loop's own limit once, not per module
    for one, req in zip(results, requests, strict=True):
        assert_same(one, sandbox.run(req))


def test_each_request_keeps_its_own_wall_limit_inside_the_shared_budget(sandbox):
    """Alone, a sleeper times out after its own limit; sharing a child with fast modules
    (whose unused time adds to the budget) must not give it more."""
    fast, slow = Limits(wall_seconds=3.0), Limits(wall_seconds=0.5)
    results = sandbox.run_many([request("good", SIZE, limits=fast),
                                request("sleeps", DOUBLE, limits=slow),
                                request("good", SIZE, limits=fast)])
    assert results[1].probes[0].error == "timed out after 0.5 s"
    assert results[1].wall_seconds < 0.5 + 0.25 + 0.5  # checked every 0.25 s, some slack
    assert results[2].probes[0].value == 7


def test_a_cpu_limit_is_reported_as_alone(sandbox):
    limits = Limits(wall_seconds=10, cpu_seconds=1)
    results = assert_like_alone(sandbox, [request("good", SIZE, limits=limits),
                                          request("burns_cpu", DOUBLE, limits=limits),
                                          request("good", SIZE, limits=limits)])
    assert results[1].probes[0].error == "used more than 1 s of CPU time"
    assert results[2].probes[0].value == 7


def test_a_memory_blow_up_is_reported_as_alone(sandbox):
    limits = Limits(wall_seconds=10, address_space_mb=1024)
    results = assert_like_alone(sandbox, [request("hoards", DOUBLE, limits=limits),
                                          request("good", DOUBLE, limits=limits)])
    assert results[0].probes[0].error == "used more memory than allowed (1024 MiB)"


def test_changes_to_builtins_random_and_error_settings_do_not_reach_the_next_module(sandbox):
    results = assert_like_alone(sandbox, [
        request("patches", SIZE), request("uses_builtins", SIZE, DOUBLE),
        request("imports_random", SIZE),
    ])
    assert results[0].probes[0].value == 0
    assert results[1].probes[0].value == 4


def test_a_module_named_like_a_preloaded_one_does_not_replace_it_for_the_next(sandbox):
    results = assert_like_alone(sandbox, [request("random", SIZE),
                                          request("imports_random", SIZE)])
    assert [r.probes[0].value for r in results] == [11, 1]


def test_a_module_that_leaves_a_thread_running_does_not_disturb_the_next(sandbox):
    results = assert_like_alone(sandbox, [request("threads", SIZE), request("good", SIZE)])
    assert [r.probes[0].value for r in results] == [5, 7]


def test_an_empty_list_and_a_single_request_are_fine(sandbox):
    assert sandbox.run_many([]) == ()
    (only,) = sandbox.run_many([request("good", SIZE)])
    assert only.probes[0].value == 7


def test_a_malformed_request_is_refused_before_anything_runs(sandbox):
    bad = SandboxRequest(files={"x.py": b""}, module="not a name", probes=())
    with pytest.raises(GraderError, match="not an identifier"):
        sandbox.run_many([request("good", SIZE), bad])


def test_shared_limits_add_up_wall_and_cpu_but_are_capped():
    small = SandboxRequest(files={}, module="m", probes=(),
                           limits=Limits(wall_seconds=2, cpu_seconds=3, address_space_mb=512))
    big = SandboxRequest(files={}, module="m", probes=(),
                         limits=Limits(wall_seconds=5, cpu_seconds=4, address_space_mb=2048))
    limits = shared_limits([small, big])
    assert (limits.wall_seconds, limits.cpu_seconds, limits.address_space_mb) == (7, 7, 2048)
    many = shared_limits([big] * 100)
    assert (many.wall_seconds, many.cpu_seconds) == (SHARED_CAP_SECONDS, SHARED_CAP_SECONDS)
    long = SandboxRequest(files={}, module="m", probes=(),
                          limits=Limits(wall_seconds=SHARED_CAP_SECONDS * 2))
    assert shared_limits([long, small]).wall_seconds == SHARED_CAP_SECONDS * 2


def test_a_hostile_module_costs_one_extra_child_per_module_after_it_and_no_more(
        sandbox, monkeypatch):
    alone_runs: list[str] = []
    original = Sandbox._run  # a request run alone, with the submission's result budget

    def counted(self, req, budget):
        alone_runs.append(req.module)
        return original(self, req, budget)

    monkeypatch.setattr(Sandbox, "_run", counted)
    limits = Limits(wall_seconds=0.5)
    calm = Limits(wall_seconds=5)  # a stall of the machine cannot pass for a timeout
    results = sandbox.run_many([request("good", SIZE, limits=calm),
                                request("loops", DOUBLE, limits=limits),
                                request("random", SIZE, limits=calm),
                                request("blank", SIZE, limits=calm)])
    assert alone_runs == ["random", "blank"]  # not the good one before, not the loop again
    assert results[1].probes[0].error == "timed out after 0.5 s"
    assert results[2].probes[0].value == 11
