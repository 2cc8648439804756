"""The zygote's rehearsal: run the child's own code path a few times before forking.

Python 3.11 specializes bytecode as it runs (and NumPy fills caches on first use);
in a forked child each specialization writes to a code object, which costs a copied
page, and each child would redo it for the runner, the JSON and ``.npy`` writers,
the import system and NumPy's padding, windows and reductions.  Rehearsing that path
in the zygote, on a fixed module of ours and fixed inputs, leaves the specialized
code in the memory every child shares.  No student code and no request is involved:
the zygote still never sees a submission.  Loaded by the zygote as a top-level
module (standard library and NumPy only).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

ROUNDS = 12  # more than the interpreter's warm-up delay before it specializes
MODULE = "cnn_grader_warmup"
SOURCE = """
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
ANSWER = 7
def conv(x, w, pad):
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(padded, w.shape[-2:], axis=(1, 2))
    out = np.einsum("chwij,ij->chw", windows, w)
    return out, out.max(axis=0), out.sum(), int(out.argmax())
"""


def rehearse(folder: str) -> None:
    """Run the runner's request path ``ROUNDS`` times in ``folder`` (removed after);
    the interpreter state (``sys.path``, ``sys.modules``) is put back as it was."""
    import runner  # type: ignore[import-not-found]
    from wire import encode_value  # type: ignore[import-not-found]

    saved_path = list(sys.path)
    work, out = os.path.join(folder, "work"), os.path.join(folder, "out")
    try:
        os.makedirs(work)
        os.makedirs(out)
        with open(os.path.join(work, MODULE + ".py"), "w") as handle:
            handle.write(SOURCE)
        for _ in range(ROUNDS):
            runner.run_request(_request(encode_value), work, out)
            sys.modules.pop(MODULE, None)
    finally:
        sys.path[:] = saved_path
        sys.modules.pop(MODULE, None)
        shutil.rmtree(folder, ignore_errors=True)


def _request(encode_value: Callable[[Any], Any]) -> dict:
    x = np.linspace(-1.0, 1.0, 2 * 6 * 6).reshape(2, 6, 6)
    inputs = encode_value((("x", x), ("w", np.eye(3)), ("pad", 1)))  # as messages.py does
    limits = {"address_space_mb": 1024, "output_mb": 32}
    return {"module": MODULE, "limits": limits,
            "probes": [{"kind": "attribute", "name": "ANSWER", "outputs": []},
                       {"kind": "call", "name": "conv", "inputs": inputs,
                        "outputs": ["out", "peak", "total", "where"]},
                       {"kind": "call", "name": "missing", "inputs": [], "outputs": []}]}
