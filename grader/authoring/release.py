"""Writing a release: one folder per student, built aside and renamed into place.

Layout of ``OUT/<assignment>/<student>/``: the stub modules, ``handout.md``,
``handout.html``, ``<assignment>.ipynb``, ``test_public.py`` and ``.cnn-grader/``
holding ``public.json`` (+ ``public.npz`` for arrays, saved without pickle) with the
public cases only, and ``release.json``.  Hidden cases, parameters and the course
secret are never written.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import functools
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from grader import __version__
from grader.authoring.course import Course, Student
from grader.authoring.fingerprint import secret_fingerprint
from grader.authoring.kinds.metric import MetricKind, released_arrays
from grader.authoring.public_cases import DATA_DIR, FORMAT, public_files
from grader.authoring.render import (
    handout_html,
    handout_markdown,
    notebook,
    public_test_source,
    stub_module,
)
from grader.authoring.spec import KindLookup, default_kind_lookup
from grader.authoring.variant import build_assignment_variant
from grader.errors import SpecError
from grader.model import AssignmentVariant

Progress = Callable[[int, int], None]
# glibc's mallopt(3) parameters (<malloc.h>) for a release worker (`keep_freed_memory`):
# M_MMAP_THRESHOLD at its largest allowed value (32 MiB on 64-bit), M_TRIM_THRESHOLD above
KEEP_FREED_MEMORY = ((-3, 32 << 20), (-1, 64 << 20))


# --- one student's folder, then the whole release ---------------------------------------

def release_kind_lookup(name: str) -> Any:
    """The kinds as a release needs them: a ``metric`` kind without its hidden test set.

    A release writes only the public side of a variant (stubs, prompts, public cases,
    the training data), so drawing the hidden data would be work thrown away; every
    released byte is the same.  Grading rebuilds the variant with the default kinds.
    """
    if name == "metric":
        return MetricKind(hidden_data=False)
    return default_kind_lookup(name)


def release_record(variant: AssignmentVariant, fingerprint: str = "") -> dict[str, Any]:
    """What the folder was released for; ``grade`` refuses a mismatch (provenance)."""
    extra = {"secret_fingerprint": fingerprint} if fingerprint else {}
    return {"format": FORMAT, "generator": f"cnn-grader {__version__}",
            "course_id": variant.course_id, "assignment_id": variant.assignment_id,
            "student_id": variant.student_id, **extra,
            "exercises": [{"exercise_id": e.exercise_id, "version": e.version,
                           "module": e.module, "points": e.points} for e in variant.exercises]}


def student_files(variant: AssignmentVariant, fingerprint: str = "") -> dict[str, bytes]:
    """Every file of one student's folder, by relative path (pure)."""
    files = {f"{e.module}.py": stub_module(variant, e) for e in variant.exercises}
    files["handout.md"] = handout_markdown(variant)
    files["handout.html"] = handout_html(variant)
    files[f"{variant.assignment_id}.ipynb"] = json.dumps(notebook(variant)) + "\n"  # C encoder
    files["test_public.py"] = public_test_source()
    record = release_record(variant, fingerprint)
    files[f"{DATA_DIR}/release.json"] = json.dumps(record, indent=1) + "\n"
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    encoded.update({f"{DATA_DIR}/{n}": c for n, c in public_files(variant).items()})
    encoded.update(released_arrays(variant))  # training data of metric-scored exercises
    return encoded


