"""Reading the course secret, and writing a new one to the untracked secret file.

``read_secret`` fetches the secret from where ``course.yml`` says (the environment
variable, else the file) and refuses one too weak to keep variants unknown.

Written with mode 0600 from the start (never readable by others, not even for a
moment), next to ``course.yml`` where ``read_secret`` looks; an existing file is
replaced only when asked, since every released variant depends on it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from grader.authoring.fingerprint import check_secret_strength, new_secret
from grader.errors import SpecError


@dataclass(frozen=True)
class SecretSource:
    """Where the course secret comes from; checked in this order."""

    env: str | None
    file: Path | None


class HasSecret(Protocol):
    """A course, as far as its secret goes (the course module imports this one)."""

    secret: SecretSource
    source: str


def read_secret(course: HasSecret, *, environ: Mapping[str, str] | None = None) -> bytes:
    """The course secret from the environment variable, else the file; never logged.
    A secret under 128 bits is refused (see ``fingerprint.check_secret_strength``)."""
    environ = os.environ if environ is None else environ
    source = course.secret
    if source.env and environ.get(source.env, "").strip():
        secret = environ[source.env].strip()
        check_secret_strength(secret, where=f"environment variable {source.env}")
        return secret.encode("utf-8")
    if source.file and source.file.is_file():
        secret = source.file.read_text(encoding="utf-8").strip()
        if secret:
            check_secret_strength(secret, where=str(source.file))
            return secret.encode("utf-8")
    places = [f"environment variable {source.env}"] if source.env else []
    places += [f"file {source.file}"] if source.file else []
    raise SpecError(f"no course secret found (looked in {' and '.join(places) or 'nowhere'}); "
                    "set it before generating or grading")


def write_new_secret(course: HasSecret, *, replace: bool = False) -> Path:
    """Write a fresh secret to the secret file ``course`` names; returns the path."""
    path = course.secret.file
    if path is None:
        raise SpecError("course.yml names no secret file; add `secret: {file: .course-secret}` "
                        "(and keep .course-secret out of git)", where=course.source)
    if path.is_symlink() or (path.exists() and not replace):
        raise SpecError("already exists; pass --force to replace it (every released variant "
                        "depends on the current secret)", where=str(path))
    if _tracked_by_git(path):
        raise SpecError("is tracked by git; remove it from the repository first "
                        "(git rm --cached) and add it to .gitignore", where=str(path))
    temporary = path.with_name(f".{path.name}.new")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(new_secret() + "\n")
    os.replace(temporary, path)
    return path


def _tracked_by_git(path: Path) -> bool:
    """Whether git tracks ``path`` (False when git or a repository is absent)."""
    try:
        done = subprocess.run(["git", "ls-files", "--error-unmatch", path.name],
                              cwd=path.parent, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
