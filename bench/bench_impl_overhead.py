"""Our overhead on one implementation submission, beyond the student's own computing.

    PYTHONPATH=TREE python bench/bench_impl_overhead.py [--rounds 15] [--course TREE/course.yml]

Grades the reference submission of assignment 3 (every module the worked solution)
of one student with a warm sandbox (the best isolation tier of this machine), the
way a batch worker does: the median wall time of ``grade_submission`` over
``--rounds`` gradings, after one to warm up.  Then runs the same solution functions
in this process on the same probe inputs (deep copies, as the sandbox child gets
them) and takes the best of ``--rounds`` for their computing.  Overhead = grading -
computing: the sandbox child, reading results back, comparing, building the result.
The variant is built before timing (``grade`` rebuilds it per student, the variant
store reads it back; neither is in this figure).  Runs against the tree on
``PYTHONPATH``, so ``bench_speed.py`` can time an older commit the same way (its
modules had other paths before the regrouping).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a3-implementation"
SECRET = b"bench-impl-overhead"


def _api():
    """(load_course, build_assignment_variant, grade_submission, Sandbox) of this tree."""
    try:
        from grader.authoring.course import load_course
        from grader.authoring.variant import build_assignment_variant
        from grader.grading.grade import grade_submission
    except ImportError:  # before the regrouping into stages
        from grader.course import load_course
        from grader.variant import build_assignment_variant

        from grader.grading import grade_submission
    from grader.sandbox import Sandbox

    return load_course, build_assignment_variant, grade_submission, Sandbox


def tree_cpu(zygote_pid: int | None) -> float:
    """CPU seconds of this process plus the zygote and the children it reaped (/proc).
    The zygote's share comes in clock ticks (10 ms): compare totals over many
    gradings (``tree_cpu_s`` is the mean), never one grading's difference."""
    own = os.times()
    if zygote_pid is None:
        return own.user + own.system
    with open(f"/proc/{zygote_pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK") + own.user + own.system


def compute_seconds(variant, rounds: int) -> float:
    """Best time of the solution functions on every call probe of the variant."""
    calls = []
    for exercise in variant.exercises:
        namespace: dict = {}
        exec(compile(exercise.solution_source, exercise.module, "exec"), namespace)
        calls += [(namespace[case.probe.name], case.probe.inputs) for case in exercise.cases
                  if case.probe.kind == "call"]
    best = float("inf")
    for _ in range(rounds):
        inputs = [{n: copy.deepcopy(v) for n, v in probe_inputs} for _, probe_inputs in calls]
        started = time.perf_counter()
        for (function, _), arguments in zip(calls, inputs, strict=True):
            function(**arguments)
        best = min(best, time.perf_counter() - started)
    return best


def measure(rounds: int, course_path: Path) -> dict:
    load_course, build_variant, grade_submission, sandbox_class = _api()
    course = load_course(course_path)
    variant = build_variant(course, ASSIGNMENT, "s00000", SECRET)
    files = {f"{e.module}.py": e.solution_source.encode() for e in variant.exercises}
    walls, cpus = [], []
    with sandbox_class(require_full_isolation=False) as sandbox:
        result = grade_submission(variant=variant, files=files, sandbox=sandbox)
        zygote = getattr(sandbox, "zygote_pid", None)
        tree = tree_cpu(zygote)
        for _ in range(rounds):
            cpu, started = time.process_time(), time.perf_counter()
            result = grade_submission(variant=variant, files=files, sandbox=sandbox)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        tree = (tree_cpu(zygote) - tree) / rounds
        isolation = sandbox.isolation
    score = sum(e.score for e in result.exercises)
    total = sum(e.max_score for e in result.exercises)
    compute = compute_seconds(variant, rounds)
    grading = statistics.median(walls)
    return {"modules": len(variant.exercises), "grade_s": grading, "compute_s": compute,
            "overhead_s": grading - compute, "parent_cpu_s": statistics.median(cpus),
            "tree_cpu_s": tree if zygote else None,
            "score": score, "max_score": total, "isolation": isolation}


def impl_overhead(tree: Path, rounds: int) -> dict:
    """``bench_impl_overhead.py`` of this checkout run against ``tree``'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()),
                           "--rounds", str(rounds), "--course", str(tree / "course.yml")],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--course", type=Path, default=REPO / "course.yml",
                        help="the demo course of the tree being measured")
    args = parser.parse_args()
    print(json.dumps(measure(args.rounds, args.course)))


if __name__ == "__main__":
    main()
