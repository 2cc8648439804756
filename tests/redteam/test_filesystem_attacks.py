"""Attacks on files, secrets and the network."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest

from grader.model import Probe
from grader.sandbox import Limits

from .conftest import (
    EXPECTED,
    grade,
    reference_file,
    require_full_isolation,
    run_attack,
    scale_probe,
)


def test_deleting_or_overwriting_grader_files_changes_nothing_outside(sandbox, decoy):
    require_full_isolation(sandbox, "user switch and private /tmp")
    result = run_attack(sandbox, decoy, "tamper", (scale_probe(),))
    np.testing.assert_array_equal(result.probes[0].value, EXPECTED)
    assert not Path("/results.json").exists()
    assert grade(result, "scale") == [1.0]


def checkout_file() -> str:
    """A file of the grader's source checkout: its git history if present."""
    checkout = Path(reference_file()).resolve().parents[1]
    git_head = checkout / ".git" / "HEAD"
    return str(git_head if git_head.exists() else checkout / "pyproject.toml")


@pytest.mark.parametrize("function", ["read_reference", "list_reference_folder", "read_secret",
                                      "read_checkout_file", "read_grader_environ"])
def test_the_reference_the_secret_and_the_grader_environment_are_unreadable(
        sandbox, decoy, function):
    require_full_isolation(sandbox, "user switch and hidden grader folders")
    result = run_attack(sandbox, decoy, "read_secrets", (Probe(kind="call", name=function),),
                        reference=reference_file(), grader_pid=os.getpid(),
                        checkout_file=checkout_file())
    assert result.probes[0].value.startswith("denied"), result.probes[0].value


def test_a_network_connection_fails(sandbox, decoy):
    require_full_isolation(sandbox, "network namespace")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        result = run_attack(sandbox, decoy, "network",
                            (scale_probe(), scale_probe("scale_outside")),
                            port=listener.getsockname()[1])
        with pytest.raises(BlockingIOError):
            listener.accept()
    for outcome in result.probes:
        assert outcome.error.startswith("raised OSError") or "unreachable" in outcome.error, \
            outcome.error
    assert grade(result, "scale", "scale_outside") == [0.0, 0.0]


def test_filling_tmp_stays_inside_the_runs_private_tmp(sandbox, decoy):
    require_full_isolation(sandbox, "private /tmp")
    folders = [path for path in ("/tmp", "/dev/shm", "/var/tmp", "/run/lock")
               if os.path.isdir(path)]
    before = {folder: set(os.listdir(folder)) for folder in folders}
    result = run_attack(sandbox, decoy, "fill_tmp", (scale_probe(),),
                        limits=Limits(wall_seconds=10))
    np.testing.assert_array_equal(result.probes[0].value, EXPECTED)
    for folder in folders:
        new = set(os.listdir(folder)) - before[folder]
        assert not any(name.startswith("filler-") for name in new), folder
    assert grade(result, "scale") == [1.0]
