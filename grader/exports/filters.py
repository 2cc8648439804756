"""Small kernels (learned filters) as images in feedback: inline SVG plus the numbers.

A training exercise's feedback shows what the network learned: TinyCNN's three 3x3
filters become vertical, horizontal and diagonal detectors when training worked.
Each grid is drawn as shaded cells on one colour scale per figure, symmetric around
zero (blue negative, white zero, red positive), so the sign pattern is what the eye
sees; the numbers follow in a code block for renderers that drop SVG.
"""

from __future__ import annotations

from collections.abc import Sequence

Grid = Sequence[Sequence[float]]
CELL = 14  # pixels per kernel cell
GAP = 10  # pixels between kernels


def figure_markdown(title: str, grids: Sequence[Grid]) -> list[str]:
    """Markdown lines: the title, one inline SVG with every grid side by side, the numbers."""
    if not grids:
        return []
    lines = [f"**{_escape(title)}** (blue negative, red positive):", "", filters_svg(grids), ""]
    lines += ["```", *_numbers(grids), "```"]
    return lines


def filters_svg(grids: Sequence[Grid]) -> str:
    """One ``<svg>`` element drawing ``grids`` left to right on a shared colour scale."""
    scale = max((abs(v) for grid in grids for row in grid for v in row), default=0.0) or 1.0
    rows = max(len(grid) for grid in grids)
    cells, left = [], 0
    for grid in grids:
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                cells.append(f'<rect x="{left + j * CELL}" y="{i * CELL}" width="{CELL}" '
                             f'height="{CELL}" fill="{_colour(value / scale)}" stroke="#888"/>')
        left += max(len(row) for row in grid) * CELL + GAP
    width, height = max(left - GAP, 1), rows * CELL
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{"".join(cells)}</svg>')


def _colour(share: float) -> str:
    """White at 0, pure red at +1, pure blue at -1 (linear in between)."""
    share = max(-1.0, min(1.0, share))
    fade = round(255 * (1.0 - abs(share)))
    red, blue = (255, fade) if share >= 0 else (fade, 255)
    return f"#{red:02x}{fade:02x}{blue:02x}"


def _numbers(grids: Sequence[Grid]) -> list[str]:
    lines = []
    for number, grid in enumerate(grids, start=1):
        lines.append(f"filter {number}:")
        lines += ["  " + " ".join(f"{v:6.2f}" for v in row) for row in grid]
    return lines


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
