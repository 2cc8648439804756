"""Run the real nbgrader command line of this virtualenv in a course folder."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def nbgrader_available() -> bool:
    return (BIN / "nbgrader").exists()


def require_python3_kernel() -> None:
    """nbgrader autograde starts the ``python3`` kernel; ipykernel installs it in the venv."""
    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    assert spec.exists(), f"no python3 kernel at {spec}: `pip install ipykernel` in this venv"


def run_nbgrader(course_dir: Path, *args: str, timeout: float = 300
                 ) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in ``course_dir`` with this virtualenv first on PATH.

    Jupyter's user folders point into the test's temporary folder, so a kernel or an
    ``nbgrader_config.py`` in the home folder cannot change what is tested; the
    ``python3`` kernel is then the virtualenv's own (installed by ipykernel).
    """
    private = course_dir.parent / "jupyter-home"
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(private / "config"), JUPYTER_DATA_DIR=str(private / "data"))
    env.pop("NBGRADER_EXECUTION", None)
    env.pop("JUPYTER_PATH", None)
    command = [str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course_dir}"]
    return subprocess.run(command, cwd=course_dir, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def nbgrader(course_dir: Path, *args: str, timeout: float = 300) -> str:
    """``nbgrader ARGS`` in ``course_dir``; fails the test with nbgrader's log on error."""
    done = run_nbgrader(course_dir, *args, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({done.returncode}):\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return done.stdout + done.stderr


def exported_scores(course_dir: Path, assignment_id: str) -> dict[str, tuple[float, float]]:
    """``student -> (score, max_score)`` from ``nbgrader export`` (CSV)."""
    path = course_dir / "grades.csv"
    nbgrader(course_dir, "export", f"--to={path}")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["assignment"] == assignment_id]
    return {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows}
