"""Inside the child: import the student's module, run the probes, write the results.

Loaded by the zygote as a top-level module (standard library and NumPy only).
Everything here runs in the confined child, so a hostile ``__array__``, ``__str__``
or monkeypatch can only hurt this process.  Results go to one file in the output
folder, a record appended as each step finishes (``results_file.py``).  The
parent re-validates everything, so the checks here exist only to give precise
messages.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import math
import os
import sys
import traceback
from typing import Any

import numpy as np
from checks import array_problem, describe_nonfinite  # type: ignore[import-not-found]
from results_file import ResultsWriter  # type: ignore[import-not-found]
from wire import decode_value  # type: ignore[import-not-found]

MAX_TEXT = 1000
STDIO_CAP = 64 * 1024
IMPORT_HINT = "only NumPy and the standard library can be imported"
# Where the rest of the standard library is found (what the zygote did not preload):
# read once, in the zygote, from the interpreter's own ``os`` module, never from
# anything a run can change.  Site-packages are not under these folders.
_STDLIB = os.path.dirname(os.path.realpath(os.__file__))
STDLIB_PATHS = tuple(path for path in (_STDLIB, os.path.join(_STDLIB, "lib-dynload"))
                     if os.path.isdir(path))


class CappedStream(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` of the child: keeps the first bytes, drops the rest.

    A print flood then costs nothing and never fails the student's function; only
    the start of the output is ever shown anyway.
    """

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__()
        self._fd = fd
        self._left = cap

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._left > 0 and text:
            data = str(text)[: self._left].encode("utf-8", "replace")
            self._left -= len(data)
            os.write(self._fd, data)
        return len(text)


def redirect_stdio(folder: str) -> None:
    """fd 0 from /dev/null, fds 1 and 2 appended to ``folder``'s ``stdout.txt`` and
    ``stderr.txt``, every other fd closed, Python-level printing capped."""
    stdout = os.open(os.path.join(folder, "stdout.txt"), os.O_WRONLY | os.O_APPEND)
    stderr = os.open(os.path.join(folder, "stderr.txt"), os.O_WRONLY | os.O_APPEND)
    devnull = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((devnull, 0), (stdout, 1), (stderr, 2)):
        os.dup2(source, target)
    os.closerange(3, 1 << 16)
    capture_stdio()


def capture_stdio() -> None:
    """Point Python-level printing at capped writers on fds 1 and 2."""
    sys.stdout = CappedStream(1, STDIO_CAP)
    sys.stderr = CappedStream(2, STDIO_CAP)


def flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()


class Rejected(Exception):
    """The student's value cannot be sent back; the message says why."""


class Context:
    """Where this run lives and what it may use.  A plain class: a ``NamedTuple`` costs
    an ``eval`` at import (~1-2 ms), which every child of a direct sandbox pays."""

    __slots__ = ("memory_mb", "module", "out_dir", "output_bytes", "work_dir")

    def __init__(self, module: str, work_dir: str, out_dir: str, memory_mb: int,
                 output_bytes: int) -> None:
        self.module = module
        self.work_dir = work_dir
        self.out_dir = out_dir
        self.memory_mb = memory_mb
        self.output_bytes = output_bytes


def describe_exception(exc: BaseException, context: Context,
                       when: str = "before returning") -> str:
    """``raised ZeroDivisionError: division by zero (line 12 of conv.py)``."""
    work_dir = context.work_dir
    if isinstance(exc, MemoryError):
        return f"used more memory than allowed ({context.memory_mb} MiB)"
    if isinstance(exc, SystemExit):
        return f"exited the process (sys.exit({_safe_text(exc.code)})) {when}"
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith(work_dir):
        name = os.path.basename(exc.filename)
        return f"syntax error at line {exc.lineno} of {name}: {_safe_text(exc.msg)}"
    text = _safe_text(exc)
    where = _student_line(exc, work_dir)
    described = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
    if isinstance(exc, ImportError) and getattr(exc, "name", None) != context.module:
        where = (where + "; " if where else "") + IMPORT_HINT
    return described + (f" ({where})" if where else "")


def _student_line(exc: BaseException, work_dir: str) -> str:
    last = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(work_dir + os.sep):
            last = f"line {frame.lineno} of {os.path.basename(frame.filename)}"
    return last


def _safe_text(value: Any) -> str:
    try:
        text = str(value)
    except BaseException:
        return "<unprintable>"
    return text if len(text) <= 300 else text[:300] + "…"


