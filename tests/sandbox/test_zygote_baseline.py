"""The interpreter state a shared child's requests start from is taken once in the
zygote (``shared_child.Baseline``); it must be what a child taking it itself gets."""

from __future__ import annotations

import pytest

from grader.model import Probe
from grader.sandbox import Sandbox, SandboxRequest

from .test_run_many import QUICK

DRAW = Probe(kind="call", name="draw")
DRAWS = {"draws.py": b"import random\ndef draw():\n    return random.random()\n"}
LISTS = {"lists.py": b"import sys, builtins\nNAMES = ' '.join(sorted(sys.modules))\n"
                     b"BUILTINS = ' '.join(sorted(vars(builtins)))\n"}


def draws(box: Sandbox) -> list[float]:
    requests = [SandboxRequest(files=DRAWS, module="draws", probes=(DRAW,), limits=QUICK)] * 2
    return [result.probes[0].value for result in box.run_many(requests)]


@pytest.fixture(scope="module")
def box():
    with Sandbox() as sandbox:
        yield sandbox


def test_every_child_has_its_own_random_seed_and_each_request_starts_from_it(box):
    first, second = draws(box), draws(box)
    assert first[0] == first[1] and second[0] == second[1]  # restored between requests
    assert first[0] != second[0]  # reseeded at each fork, as before the baseline moved


def test_a_shared_childs_requests_see_the_modules_and_builtins_a_single_run_sees(box):
    probes = (Probe(kind="attribute", name="NAMES"), Probe(kind="attribute", name="BUILTINS"))
    alone = box.run(SandboxRequest(files=LISTS, module="lists", probes=probes, limits=QUICK))
    shared = box.run_many([SandboxRequest(files=LISTS, module="lists", probes=probes,
                                          limits=QUICK)] * 2)
    for result in shared:
        assert [p.value for p in result.probes] == [p.value for p in alone.probes]
