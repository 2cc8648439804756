"""Writing a new course secret to the course's untracked secret file.

Written with mode 0600 from the start (never readable by others, not even for a
moment), next to ``course.yml`` where ``read_secret`` looks; an existing file is
replaced only when asked, since every released variant depends on it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from grader.authoring.course import load_course
from grader.authoring.fingerprint import new_secret
from grader.errors import SpecError


def write_new_secret(*, course_file: Path, replace: bool = False) -> Path:
    """Write a fresh secret to the secret file ``course_file`` names; returns the path.

    Only the ``secret:`` entry is read (a full ``load_course`` would read the old,
    perhaps weak, secret's consumers too; it needs no secret, but stays cheap)."""
    course = load_course(course_file)
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
