"""Counts of one batch run: the progress line while it runs, the summary after.

The summary is what an instructor reads to know that nothing went silently wrong:
who was refused and why, who was not on the roster or had no folder, how many
late penalties were applied, how many students are at 0 because of them, and
whether any time was known at all.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from grader.results import GradingResult

DRAW_SECONDS = 0.1  # redraw the progress line at most this often


@dataclass(frozen=True)
class BatchSummary:
    graded: int
    skipped: int  # unchanged since the gradebook's current result
    grader_errors: int  # graded, but some check hit a grader error (re-graded next run)
    failures: tuple[tuple[str, str], ...]  # (student id, reason): not graded, retried next run
    seconds: float
    workers: int
    refused: tuple[tuple[str, str], ...] = ()  # (student, why): recorded with score 0
    unlisted: tuple[str, ...] = ()  # folders not on the roster (graded only if allowed)
    bad_names: tuple[str, ...] = ()  # folders whose name is not a student id: never graded
    missing: tuple[str, ...] = ()  # roster students with no folder
    late_applied: int = 0  # graded results with a late penalty
    late_zeroed: int = 0  # of those, at 0 only because of the penalty
    without_time: int = 0  # graded with no trusted submission time: no penalty applied
    time_source: str = ""  # where times came from ("" when none was given)
    allow_unlisted: bool = False
    no_module_anywhere: bool = False  # no folder read held any module of the assignment
    has_roster: bool = True


@dataclass
class Tally:
    """Counts for the summary and the progress line of one batch run."""

    total: int
    started: float
    show: bool
    graded: int = 0
    skipped: int = 0
    grader_errors: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    late_applied: int = 0
    late_zeroed: int = 0
    without_time: int = 0
    drawn_at: float = 0.0

    def skip(self) -> None:
        self.skipped += 1
        self._draw()

    def grade(self, result: GradingResult, *, timed: bool, refused: str | None) -> None:
        self.graded += 1
        self.grader_errors += int(result.grader_error)
        if refused is not None:
            self.refused.append((result.student_id, refused))
        self.without_time += int(not timed and refused is None)
        if result.late_penalty > 0:
            self.late_applied += 1
            self.late_zeroed += int(result.score == 0 and result.raw_score > 0)
        self._draw()

    def fail(self, student_id: str, reason: str) -> None:
        self.failures.append((student_id, reason))
        self._draw()

    def _draw(self) -> None:
        done = self.graded + self.skipped + len(self.failures)
        now = time.perf_counter()
        if not self.show or (now - self.drawn_at < DRAW_SECONDS and done < self.total):
            return
        self.drawn_at = now
        elapsed = max(now - self.started, 1e-9)
        width = 30
        filled = width * done // max(self.total, 1)
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
            f"graded {self.graded} skipped {self.skipped} failed {len(self.failures)} "
            f"{self.graded / elapsed:.1f}/s "
        )
        sys.stderr.flush()

    def finish(self) -> None:
        if self.show:
            sys.stderr.write("\n")

    def summary(self, workers: int, **roster: object) -> BatchSummary:
        return BatchSummary(
            graded=self.graded, skipped=self.skipped, grader_errors=self.grader_errors,
            failures=tuple(self.failures), seconds=round(time.perf_counter() - self.started, 3),
            workers=workers, refused=tuple(self.refused), late_applied=self.late_applied,
            late_zeroed=self.late_zeroed, without_time=self.without_time,
            **roster,  # type: ignore[arg-type]
        )


def summary_lines(summary: BatchSummary, *, names_shown: int | None = None) -> list[str]:
    """The batch summary as lines for the terminal: counts first, then each problem.

    ``names_shown`` caps each list of student names (a roster of 1,000 with half the
    class missing would print 500 names); the count is always the full one."""
    def names(found: tuple[str, ...]) -> str:
        if names_shown is None or len(found) <= names_shown:
            return ", ".join(found)
        return f"{', '.join(found[:names_shown])} and {len(found) - names_shown} more"

    lines = [
        f"graded {summary.graded}, unchanged {summary.skipped}, grader errors "
        f"{summary.grader_errors}, not graded {len(summary.failures)}, refused "
        f"{len(summary.refused)} in {summary.seconds:.1f} s with {summary.workers} worker(s)",
        f"late penalties applied {summary.late_applied}, at 0 because of lateness "
        f"{summary.late_zeroed}" + (f" (times from {summary.time_source})"
                                    if summary.time_source else ""),
    ]
    if summary.no_module_anywhere:
        lines.append("no submission read held a module of this assignment: is --assignment "
                     "the assignment these folders were released for?")
    if summary.without_time:
        lines.append(f"no submission time for {summary.without_time} graded student(s): no late "
                     "penalty applied (give --submitted-at, --times FILE or "
                     "--trust-nbgrader-timestamps)")
    lines += [f"  refused {s}: {why}" for s, why in summary.refused]
    lines += [f"  not graded {s}: {why}" for s, why in summary.failures]
    if not summary.has_roster:
        lines.append("no roster in course.yml: every folder named like a student id was graded")
    if summary.unlisted:
        verdict = "graded (--allow-unlisted)" if summary.allow_unlisted else "not graded"
        lines.append(f"not on the roster, {verdict} ({len(summary.unlisted)}): "
                     f"{names(summary.unlisted)}")
    if summary.bad_names:
        shown = names(tuple(repr(n[:40]) for n in summary.bad_names))
        lines.append(f"folders that are not student ids, never graded: {shown}")
    if summary.missing:
        lines.append(f"on the roster with no submission ({len(summary.missing)}): "
                     f"{names(summary.missing)}")
    return lines
