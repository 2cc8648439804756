"""The chance model of copy detection: values as hashable keys, which students each
value fits, and how likely a fit is by coincidence (docs/report.md, "Copy evidence").

Keys round a value to the precision its tolerance allows, so "fits" means "would be
graded as equal".  ``Index.chance`` estimates P(a random classmate fits a value) as
the larger of the share of other classmates fitting it and the product, over the
value's components (cells), of the share of classmates having that component (an
answer from a large domain is not credited with the class's resolution of 1/N only).
``tail_at_least`` is the Poisson-binomial tail over independent items.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.model import Tolerance

Key = tuple  # (shape, components) of a value rounded to its tolerance, or a joint key
JOINT = "joint"  # (JOINT, (key of case 1, key of case 2, ...)): all cases of one exercise


def value_key(value: Any, tolerance: Tolerance) -> Key | None:
    """A hashable form of a value, rounded to the precision its tolerance allows;
    None when the value is not a number, array or text."""
    if isinstance(value, str):
        return ((), (value.strip().casefold(),))
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if array.dtype != np.float64 or not np.all(np.isfinite(array)):
        return None
    if tolerance.atol > 0:
        array = np.round(array, max(0, math.ceil(-math.log10(tolerance.atol))))
    elif tolerance.rtol > 0:
        digits = max(1, math.ceil(-math.log10(tolerance.rtol)) + 1)
        array = np.vectorize(lambda x: float(f"{x:.{digits}g}"), otypes=[float])(array)
    return (array.shape, tuple((array + 0.0).ravel().tolist()))


def decode_answer(text: str | None) -> Any:
    """The value stored as canonical JSON in the gradebook (None when absent or bad)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def parts_of(key: Key) -> Iterable[tuple]:
    """The components of a key, each with its place (case, shape, index)."""
    if key[0] == JOINT:
        for case, sub in enumerate(key[1]):
            for part in parts_of(sub):
                yield (case, *part)
        return
    shape, values = key
    yield from ((shape, j, v) for j, v in enumerate(values))


@dataclass
class Index:
    """For one case: which students each value fits, and how common each component is."""

    fits: dict[Key, set[str]]
    components: Counter
    own: dict[str, set[tuple]]

    @classmethod
    def build(cls, values: Mapping[str, Iterable[Key | None]],
              fits_from: Mapping[str, Iterable[Key]] | None = None) -> Index:
        """``values``: each student's keys (components are counted over them);
        ``fits_from``: the keys that count as fits, when not the same."""
        fits: dict[Key, set[str]] = defaultdict(set)
        components: Counter = Counter()
        own: dict[str, set[tuple]] = {}
        for student, keys in values.items():
            mine: set[tuple] = set()
            for key in keys:
                if key is not None:
                    mine.update(parts_of(key))
                    if fits_from is None:
                        fits[key].add(student)
            own[student] = mine
            components.update(mine)
        for student, keys in (fits_from or {}).items():
            for key in keys:
                fits[key].add(student)
        return cls(fits, components, own)

    def chance(self, key: Key, student: str, classmate: str, others: int) -> float:
        """P(a random classmate of ``student`` fits ``key``), not counting ``classmate``'s
        own fit in the whole-value share (it is the one under test)."""
        whole = len(self.fits.get(key, set()) - {student, classmate}) / max(others - 1, 1)
        mine = self.own.get(student, set())
        product = 1.0
        for component in parts_of(key):
            count = self.components[component] - (component in mine)
            product *= max(count, 1) / others
        return min(1.0, max(whole, product))


def tail_at_least(chances: Sequence[float], k: int) -> float:
    """P(at least ``k`` of independent events with these probabilities happen)."""
    dist = np.zeros(len(chances) + 1)
    dist[0] = 1.0
    for p in chances:
        dist[1:] = dist[1:] * (1 - p) + dist[:-1] * p
        dist[0] *= 1 - p
    return float(min(1.0, dist[k:].sum()))
