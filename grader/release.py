"""Writing a release: one folder per student, built aside and renamed into place.

Layout of ``OUT/<assignment>/<student>/``: the stub modules, ``handout.md``,
``handout.html``, ``<assignment>.ipynb``, ``test_public.py`` and ``.cnn-grader/``
holding ``public.json`` (+ ``public.npz`` for arrays, saved without pickle) with the
public cases only, and ``release.json``.  Hidden cases, parameters and the course
secret are never written.
"""

from __future__ import annotations

import concurrent.futures
import functools
import io
import json
import math
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from grader import __version__
from grader.course import Course, Student
from grader.errors import SpecError
from grader.model import (
    AssignmentVariant,
    Case,
    ExerciseVariant,
    ModeledAnswer,
    Probe,
    Tolerance,
)
from grader.render import handout_html, handout_markdown, notebook, public_test_source, stub_module
from grader.spec import KindLookup, default_kind_lookup
from grader.variant import build_assignment_variant

DATA_DIR = ".cnn-grader"
FORMAT = 1
Progress = Callable[[int, int], None]
# ``dtype.name`` is computed in Python on every access; these are nearly all arrays
_COMMON_DTYPE_NAMES = MappingProxyType({np.dtype(t): np.dtype(t).name for t in (
    np.float64, np.int64, np.bool_)})


# --- values <-> JSON (+ arrays kept aside for the .npz) --------------------------------

class ArrayPool:
    """Arrays of a release, packed into one flat array per dtype.

    A student's public cases hold dozens of small arrays; writing one ``.npy``
    member per dtype instead of one per array makes the ``.npz`` several times
    faster to write.  JSON refers to a slice: ``{"$array": "float64", "offset": 12,
    "shape": [2, 3]}``.
    """

    def __init__(self) -> None:
        self._parts: dict[str, list[np.ndarray]] = {}
        self._sizes: dict[str, int] = {}

    def add(self, array: np.ndarray) -> dict[str, Any]:
        if array.dtype.hasobject:
            raise TypeError("cannot store an object array in a release")
        name = _COMMON_DTYPE_NAMES.get(array.dtype) or array.dtype.name
        offset = self._sizes.get(name, 0)
        self._parts.setdefault(name, []).append(np.ascontiguousarray(array).ravel())
        self._sizes[name] = offset + array.size
        return {"$array": name, "offset": offset, "shape": list(array.shape)}

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self._parts.items()}


