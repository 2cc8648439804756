"""A diagnosis from where student code raises: exceptions that point at one slip.

Swapping a kernel's row and column indices inside loops (``w[f, c, v, u]`` for
``w[f, c, u, v]``) gives the transposed kernel on a square kernel, a wrong value
the modeled mistakes name, but on a non-square kernel the larger index runs off
the smaller axis and the code raises ``IndexError``.  When an exercise's code
runs off an axis only on its non-square kernels, the message asks about exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from grader.model import Case
from grader.results import CheckResult

SWAPPED_HINT = ("It raises only where the kernel is not square ({kh}×{kw}): are the "
                "kernel's row and column indices swapped?")


def kernel_shape(case: Case) -> tuple[int, int] | None:
    """``(kh, kw)`` of the case's kernel or pooling window, when the inputs give one."""
    inputs = dict(case.probe.inputs)
    for name in ("w", "w_depth"):
        if name in inputs and np.ndim(inputs[name]) >= 2:
            kh, kw = np.shape(inputs[name])[-2:]
            return int(kh), int(kw)
    if "kh" in inputs and "kw" in inputs:
        return int(inputs["kh"]), int(inputs["kw"])
    size = inputs.get("size")
    if size is not None and np.ndim(size) == 1 and len(size) == 2:
        return int(size[0]), int(size[1])
    return None


def diagnose_exception(case: Case, error_text: str, *, square_in_range: bool) -> str | None:
    """The hint for one case that raised, or None.

    ``square_in_range`` says that the exercise has square-kernel cases and none of
    them raised ``IndexError``: only then does the exception point at the kernel's
    shape (other slips may still raise other errors there).
    """
    if not square_in_range or "IndexError" not in error_text:
        return None
    shape = kernel_shape(case)
    if shape is None or shape[0] == shape[1]:
        return None
    return SWAPPED_HINT.format(kh=shape[0], kw=shape[1])


def with_exception_hints(cases: Sequence[Case], checks: Sequence[CheckResult]
                         ) -> tuple[CheckResult, ...]:
    """``checks`` with the hint added to each case that raised where one applies."""
    shapes = [kernel_shape(case) for case in cases]
    square = [check for check, shape in zip(checks, shapes, strict=True)
              if shape is not None and shape[0] == shape[1]]
    square_in_range = bool(square) and not any(
        check.status == "error" and "IndexError" in check.message for check in square)
    return tuple(_hinted(case, check, square_in_range)
                 for case, check in zip(cases, checks, strict=True))


def _hinted(case: Case, check: CheckResult, square_in_range: bool) -> CheckResult:
    if check.status != "error":
        return check
    hint = diagnose_exception(case, check.message, square_in_range=square_in_range)
    return replace(check, message=f"{check.message}\n{hint}") if hint else check
