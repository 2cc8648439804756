"""Item statistics of one assignment: how hard each exercise was, whether it separates
strong from weak students, how consistent the whole test is, and whether the
per-student variants were equally hard.

Everything here is pure arithmetic over a score matrix (students x exercises) so it
can be checked by hand and against SciPy.  The formulas follow Moodle's quiz
statistics (``question/classes/statistics``): facility is the mean mark over the
maximum mark; discrimination is the *corrected* item-total correlation, i.e. the
Pearson correlation of the item with the rest of the test (the item's own score left
out, so an item does not correlate with itself); Cronbach's alpha comes from the item
variances.  Fairness follows TU Berlin's moodle-tools idea: a variant whose facility
lies outside median +- 2 MAD of its siblings is suspect.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Moodle's guidance: a discrimination index below 20 is weak, below 0 is bad.
WEAK_DISCRIMINATION = 20.0
# An item solved on average to less than this fraction: "almost nobody solved it".
HARD_FACILITY = 0.10
# Buckets of a parameter need this many students before their facility means anything.
MIN_BUCKET = 5
# The MAD of bucket facilities is floored at this, so that near-identical buckets
# (MAD about 0) do not turn every small difference into a flag.
MAD_FLOOR = 0.025
# A parameter with more distinct values than this is not bucketed (e.g. input sizes).
MAX_BUCKETS = 8


@dataclass(frozen=True)
class ItemStats:
    """One exercise across the class (``discrimination`` is None when undefined:
    everybody had the same score on the item or on the rest)."""

    exercise_id: str
    max_score: float
    students: int
    mean: float
    facility: float
    sd: float
    discrimination: float | None
    flags: tuple[str, ...]


def facility(item: np.ndarray, max_score: float) -> float:
    """Mean mark over the maximum mark (0: nobody scored, 1: everybody full marks)."""
    if max_score <= 0 or item.size == 0:
        return float("nan")
    return float(np.mean(item) / max_score)


def discrimination(item: np.ndarray, total: np.ndarray) -> float | None:
    """100 x Pearson correlation of the item with the rest of the test (total - item),
    as Moodle's "discrimination index"; None when either has no variance."""
    rest = total - item
    if item.size < 2 or np.ptp(item) == 0 or np.ptp(rest) == 0:
        return None
    item_c = item - item.mean()
    rest_c = rest - rest.mean()
    return float(100.0 * (item_c @ rest_c) / np.sqrt((item_c @ item_c) * (rest_c @ rest_c)))


def cronbach_alpha(scores: np.ndarray) -> float | None:
    """k/(k-1) x (1 - sum of item variances / variance of the totals), for a
    students x items matrix; None with fewer than 2 items or 2 students, or when
    the totals do not vary."""
    students, items = scores.shape
    if items < 2 or students < 2:
        return None
    total_var = float(np.var(scores.sum(axis=1), ddof=1))
    if total_var == 0:
        return None
    item_var = float(np.var(scores, axis=0, ddof=1).sum())
    return items / (items - 1) * (1.0 - item_var / total_var)


def item_statistics(
    scores: np.ndarray, exercise_ids: Sequence[str], max_scores: Sequence[float]
) -> tuple[ItemStats, ...]:
    """Facility, spread and discrimination of every column of ``scores``, with flags
    for items that discriminate badly or that almost nobody solved."""
    total = scores.sum(axis=1)
    stats = []
    for column, (exercise_id, max_score) in enumerate(zip(exercise_ids, max_scores, strict=True)):
        item = scores[:, column]
        fac = facility(item, max_score)
        disc = discrimination(item, total)
        stats.append(ItemStats(
            exercise_id=exercise_id, max_score=float(max_score), students=int(item.size),
            mean=float(item.mean()) if item.size else float("nan"), facility=fac,
            sd=float(item.std(ddof=1)) if item.size > 1 else 0.0,
            discrimination=disc, flags=_item_flags(fac, disc),
        ))
    return tuple(stats)


def _item_flags(fac: float, disc: float | None) -> tuple[str, ...]:
    flags = []
    if fac == fac and fac < HARD_FACILITY:
        flags.append("almost nobody solved it")
    if disc is not None and disc < 0:
        flags.append("negative discrimination: weaker students did better")
    elif disc is not None and disc < WEAK_DISCRIMINATION:
        flags.append("discriminates weakly")
    return tuple(flags)


@dataclass(frozen=True)
class FairnessBucket:
    """Students of one exercise whose variant had ``parameter == value``."""

    exercise_id: str
    parameter: str
    value: str
    students: int
    facility: float
    others_facility: float  # the same exercise, every other student
    low: float  # median - 2 MAD over this exercise's buckets
    high: float  # median + 2 MAD
    flagged: bool

    def sentence(self) -> str:
        """The finding in words, e.g. for a flagged bucket."""
        diff = 100.0 * (self.facility - self.others_facility)
        direction = "lower" if diff < 0 else "higher"
        return (
            f"students whose {self.parameter} was {self.value} ({self.students}) scored "
            f"{abs(diff):.0f} percentage points {direction} on {self.exercise_id} than the others"
        )


def bucketable(value: Any) -> bool:
    """Scalars (numbers, text, booleans) can name a bucket; arrays cannot."""
    return isinstance(value, bool | int | float | str | np.integer | np.floating)


def fairness_buckets(
    exercise_id: str, rows: Sequence[tuple[Mapping[str, Any], float]]
) -> tuple[FairnessBucket, ...]:
    """Facility of one exercise by value of each scalar parameter of the variants.

    ``rows`` holds one (params, fraction of the exercise's points) pair per student.
    Buckets with at least ``MIN_BUCKET`` students are compared over all parameters of
    the exercise: those outside median +- 2 MAD (MAD floored at ``MAD_FLOOR``) are
    flagged.  A parameter with a single value, or with more than ``MAX_BUCKETS``
    values, says nothing about fairness and is left out.
    """
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for params, fraction in rows:
        for name, value in params.items():
            if bucketable(value):
                groups[name][_value_text(value)].append(fraction)
    raw = []
    total, count = sum(f for _, f in rows), len(rows)
    for name in sorted(groups):
        values = groups[name]
        if not 2 <= len(values) <= MAX_BUCKETS:
            continue
        for value, fractions in sorted(values.items(), key=lambda kv: _sort_key(kv[0])):
            if len(fractions) >= MIN_BUCKET and count > len(fractions):
                others = (total - sum(fractions)) / (count - len(fractions))
                raw.append((name, value, len(fractions), float(np.mean(fractions)), others))
    return _flag_outliers(exercise_id, raw)


def _flag_outliers(exercise_id: str, raw: list[tuple]) -> tuple[FairnessBucket, ...]:
    if not raw:
        return ()
    facilities = np.array([r[3] for r in raw])
    median = float(np.median(facilities))
    mad = max(float(np.median(np.abs(facilities - median))), MAD_FLOOR)
    low, high = median - 2 * mad, median + 2 * mad
    return tuple(
        FairnessBucket(exercise_id, name, value, n, fac, others, low, high,
                       flagged=not low <= fac <= high)
        for name, value, n, fac, others in raw
    )


def _value_text(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value.item() if isinstance(value, np.generic) else value)


def _sort_key(text: str) -> tuple[int, float, str]:
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)
