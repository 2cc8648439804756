"""The sandbox boundary's cost, before and after, in one script.

"Before" is the sandbox of an earlier commit (``--before REV``; by default the
parent of the commit that added ``grader/sandbox/view.py``, the root built from a
list), exported with ``git archive`` into a temporary folder; "after" is this
checkout.  Each side is measured in a fresh interpreter that imports its own
``grader`` (``PYTHONPATH``), the two alternating for ``--rounds`` rounds so that a
busy machine weighs on both alike.  Measured per side:

* start: creating a ``Sandbox`` (zygote start, imports, the view, a self-test);
* one run: ``Sandbox.run`` of a one-probe module (wall per run, and CPU per run of
  the grader plus the zygote and every child it forked, from /proc);
* 16 modules: ``Sandbox.run_many`` of a 16-module submission (one small NumPy call
  each), wall and CPU per submission.

Ratios are after / before (below 1: cheaper now).  Writes the "Sandbox boundary"
section of bench/RESULTS.md (``--no-write`` to print only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from results_md import replace_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Sandbox boundary"
MODULE = b"""
import numpy as np
ANSWER = 7
def conv1d(x, w):
    return np.convolve(x, w, mode="valid")
"""


def measure(runs: int) -> dict:
    """In the child interpreter: the figures of the ``grader`` on ``sys.path``."""
    import numpy as np

    from grader.model import Probe
    from grader.sandbox import Sandbox, SandboxRequest

    started = time.perf_counter()
    box = Sandbox()
    start = time.perf_counter() - started
    one = SandboxRequest(files={"bench.py": MODULE}, module="bench",
                         probes=(Probe(kind="attribute", name="ANSWER"),))
    call = Probe(kind="call", name="conv1d",
                 inputs=(("x", np.linspace(-1.0, 1.0, 64)), ("w", np.array([1.0, -2.0, 1.0]))))
    many = [SandboxRequest(files={f"m{index}.py": MODULE}, module=f"m{index}", probes=(call,))
            for index in range(16)]
    with box:
        single = _timed(box, lambda: box.run(one), runs)
        shared = _timed(box, lambda: box.run_many(many), max(1, runs // 8))
        isolation = box.isolation
    import grader

    return {"start": start, "one": single, "many": shared, "isolation": isolation,
            "grader": grader.__file__}


def _timed(box, action, count: int) -> dict:
    action()  # warm
    cpu_before = _cpu(box.zygote_pid)
    walls = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        walls.append(time.perf_counter() - started)
    return {"wall": statistics.median(walls), "cpu": (_cpu(box.zygote_pid) - cpu_before) / count}


def _cpu(zygote_pid: int) -> float:
    """CPU seconds of this process plus the zygote and its reaped children."""
    with open(f"/proc/{zygote_pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    own = os.times()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK") \
        + own.user + own.system


def before_revision() -> str:
    added = subprocess.run(["git", "log", "--format=%H", "--diff-filter=A", "-1", "--",
                            "grader/sandbox/view.py"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.strip()
    return f"{added}^" if added else "HEAD"


def export(revision: str, folder: Path) -> None:
    archive = subprocess.run(["git", "archive", revision, "grader", "solutions", "pyproject.toml"],
                             cwd=REPO,
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def run_side(tree: Path, runs: int) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, __file__, "--measure", str(runs)], cwd=tree,
                          env=environment, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(sides: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    """Median over rounds of every figure, per side."""
    figures = {"start wall (s)": ("start",), "one run, wall (ms)": ("one", "wall"),
               "one run, CPU (ms)": ("one", "cpu"), "16 modules, wall (ms)": ("many", "wall"),
               "16 modules, CPU (ms)": ("many", "cpu")}
    table: dict[str, dict[str, float]] = {}
    for label, path in figures.items():
        scale = 1.0 if path == ("start",) else 1000.0
        for side, rounds in sides.items():
            values = [_dig(entry, path) * scale for entry in rounds]
            table.setdefault(label, {})[side] = statistics.median(values)
    return table


def _dig(entry: dict, path: tuple[str, ...]) -> float:
    for key in path:
        entry = entry[key]
    return float(entry)


def render(table: dict, revision: str, isolation: dict[str, str], rounds: int, runs: int) -> str:
    lines = [SECTION, "",
             f"Written by `python bench/bench_sandbox.py --rounds {rounds} --runs {runs}` on "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} "
             f"cores, load average {os.getloadavg()[0]:.1f} when done (other jobs share these "
             "cores).  Before: `" + revision + "` (the sandbox that hid a list of places); "
             "after: this checkout.  Medians over the rounds, the two sides alternating.", "",
             f"Isolation before: `{isolation['before']}`; after: `{isolation['after']}`.", "",
             "| measure | before | after | ratio after/before |", "|---|---:|---:|---:|"]
    for label, sides in table.items():
        ratio = sides["after"] / sides["before"] if sides["before"] else float("nan")
        lines.append(f"| {label} | {sides['before']:.2f} | {sides['after']:.2f} | {ratio:.2f} |")
    lines += ["", "CPU = the grader plus the zygote and every child it forked (from /proc; "
              "the 16-module CPU figure has a resolution of about 1 ms, clock ticks over the "
              "calls of a round).  A 16-module submission is one `run_many` call (one child).  "
              "The view is built once per zygote (it costs the start, not the runs); a run "
              "then adds a /proc, a /tmp and one bind, where before it covered every hidden "
              "path and six world-writable folders; joining the slot's cgroup costs about "
              "1 ms.  On this shared machine repeated runs of the script differ by up to 2x "
              "in absolute figures; the ratios stay within about 0.9-1.3.", ""]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", help="the commit to compare with (default: see above)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=80, help="single runs per round")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return 0
    revision = subprocess.run(["git", "rev-parse", "--short", args.before or before_revision()],
                              cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    sides: dict[str, list[dict]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="cnn-grader-bench-before-") as folder:
        export(revision, Path(folder))
        for _ in range(args.rounds):
            sides["before"].append(run_side(Path(folder), args.runs))
            sides["after"].append(run_side(REPO, args.runs))
    isolation = {side: rounds[-1]["isolation"] for side, rounds in sides.items()}
    text = render(summary(sides), revision, isolation, args.rounds, args.runs)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
