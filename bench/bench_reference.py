"""Time the reference NumPy convolution and max pooling against PyTorch CPU in one run.

    python bench/bench_reference.py [--repeats 3] [--no-write]

Workload: N=16, C=32 -> 64 channels, 32x32 inputs, 3x3 kernel, stride 1,
padding 1; max pooling 2x2 with stride 2 on the same input.  PyTorch gets as
many threads as NumPy's BLAS uses.  Each timing is the best of 3 rounds of
``--repeats`` runs, the implementations taking turns by rounds.  PyTorch is timed in float64 (the
reference's precision) and float32 (what PyTorch is usually run in).  The table
goes to the "Reference vs PyTorch" section of bench/RESULTS.md (other sections
are left alone).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from results_md import replace_section  # bench/ is the script's folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solutions.conv import conv2d_backward, conv2d_forward
from solutions.pool import maxpool_backward, pool2d_forward

RESULTS = Path(__file__).with_name("RESULTS.md")
NOTES = [
    "Notes. The reference computes convolution as im2col plus one float64 matrix product "
    "(OpenBLAS dgemm); PyTorch float64 runs a similar unfold-and-gemm path, float32 uses "
    "oneDNN kernels; a float64 product moves and multiplies twice the bytes of a float32 one, "
    "so the float32 column is bounded by precision more than by method (the lone dgemm of "
    "this workload, 64 x 288 times 288 x 16384, took 10 to 20 ms here). PyTorch's max-pool "
    "backward reuses the argmax indices its forward saved; "
    "the reference API recomputes them from x. Memory-bound steps (the im2col copy, pooling) "
    "also pay for fresh pages on every call, because glibc hands freed blocks above its mmap "
    "threshold back to the system: with MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ "
    "set to 2000000000 the reference max-pool backward ran about 2x faster on this machine. "
    "On this shared machine (other jobs running) consecutive runs differed by up to 5x, "
    "PyTorch float32 most; the ratios in the table are from one run.",
]
SECTION = "## Reference vs PyTorch"
SHAPE = {"n": 16, "c_in": 32, "c_out": 64, "side": 32, "k": 3}


def numpy_blas_threads() -> tuple[int, str]:
    """Threads of NumPy's bundled OpenBLAS, asked from the library itself when possible."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in glob.glob(str(libs / "*openblas*.so*")):
        library = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(library, symbol):
                return int(getattr(library, symbol)()), f"OpenBLAS {symbol}()"
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return int(threads or os.cpu_count() or 1), "environment / cpu count (not queried)"


def best_in_rounds(repeats: int, contenders: dict[str, dict[str, Callable[[], object]]],
                   rounds: int = 3) -> dict[str, dict[str, float]]:
    """Best time of each callable over ``rounds`` rounds of ``repeats`` runs.

    In each round every implementation runs its own block, after a pause that lets
    the other library's worker threads (OpenBLAS, OpenMP) stop spinning; taking
    turns by rounds spreads changes in machine load over all implementations.
    """
    best: dict[str, dict[str, float]] = {name: {} for name in contenders}
    for ops in contenders.values():
        for fn in ops.values():
            fn()  # warm up caches and lazy initialisation
    for _ in range(rounds):
        for name, ops in contenders.items():
            time.sleep(0.5)
            for op, fn in ops.items():
                for _ in range(repeats):
                    start = time.perf_counter()
                    fn()
                    elapsed = time.perf_counter() - start
                    best[name][op] = min(best[name].get(op, elapsed), elapsed)
    return best


def numpy_calls(arrays: dict) -> dict[str, Callable[[], object]]:
    x, w, b, dout, dpool = (arrays[k] for k in ("x", "w", "b", "dout", "dpool"))
    return {
        "conv forward": lambda: conv2d_forward(x, w, b, 1, 1),
        "conv backward": lambda: conv2d_backward(dout, x, w, 1, 1),
        "max-pool forward": lambda: pool2d_forward(x, 2),
        "max-pool backward": lambda: maxpool_backward(dpool, x, 2),
    }


