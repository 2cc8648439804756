"""File work of the nbgrader round trip: the course folder, releases and keys.

Layout inside the nbgrader course root (nbgrader's own folders unchanged)::

    nbgrader_config.py                  course id, root, and where keys live
    source/<A>/<A>.ipynb                written by ``export`` (instructor only)
    release/<A>/<A>.ipynb               written by ``nbgrader generate_assignment``
    cnn_grader/release/<student>/<A>/   written by ``release``: what each student gets
    cnn_grader/keys/<A>/<student>.json  written by ``keys``/``release``: instructor only
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from grader.errors import GraderError, SpecError
from grader.model import AssignmentVariant
from grader.nbgrader.kernel import KEYS_ENV, PUBLIC_KEY
from grader.nbgrader.keyfile import write_key
from grader.nbgrader.notebook import source_notebook, student_notebook

VariantFor = Callable[[str], AssignmentVariant]
"""Builds the variant of one student id (the caller closes over course and secret)."""

CONFIG_MARK = "# --- cnn-grader (managed block) ---"
PREVIEW_STUDENT = "preview"


def config_block(course_id: str) -> str:
    """The lines ``export`` adds to ``nbgrader_config.py``."""
    return "\n".join([
        CONFIG_MARK,
        "import os as _os",
        "c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)",
        "c.CourseDirectory.root = _os.path.dirname(_os.path.abspath(__file__))",
        f"c.CourseDirectory.course_id = {course_id!r}",
        "# Autograde kernels inherit this and read each student's answer key from it.",
        f"_os.environ[{KEYS_ENV!r}] = _os.path.join(c.CourseDirectory.root, 'cnn_grader', 'keys')",
        "# --- end of cnn-grader block ---",
        "",
    ])


def write_config(course_dir: Path, course_id: str) -> Path:
    """Create ``nbgrader_config.py``, or append our block to an existing one once."""
    path = course_dir / "nbgrader_config.py"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if CONFIG_MARK in existing:
        return path
    header = "" if existing else "# nbgrader configuration (begun by cnn-grader nbgrader export)\n"
    separator = "\n" if existing and not existing.endswith("\n\n") else ""
    path.write_text(existing + header + separator + config_block(course_id), encoding="utf-8")
    return path


def export_course(*, course_dir: Path, assignment_id: str, variant_for: VariantFor) -> list[Path]:
    """Write (or update) the nbgrader course: config and ``source/<A>/<A>.ipynb``."""
    preview = variant_for(PREVIEW_STUDENT)
    course_dir.mkdir(parents=True, exist_ok=True)
    source = course_dir / "source" / assignment_id / f"{assignment_id}.ipynb"
    source.parent.mkdir(parents=True, exist_ok=True)
    _write_json(source, source_notebook(preview))
    return [write_config(course_dir, preview.course_id), source]


def write_keys(*, course_dir: Path, assignment_id: str, students: Iterable[str],
               variant_for: VariantFor) -> list[Path]:
    """The instructor-only answer key of every student (what autograde checks against)."""
    return [
        write_key(variant_for(student), key_path(course_dir, assignment_id, student))
        for student in _checked(students)
    ]


def release_students(*, course_dir: Path, assignment_id: str, students: Iterable[str],
                     variant_for: VariantFor) -> list[Path]:
    """Each student's notebook (from nbgrader's release copy) with public key, plus keys."""
    release = course_dir / "release" / assignment_id / f"{assignment_id}.ipynb"
    if not release.is_file():
        raise GraderError(f"{release} does not exist; run "
                          f"`nbgrader generate_assignment {assignment_id}` first")
    generic = json.loads(release.read_text(encoding="utf-8"))
    written = []
    for student in _checked(students):
        variant = variant_for(student)
        folder = student_release_dir(course_dir, assignment_id, student)
        notebook = folder / f"{assignment_id}.ipynb"
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(notebook, student_notebook(generic, variant))
        write_key(variant, folder / PUBLIC_KEY, scope="public")
        write_key(variant, key_path(course_dir, assignment_id, student))
        written.append(notebook)
    return written


def key_path(course_dir: Path, assignment_id: str, student_id: str) -> Path:
    return course_dir / "cnn_grader" / "keys" / assignment_id / f"{student_id}.json"


def student_release_dir(course_dir: Path, assignment_id: str, student_id: str) -> Path:
    return course_dir / "cnn_grader" / "release" / student_id / assignment_id


def _checked(students: Iterable[str]) -> list[str]:
    ids = list(students)
    for student in ids:
        if not student or "/" in student or student.startswith(".") or student != student.strip():
            raise SpecError(f"student id {student!r} cannot name a folder")
    return ids


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
