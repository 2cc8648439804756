"""The Gradescope autograder zip: ``setup.sh`` and ``run_autograder`` at its root.

Gradescope unpacks the zip to ``/autograder/source``, runs ``setup.sh`` once when
it builds the image and ``run_autograder`` for every submission.  What fails in
practice, and how this layout avoids it: scripts inside a folder (they are at the
root), a missing shebang or execute bit (both set), a package fetched at grading
time (our wheel travels in the zip and installs with ``--no-index``; only its
public dependencies come from PyPI, at setup time, by exact name), and a crash
that leaves no results.json (``run_autograder`` writes one whatever happens).
The course files and the secret travel in ``course/``: Gradescope never shows
the autograder source to students, and our sandbox hides it from their code.
"""

from __future__ import annotations

import io
import shlex
import zipfile
from collections.abc import Mapping, Sequence

EXECUTABLE = 0o100755 << 16  # regular file, rwxr-xr-x, in a zip entry's external attributes
REGULAR = 0o100644 << 16
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same inputs give the same bytes


VENV = "/autograder/venv"
SECRET_FILE = "course/.autograder-secret"


def setup_script(wheel_name: str, requirements: Sequence[str]) -> str:
    """``setup.sh``: a virtual environment, its dependencies, then our wheel offline.

    A venv, because Ubuntu 24.04 (Python 3.12, the base image to choose) refuses
    ``pip install`` into the system Python.
    """
    wanted = " ".join(shlex.quote(r) for r in requirements)
    install = f"{VENV}/bin/pip install -q --no-cache-dir {wanted}\n" if requirements else ""
    return (
        "#!/usr/bin/env bash\n"
        "# Run once by Gradescope when it builds the autograder image.\n"
        "set -euo pipefail\n"
        "cd /autograder/source\n"
        "apt-get update -q && apt-get install -y -q python3 python3-venv python3-pip\n"
        f"python3 -m venv {VENV}\n"
        f"{install}"
        f"{VENV}/bin/pip install -q --no-cache-dir --no-index --no-deps "
        f"wheels/{shlex.quote(wheel_name)}\n"
        f"{VENV}/bin/python -c 'import grader, solutions'\n"
        "# the course and its secret: root only (student code runs as another uid)\n"
        "chmod -R go-rwx /autograder/source/course\n"
    )


FALLBACK_RESULT = ('{"score": 0, "output_format": "md", "tests": [], "output": '
                   '"**Not graded:** the autograder could not start (not your fault); '
                   'your instructor can see its log."}')


def run_script(assignment_id: str) -> str:
    """``run_autograder``: grade one submission.  Extra arguments (``--root DIR``,
    ``--insecure``) are for tests; they come after the defaults, so they win.

    Should Python itself not start (a broken image), the script still leaves a
    results.json that says so: a missing file is the one failure Gradescope
    cannot explain to the student.
    """
    return (
        "#!/usr/bin/env bash\n"
        "# Run by Gradescope for every submission; always leaves results/results.json.\n"
        f"PYTHON={VENV}/bin/python\n"
        "[ -x \"$PYTHON\" ] || PYTHON=python3\n"
        "root=/autograder previous=\n"
        "for argument in \"$@\"; do\n"
        "  [ \"$previous\" = --root ] && root=$argument\n"
        "  previous=$argument\n"
        "done\n"
        "rm -f \"$root/results/results.json\"\n"
        "\"$PYTHON\" -m grader gradescope run --root /autograder "
        f"--assignment {shlex.quote(assignment_id)} \"$@\"\n"
        "if [ ! -s \"$root/results/results.json\" ]; then\n"
        "  mkdir -p \"$root/results\"\n"
        f"  printf '%s\\n' {shlex.quote(FALLBACK_RESULT)} > \"$root/results/results.json\"\n"
        "fi\n"
    )


def autograder_zip(*, assignment_id: str, wheel_name: str, wheel: bytes,
                   requirements: Sequence[str], course_files: Mapping[str, bytes],
                   secret: bytes) -> bytes:
    """The zip's bytes; ``course_files`` maps paths under ``course/`` to contents."""
    if any(name.startswith(("/", "..")) or "/../" in name for name in course_files):
        raise ValueError("course file names must be relative paths inside the course")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", setup_script(wheel_name, requirements).encode(), EXECUTABLE)
        _add(archive, "run_autograder", run_script(assignment_id).encode(), EXECUTABLE)
        _add(archive, f"wheels/{wheel_name}", wheel, REGULAR)
        for name in sorted(course_files):
            _add(archive, f"course/{name}", course_files[name], REGULAR)
        _add(archive, SECRET_FILE, secret + b"\n", 0o100600 << 16)
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = mode
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
