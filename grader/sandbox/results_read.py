"""The parent's reading of a run's results file (the format: ``results_file.py``).

Nothing in it is trusted: student code runs as the user that writes it and may
have rewritten, truncated, replaced or padded it.  Each segment is opened without
following links and must be a regular file of at most ``SEGMENT_BYTES`` (all but
the last exactly that size, so a stream of tiny files cannot make the grader open
thousands); a record's JSON is at most ``MAX_JSON`` bytes and is parsed strictly;
records come in order (the import, then probe 0, 1, ...); each array's size is
known from its record and its ``.npy`` header, and charged to the submission's
``ResultBudget`` before its data is read (``readback.py`` parses it as before).

What a record cannot tell: a stream that ends before a record is complete means
that step never finished (the reason is how the run ended, as for a missing file
before).  A record the grader cannot frame (bad length, bad JSON, out of order)
stops the reading: that step and every later one get the reason.  A value the
grader refuses (a bad array, an oversized one) fails its own probe only.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from grader.model import Probe
from grader.sandbox.api import ProbeOutcome
from grader.sandbox.readback import (
    MAX_HEADER,
    MAX_JSON,
    Invalid,
    ResultBudget,
    charge_npy,
    check_scalar,
    clean_text,
    parse_npy,
)
from grader.sandbox.results_file import LENGTH_BYTES, SEGMENT_BYTES, segment_name

UNREADABLE = "left a result file the grader could not read"
ImportStatus = tuple[bool, str | None] | None  # (True, None), (False, reason), None: never said


class Truncated(Exception):
    """The stream ended inside a record: that step never finished."""


class Broken(Invalid):
    """A segment of the stream cannot be read at all: nothing after it can be either."""


class Stream:
    """The results segments of one run as one byte stream, read front to back."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._number = 0
        self._fd: int | None = None
        self._left = 0  # bytes not yet read of the open segment
        self._full = False  # the open segment is a whole one: another may follow
        self.present = self._open(0)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self, number: int) -> bool:
        """Open segment ``number``; False when it does not exist."""
        self.close()
        try:
            fd = os.open(os.path.join(self._folder, segment_name(number)),
                         os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise Broken(f"left a result file the grader could not open ({exc.strerror})") \
                from None
        self._fd, self._number = fd, number
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Broken("left a result that is not a regular file")
        if info.st_size > SEGMENT_BYTES:
            raise Broken(f"returned more data than allowed ({info.st_size} bytes)")
        self._left, self._full = info.st_size, info.st_size == SEGMENT_BYTES
        return True

    def _advance(self) -> bool:
        """On to the next segment, if the open one is whole and another exists."""
        return self._fd is not None and self._full and self._open(self._number + 1)

    def at_end(self) -> bool:
        """True when no byte is left (the stream ended on a record's boundary)."""
        while self._left == 0:
            if not self._advance():
                return True
        return False

    def read(self, size: int) -> bytes:
        """Exactly ``size`` bytes, or ``Truncated``."""
        chunks = []
        while size > 0:
            if self._left == 0 and not self._advance():
                raise Truncated
            chunk = os.read(self._fd, min(size, self._left))
            if not chunk:  # shrunk under us: only student code could do that
                raise Truncated
            chunks.append(chunk)
            self._left -= len(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def skip(self, size: int) -> None:
        """Pass over ``size`` bytes without reading them (or up to the end: a refused
        value's verdict stands, and whatever comes next finds the stream ended)."""
        while size > 0:
            if self._left == 0 and not self._advance():
                return
            step = min(size, self._left)
            os.lseek(self._fd, step, os.SEEK_CUR)
            self._left -= step
            size -= step


def read_results(out_dir: str, probes: tuple[Probe, ...], cap: int,
                 budget: ResultBudget) -> tuple[ImportStatus, list[ProbeOutcome | None]]:
    """The import's status and one outcome per probe (None: it never finished), read
    from ``out_dir``; each array at most ``cap`` bytes and charged to ``budget``."""
    outcomes: list[ProbeOutcome | None] = [None] * len(probes)
    try:
        stream = Stream(out_dir)
    except Invalid as exc:
        return (False, str(exc)), outcomes
    try:
        return _read_stream(stream, probes, cap, budget, outcomes)
    finally:
        stream.close()


def _read_stream(stream: Stream, probes: tuple[Probe, ...], cap: int, budget: ResultBudget,
                 outcomes: list[ProbeOutcome | None]
                 ) -> tuple[ImportStatus, list[ProbeOutcome | None]]:
    if not stream.present:
        return None, outcomes
    try:
        status = _import_status(_next_record(stream))
    except Truncated:
        return None, outcomes
    except Invalid as exc:
        return (False, str(exc)), outcomes
    except Exception as exc:  # whatever the child left must never stop the grader
        return (False, f"left an import record the grader could not read "
                       f"({type(exc).__name__})"), outcomes
    for index, probe in enumerate(probes if status == (True, None) else ()):
        try:
            outcomes[index] = _probe_outcome(stream, index, probe, cap, budget)
        except Truncated:
            break
        except Exception as exc:  # the stream cannot be followed past this record
            reason = str(exc) if isinstance(exc, Invalid) else \
                f"returned data the grader could not read ({type(exc).__name__})"
            outcomes[index:] = [ProbeOutcome(value=None, error=reason)] * (len(probes) - index)
            break
    return status, outcomes


def _next_record(stream: Stream) -> dict:
    """The next record's JSON object; ``Truncated`` when the stream ends first."""
    if stream.at_end():
        raise Truncated
    size = int.from_bytes(stream.read(LENGTH_BYTES), "big")
    if size > MAX_JSON:
        raise Invalid(UNREADABLE)
    try:
        record = json.loads(stream.read(size).decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(UNREADABLE) from None
    if not isinstance(record, dict):
        raise Invalid(UNREADABLE)
    return record


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _import_status(record: dict) -> tuple[bool, str | None]:
    if record == {"import": True}:
        return True, None
    if set(record) == {"import", "error"} and record["import"] is False:
        return False, clean_text(record["error"])
    raise Invalid("left an import record the grader could not read")


def _probe_outcome(stream: Stream, index: int, probe: Probe, cap: int,
                   budget: ResultBudget) -> ProbeOutcome:
    """Probe ``index``'s outcome from the next record; ``Invalid`` (and others) when
    the stream cannot be followed past it, ``Truncated`` when it never finished."""
    record = _next_record(stream)
    if type(record.get("probe")) is not int or record["probe"] != index:
        raise Invalid(UNREADABLE)
    if set(record) == {"probe", "error"}:
        return ProbeOutcome(value=None, error=clean_text(record["error"]))
    parts = record.get("parts")
    labels = probe.outputs or ("",)
    if set(record) != {"probe", "parts"} or not isinstance(parts, list) \
            or len(parts) != len(labels) or not all(map(_framed, parts)):
        raise Invalid(UNREADABLE)
    values, problem = [], None
    for part, label in zip(parts, labels, strict=True):
        size = part.get("npy", 0)
        if problem is not None:
            stream.skip(size)
            continue
        try:
            values.append(_part_value(stream, part, size, cap, budget))
        except Broken:
            raise
        except Invalid as exc:
            problem = f"{label}: {exc}" if label else str(exc)
    if problem is not None:
        return ProbeOutcome(value=None, error=problem)
    return ProbeOutcome(value=tuple(values) if probe.outputs else values[0], error=None)


def _framed(part: Any) -> bool:
    """A part the reader can step over: a scalar, or an ``.npy`` blob's byte count."""
    if not isinstance(part, dict) or len(part) != 1:
        return False
    if "scalar" in part:
        return True
    return type(part.get("npy")) is int and part["npy"] > 0


def _part_value(stream: Stream, part: dict, size: int, cap: int, budget: ResultBudget) -> Any:
    """One part's value; a refused ``.npy`` blob is passed over (so the stream goes on)."""
    if "scalar" in part:
        return check_scalar(part["scalar"])
    if size > cap:
        stream.skip(size)
        raise Invalid(f"returned more data than allowed ({size} bytes)")
    head = stream.read(min(size, MAX_HEADER + 16))
    try:
        header = charge_npy(budget, head, size)
    except Invalid:
        stream.skip(size - len(head))
        raise
    return parse_npy(head + stream.read(size - len(head)) if size > len(head) else head, header)
