"""Students' variants kept on disk, so grading does not rebuild them from the secret.

Building a variant samples parameters and runs the reference and every modeled
mistake on every case (milliseconds per student); reading it back is cheaper.
``cached_assignment_variant`` returns exactly what ``build_assignment_variant``
returns (same types, dtypes and bytes), from the store when it holds it.

* Content-addressed: a variant's key is HMAC-SHA256(secret, everything it depends
  on): course, assignment, student, each exercise's id, version (a hash of its YAML)
  and points, and a fingerprint of the code that builds variants (``grader/authoring``
  and ``solutions``).  Any change gives a new key, so a stale entry is never read;
  without the secret nobody can tell whose entry a file is.
* Tamper-evident: each file starts with an HMAC of the rest; a file that does not
  match, or cannot be read, is rebuilt and rewritten.
* No pickle: one ``.npz`` archive (``allow_pickle=False``) holding the variant as JSON
  (zlib-compressed: 10-95 KB a student for the demo course) and its arrays packed per
  dtype; a value the format cannot hold exactly is simply not stored.
* Kept in the gradebook's folder (the batch's choice), which no sandbox child sees.
  Written atomically (a temporary file, then a rename), so concurrent workers are safe.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import os
import zlib
from pathlib import Path

import numpy as np

from grader.authoring.course import Course
from grader.authoring.public_cases import ArrayPool, npz_bytes
from grader.authoring.spec import KindLookup, default_kind_lookup
from grader.authoring.variant import build_assignment_variant
from grader.authoring.variant_codec import decode_variant, encode_variant
from grader.model import AssignmentVariant

FORMAT = "cnn-grader-variant/1"
MAC_BYTES = 32
REPO = Path(__file__).resolve().parents[2]
# Whatever code shapes a variant: a change here gives every variant a new key.
CODE_FOLDERS = (REPO / "grader" / "authoring", REPO / "solutions")


def cached_assignment_variant(course: Course, assignment_id: str, student_id: str,
                              secret: bytes, *, folder: Path | None,
                              get_kind: KindLookup = default_kind_lookup,
                              practice: bool = True, write: bool = True
                              ) -> AssignmentVariant:
    """``build_assignment_variant``, read from ``folder`` when it holds this variant
    and, with ``write``, written there otherwise (``folder=None``: always built,
    nothing stored).

    ``practice=False`` gives the variant without its practice instances (see
    ``without_practice``) and without prompts (``build_assignment_variant``): what
    grading a ``.py`` submission needs, for half the building; it is stored under
    its own key, never mistaken for the full one.
    """
    lookup = get_kind if practice else without_practice(get_kind)
    if folder is None:
        return build_assignment_variant(course, assignment_id, student_id, secret,
                                        get_kind=lookup, prompts=practice)
    key = variant_key(course, assignment_id, student_id, secret, practice=practice)
    path = entry_path(folder, key)
    stored = read_entry(path, secret)
    if stored is not None:
        return stored
    variant = build_assignment_variant(course, assignment_id, student_id, secret,
                                       get_kind=lookup, prompts=practice)
    if write:
        write_entry(path, variant, secret)
    return variant


class _NoPractice:
    """A kind as ``build_exercise_variant`` sees it, minus ``practice_module``: the
    graded draw never depends on the practice draw (a child stream of its own), so
    cases, parameters, title and module are the full variant's; only ``practice``,
    ``stub_source`` and ``solution_source`` differ, and the lean variant's prompts are
    not rendered (tests/speed check this)."""

    def __init__(self, kind: object) -> None:
        self._kind = kind

    def __getattr__(self, name: str) -> object:
        if name == "practice_module":
            raise AttributeError(name)
        return getattr(self._kind, name)


def without_practice(get_kind: KindLookup) -> KindLookup:
    """``get_kind`` whose kinds offer no practice instance."""
    return lambda name: _NoPractice(get_kind(name))


def variant_key(course: Course, assignment_id: str, student_id: str, secret: bytes,
                *, practice: bool = True) -> str:
    """The store's name for this student's variant (hex HMAC of its inputs)."""
    assignment = course.assignment(assignment_id)
    inputs = {
        "format": FORMAT, "code": code_fingerprint(), "course": course.course_id,
        "assignment": assignment_id, "title": assignment.title, "student": student_id,
        "exercises": [[item.exercise_id, course.exercises[item.exercise_id].version,
                       repr(float(item.points))] for item in assignment.exercises],
    }
    if not practice:  # the full variant keeps the key it always had
        inputs["practice"] = False
    payload = json.dumps(inputs, sort_keys=True).encode("utf-8")
    return hmac.new(secret, b"variant-key\0" + payload, hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the sources (``.py``, templates) that build variants; read once."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode("utf-8") + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def entry_path(folder: Path, key: str) -> Path:
    return Path(folder) / key[:2] / f"{key}.npz"


def entry_bytes(variant: AssignmentVariant, secret: bytes) -> bytes | None:
    """The file for ``variant``: MAC, then an ``.npz`` of the JSON and the arrays
    (None when some value cannot be stored exactly)."""
    pool = ArrayPool()
    try:
        document = encode_variant(variant, pool)
    except TypeError:
        return None
    text = zlib.compress(json.dumps(document).encode("utf-8"), 1)  # prompts, sources: 7x
    members = {"variant": np.frombuffer(text, np.uint8)}
    members.update({f"array_{name}": array for name, array in pool.arrays().items()})
    body = npz_bytes(members)
    return _mac(secret, body) + body


def read_entry(path: Path, secret: bytes) -> AssignmentVariant | None:
    """The stored variant, or None when absent, unreadable or not written with this secret."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    mac, body = data[:MAC_BYTES], data[MAC_BYTES:]
    if len(mac) != MAC_BYTES or not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as archive:
            members = {name: archive[name] for name in archive.files}
        document = json.loads(zlib.decompress(members.pop("variant").tobytes()))
        arrays = {name.removeprefix("array_"): array for name, array in members.items()}
        return decode_variant(document, arrays)
    except (ValueError, KeyError, TypeError, OSError, zlib.error):
        return None


def write_entry(path: Path, variant: AssignmentVariant, secret: bytes) -> bool:
    """Store ``variant`` at ``path`` atomically; False when it cannot be stored."""
    data = entry_bytes(variant, secret)
    if data is None:
        return False
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, b"variant-entry\0" + body, hashlib.sha256).digest()
