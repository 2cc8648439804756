"""`cnn-grader demo`, the README's main command, works from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.exports.gradebook import Gradebook

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    env = {k: v for k, v in os.environ.items() if k != "CNN_GRADER_SECRET"}
    done = subprocess.run(
        [sys.executable, "-m", "grader", "demo", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return out, done


def test_the_demo_exits_zero_and_prints_gradebooks_and_feedback(demo_run):
    _, done = demo_run
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Gradebook of ") == 4
    assert "# Feedback:" in done.stdout
    assert "This matches a common mistake" in done.stdout


def test_the_demo_gradebook_ranks_the_submissions_as_expected(demo_run):
    out, _ = demo_run
    with Gradebook(out / "gradebook.db") as book:
        for assignment in ("a1-sizes-and-counts", "a2-by-hand", "a3-implementation",
                           "a4-tinycnn"):
            rows = {r.student_id: r for r in book.current("cnn-2026", assignment)}
            reference, blank, mistaken, half, malicious, notebook = (
                rows[f"s202600{i}"] for i in range(1, 7)
            )
            assert reference.score == reference.max_score
            assert notebook.score == notebook.max_score
            assert blank.score == 0 and malicious.score == 0
            assert 0 < half.score < half.max_score and half.late_days == 1
            assert mistaken.score < mistaken.max_score and mistaken.mistakes
            assert not any(r.grader_error for r in rows.values())


def test_a_second_demo_into_a_foreign_folder_is_refused(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "demo", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_the_demo_explains_lateness_the_sandbox_and_the_isolation(demo_run):
    _, done = demo_run
    late = [line for line in done.stdout.splitlines() if line.strip().startswith("late: ")]
    assert len(late) == 4 and all("s2026004" in line and "times file" in line for line in late)
    sandbox = [line for line in done.stdout.splitlines() if line.strip().startswith("sandbox: ")]
    assert len(sandbox) == 4 and all("s2026005" in line for line in sandbox)
    assert "Graded under isolation " in done.stdout and "each run gets" in done.stdout


def test_submission_times_come_from_an_instructor_times_file_not_the_submissions(demo_run):
    out, _ = demo_run
    submissions = out / "submissions" / "a1-sizes-and-counts"
    assert not list(submissions.rglob("timestamp.txt"))
    rows = (submissions.parent / "a1-sizes-and-counts.times.csv").read_text().splitlines()
    assert rows[0] == "Student ID,Submitted at" and len(rows) == 7


def test_the_demo_makes_a_strong_secret_of_its_own_readable_only_by_its_owner(demo_run):
    out, done = demo_run
    secret = out / ".demo-secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_text().strip()) >= 43  # 256 random bits, URL-safe base64
    assert str(secret) in done.stdout


def test_the_demo_ends_by_writing_one_class_report_per_assignment(demo_run):
    out, done = demo_run
    for assignment in ("a1-sizes-and-counts", "a2-by-hand", "a3-implementation", "a4-tinycnn"):
        report = out / f"report-{assignment}.html"
        assert f"Class report (open in a browser): {report}" in done.stdout
        assert "<svg" in report.read_text(encoding="utf-8")  # plots inline (matplotlib)
