"""The targets table of issue 15: one row per target, before, after, met or not.

Kept apart from ``bench_speed.py`` (which measures) so that each stays short; a
row is a label with its target, a function giving a tree's cell text and value,
and the test its value must pass.  "Met" is judged on the after column only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench_memory import flat


@dataclass(frozen=True)
class Row:
    """One target: how to read a tree's figure and whether a figure meets it."""

    label: str
    cell: Callable[[dict], tuple[str, float | None]]
    meets: Callable[[float], bool]


def _best(result: dict) -> dict:
    return min(result["grade"], key=lambda r: r["cpu"])


def _ratio(result: dict, what: str) -> tuple[str, float]:
    check = result["check"]
    ratio = check[f"check_{what}"] / check[f"numpy_{what}"]
    return (f"{ratio:.2f} ({1000 * check[f'check_{what}']:.0f} ms / "
            f"{1000 * check[f'numpy_{what}']:.0f} ms)", ratio)


def _impl(result: dict) -> tuple[str, float | None]:
    runs = [r for r in result["impl"] if "overhead_s" in r]
    if not runs:
        return "n/a", None
    best = min(runs, key=lambda r: r["overhead_s"])
    tree = f", {1000 * best['tree_cpu_s']:.0f} ms CPU tree" if best.get("tree_cpu_s") else ""
    return (f"{1000 * best['overhead_s']:.1f} ({1000 * best['grade_s']:.1f} grading - "
            f"{1000 * best['compute_s']:.1f} computing{tree})", 1000 * best["overhead_s"])


def _generated(result: dict, assignment: str) -> tuple[str, float | None]:
    value = result["generate"].get(assignment)
    if not isinstance(value, dict):
        return "n/a (not in this version)", None
    return f"{value['wall']:.2f} s (CPU {value['cpu']:.2f} s)", value["wall"]


def _nbgrader(result: dict) -> tuple[str, float | None]:
    nb = result.get("nbgrader")
    if not nb:
        return "not measured", None
    ratio = nb["nbgrader_wall"] / nb["ours_wall"]
    return (f"{ratio:.0f}x ({1000 * nb['nbgrader_wall']:.0f} ms / "
            f"{1000 * nb['ours_wall']:.1f} ms wall; CPU "
            f"{nb['nbgrader_cpu'] / nb['ours_cpu']:.0f}x with our sandbox start spread in)"
            f"{'' if nb['agree'] else ' SCORES DIFFER'}",
            ratio if nb["agree"] else None)


def _memory(result: dict) -> tuple[str, float | None]:
    curve = result.get("memory") or {}
    if len(curve) < 2:
        return "not measured", None
    small, big = min(curve), max(curve)
    text = ", ".join(f"{count:,}: {peak['pss_mb']:.0f}" for count, peak in sorted(curve.items()))
    ok = flat(curve[small]["pss_mb"], curve[big]["pss_mb"])
    return f"{text} MB PSS (RSS {curve[big]['rss_mb']:.0f} at {big:,})", 1.0 if ok else 0.0


def rows(results: dict, students: int) -> list[Row]:
    """Every target row, in the order of the issue."""
    names = [name for name in results if name not in ("store", "disk")]
    assignments = list(results[names[-1]]["generate"])
    return [
        Row("batch grading of a1, submissions/s (>= 100)",
            lambda r: (f"{students / _best(r)['wall']:.1f}", students / _best(r)["wall"]),
            lambda v: v >= 100),
        Row("batch grading of a1, CPU ms per submission, whole tree (<= 20)",
            lambda r: (f"{1000 * _best(r)['cpu'] / students:.1f}",
                       1000 * _best(r)["cpu"] / students), lambda v: v <= 20),
        Row("nbgrader autograde / ours, per notebook, wall (>= 100x)", _nbgrader,
            lambda v: v >= 100),
        Row("a3 implementation submission: our overhead beyond the student's computing, "
            "ms wall (<= 15)", _impl, lambda v: v <= 15),
        Row("`check` / `import numpy`, wall (<= 1.3)", lambda r: _ratio(r, "wall"),
            lambda v: v <= 1.3),
        Row("`check` / `import numpy`, CPU (<= 1.3)", lambda r: _ratio(r, "cpu"),
            lambda v: v <= 1.3),
        *[Row(f"`generate {a}`, 1,000 students, wall (<= 10 s)",
              lambda r, a=a: _generated(r, a), lambda v: v <= 10) for a in assignments],
        Row("grader memory flat from 100 to 10,000 submissions: peak PSS of the whole tree "
            "(largest within 10% + 5 MB of 100)", _memory, lambda v: v == 1.0),
    ]


def table(results: dict, students: int) -> str:
    """The markdown table: target | before | after | met (judged on after)."""
    names = [name for name in results if name not in ("store", "disk")]
    lines = ["| target | " + " | ".join(names) + " | met |", "|---|" + "---:|" * len(names)
             + "---|"]
    for row in rows(results, students):
        cells = [row.cell(results[name]) for name in names]
        value = cells[-1][1]
        met = "n/a" if value is None else ("met" if row.meets(value) else "NOT MET")
        lines.append(f"| {row.label} | " + " | ".join(text for text, _ in cells) + f" | {met} |")
    store = results.get("store", {})
    if store:
        lines += ["", "A student's variant, CPU ms: rebuilt from the secret / read from the "
                  "variant store (after only; the store is new): " + "; ".join(
                      f"`{a}` {build:.1f} / {read:.1f}" for a, (build, read) in store.items())
                  + "."]
    disk = results.get("disk")
    if disk:
        lines += ["", f"The same batch of \"after\" with its output on this machine's disk "
                  f"instead of tmpfs: {students / disk['wall']:.1f} submissions/s, "
                  f"{1000 * disk['cpu'] / students:.1f} ms CPU per submission (whole tree)."]
    return "\n".join(lines)
