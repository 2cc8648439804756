"""What a run can see: a root built from a list, nothing else of the machine.

Decoys sit where a real grading server keeps things: the course folder (with its
secret and reference solutions), a classmate's submission, the grader's ``--out``
folder and gradebook, world-writable folders outside ``/tmp`` (``/var/tmp``,
``/dev/shm``), a package installed beside NumPy and the folder holding the
grader's virtualenv.  A submission walks the whole file system from inside: none
of them may be found, reached or changed, and nothing a run writes may outlive it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from grader.model import Probe
from grader.sandbox import Limits

from .conftest import (
    EXPECTED,
    grade,
    outside_temporary_folders,
    require_full_isolation,
    run_attack,
    scale_probe,
    snapshot,
)


class Server:
    """Decoy files, each named with ``token``, in folders created for the test."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.roots: list[Path] = []
        self.files: list[Path] = []

    def folder(self, parent: str, *, world_writable: bool = False) -> Path:
        root = Path(tempfile.mkdtemp(prefix=f"cnn-grader-{self.token}-", dir=parent))
        root.chmod(0o1777 if world_writable else 0o755)
        self.roots.append(root)
        return root

    def plant(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o666)  # even a write by anyone would succeed if the run could reach it
        self.files.append(path)

    def state(self) -> list[dict[str, str]]:
        return [snapshot(root) for root in self.roots]


@pytest.fixture
def server() -> Iterator[Server]:
    token = "decoy" + secrets.token_hex(6)
    planted = Server(token)
    srv = planted.folder(outside_temporary_folders())
    planted.plant(srv / "course" / ".course-secret", "course-secret-" + token)
    planted.plant(srv / "course" / "solutions" / f"conv_{token}.py", "def conv(): ...\n")
    planted.plant(srv / "submissions" / "classmate" / f"conv_{token}.py", "def conv(): ...\n")
    planted.plant(srv / "out" / "A1" / "classmate" / f"results_{token}.json", '{"score": 3}')
    planted.plant(srv / "out" / f"gradebook_{token}.sqlite", "SQLite format 3")
    for shared in ("/var/tmp", "/dev/shm"):
        if os.path.isdir(shared) and os.access(shared, os.W_OK):
            folder = planted.folder(shared, world_writable=True)
            planted.plant(folder / f"left_{token}.txt", "a file another job left behind")
    # beside what the view does show: a package next to NumPy, the virtualenv's folder
    site = Path(np.__file__).resolve().parents[1]
    for parent in (site, Path(sys.prefix).parent):
        if os.access(parent, os.W_OK):
            folder = planted.folder(str(parent))
            planted.plant(folder / f"secret_{token}.txt", "next to what the run may read")
    yield planted
    for root in planted.roots:
        shutil.rmtree(root, ignore_errors=True)


def walk(sandbox, decoy, server: Server, *names: str):
    before = server.state()
    result = run_attack(sandbox, decoy, "walk_root",
                        (*(Probe(kind="call", name=name) for name in names), scale_probe()),
                        limits=Limits(wall_seconds=10), token=server.token,
                        places="|".join(map(str, server.files)))
    assert server.state() == before, "a run changed a decoy"
    return result


def test_a_run_that_walks_the_whole_file_system_finds_no_decoy(sandbox, decoy, server):
    require_full_isolation(sandbox, "view of its own (pivot_root)")
    result = walk(sandbox, decoy, server, "reach", "seen")
    assert result.probes[0].value == "none", result.probes[0].error
    assert result.probes[1].value == "none", result.probes[1].error
    np.testing.assert_array_equal(result.probes[2].value, EXPECTED)
    assert grade(result, "reach", "seen", "scale")[2] == 1.0  # the honest answer counts


def test_nothing_a_run_writes_outlives_it(sandbox, decoy, server):
    require_full_isolation(sandbox, "view of its own (pivot_root)")
    first = walk(sandbox, decoy, server, "leave_marks")
    assert first.probes[0].value >= 2  # its /tmp and its own folders at least
    second = walk(sandbox, decoy, server, "seen")
    assert second.probes[0].value == "none"
    assert marks_on_the_machine(server.token) == []


def marks_on_the_machine(token: str) -> list[str]:
    """Marks a run left in the machine's own folders, the ones anyone may write to and
    the ones its view shows (other jobs may delete things meanwhile: os.walk skips
    what vanished)."""
    shown = (os.path.dirname(np.__file__), os.path.dirname(os.__file__), sys.prefix)
    return [os.path.join(top, name)
            for root in ("/tmp", "/var/tmp", "/dev/shm", "/srv", *shown) if os.path.isdir(root)
            for top, _, files in os.walk(root) for name in files if name == f"mark-{token}"]
