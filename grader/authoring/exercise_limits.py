"""An exercise's own sandbox limits: the optional ``limits:`` mapping of its YAML file.

Every run of a submission gets the sandbox's default ``Limits``; an exercise whose
reference does real work (training a network) needs more, and one that must stay
quick may want less.  The author writes only what differs::

    limits: {cpu_seconds: 30, wall_seconds: 60}

This stage may not import the sandbox (the stages are independent layers), so the
limits travel as plain ``(name, value)`` pairs, values as written (so that a prompt
shows ``60``, not ``60.0``), in the order of ``LIMIT_KEYS`` whatever order they were
written in (the same limits give the same variant);
``grader.grading.grade`` turns them into ``Limits``.  The bounds below refuse values
that would make every run fail (an address space too small for NumPy to load) or
let one submission hold a grading slot for many minutes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.errors import SpecError

if TYPE_CHECKING:  # ``check`` reads released limits without loading YAML (public_cases)
    from grader.authoring.yamldoc import Report

ExerciseLimits = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class LimitRule:
    """What one author-facing limit accepts: a number (whole, or any) in [low, high]."""

    low: float
    high: float
    whole: bool
    unit: str

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is refused, or None when it is accepted."""
        number = (int,) if self.whole else (int, float)
        kind = "a whole number" if self.whole else "a number"
        if isinstance(value, bool) or not isinstance(value, number):
            return f"expected {kind} of {self.unit}, got {value!r}"
        if not value > 0:
            return f"expected a positive number of {self.unit}, got {value!r}"
        if not self.low <= value <= self.high:
            return (f"expected {kind} of {self.unit} from {self.low:g} to {self.high:g}, "
                    f"got {value!r}")
        return None


# The fields of ``grader.sandbox.api.Limits`` an author may set (the others, open files,
# processes, file and output sizes, are the sandbox's business).
LIMIT_RULES: Mapping[str, LimitRule] = {
    "wall_seconds": LimitRule(0.5, 1200, whole=False, unit="seconds"),
    "cpu_seconds": LimitRule(1, 600, whole=True, unit="seconds"),
    "address_space_mb": LimitRule(256, 8192, whole=True, unit="MiB"),
}
LIMIT_KEYS = tuple(LIMIT_RULES)


def check_limits(data: Mapping[str, Any], report: Report) -> ExerciseLimits:
    """The exercise's ``limits`` as ordered pairs (empty when absent); every unknown
    key and bad value is reported with its line."""
    section = data.get("limits")
    if section is None:
        return ()
    if not isinstance(section, Mapping):
        report.add(("limits",), f"expected a mapping of {', '.join(LIMIT_KEYS)}, "
                                f"got {section!r}")
        return ()
    for key in section:
        if key not in LIMIT_RULES:
            report.add(("limits", key), _unknown(key))
    pairs = []
    for key, value, problem in _checked(section):
        if problem is not None:
            report.add(("limits", key), problem)
        else:
            pairs.append((key, value))
    return tuple(pairs)


def limits_from_json(section: Any, where: str) -> ExerciseLimits:
    """The limits of a released exercise (``public.json``); an older release has none,
    and its runs keep the defaults.

    Keys this version does not know (a newer release) are ignored; a known key with a
    bad value raises ``SpecError`` naming it (``where``: the file and exercise)."""
    if not section:
        return ()
    if not isinstance(section, Mapping):
        raise SpecError(f"limits: expected a mapping, got {section!r}", where=where)
    pairs = []
    for key, value, problem in _checked(section):
        if problem is not None:
            raise SpecError(f"limits.{key}: {problem}", where=where)
        pairs.append((key, value))
    return tuple(pairs)


def _checked(section: Mapping[str, Any]) -> Iterator[tuple[str, Any, str | None]]:
    """Each known limit ``section`` sets, in ``LIMIT_KEYS`` order, with why its value
    is refused (None when accepted): the one rule for a YAML file and a release."""
    for key in LIMIT_KEYS:
        if key in section:
            yield key, section[key], LIMIT_RULES[key].problem(section[key])


def _unknown(key: Any) -> str:
    import difflib  # only for a bad exercise file: `check` never needs it

    close = difflib.get_close_matches(str(key), LIMIT_KEYS, n=1, cutoff=0.7)
    meant = f"did you mean {close[0]!r}? " if close else ""
    return (f"unknown limit {key!r}; {meant}the limits an exercise may set are "
            f"{', '.join(LIMIT_KEYS)}")
