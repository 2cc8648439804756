"""The Gradescope autograder zip, run for real in a simulated ``/autograder`` tree.

The zip is built by the CLI (our wheel included); ``run_autograder`` from the zip
is executed as Gradescope does (a subprocess, its own shebang), with ``--root``
pointing at a temporary tree instead of ``/autograder``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.cli import main
from grader.cli.demo_submissions import mistaken_files, reference_files
from grader.grading.gradescope_run import submitter
from grader.sandbox import FULL_ISOLATION, machine_isolation

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1-sizes-and-counts"
SECRET = "gradescope-test-secret"
STUDENT = "s2026003"

pytestmark = pytest.mark.slow
# As on Gradescope (root in a container) when this machine allows it; else weaker.
ISOLATION = [] if machine_isolation() == FULL_ISOLATION else ["--insecure"]


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    os.environ["CNN_GRADER_SECRET"] = SECRET
    try:
        code = main(["gradescope", "package", "--assignment", ASSIGNMENT,
                     "--course", str(ROOT / "course.yml"), "--out", str(out)])
    finally:
        del os.environ["CNN_GRADER_SECRET"]
    assert code == 0
    return out


@pytest.fixture(scope="module")
def variant():
    course = load_course(ROOT / "course.yml")
    return build_assignment_variant(course, ASSIGNMENT, STUDENT, SECRET.encode())


def _run(zip_path: Path, root: Path, files: dict[str, bytes], users: list[dict]) -> dict:
    """Lay out the tree Gradescope gives, run run_autograder, read results.json."""
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):  # zipfile does not restore modes
        (root / "source" / name).chmod(0o755)
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    metadata = {"users": users, "assignment": {"title": ASSIGNMENT},
                "created_at": "2026-10-01T12:00:00+02:00"}
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("CNN_GRADER_SECRET", None)  # the zip's own secret must be the one used
    done = subprocess.run([str(root / "source" / "run_autograder"), "--root", str(root),
                           *ISOLATION], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def _me(**extra):
    return [{"name": "Clara Lindqvist", "email": "clara.lindqvist@example.org",
             "sid": STUDENT, **extra}]


def test_zip_has_executable_scripts_with_shebangs_at_its_root(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        for name in ("setup.sh", "run_autograder"):
            assert archive.read(name).startswith(b"#!/usr/bin/env bash\n")
            assert (infos[name].external_attr >> 16) & 0o111 == 0o111
        wheels = [n for n in infos if n.startswith("wheels/") and n.endswith(".whl")]
        assert len(wheels) == 1
        setup = archive.read("setup.sh")
        assert b"--no-index" in setup and b"chmod -R go-rwx /autograder/source/course" in setup
        assert archive.read("course/.autograder-secret").strip() == SECRET.encode()
        assert {"course/course.yml", "course/roster.csv"} <= set(infos)


def test_right_submission_gets_full_marks_with_hidden_tests(autograder_zip, variant, tmp_path):
    results = _run(autograder_zip, tmp_path, reference_files(variant), _me())
    tests = results["tests"]
    assert results["score"] == pytest.approx(sum(t["max_score"] for t in tests))
    assert results["score"] == pytest.approx(sum(e.points for e in variant.exercises))
    assert all(t["status"] == "passed" for t in tests)
    hidden = [t for t in tests if t["visibility"] == "after_published"]
    assert len(hidden) == sum(not c.public for e in variant.exercises for c in e.cases) > 0
    assert results["output_format"] == "md" and all(t["output_format"] == "md" for t in tests)
    assert isinstance(results["execution_time"], float)
    assert results["extra_data"]["student_id"] == STUDENT
    if not ISOLATION:
        assert f"isolation: {FULL_ISOLATION}" in results["output"]


def test_mistaken_submission_is_tagged_with_each_mistake(autograder_zip, variant, tmp_path):
    results = _run(autograder_zip, tmp_path, mistaken_files(variant), _me())
    expected_tags = sorted(c.mistakes[0].mistake_id for e in variant.exercises
                           for c in e.cases if c.mistakes)
    assert sorted(tag for t in results["tests"] for tag in t["tags"]) == expected_tags
    assert results["score"] < sum(e.points for e in variant.exercises)
    assert set(results["extra_data"]["mistakes"]) == set(expected_tags)


def test_broken_submission_scores_zero_with_a_reason(autograder_zip, variant, tmp_path):
    broken = {f"{e.module}.py": b"def oops(:\n" for e in variant.exercises}
    results = _run(autograder_zip, tmp_path, broken, _me())
    assert results["score"] == 0 and results["tests"]
    assert all(t["status"] == "failed" for t in results["tests"])
    assert all("SyntaxError" in t["output"] or "syntax" in t["output"].lower()
               for t in results["tests"])


def test_unknown_student_gets_a_result_that_says_so(autograder_zip, variant, tmp_path):
    users = [{"name": "Nobody", "email": "nobody@example.org", "sid": "x999"}]
    results = _run(autograder_zip, tmp_path, reference_files(variant), users)
    assert results["score"] == 0 and results["tests"] == []
    assert "not on the course roster" in results["output"]


def test_a_crash_of_ours_still_leaves_a_result_that_says_so(autograder_zip, variant, tmp_path):
    results = _run(autograder_zip, tmp_path, reference_files(variant), ["not a user record"])
    assert results["score"] == 0 and results["tests"] == []
    assert "autograder itself failed" in results["output"]
    assert "Traceback" in results["extra_data"]["traceback"]


def test_missing_metadata_still_leaves_a_result(autograder_zip, tmp_path):
    (tmp_path / "source").mkdir()
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tmp_path / "source")
    (tmp_path / "source" / "run_autograder").chmod(0o755)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run([str(tmp_path / "source" / "run_autograder"), "--root", str(tmp_path),
                    *ISOLATION], env=env, capture_output=True, timeout=120, check=True)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and "submission_metadata.json" in results["output"]


def test_submitter_is_found_by_sid_else_by_email():
    roster = load_course(ROOT / "course.yml").roster
    assert submitter([{"sid": "s2026002", "email": "other@example.org"}], roster) == "s2026002"
    by_email = [{"sid": "", "email": "Clara.Lindqvist@example.org"}]
    assert submitter(by_email, roster) == "s2026003"


def test_code_is_graded_in_the_sandbox_and_its_bug_is_named(autograder_zip, tmp_path):
    """a3 (NumPy code), packaged with the wheel of the first zip (``--wheel``): the
    reference passes; a conv2d_forward that flips the kernel is tagged kernel_flipped."""
    with zipfile.ZipFile(autograder_zip) as archive:
        name = next(n for n in archive.namelist() if n.startswith("wheels/"))
        wheel = tmp_path / Path(name).name
        wheel.write_bytes(archive.read(name))
    out = tmp_path / "a3.zip"
    os.environ["CNN_GRADER_SECRET"] = SECRET
    try:
        assert main(["gradescope", "package", "--assignment", "a3-implementation", "--course",
                     str(ROOT / "course.yml"), "--wheel", str(wheel), "--out", str(out)]) == 0
    finally:
        del os.environ["CNN_GRADER_SECRET"]
    course = load_course(ROOT / "course.yml")
    code = build_assignment_variant(course, "a3-implementation", STUDENT, SECRET.encode())
    right = _run(out, tmp_path / "right", reference_files(code), _me())
    assert right["score"] == pytest.approx(sum(e.points for e in code.exercises))
    buggy = _run(out, tmp_path / "buggy", mistaken_files(code), _me())
    conv_tags = {tag for t in buggy["tests"] if "convolution" in t["name"].lower()
                 for tag in t["tags"]}
    assert "kernel_flipped" in conv_tags
    assert buggy["score"] < right["score"]


def test_python_that_cannot_start_still_leaves_a_result(autograder_zip, tmp_path):
    """A broken image (here: a python3 that fails at once) must not leave Gradescope
    without results.json."""
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tmp_path / "source")
    (tmp_path / "source" / "run_autograder").chmod(0o755)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text("#!/bin/sh\necho 'ImportError: no grader' >&2\nexit 1\n")
    (fake / "python3").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    subprocess.run([str(tmp_path / "source" / "run_autograder"), "--root", str(tmp_path)],
                   env=env, capture_output=True, timeout=60, check=False)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and "could not start" in results["output"]