def torch_calls(arrays: dict, dtype) -> dict[str, Callable[[], object]]:
    import torch
    import torch.nn.functional as F

    x, w, b, dout, dpool = (torch.tensor(arrays[k], dtype=dtype)
                            for k in ("x", "w", "b", "dout", "dpool"))
    leaves = [t.clone().requires_grad_(True) for t in (x, w, b)]
    conv_out = F.conv2d(*leaves, stride=1, padding=1)
    pool_input = x.clone().requires_grad_(True)
    pool_out = F.max_pool2d(pool_input, 2)

    def no_grad(fn):
        def run():
            with torch.no_grad():
                return fn()
        return run

    return {
        "conv forward": no_grad(lambda: F.conv2d(x, w, b, stride=1, padding=1)),
        "conv backward": lambda: torch.autograd.grad(conv_out, leaves, dout, retain_graph=True),
        "max-pool forward": no_grad(lambda: F.max_pool2d(x, 2)),
        "max-pool backward": lambda: torch.autograd.grad(pool_out, pool_input, dpool,
                                                         retain_graph=True),
    }


def make_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n, c_in, c_out, side, k = SHAPE.values()
    return {"x": rng.normal(size=(n, c_in, side, side)), "w": rng.normal(size=(c_out, c_in, k, k)),
            "b": rng.normal(size=c_out), "dout": rng.normal(size=(n, c_out, side, side)),
            "dpool": rng.normal(size=(n, c_in, side // 2, side // 2))}


def check_agreement(arrays: dict) -> float:
    """Largest difference from PyTorch float64 of the forward and the input gradient."""
    import torch
    import torch.nn.functional as F

    leaves = [torch.tensor(arrays[k], requires_grad=True) for k in ("x", "w", "b")]
    out = F.conv2d(*leaves, padding=1)
    out.backward(torch.tensor(arrays["dout"]))
    ours = conv2d_forward(arrays["x"], arrays["w"], arrays["b"], 1, 1)
    dx = conv2d_backward(arrays["dout"], arrays["x"], arrays["w"], 1, 1)[0]
    return float(max(np.abs(ours - out.detach().numpy()).max(),
                     np.abs(dx - leaves[0].grad.numpy()).max()))


def report(ours: dict, t64: dict, t32: dict, threads: int, how: str, error: float) -> str:
    import torch

    lines = [SECTION, "",
             f"Written by `python bench/bench_reference.py` on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
             f"NumPy {np.__version__} with {threads} BLAS thread(s) ({how}); PyTorch "
             f"{torch.__version__} with torch.set_num_threads({threads}); load average "
             f"{os.getloadavg()[0]:.1f} when done (other jobs share these cores).",
             "Workload: x (16, 32, 32, 32), w (64, 32, 3, 3), stride 1, padding 1; max-pool 2x2 "
             "stride 2 on x. Best of 3 rounds x repeats, milliseconds. Ratio = reference / PyTorch "
             "(lower is better for the reference).",
             f"Reference vs PyTorch float64: largest difference {error:.1e}.", "",
             "| operation | reference f64 (ms) | torch f64 (ms) | torch f32 (ms) "
             "| ratio vs f64 | ratio vs f32 |", "|---|---:|---:|---:|---:|---:|"]
    for name, seconds in ours.items():
        lines.append(f"| {name} | {1e3 * seconds:.1f} | {1e3 * t64[name]:.1f} | "
                     f"{1e3 * t32[name]:.1f} | {seconds / t64[name]:.2f} | "
                     f"{seconds / t32[name]:.2f} |")
    return "\n".join([*lines, "", *NOTES]) + "\n"


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per round (3 rounds)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    import torch

    threads, how = numpy_blas_threads()
    torch.set_num_threads(threads)
    arrays = make_arrays()
    error = check_agreement(arrays)
    best = best_in_rounds(args.repeats, {
        "reference": numpy_calls(arrays), "torch f64": torch_calls(arrays, torch.float64),
        "torch f32": torch_calls(arrays, torch.float32)})
    text = report(best["reference"], best["torch f64"], best["torch f32"], threads, how, error)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"wrote the section to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