def write_release(course: Course, assignment_id: str, students: Iterable[Student],
                  secret: bytes, out_dir: Path | str, *, progress: Progress | None = None,
                  replace: bool = False, workers: int = 1,
                  get_kind: KindLookup = release_kind_lookup) -> Path:
    """Write ``out_dir/<assignment>/<student>/`` for every student; returns that folder.

    Everything is written into a temporary folder beside the destination and renamed
    at the end, so a failure (or Ctrl-C) leaves no half-written release behind.  With
    ``workers > 1`` students are built in that many processes (``get_kind`` must then
    be picklable); the files are the same either way.
    """
    course.assignment(assignment_id)  # unknown assignment: fail before writing anything
    students = tuple(students)
    out_dir = Path(out_dir)
    final = out_dir / assignment_id
    if final.exists() and not replace:
        raise SpecError("already exists; remove it or pass --force to replace it",
                        where=str(final))
    if out_dir.exists() and not out_dir.is_dir():
        raise SpecError("is not a folder", where=str(out_dir))
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{assignment_id}.", suffix=".tmp", dir=out_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; a release folder is meant to be shared
    job = functools.partial(write_student, course, assignment_id, secret, staging, get_kind)
    try:
        for done, _ in enumerate(_map(job, students, workers), start=1):
            if progress:
                progress(done, len(students))
        _swap_into_place(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise
    return final


def write_student(course: Course, assignment_id: str, secret: bytes, folder: Path,
                  get_kind: KindLookup, student: Student) -> str:
    """Build one student's variant and write their folder under ``folder``."""
    variant = build_assignment_variant(course, assignment_id, student.student_id, secret,
                                       get_kind=get_kind)
    fingerprint = secret_fingerprint(secret, course.course_id)
    _write_files(folder / student.student_id, student_files(variant, fingerprint))
    return student.student_id


def _map(job: Callable[[Student], str], students: tuple[Student, ...],
         workers: int) -> Iterator[str]:
    """``map(job, students)``, in ``workers`` processes when that is worth it."""
    if workers <= 1 or len(students) < 2 * workers:
        yield from map(job, students)
        return
    # small chunks so that no worker is left finishing a long last chunk alone while
    # the others idle; each carries the job pickled once here (~60 kB of bytes), which
    # a worker unpickles once (`_unpickled`) instead of once per chunk
    chunk = max(1, len(students) // (workers * 32))
    pickled = functools.partial(_run_pickled, pickle.dumps(job))
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers,
                                                initializer=keep_freed_memory) as pool:
        try:
            yield from pool.map(pickled, students, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _run_pickled(job: bytes, student: Student) -> str:
    """``job(student)`` for a job sent as its pickle (see :func:`_unpickled`)."""
    return _unpickled(job)(student)


@functools.lru_cache(maxsize=1)
def _unpickled(job: bytes) -> Callable[[Student], str]:
    """The job of a pickle, made once per worker process for the whole release.

    Unpickling the job made a fresh course every chunk, and with it fresh specs: the
    caches the kinds keep per live spec (plans, compiled expressions) were rebuilt
    every chunk, ~6 ms of an a2 worker's CPU each time.  The same bytes always give
    an equal job, so keeping the last one changes nothing that is written.
    """
    return pickle.loads(job)


def keep_freed_memory() -> bool:
    """In a release worker: let glibc's malloc keep freed memory for the next student.

    A TinyCNN student allocates a few MB of short-lived buffers (the SHAKE output, the
    images); by default buffers that big are mapped afresh, or the heap is trimmed
    back after them, so every student paid ~1,100 page faults (~4 ms of kernel CPU,
    a fifth of the student).  A high mmap threshold and trim threshold keep those
    pages in the heap, reused by the next student.  A per-process setting of the C
    library, made once when a worker starts (a worker lives for one release); without
    glibc's ``mallopt`` nothing is done.  True when both were set.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this interpreter runs on
    except (OSError, AttributeError):  # no mallopt (macOS, Windows)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return all(mallopt(parameter, value) == 1 for parameter, value in KEEP_FREED_MEMORY)


def _write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` under ``folder``: each folder made once, each file with one open.

    A release writes thousands of small files; plain ``os`` calls cost a third of
    ``Path.write_bytes`` with a ``mkdir`` per file.  Permissions are the same
    (0o666 and 0o777 less the umask).
    """
    made: set[str] = set()
    for name, content in files.items():
        path = os.path.join(folder, name)
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            remaining = memoryview(content)
            while remaining:
                remaining = remaining[os.write(descriptor, remaining):]
        finally:
            os.close(descriptor)


def _swap_into_place(staging: Path, final: Path) -> None:
    """Rename the finished release into place (replacing an old one only at the end)."""
    if final.exists():
        retired = final.with_name(f".{final.name}.old")
        shutil.rmtree(retired, ignore_errors=True)
        final.rename(retired)
        staging.rename(final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(final)
