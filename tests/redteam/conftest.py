"""Shared machinery of the red-team suite.

Every attack runs through ``run_attack``, which also checks what must hold after
any attack: the decoy folder (a fake ``results.json``, a fake secret, a fake grader
file, all world-writable) is byte-for-byte unchanged, no process of the run is
left, and the same sandbox still grades a correct submission.  The decoy lives
where a server keeps such things, outside every temporary folder (a run gets its
own ``/tmp``, so a decoy there would prove nothing).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import grader.sandbox.sandbox as sandbox_module
from grader.grading.compare import check_case
from grader.model import Case, Probe, Tolerance
from grader.sandbox import (
    FULL_ISOLATION,
    REDUCED_ISOLATION,
    Limits,
    Sandbox,
    SandboxRequest,
    SandboxResult,
    machine_isolation,
)
from grader.sandbox.isolation import user_processes

SUBMISSIONS = Path(__file__).parent / "submissions"
X = np.arange(6.0).reshape(2, 3) - 2.5
K = 3
EXPECTED = X * K
FAST = Limits(wall_seconds=3.0, cpu_seconds=10)


def scale_probe(name: str = "scale") -> Probe:
    return Probe(kind="call", name=name, inputs=(("x", X), ("k", K)))


def scale_case(name: str = "scale") -> Case:
    """The graded item every attack is scored against (expected = x * k)."""
    return Case(case_id=name, label=f"{name}(x, k)", points=1.0, public=True,
                answer_type="array", probe=scale_probe(name), expected=EXPECTED,
                tolerance=Tolerance())


def grade(result: SandboxResult, *names: str) -> list[float]:
    """Scores of the run's probes (``scale``-like functions named ``names``) through the
    grader's own ``check_case``; a probe's error must reach the student's message."""
    scores = []
    for name, outcome in zip(names, result.probes, strict=True):
        check = check_case(scale_case(name), outcome)
        if outcome.error is not None:
            assert outcome.error in check.message
        scores.append(check.score)
    return scores


def reference_file() -> str:
    """A real file of the reference solutions (what a student would love to read)."""
    spec = importlib.util.find_spec("solutions")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    return str(sorted(folder.glob("*.py"))[-1])


def require_full_isolation(sandbox: Sandbox, layer: str) -> None:
    if not sandbox.isolation.startswith(FULL_ISOLATION):
        pytest.skip(f"the {layer} layer is missing from this sandbox's tier "
                    f"({sandbox.isolation}); the full tier needs root")


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> content hash and mode, for every file and folder below."""
    state = {}
    for path in sorted(folder.rglob("*")):
        mode = oct(path.lstat().st_mode)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        state[str(path.relative_to(folder))] = f"{mode} {digest}"
    return state


def leftover_processes(sandbox: Sandbox) -> list[int]:
    """Processes of past runs: the sandbox uid's, or forks sharing the zygote's command
    line.  The zygote's one spare (the next run's process, forked ahead: root, PID 1
    of a namespace of its own, so it never ran student code) is not one of them."""
    zygote = sandbox.zygote_pid
    with open(f"/proc/{zygote}/cmdline", "rb") as handle:
        command = handle.read()
    found = set(user_processes(sandbox.uid)) if sandbox.uid is not None else set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != zygote:
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if handle.read() == command:
                        found.add(int(entry))
            except OSError:
                continue
    spares = [pid for pid in found if is_spare(pid, zygote)] if sandbox.uid is not None else []
    return sorted(found - set(spares[:1]))


def is_spare(pid: int, zygote: int) -> bool:
    """A child of the zygote that is root in every uid field and PID 1 of its own PID
    namespace: what a spare run is before its request (see grader/sandbox/spare.py)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
    except OSError:
        return False
    return (fields.get("PPid", "").strip() == str(zygote)
            and fields.get("Uid", "").split() == ["0"] * 4
            and fields.get("NSpid", "").split()[1:] == ["1"])


@pytest.fixture(scope="session", params=["full", "reduced"])
def warm_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Every attack runs under the full tier (when the machine allows it) and under the
    reduced tier a student's own machine gets (forced here even as root)."""
    if request.param == "full":
        if machine_isolation() != FULL_ISOLATION:
            pytest.skip(f"the full tier needs root; this machine allows: {machine_isolation()}")
        with Sandbox() as box:
            yield box
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox_module, "machine_isolation", lambda: REDUCED_ISOLATION)
        patch.setattr(sandbox_module, "can_switch_user", lambda: False)
        box = Sandbox()
    with box:
        yield box


class Entry:
    """A sandbox plus the way attacks enter it: ``run`` (the attack alone) or
    ``run_many`` (the attack between two correct modules in one shared child)."""

    def __init__(self, sandbox: Sandbox, mode: str) -> None:
        self.box = sandbox
        self.mode = mode

    def __getattr__(self, name: str) -> object:
        return getattr(self.box, name)


@pytest.fixture(params=["run", "run_many"])
def sandbox(request: pytest.FixtureRequest, warm_sandbox: Sandbox) -> Entry:
    """Every attack through ``Sandbox.run`` and through ``Sandbox.run_many``."""
    return Entry(warm_sandbox, request.param)


def outside_temporary_folders() -> str:
    """A folder of the machine that is not a temporary one (``/srv`` as root, else home)."""
    for candidate in ("/srv", str(Path.home())):
        if os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return candidate
    pytest.skip("no writable folder outside the temporary ones for a decoy")


@pytest.fixture
def decoy() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="cnn-grader-decoy-", dir=outside_temporary_folders()))
    (folder / "grader").mkdir()
    (folder / "results.json").write_text('{"score": 3.0}')
    (folder / "secret.txt").write_text("course-secret-0123456789abcdef")
    (folder / "grader" / "compare.py").write_text("def check_case(case, outcome): ...\n")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def load_submission(name: str, **substitutions: object) -> bytes:
    source = (SUBMISSIONS / f"{name}.py").read_text()
    for key, value in substitutions.items():
        source = source.replace(f"__{key.upper()}__", str(value))
    return source.encode()


def run_attack(sandbox: Entry, decoy: Path, name: str, probes: tuple[Probe, ...],
               *, limits: Limits = FAST, extra_files: dict[str, bytes] | None = None,
               **substitutions: object) -> SandboxResult:
    """Run one attack submission, then assert that it was contained.  Through
    ``run_many`` the attack runs between two correct modules, which must score."""
    before = snapshot(decoy)
    files = {f"{name}.py": load_submission(name, decoy=decoy, **substitutions),
             **(extra_files or {})}
    attack = SandboxRequest(files=files, module=name, probes=probes, limits=limits)
    if sandbox.mode == "run":
        result = sandbox.box.run(attack)
    else:
        first, result, last = sandbox.box.run_many((correct_request(), attack,
                                                    correct_request()))
        for neighbour in (first, last):
            assert neighbour.import_error is None, neighbour.import_error
            np.testing.assert_array_equal(neighbour.probes[0].value, EXPECTED)
    assert_contained(sandbox.box, decoy, before)
    return result


def correct_request() -> SandboxRequest:
    return SandboxRequest(files={"correct.py": load_submission("correct")}, module="correct",
                          probes=(scale_probe(),), limits=FAST)


def assert_contained(sandbox: Sandbox, decoy: Path, before: dict[str, str]) -> None:
    assert snapshot(decoy) == before, "the attack changed files outside its run folder"
    assert leftover_processes(sandbox) == [], "a process of the run is still alive"
    follow_up = sandbox.run(correct_request())
    assert follow_up.import_error is None
    np.testing.assert_array_equal(follow_up.probes[0].value, EXPECTED)
