"""The public cases of a release: written by ``generate``, read by ``check``.

Besides the public cases, each exercise carries its practice instance (when it has
one: released whole, expected values and mistake values included) and the form of
every hidden answer (``answer_forms``), never a hidden value.

Kept apart from ``release.py`` so that ``cnn-grader check``, which students run at
every save, imports only NumPy and the model, not the authoring stack (YAML,
Jinja2, the exercise kinds).  Arrays go into ``public.npz`` without pickle; the
JSON refers to slices of one flat array per dtype.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.authoring.answer_forms import decode_forms, encode_forms
from grader.authoring.exercise_limits import limits_from_json
from grader.authoring.release_files import read_plain
from grader.errors import SpecError
from grader.model import (
    AssignmentVariant,
    Case,
    ExerciseVariant,
    ModeledAnswer,
    Practice,
    Probe,
    Tolerance,
)

DATA_DIR = ".cnn-grader"
FORMAT = 1
# ``dtype.name`` is computed in Python on every access; these are nearly all arrays
_COMMON_DTYPE_NAMES = MappingProxyType(
    {np.dtype(t): np.dtype(t).name for t in (np.float64, np.int64, np.bool_)}
)


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
        "case_id": case.case_id,
        "label": case.label,
        "points": case.points,
        "answer_type": case.answer_type,
        "per_element_credit": case.per_element_credit,
        "probe": {
            "kind": probe.kind,
            "name": probe.name,
            "outputs": list(probe.outputs),
            "inputs": [[name, encode_value(v, arrays)] for name, v in probe.inputs],
        },
        "expected": encode_value(case.expected, arrays),
        "tolerance": {"rtol": case.tolerance.rtol, "atol": case.tolerance.atol},
        "mistakes": [
            {
                "mistake_id": m.mistake_id,
                "explanation": m.explanation,
                "value": encode_value(m.value, arrays),
            }
            for m in case.mistakes
        ],
    }


def _decode_case(data: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Case:
    probe = data["probe"]
    return Case(
        case_id=data["case_id"],
        label=data["label"],
        points=data["points"],
        public=True,
        answer_type=data["answer_type"],
        per_element_credit=data["per_element_credit"],
        probe=Probe(
            kind=probe["kind"],
            name=probe["name"],
            outputs=tuple(probe["outputs"]),
            inputs=tuple((n, decode_value(v, arrays)) for n, v in probe["inputs"]),
        ),
        expected=decode_value(data["expected"], arrays),
        tolerance=Tolerance(**data["tolerance"]),
        mistakes=tuple(
            ModeledAnswer(m["mistake_id"], m["explanation"], decode_value(m["value"], arrays))
            for m in data["mistakes"]
        ),
    )


# --- public cases -------------------------------------------------------------------


def public_files(variant: AssignmentVariant) -> dict[str, bytes]:
    """``public.json`` and, when there are arrays, ``public.npz``: public cases only."""
    arrays = ArrayPool()
    exercises = []
    for exercise in variant.exercises:
        exercises.append(
            {
                "exercise_id": exercise.exercise_id,
                "title": exercise.title,
                "kind": exercise.kind,
                "version": exercise.version,
                "points": exercise.points,
                "module": exercise.module,
                "prompt_markdown": exercise.prompt_markdown,
                "stub_source": exercise.stub_source,
                "hints": list(exercise.hints),
                "cases": [_encode_case(c, arrays) for c in exercise.cases if c.public],
                "practice": _encode_practice(exercise.practice, arrays),
                "forms": encode_forms(exercise.cases),
                **({"limits": dict(exercise.limits)} if exercise.limits else {}),
            }
        )
    document = {
        "format": FORMAT,
        "course_id": variant.course_id,
        "assignment_id": variant.assignment_id,
        "student_id": variant.student_id,
        "title": variant.title,
        "exercises": exercises,
    }
    files = {"public.json": (json.dumps(document) + "\n").encode("utf-8")}  # C encoder
    packed = arrays.arrays()
    if packed:
        files["public.npz"] = npz_bytes(packed)
    return files


def _encode_practice(practice: Practice | None, arrays: ArrayPool) -> dict[str, Any] | None:
    if practice is None:
        return None
    return {"prompt_markdown": practice.prompt_markdown,
            "cases": [_encode_case(case, arrays) for case in practice.cases]}


def _decode_practice(data: Mapping[str, Any] | None,
                     arrays: Mapping[str, np.ndarray]) -> Practice | None:
    if not data:
        return None
    return Practice(prompt_markdown=data["prompt_markdown"],
                    cases=tuple(_decode_case(c, arrays) for c in data["cases"]))


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """An ``.npz`` archive written member by member with ``allow_pickle=False`` (any NumPy).

    ``zipfile`` is imported here, at release time: ``check`` only reads archives, through
    ``np.load``, and importing it at module level cost every check ~7 ms."""
    import zipfile

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
    """The variant as released: public cases, then the forms of the hidden answers
    (cases whose ``expected`` is an ``AnswerForm``), and each practice instance.

    ``path`` is the student's folder (or its ``.cnn-grader`` folder itself).
    """
    folder = Path(path)
    if folder.name != DATA_DIR:
        folder = folder / DATA_DIR
    document_path = folder / "public.json"
    try:
        document = json.loads(read_plain(document_path).decode("utf-8"))
    except FileNotFoundError:
        raise SpecError(
            f"no readable public cases: there is no file {document_path.absolute()} "
            "(not an assignment folder?); run `cnn-grader check` inside your assignment "
            "folder (the one holding handout.md), or give that folder: "
            "`cnn-grader check FOLDER`") from None
    except (OSError, ValueError) as error:
        raise SpecError(f"cannot read the public cases ({error.__class__.__name__}: {error})",
                        where=str(document_path)) from None
    arrays: dict[str, np.ndarray] = {}
    if (folder / "public.npz").exists():
        try:
            data = io.BytesIO(read_plain(folder / "public.npz"))
            with np.load(data, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (OSError, ValueError) as error:
            raise SpecError(f"cannot read the public arrays ({error.__class__.__name__}: "
                            f"{error})", where=str(folder / "public.npz")) from None
    exercises = tuple(_decode_exercise(e, arrays) for e in document["exercises"])
    return AssignmentVariant(
        course_id=document["course_id"],
        assignment_id=document["assignment_id"],
        student_id=document["student_id"],
        title=document["title"],
        exercises=exercises,
    )


def _decode_exercise(e: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> ExerciseVariant:
    cases = tuple(_decode_case(c, arrays) for c in e["cases"])
    return ExerciseVariant(
        exercise_id=e["exercise_id"],
        title=e["title"],
        kind=e["kind"],
        version=e["version"],
        points=e["points"],
        module=e["module"],
        prompt_markdown=e["prompt_markdown"],
        stub_source=e["stub_source"],
        cases=cases + decode_forms(e.get("forms", [])),  # releases before forms had none
        hints=tuple(e["hints"]),
        practice=_decode_practice(e.get("practice"), arrays),
        limits=limits_from_json(e.get("limits"), f"public.json: {e['exercise_id']}"),
    )
