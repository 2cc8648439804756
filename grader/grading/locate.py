"""Say where in an array the wrong values sit, in words a student can act on.

A backward pass that is wrong only at the image border usually mishandles padding;
one wrong on every second row or column usually mishandles the stride; one wrong
in a single channel usually mixes up an axis.  These hints are computed from the
mask of wrong positions alone, so they never reveal expected values.
"""

from __future__ import annotations

import numpy as np

STRIDES_TRIED = (2, 3, 4)


def describe_error_pattern(wrong: np.ndarray) -> str | None:
    """A sentence about where the ``True`` cells of ``wrong`` are, or None if unremarkable."""
    wrong = np.asarray(wrong, dtype=bool)
    if wrong.ndim < 2 or not wrong.any() or wrong.all():
        return None
    hints = [_channel_hint(wrong)] if wrong.ndim >= 3 else []
    plane = wrong.reshape(-1, *wrong.shape[-2:]).any(axis=0)
    hints += [_border_hint(plane) or _stride_hint(plane)]
    text = " ".join(hint for hint in hints if hint)
    return text or None


def _border_hint(plane: np.ndarray) -> str | None:
    """Errors only in the outer ring (width 1 or 2) of the spatial plane."""
    height, width = plane.shape
    for ring in (1, 2):
        if height <= 2 * ring or width <= 2 * ring:
            return None
        inner = plane[ring:-ring, ring:-ring]
        if not inner.any():
            return (
                f"All wrong values lie within {ring} cell{'s' if ring > 1 else ''} of the "
                "border: look at how padding is handled."
            )
    return None


def _stride_hint(plane: np.ndarray) -> str | None:
    """Errors confined to a regular sub-grid of rows or columns."""
    rows = np.flatnonzero(plane.any(axis=1))
    cols = np.flatnonzero(plane.any(axis=0))
    for stride in STRIDES_TRIED:
        row_pattern = _periodic(rows, stride, plane.shape[0])
        col_pattern = _periodic(cols, stride, plane.shape[1])
        if row_pattern or col_pattern:
            where = " and ".join(
                name for name, hit in (("rows", row_pattern), ("columns", col_pattern)) if hit
            )
            return (
                f"The wrong values repeat every {stride} {where}: "
                "look at how the stride is applied."
            )
    return None


def _periodic(indices: np.ndarray, stride: int, length: int) -> bool:
    if length < 2 * stride or indices.size < 2:
        return False
    residues = set((indices % stride).tolist())
    return len(residues) < stride


def _channel_hint(wrong: np.ndarray) -> str | None:
    """Errors confined to some channels (axis -3) while others are right."""
    per_channel = wrong.reshape(-1, *wrong.shape[-3:]).any(axis=(0, 2, 3))
    if per_channel.all() or per_channel.size < 2:
        return None
    bad = ", ".join(str(i) for i in np.flatnonzero(per_channel))
    return f"Only channel(s) {bad} (axis 1) are wrong."