def encode_value(value: Any, pool: ArrayPool) -> Any:
    """A JSON-able form of a case value; arrays go into ``pool``."""
    if isinstance(value, np.ndarray):
        return pool.add(value)
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v, pool) for v in value]}
    if isinstance(value, list):
        return [encode_value(v, pool) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode_value(v, pool) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot store a value of type {type(value).__name__} in a release")


def decode_value(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """The inverse of ``encode_value`` (test_public.py carries its own copy)."""
    if isinstance(value, dict):
        if "$array" in value:
            shape = tuple(value["shape"])
            start = value["offset"]
            flat = arrays[value["$array"]][start : start + math.prod(shape)]
            return np.array(flat).reshape(shape)
        if "$tuple" in value:
            return tuple(decode_value(v, arrays) for v in value["$tuple"])
        if "$float" in value:
            return float(value["$float"])
        return {k: decode_value(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v, arrays) for v in value]
    return value


def _encode_case(case: Case, arrays: ArrayPool) -> dict[str, Any]:
    probe = case.probe
    return {
        "case_id": case.case_id, "label": case.label, "points": case.points,
        "answer_type": case.answer_type, "per_element_credit": case.per_element_credit,
        "probe": {"kind": probe.kind, "name": probe.name, "outputs": list(probe.outputs),
                  "inputs": [[name, encode_value(v, arrays)] for name, v in probe.inputs]},
        "expected": encode_value(case.expected, arrays),
        "tolerance": {"rtol": case.tolerance.rtol, "atol": case.tolerance.atol},
        "mistakes": [{"mistake_id": m.mistake_id, "explanation": m.explanation,
                      "value": encode_value(m.value, arrays)} for m in case.mistakes],
    }


def _decode_case(data: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Case:
    probe = data["probe"]
    return Case(
        case_id=data["case_id"], label=data["label"], points=data["points"], public=True,
        answer_type=data["answer_type"], per_element_credit=data["per_element_credit"],
        probe=Probe(kind=probe["kind"], name=probe["name"], outputs=tuple(probe["outputs"]),
                    inputs=tuple((n, decode_value(v, arrays)) for n, v in probe["inputs"])),
        expected=decode_value(data["expected"], arrays), tolerance=Tolerance(**data["tolerance"]),
        mistakes=tuple(ModeledAnswer(m["mistake_id"], m["explanation"],
                                     decode_value(m["value"], arrays)) for m in data["mistakes"]))


# --- public cases -------------------------------------------------------------------

def public_files(variant: AssignmentVariant) -> dict[str, bytes]:
    """``public.json`` and, when there are arrays, ``public.npz``: public cases only."""
    arrays = ArrayPool()
    exercises = []
    for exercise in variant.exercises:
        exercises.append({
            "exercise_id": exercise.exercise_id, "title": exercise.title,
            "kind": exercise.kind, "version": exercise.version, "points": exercise.points,
            "module": exercise.module, "prompt_markdown": exercise.prompt_markdown,
            "stub_source": exercise.stub_source, "hints": list(exercise.hints),
            "cases": [_encode_case(c, arrays) for c in exercise.cases if c.public]})
    document = {"format": FORMAT, "course_id": variant.course_id,
                "assignment_id": variant.assignment_id, "student_id": variant.student_id,
                "title": variant.title, "exercises": exercises}
    files = {"public.json": (json.dumps(document) + "\n").encode("utf-8")}  # C encoder
    packed = arrays.arrays()
    if packed:
        files["public.npz"] = npz_bytes(packed)
    return files


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """An ``.npz`` archive written member by member with ``allow_pickle=False`` (any NumPy)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for key, array in arrays.items():
            with archive.open(f"{key}.npy", "w") as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return buffer.getvalue()


def save_public_cases(variant: AssignmentVariant, path: Path | str) -> None:
    """Write the public cases into ``path/.cnn-grader/`` (``path`` a student's folder)."""
    folder = Path(path) / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in public_files(variant).items():
        (folder / name).write_bytes(content)


def load_public_cases(path: Path | str) -> AssignmentVariant:
    """The variant as released: public cases only.  ``path`` is the student's folder
    (or its ``.cnn-grader`` folder itself)."""
    folder = Path(path)
    if (folder / DATA_DIR / "public.json").is_file():
        folder = folder / DATA_DIR
    try:
        document = json.loads((folder / "public.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SpecError(f"no readable public cases ({error})", where=str(folder)) from None
    arrays: dict[str, np.ndarray] = {}
    if (folder / "public.npz").is_file():
        with np.load(folder / "public.npz", allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    exercises = tuple(
        ExerciseVariant(
            exercise_id=e["exercise_id"], title=e["title"], kind=e["kind"],
            version=e["version"], points=e["points"], module=e["module"],
            prompt_markdown=e["prompt_markdown"], stub_source=e["stub_source"],
            cases=tuple(_decode_case(c, arrays) for c in e["cases"]), hints=tuple(e["hints"]))
        for e in document["exercises"])
    return AssignmentVariant(course_id=document["course_id"],
                             assignment_id=document["assignment_id"],
                             student_id=document["student_id"], title=document["title"],
                             exercises=exercises)


# --- one student's folder, then the whole release ---------------------------------------

def release_record(variant: AssignmentVariant) -> dict[str, Any]:
    return {"format": FORMAT, "generator": f"cnn-grader {__version__}",
            "course_id": variant.course_id, "assignment_id": variant.assignment_id,
            "student_id": variant.student_id,
            "exercises": [{"exercise_id": e.exercise_id, "version": e.version,
                           "module": e.module, "points": e.points} for e in variant.exercises]}


def student_files(variant: AssignmentVariant) -> dict[str, bytes]:
    """Every file of one student's folder, by relative path (pure)."""
    files = {f"{e.module}.py": stub_module(variant, e) for e in variant.exercises}
    files["handout.md"] = handout_markdown(variant)
    files["handout.html"] = handout_html(variant)
    files[f"{variant.assignment_id}.ipynb"] = json.dumps(notebook(variant)) + "\n"  # C encoder
    files["test_public.py"] = public_test_source()
    files[f"{DATA_DIR}/release.json"] = json.dumps(release_record(variant), indent=1) + "\n"
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    encoded.update({f"{DATA_DIR}/{n}": c for n, c in public_files(variant).items()})
    return encoded


def write_release(course: Course, assignment_id: str, students: Iterable[Student],
                  secret: bytes, out_dir: Path | str, *, progress: Progress | None = None,
                  replace: bool = False, workers: int = 1,
                  get_kind: KindLookup = default_kind_lookup) -> Path:
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
    _write_files(folder / student.student_id, student_files(variant))
    return student.student_id


def _map(job: Callable[[Student], str], students: tuple[Student, ...],
         workers: int) -> Iterator[str]:
    """``map(job, students)``, in ``workers`` processes when that is worth it."""
    if workers <= 1 or len(students) < 2 * workers:
        yield from map(job, students)
        return
    # small chunks (each carries the pickled job, ~50 kB) so that no worker is left
    # finishing a long last chunk alone while the others idle
    chunk = max(1, len(students) // (workers * 32))
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        try:
            yield from pool.map(job, students, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


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
