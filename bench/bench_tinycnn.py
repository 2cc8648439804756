"""Time TinyCNN's reference training against PyTorch CPU on the same data, and grading a4.

    python bench/bench_tinycnn.py [--rounds 3] [--no-write]

Training: one run of ``solutions.tinycnn.tinycnn_fit`` (40 epochs of Adam, step
0.01, mini-batches of 32) on 2,000 stripes images, and PyTorch training the same
network from the same initial parameters with ``torch.optim.Adam`` on the same
mini-batches in the same order (float64 and float32, one thread: the network is
tiny and the sandbox runs one process).  The float64 run must end at the same
parameters as the reference (checked and printed), so both time the same
computation.  Each figure is the best of ``--rounds`` rounds, implementations
taking turns.  Grading: ``grade_submission`` of the reference a4 submission with a
warm sandbox (the training exercise trains 3 runs inside the sandbox).  The table
goes to the "TinyCNN" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the sandbox gives student code
import numpy as np
from results_md import replace_section  # bench/ is the script's folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solutions.stripes import make_stripes
from solutions.tinycnn import tinycnn_fit

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## TinyCNN"
EPOCHS, BATCH, SEED = 40, 32, 7


def batch_orders(n: int, seed: int, epochs: int) -> list[np.ndarray]:
    """The mini-batch orders ``tinycnn_fit`` uses: its generator after the initial draws."""
    rng = np.random.default_rng(seed)
    rng.normal(size=(3, 1, 3, 3))
    rng.normal(size=(3, 27))
    return [rng.permutation(n) for _ in range(epochs)]


def torch_fit(torch, x, y, init, orders, dtype):
    """Train the same network with PyTorch from ``init`` on the given batch orders."""
    f = torch.nn.functional
    params = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in init]
    optimiser = torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    images, labels = torch.tensor(x, dtype=dtype), torch.tensor(y)
    for order in orders:
        for start in range(0, len(order), BATCH):
            chosen = torch.from_numpy(order[start:start + BATCH])
            batch = images[chosen]
            pooled = f.max_pool2d(torch.relu(f.conv2d(batch, params[0], params[1])), 2)
            logits = pooled.reshape(len(chosen), -1) @ params[2].T + params[3]
            loss = f.cross_entropy(logits, labels[chosen])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return [p.detach().numpy() for p in params]


def write_section(text: str, path: Path, section: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(section, text, path)


def best_of(rounds: int, jobs: dict) -> dict[str, float]:
    best = {name: float("inf") for name in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            started = time.perf_counter()
            job()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def grading_seconds(rounds: int) -> float:
    from grader.authoring.course import load_course
    from grader.authoring.variant import build_assignment_variant
    from grader.grading.grade import grade_submission
    from grader.sandbox import Sandbox

    course = load_course(Path(__file__).resolve().parents[1] / "course.yml")
    variant = build_assignment_variant(course, "a4-tinycnn", "s2026001", b"bench")
    files = {f"{e.module}.py": e.solution_source.encode() for e in variant.exercises}
    best = float("inf")
    with Sandbox() as sandbox:
        for _ in range(rounds):
            started = time.perf_counter()
            result = grade_submission(variant=variant, files=files, sandbox=sandbox)
            best = min(best, time.perf_counter() - started)
            assert result.score == result.max_score, result
    return best


def training_cpu_seconds(rounds: int) -> tuple[float, int]:
    """CPU of the training exercise's reference on one student's case, and the limit.

    The figure a tight machine must keep under the sandbox's CPU limit, with the
    margin a slower student solution needs; measured here, never asserted in a test.
    """
    from grader.authoring.course import load_course
    from grader.authoring.variant import build_assignment_variant
    from grader.sandbox import Limits

    course = load_course(Path(__file__).resolve().parents[1] / "course.yml")
    variant = build_assignment_variant(course, "a4-tinycnn", "s2026001", b"bench")
    train = next(e for e in variant.exercises if e.exercise_id == "tinycnn-train")
    namespace: dict = {}
    exec(compile(train.solution_source, "tinycnn_train.py", "exec"), namespace)
    inputs = dict(train.cases[0].probe.inputs)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        namespace["tinycnn_train"](**inputs)
        best = min(best, time.process_time() - started)
    return best, Limits().cpu_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    x, y = make_stripes(2000, seed=SEED)
    init = tinycnn_fit(x, y, seed=SEED, epochs=0)
    orders = batch_orders(len(x), SEED, EPOCHS)
    reference = tinycnn_fit(x, y, seed=SEED, epochs=EPOCHS)
    same = torch_fit(torch, x, y, init, orders, torch.float64)
    difference = max(float(np.max(np.abs(a - b))) for a, b in zip(reference, same, strict=True))
    best = best_of(args.rounds, {
        "reference f64": lambda: tinycnn_fit(x, y, seed=SEED, epochs=EPOCHS),
        "torch f64": lambda: torch_fit(torch, x, y, init, orders, torch.float64),
        "torch f32": lambda: torch_fit(torch, x, y, init, orders, torch.float32)})
    grading = grading_seconds(args.rounds)
    training_cpu, cpu_limit = training_cpu_seconds(args.rounds)
    text = report(best, grading, difference, torch.__version__, args.rounds)
    text += (f"The training exercise's reference, one BLAS thread as in the sandbox: "
             f"{training_cpu:.2f} s of CPU, {training_cpu / cpu_limit:.0%} of the "
             f"sandbox's {cpu_limit} s CPU limit.\n")
    print(text)
    if not args.no_write:
        write_section(text, RESULTS, SECTION)
    return 0


def report(best: dict[str, float], grading: float, difference: float, torch_version: str,
           rounds: int) -> str:
    ref = best["reference f64"]
    steps = EPOCHS * -(-2000 // BATCH)
    rows = [f"| {name} | {seconds:.2f} | {seconds / steps * 1e3:.3f} | {seconds / ref:.2f} |"
            for name, seconds in best.items()]
    return "\n".join([
        SECTION, "",
        f"Written by `python bench/bench_tinycnn.py` on {_now()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; NumPy {np.__version__} with 1 BLAS thread, PyTorch "
        f"{torch_version} with 1 thread; load average {os.getloadavg()[0]:.1f} when done "
        "(other jobs share these cores).",
        f"Training: one run of 40 epochs, {steps} Adam steps of 32 images, 2,000 stripes "
        f"images, the same initial parameters and batch order for both; best of {rounds} "
        "rounds, implementations taking turns. PyTorch f64 ends at the reference's "
        f"parameters within {difference:.1e} (the same computation). PyTorch's cost here "
        "is per-operation overhead: a step works on 32 images of 8x8.", "",
        "| training (one run) | wall (s) | per step (ms) | time / reference |",
        "|---|---:|---:|---:|",
        *rows, "",
        f"Grading one a4 submission (the reference; 4 exercises, the training exercise "
        f"trains 3 runs in the sandbox), warm sandbox: {grading:.2f} s wall.", ""])


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


if __name__ == "__main__":
    raise SystemExit(main())
