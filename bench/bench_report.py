"""Class report speed and copy-detection rates on synthetic classes of the demo course.

Students get their real variants; each by-hand answer is right, a modeled mistake or
a slip (a careless value near the right one), graded by the real ``check_case``
(tests/report/synthetic.py).  Measures:

- the report (copy detection + statistics + HTML with plots) for 1,000 students x the
  16 exercises of ``a1-sizes-and-counts``, best of 3 (target: under 5 s);
- flagged pairs among classes of 1,000 honest students (target: none);
- how often a student who copies k exercises' answers from a classmate is flagged,
  for k = 1..5, on ``a1`` (integers from small domains) and ``a2`` (matrices).

Seeds differ from those the threshold was chosen on and from the tests' seeds.  The
result replaces the "Report" section of bench/RESULTS.md (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from results_md import replace_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Report"

from grader.exports.class_report import write_class_report  # noqa: E402
from grader.exports.similarity import ALPHA, find_similar  # noqa: E402
from tests.report.synthetic import (  # noqa: E402
    Honesty,
    build_variants,
    class_data_of,
    make_class,
    visible_copy,
)

HONEST = Honesty(right=0.70, mistake=0.15, spread=0.15)


def time_report(variants, rounds: int = 3) -> tuple[float, int, int]:
    synthetic = make_class(variants, seed=2000, honesty=HONEST)
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            start = time.perf_counter()
            data = class_data_of(synthetic)  # includes find_similar
            path = write_class_report(Path(tmp) / "report.html", data)
            best = min(best, time.perf_counter() - start)
        size = path.stat().st_size
    return best, size, len(data.exercises)


def honest_flags(variants, seeds) -> tuple[int, int]:
    flagged = pairs = 0
    for seed in seeds:
        found = find_similar(variants, make_class(variants, seed=seed, honesty=HONEST).checks())
        flagged += len(found.flagged)
        pairs += len(found.fits) + len(found.same_wrong)
    return flagged, pairs


def copy_plan(variants, k: int, rng, pairs: int):
    students = sorted(variants)
    exercises = [e.exercise_id for e in variants[students[0]].exercises]
    plan = {}
    for j in range(pairs):
        copier, source = students[2 * j + 100], students[2 * j + 101]
        visible = [e for e in exercises if visible_copy(variants, copier, source, e)]
        plan[copier] = (source, tuple(str(e) for e in rng.choice(visible, k, replace=False)))
    return plan


def detection(variants, k: int, seeds, pairs: int = 30) -> tuple[int, int, int]:
    found_total = others = 0
    for seed in seeds:
        plan = copy_plan(variants, k, np.random.default_rng(seed), pairs)
        found = find_similar(variants, make_class(variants, seed=seed, honesty=HONEST,
                                                  copies=plan).checks())
        hits = {frozenset((p.student, p.classmate)) for p in found.flagged}
        planned = {frozenset((c, s)) for c, (s, _) in plan.items()}
        found_total += len(hits & planned)
        others += len(hits - planned)
    return found_total, pairs * len(seeds), others


def measure(students: int, honest_classes: int, copy_seeds: int) -> str:
    start = time.perf_counter()
    a1 = build_variants("a1-sizes-and-counts", students)
    rebuild = time.perf_counter() - start
    seconds, size, exercises = time_report(a1)
    lines = [
        f"| report, {students} students x {exercises} exercises (a1) | < 5 s | "
        f"{seconds:.2f} s ({size / 1e6:.2f} MB page) |",
        f"| before it, `report --html` rebuilds the {students} variants from the secret | - | "
        f"{rebuild:.2f} s |",
    ]
    rates = {}
    for name, variants in (("a1-sizes-and-counts", a1),
                           ("a2-by-hand", build_variants("a2-by-hand", students))):
        flagged, pairs = honest_flags(variants, range(3000, 3000 + honest_classes))
        lines.append(f"| {name}: flagged pairs, {honest_classes} honest classes of {students} "
                     f"| 0 | {flagged} (of {pairs} pairs with >= 2 matching items) |")
        rates[name] = [detection(variants, k, range(4000 + 10 * k, 4000 + 10 * k + copy_seeds))
                       for k in range(1, 6)]
    head = "| assignment | " + " | ".join(f"k = {k}" for k in range(1, 6)) + " | other pairs |"
    table = [head, "|---" * 7 + "|"]
    for name, found in rates.items():
        cells = [f"{f}/{n} ({100 * f / n:.0f}%)" for f, n, _ in found]
        table.append(f"| {name} | " + " | ".join(cells) + f" | {sum(o for *_, o in found)} |")
    return "\n".join(["| measure | target | measured |", "|---|---|---|", *lines, "",
                      "Copiers found (flagged with their source) when copying k exercises:", "",
                      *table])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--honest-classes", type=int, default=5)
    parser.add_argument("--copy-seeds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    body = measure(args.students, args.honest_classes, args.copy_seeds)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (f"{SECTION}\n\nMeasured by `python bench/bench_report.py` on {platform.machine()}, "
            f"Python {platform.python_version()}, {when}.  Synthetic classes on the demo "
            f"course's real variants: each by-hand answer right ({HONEST.right:.0%} on "
            f"average, s.d. {HONEST.spread:.0%} between students), a modeled mistake or a slip "
            f"(half each of the rest); copiers take k exercises' answers from one classmate "
            f"whose numbers differ on them; threshold: fewer than {ALPHA:g} pairs this strong "
            f"expected by chance in the class (docs/report.md).\n\n{body}\n")
    print(text)
    if not args.no_write:
        write_section(text)


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


if __name__ == "__main__":
    main()
