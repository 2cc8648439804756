"""The view a run gets and the whole-run limits, checked on their own."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import grader.sandbox.sandbox as sandbox_module
from grader.model import Probe
from grader.sandbox import FULL_ISOLATION, Limits, Sandbox, SandboxRequest, machine_isolation
from grader.sandbox.cgroups import process_cap, run_memory_mb
from grader.sandbox.view import elf_interpreter, entries, mapped_files

needs_full_tier = pytest.mark.skipif(machine_isolation() != FULL_ISOLATION,
                                     reason="the full tier (root with namespaces) is not "
                                            "possible on this machine")


def test_the_view_lists_numpy_the_standard_library_and_the_loaded_libraries_only():
    folders, files, covered, _ = entries()
    assert os.path.dirname(os.path.realpath(np.__file__)) in folders
    assert os.path.dirname(os.path.realpath(os.__file__)) in folders
    for path in folders + files:  # nothing of the machine's configuration or homes
        assert not path.startswith(("/home", "/var", "/srv", "/etc/")) or path == "/etc/ld.so.cache"
    site = os.path.join(os.path.dirname(os.path.realpath(os.__file__)), "site-packages")
    assert site in covered or not os.path.isdir(site)


def test_the_loader_named_by_the_interpreter_is_the_one_it_runs_with():
    loader = elf_interpreter(os.path.realpath(sys.executable))
    if loader is None:
        pytest.skip("not a 64-bit ELF interpreter")
    assert os.path.realpath(loader) in mapped_files()  # the kernel mapped exactly this file


def test_without_a_cgroup_processes_times_address_space_fit_the_memory_budget():
    for processes, address_space, memory in [(64, 1024, 1344), (64, 256, 1344), (2, 100, 1000)]:
        cap = process_cap(processes, address_space, memory)
        assert 1 <= cap <= processes
        assert cap == 1 or cap * address_space <= memory
    assert run_memory_mb(1024, 64, 256) == 1024 + 64 + 256


FORKER = b"""
import os
def fork():
    try:
        pid = os.fork()
    except OSError:
        return "refused"
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "forked"
"""


@needs_full_tier
def test_without_a_cgroup_a_run_cannot_fork_past_its_memory(monkeypatch):
    monkeypatch.setattr(sandbox_module, "create_group", lambda name: None)
    with Sandbox() as capped:
        assert capped.isolation == f"{FULL_ISOLATION}+nproc-cap"
        result = capped.run(SandboxRequest(files={"forker.py": FORKER}, module="forker",
                                           probes=(Probe(kind="call", name="fork"),),
                                           limits=Limits(address_space_mb=1024)))
    assert result.probes[0].value == "refused"


@needs_full_tier
def test_with_a_cgroup_a_run_may_fork_within_its_limits():
    with Sandbox() as box:
        if "cgroup" not in box.isolation:
            pytest.skip(f"no cgroup on this machine ({box.isolation})")
        result = box.run(SandboxRequest(files={"forker.py": FORKER}, module="forker",
                                        probes=(Probe(kind="call", name="fork"),)))
    assert result.probes[0].value == "forked"