def convert(value: Any, output_bytes: int) -> Any:
    """A JSON scalar or a plain numeric ndarray, or raise ``Rejected``."""
    if value is None:
        raise Rejected("returned None")
    if isinstance(value, bool | np.bool_):
        raise Rejected(f"returned a bool ({value}), not a number")
    if type(value) is int:
        if not -(2**63) <= value < 2**63:
            raise Rejected("returned an integer too large to store in 64 bits")
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise Rejected(f"returned a value that is not finite ({value})")
        return value
    if type(value) is str:
        if len(value) > MAX_TEXT:
            raise Rejected(f"returned a string longer than {MAX_TEXT} characters")
        return value
    if isinstance(value, complex):
        raise Rejected("returned a complex number")
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        raise Rejected(f"returned a {type(value).__name__}, a subclass of numpy.ndarray; "
                       "return a plain numpy array")
    return _to_array(value, output_bytes)


def _to_array(value: Any, output_bytes: int) -> np.ndarray:
    try:
        array = np.asarray(value)
    except BaseException as exc:
        raise Rejected(f"returned a {type(value).__name__} that cannot be turned into an "
                       f"array ({type(exc).__name__}: {_safe_text(exc)})") from None
    if type(array) is not np.ndarray:
        raise Rejected("returned an object whose array form is not a plain numpy array")
    problem = array_problem(array.dtype)
    if problem:
        raise Rejected(problem)
    if array.nbytes > output_bytes:
        raise Rejected(f"returned an array that is too large ({array.nbytes / 2**20:.0f} MiB; "
                       f"at most {output_bytes / 2**20:.0f} MiB)")
    nonfinite = describe_nonfinite(array)
    if nonfinite:
        raise Rejected(nonfinite)
    return array


def run_request(request: dict, work_dir: str, out_dir: str) -> None:
    """Import the module, then run every probe in order, recording each one."""
    limits = request["limits"]
    context = Context(request["module"], work_dir, out_dir, int(limits["address_space_mb"]),
                      int(limits["output_mb"]) * 2**20)
    results = ResultsWriter(out_dir)
    sys.path[:] = [work_dir, *STDLIB_PATHS]  # the student's own files come first
    sys.modules.pop(request["module"], None)  # a module named like a preloaded one
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(request["module"])
    except BaseException as exc:
        message = describe_exception(exc, context, when="while being imported")
        results.add({"import": False, "error": message}, [])
        results.close()
        return
    results.add({"import": True}, [])
    for index, probe in enumerate(request["probes"]):
        blobs: list[bytes] = []
        record = _run_probe(module, probe, context, blobs)
        results.add({"probe": index, **record}, blobs if "parts" in record else [])
    results.close()


def _run_probe(module: Any, probe: dict, context: Context, blobs: list[bytes]) -> dict:
    """The probe's record; the ``.npy`` blobs of its array parts go to ``blobs``."""
    name = probe["name"]
    try:
        if not hasattr(module, name):
            what = "function" if probe["kind"] == "call" else "variable"
            return {"error": f"module has no {what} named {name!r}"}
        value = getattr(module, name)
        if probe["kind"] == "call":
            if not callable(value):
                return {"error": f"{name!r} is not a function"}
            value = value(**dict(decode_value(probe["inputs"])))
        elif value is None:
            return {"error": f"{name} is still None (replace None with your answer)"}
        return _record_value(value, probe["outputs"], context, blobs)
    except BaseException as exc:
        return {"error": describe_exception(exc, context)}


def _record_value(value: Any, outputs: list, context: Context, blobs: list[bytes]) -> dict:
    if outputs:
        if not isinstance(value, tuple | list) or len(value) != len(outputs):
            got = (f"{len(value)} values" if isinstance(value, tuple | list)
                   else f"a {type(value).__name__}")
            return {"error": f"returned {got}; expected a tuple of {len(outputs)} values "
                             f"({', '.join(outputs)})"}
        parts, labels = list(value), list(outputs)
    else:
        parts, labels = [value], [""]
    recorded: list[dict] = []
    for part, label in zip(parts, labels, strict=True):
        try:
            converted = convert(part, context.output_bytes)
        except Rejected as exc:
            return {"error": f"{label}: {exc}" if label else str(exc)}
        if isinstance(converted, np.ndarray):
            blobs.append(npy_blob(converted))
            recorded.append({"npy": len(blobs[-1])})
        else:
            recorded.append({"scalar": converted})
    return {"parts": recorded}


def save_npy(path: str, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` as ``npy_blob`` makes it (a test's reference point)."""
    _write_file(path, npy_blob(array))


def npy_blob(array: np.ndarray) -> bytes:
    """``array`` as a version 1.0 ``.npy`` file, as ``np.save`` writes a plain
    C-ordered array, without its Python-level header formatting (about half a
    millisecond per array in a fresh child).  The parent parses the header itself."""
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    header = f"{{'descr': {array.dtype.str!r}, 'fortran_order': False, 'shape': {array.shape!r}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"  # 10 bytes of preamble: 64-aligned
    return (b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
            + array.tobytes())


def _write_file(path: str, data: bytes) -> None:
    """Create ``path`` holding ``data`` with bare system calls."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
