"""``Sandbox(direct=True)`` (used by ``check``): children forked from the grader itself,
confined the same way and giving the same results as children of a zygote."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from grader.model import Probe
from grader.sandbox import FULL_ISOLATION, Limits, Sandbox, SandboxRequest, machine_isolation

from .test_run_many import DOUBLE, SIZE, assert_same, request

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def direct():
    with Sandbox(direct=True) as box:
        yield box


@pytest.fixture(scope="module")
def warm():
    with Sandbox() as box:
        yield box


def test_direct_mode_has_no_helper_process_and_says_so(direct):
    assert direct.zygote_pid is None
    assert direct.isolation.startswith(machine_isolation())
    assert "direct" in direct.isolation


def test_direct_children_give_the_same_results_as_a_zygotes(direct, warm):
    requests = [request("good", SIZE, DOUBLE), request("raises", DOUBLE),
                request("exits_in_call", SIZE, DOUBLE, SIZE), request("good", DOUBLE),
                request("loops", SIZE, DOUBLE, limits=Limits(wall_seconds=0.5))]
    for from_grader, from_zygote in zip(direct.run_many(requests), warm.run_many(requests),
                                        strict=True):
        assert from_grader.isolation.startswith(from_zygote.isolation)
        assert_same(from_grader, from_zygote.__class__(
            **{**from_zygote.__dict__, "isolation": from_grader.isolation}))
    alone = direct.run(request("good", DOUBLE))
    np.testing.assert_array_equal(alone.probes[0].value, np.arange(6.0).reshape(2, 3) * 2)


def test_direct_children_cannot_read_the_hidden_checkout(direct):
    if not direct.isolation.startswith(FULL_ISOLATION):
        pytest.skip(f"hidden paths need the full tier; this one is {direct.isolation}")
    target = CHECKOUT / "pyproject.toml"
    assert target.is_file()
    source = f"def read():\n    return open({str(target)!r}).read()[:20]\n".encode()
    result = direct.run(SandboxRequest(files={"peek.py": source}, module="peek",
                                       probes=(Probe(kind="call", name="read"),)))
    assert result.probes[0].value in (None, "")
    assert os.path.exists(target)  # still there for the grader


def test_direct_mode_works_in_the_reduced_tier_of_a_students_laptop(monkeypatch):
    import grader.sandbox.sandbox as sandbox_module
    from grader.sandbox import REDUCED_ISOLATION

    monkeypatch.setattr(sandbox_module, "machine_isolation", lambda: REDUCED_ISOLATION)
    monkeypatch.setattr(sandbox_module, "can_switch_user", lambda: False)
    with Sandbox(direct=True) as box:
        assert box.isolation.startswith(REDUCED_ISOLATION) and "direct" in box.isolation
        good, looping = box.run_many([request("good", SIZE),
                                      request("loops", DOUBLE, limits=Limits(wall_seconds=0.5))])
    assert good.probes[0].value == 7
    assert looping.probes[0].error == "timed out after 0.5 s"
