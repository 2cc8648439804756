"""Read a submission into memory: file name -> bytes, never modifying anything.

The only place that opens a student's files on their behalf; everything after it
works on the bytes it returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from grader.errors import SubmissionError

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 64
NOTEBOOK_PREFIX = "notebook:"
OVERSIZED_PREFIX = "oversized:"


def submission_hash(files: Mapping[str, bytes]) -> str:
    """A content hash of a submission, independent of file order and timestamps."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def collect_submission(path: Path) -> dict[str, bytes]:
    """Read a submission folder (or one file) without modifying anything.

    Python modules are taken as they are; a notebook's code cells are turned into
    modules too, stored under ``notebook:<module>.py`` so grading can prefer them
    when the ``.py`` file is still the untouched stub.
    """
    path = submission_root(Path(path))
    if not path.exists():
        raise SubmissionError(f"no submission at {path}")
    candidates = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    files: dict[str, bytes] = {}
    for candidate in candidates[: MAX_FILES * 4]:
        if candidate.suffix not in (".py", ".ipynb") or candidate.name.startswith("test_"):
            continue
        if candidate.stat().st_size > MAX_FILE_BYTES:
            files[OVERSIZED_PREFIX + candidate.name] = b""  # so grading can say why
            continue
        data = candidate.read_bytes()
        if candidate.suffix == ".py":
            files[candidate.name] = data
        else:
            for name, source in _notebook_modules(data).items():
                files[NOTEBOOK_PREFIX + name] = source
    return dict(list(files.items())[:MAX_FILES])


def submission_root(path: Path) -> Path:
    """The folder that holds the work: ``path`` itself, or its only subfolder when
    ``path`` holds no code (nbgrader's ``submitted/<student>/<assignment>/`` layout)."""
    if not path.is_dir() or any(_is_code(p) for p in path.iterdir()):
        return path
    subfolders = [p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return subfolders[0] if len(subfolders) == 1 else path


def _is_code(path: Path) -> bool:
    return path.is_file() and path.suffix in (".py", ".ipynb")


def _notebook_modules(data: bytes) -> dict[str, bytes]:
    from grader.grading.notebook_cells import notebook_to_files

    try:
        return notebook_to_files(data)
    except ValueError:
        return {}
