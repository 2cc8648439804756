"""A direct sandbox's self-test rides along its first shared run (``helper.py``).

What must hold: the riding copy may only confirm the full tier; a fallback to a
weaker tier is decided by the self-test run alone, as at start-up, so nothing a
student's module does in the shared child can move a run to a weaker tier.
"""

from __future__ import annotations

import pytest

from grader.errors import GraderError
from grader.model import Probe
from grader.sandbox import FULL_ISOLATION, UID_ISOLATION, Sandbox, SandboxRequest, machine_isolation
from grader.sandbox.helper import riding_limits
from grader.sandbox.messages import shared_limits

from .test_run_many import DOUBLE, QUICK, SIZE, X, request

pytestmark = pytest.mark.skipif(machine_isolation() != FULL_ISOLATION,
                                reason="the self-test guards the full tier (needs root)")

# Breaks every result written after it in the same child (the riding test's too).
SABOTEUR = SandboxRequest(
    files={"saboteur.py": b"import json\njson.dumps = lambda *args, **kwargs: '[]'\nSIZE = 1\n"},
    module="saboteur", probes=(SIZE,), limits=QUICK)


def counting_solo_tests(monkeypatch, *, fails: bool) -> list[int]:
    """Replace ``Sandbox._self_test`` (the test alone) by a counter, failing or not."""
    calls: list[int] = []
    original = Sandbox._self_test

    def solo(self):
        calls.append(1)
        if fails:
            raise GraderError("sabotaged for the test")
        original(self)

    monkeypatch.setattr(Sandbox, "_self_test", solo)
    return calls


def test_a_passing_riding_test_confirms_the_tier_without_a_solo_run(monkeypatch):
    calls = counting_solo_tests(monkeypatch, fails=True)  # a solo run would fall back
    with Sandbox(direct=True) as box:
        good, doubled = box.run_many([request("good", SIZE), request("good", DOUBLE)])
        assert calls == []
        assert box.isolation.startswith(FULL_ISOLATION) and "failed" not in box.isolation
        assert good.probes[0].value == 7 and (doubled.probes[0].value == 2 * X).all()
        box.run_many([request("good", SIZE), request("good", SIZE)])
        box.run(request("good", SIZE))
    assert calls == []  # confirmed once: never again


def test_a_student_who_breaks_the_riding_test_cannot_cause_a_fallback(monkeypatch):
    calls = counting_solo_tests(monkeypatch, fails=False)
    with Sandbox(direct=True) as box:
        results = box.run_many([request("good", SIZE), SABOTEUR])
        assert calls == [1]  # the riding copy failed: the test alone decided
        assert box.isolation.startswith(FULL_ISOLATION) and "failed" not in box.isolation
        assert all(r.isolation == box.isolation for r in results)
        assert results[0].probes[0].value == 7
        assert box.run(request("good", SIZE)).probes[0].value == 7


def test_the_solo_test_alone_makes_the_fallback_and_the_requests_run_again(monkeypatch):
    calls = counting_solo_tests(monkeypatch, fails=True)
    with Sandbox(direct=True) as box:
        good, _ = box.run_many([request("good", SIZE), SABOTEUR])
        assert calls == [1]
        assert box.isolation.startswith(UID_ISOLATION)
        assert "full isolation failed: sabotaged for the test" in box.isolation
        assert "direct" in box.isolation
        assert good.isolation == box.isolation and good.probes[0].value == 7


def test_a_single_run_tests_the_tier_alone_first(monkeypatch):
    calls = counting_solo_tests(monkeypatch, fails=False)
    with Sandbox(direct=True) as box:
        assert box.run(request("good", SIZE)).probes[0].value == 7
        assert calls == [1]
        box.run_many([request("good", SIZE), request("good", SIZE)])
    assert calls == [1]


def test_a_zygote_sandbox_still_tests_alone_at_start_up(monkeypatch):
    calls = counting_solo_tests(monkeypatch, fails=False)
    with Sandbox() as box:
        assert calls == [1]
        box.run_many([request("good", SIZE), request("good", SIZE)])
    assert calls == [1]


def test_the_riding_test_raises_no_limit_of_the_shared_child():
    small = request("good", SIZE, limits=QUICK.__class__(wall_seconds=2, address_space_mb=300,
                                                         processes=3, output_mb=1))
    requests = [small, request("good", Probe(kind="attribute", name="SHAPE"))]
    limits = riding_limits(requests)
    assert limits.address_space_mb == 300 and limits.processes == 3 and limits.output_mb == 1
    assert limits.wall_seconds == 1 and limits.cpu_seconds == 1
    before = shared_limits(requests)
    after = shared_limits([*requests, SandboxRequest(files={}, module="m", probes=(),
                                                     limits=limits)])
    assert after.address_space_mb == before.address_space_mb
    assert after.processes == before.processes and after.output_mb == before.output_mb
    assert after.wall_seconds <= before.wall_seconds + 1
    assert after.cpu_seconds <= before.cpu_seconds + 1


def test_a_direct_sandbox_does_not_probe_namespaces_its_first_run_proves(monkeypatch):
    import grader.sandbox.isolation as isolation

    probes: list[int] = []
    monkeypatch.setattr(isolation, "namespaces_work", lambda: probes.append(1) or True)
    with Sandbox(direct=True) as box:
        box.run_many([request("good", SIZE), request("good", SIZE)])
        assert box.isolation.startswith(FULL_ISOLATION)
    assert probes == []
    with Sandbox():  # a zygote sandbox still probes at start-up
        assert probes == [1]


def test_where_namespaces_fail_a_direct_sandbox_ends_in_the_tier_a_probe_gives(monkeypatch):
    import grader.sandbox.helper as helper
    from grader.sandbox.helper import DIRECT_NOTE

    counting_solo_tests(monkeypatch, fails=True)
    monkeypatch.setattr(helper, "namespaces_work", lambda: False)
    with Sandbox(direct=True) as box:
        good, _ = box.run_many([request("good", SIZE), SABOTEUR])
        assert box.isolation.startswith(UID_ISOLATION) and box.isolation.endswith(DIRECT_NOTE)
        assert "failed" not in box.isolation  # as when the probe ran at start-up
        assert good.isolation == box.isolation and good.probes[0].value == 7
