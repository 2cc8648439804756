"""Grader memory from 100 to 10,000 submissions: peak of the whole process tree.

``ru_maxrss`` of ``RUSAGE_CHILDREN`` is the largest *single* descendant, not the
tree (the grader, its workers, their zygotes and sandbox children live at once), so
this samples ``/proc`` instead: every ``INTERVAL`` seconds it finds every descendant
of the ``grade`` command and adds up their proportional set sizes (PSS, from
``smaps_rollup``: a page shared by a zygote and its forks is counted once in all,
where adding RSS would count it in each).  The peak of that sum is the figure;
the peak sum of RSS is kept beside it.  Short-lived sandbox children may fall
between samples: they are small next to the workers, whose growth is what "flat"
is about.  Used by ``bench_speed.py``; run alone it grades this checkout:

    .venv/bin/python bench/bench_memory.py --counts 100 1000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

INTERVAL = 0.1


def flat(small_mb: float, big_mb: float) -> bool:
    """The criterion: the big run's peak within 10% + 5 MB of the small run's."""
    return big_mb <= 1.1 * small_mb + 5.0


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process now in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone between listing and reading
        children.setdefault(parent, []).append(int(entry))
    return children


def tree_pids(root: int) -> list[int]:
    """``root`` and every descendant still alive."""
    children, found, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) if it has gone or is unreadable."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        return 0, 0
    return pss, rss


def sample_tree(process: subprocess.Popen, interval: float = INTERVAL) -> dict:
    """Peak sums of PSS and RSS (MB) and the most processes seen, until ``process`` ends."""
    peak = {"pss_mb": 0.0, "rss_mb": 0.0, "processes": 0}
    while process.poll() is None:
        pids = tree_pids(process.pid)
        sizes = [_memory_kb(pid) for pid in pids]
        peak["pss_mb"] = max(peak["pss_mb"], sum(s[0] for s in sizes) / 1024)
        peak["rss_mb"] = max(peak["rss_mb"], sum(s[1] for s in sizes) / 1024)
        peak["processes"] = max(peak["processes"], len(pids))
        time.sleep(interval)
    return peak


def grade_sampled(command: list[str], env: dict[str, str], cwd: Path) -> dict:
    """Run one ``grade`` command, sampling its process tree in a thread."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    result: dict = {}
    sampler = threading.Thread(target=lambda: result.update(sample_tree(process)))
    started = time.perf_counter()
    sampler.start()
    try:
        _, stderr = process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"grade failed ({process.returncode}):\n{stderr[-3000:]}")
    return {**result, "wall": time.perf_counter() - started}


def subset(source: Path, target: Path, count: int) -> Path:
    """The first ``count`` student folders of ``source`` copied to ``target``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for folder in sorted(source.iterdir())[:count]:
        shutil.copytree(folder, target / folder.name)
    return target


def memory_curve(tree: Path, course: Path, assignment: str, submissions: Path,
                 counts: list[int], secret_env: dict[str, str], root: Path) -> dict[int, dict]:
    """Peak tree memory of ``tree``'s ``grade`` for each count (a fresh gradebook each)."""
    env = {**os.environ, "PYTHONPATH": str(tree), **secret_env}
    curve = {}
    for count in counts:
        folder = submissions if count >= len(list(submissions.iterdir())) else \
            subset(submissions, root / f"subset-{count}", count)
        out = root / f"graded-memory-{count}"
        shutil.rmtree(out, ignore_errors=True)
        curve[count] = grade_sampled(
            [sys.executable, "-m", "grader", "grade", "--course", str(course), "--assignment",
             assignment, "--submissions", str(folder), "--out", str(out), "--workers", "2"],
            env, course.parent)
        shutil.rmtree(out, ignore_errors=True)
    return curve


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_speed import SECRET, SECRET_ENV, course_copy, write_submissions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    tree = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        root = Path(tmp)
        course = course_copy(root / "c", tree, max(args.counts))
        from grader.authoring.course import load_course

        first = load_course(course).assignments[0].assignment_id
        write_submissions(course, first, root / "subs", max(args.counts))
        curve = memory_curve(tree, course, first, root / "subs", args.counts,
                             {SECRET_ENV: SECRET}, root)
    for count, peak in curve.items():
        print(f"{count:>6} submissions: peak PSS {peak['pss_mb']:.1f} MB, RSS "
              f"{peak['rss_mb']:.1f} MB, {peak['processes']} processes, {peak['wall']:.1f} s")


if __name__ == "__main__":
    main()
