"""Local batch grading: every folder graded once, idempotent re-runs, read-only inputs."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader.authoring.variant import build_assignment_variant
from grader.errors import SubmissionError
from grader.exports.gradebook import Gradebook, exercise_versions_hash
from grader.grading.batch import (
    assignment_versions_hash,
    grade_batch,
    private_paths,
    student_folders,
)
from grader.grading.collect import collect_submission
from grader.grading.executors.local import LocalExecutor
from grader.grading.grade import grade_submission
from grader.grading.jobs import GradingJob, SubmissionTask, grade_task, open_sandbox
from grader.sandbox import FULL_ISOLATION, Sandbox, machine_isolation

from .conftest import ASSIGNMENT, CLASS, SECRET, snapshot, write_submissions


def _current(gradebook, course):
    with Gradebook(gradebook) as book:
        return {row.student_id: row for row in book.current(course.course_id, ASSIGNMENT)}


def test_every_student_folder_is_graded_exactly_once(graded_locally, course):
    summary, gradebook, _ = graded_locally
    assert (summary.graded, summary.skipped, summary.failures) == (len(CLASS), 0, ())
    rows = _current(gradebook, course)
    assert sorted(rows) == sorted(CLASS)
    with Gradebook(gradebook) as book:
        history = book.history(course.course_id, ASSIGNMENT)
    assert Counter(row.student_id for row in history) == dict.fromkeys(CLASS, 1)


def test_reference_answers_earn_full_marks_and_blank_stubs_earn_nothing(graded_locally, course):
    rows = _current(graded_locally[1], course)
    for student, profile in CLASS.items():
        row = rows[student]
        assert row.max_score > 0
        if profile == "reference":
            assert row.score == row.max_score, student
        if profile in ("blank", "malicious"):
            assert row.score == 0, student
        if profile in ("mistaken", "half-right"):
            assert 0 <= row.score < row.max_score, student


def test_mistaken_submissions_are_counted_in_the_class_analytics(graded_locally, course):
    with Gradebook(graded_locally[1]) as book:
        counts = book.mistake_counts(course.course_id, ASSIGNMENT)
    mistaken = sum(profile == "mistaken" for profile in CLASS.values())
    assert counts, "no modeled mistake was recognised"
    assert max(count.students for count in counts) == mistaken


def test_the_batch_agrees_with_grading_each_submission_alone(graded_locally, course,
                                                              class_submissions):
    rows = _current(graded_locally[1], course)
    with Sandbox() as sandbox:
        for student in CLASS:
            variant = build_assignment_variant(course, ASSIGNMENT, student, SECRET)
            files = collect_submission(class_submissions / student)
            alone = grade_submission(variant=variant, files=files, sandbox=sandbox)
            assert (rows[student].score, rows[student].mistakes) == (
                alone.score, " ".join(alone.mistakes)
            ), student
            assert rows[student].submission_hash == alone.submission_hash


def test_submissions_are_left_exactly_as_they_were(graded_locally, class_submissions):
    assert snapshot(class_submissions) == graded_locally[2]


@pytest.fixture
def small_class(course, tmp_path):
    folder = write_submissions(course, tmp_path / "subs", {"ann": "reference", "ben": "blank"})
    return folder, tmp_path / "gradebook.db"


def _run(course, folder, gradebook, **options):
    return grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=folder,
                       secret=SECRET, gradebook_path=gradebook, workers=1, progress=False,
                       **options)


def test_running_again_skips_unchanged_work_and_regrades_a_changed_submission(course,
                                                                             small_class):
    folder, gradebook = small_class
    assert _run(course, folder, gradebook).graded == 2
    again = _run(course, folder, gradebook)
    assert (again.graded, again.skipped) == (0, 2)
    shutil.rmtree(folder / "ben")
    write_submissions(course, folder, {"ben": "reference"})
    third = _run(course, folder, gradebook)
    assert (third.graded, third.skipped) == (1, 1)
    rows = _current(gradebook, course)
    assert rows["ben"].score == rows["ben"].max_score
    with Gradebook(gradebook) as book:
        history = [row.student_id for row in book.history(course.course_id, ASSIGNMENT)]
    assert Counter(history) == {"ann": 1, "ben": 2}


def test_force_regrades_unchanged_submissions(course, small_class):
    folder, gradebook = small_class
    _run(course, folder, gradebook)
    forced = _run(course, folder, gradebook, force=True)
    assert (forced.graded, forced.skipped) == (2, 0)


def test_a_progress_line_is_drawn_only_when_asked(course, small_class, capsys):
    folder, gradebook = small_class
    _run(course, folder, gradebook)
    assert capsys.readouterr().err == ""
    grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=folder, secret=SECRET,
                gradebook_path=gradebook, workers=1, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_hidden_folders_and_loose_files_are_not_students(tmp_path):
    for name in ("zoe", "amy", ".git"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("not a student")
    assert [p.name for p in student_folders(tmp_path)] == ["amy", "zoe"]


def test_a_missing_submissions_folder_is_named_in_the_error(tmp_path):
    with pytest.raises(SubmissionError, match="nowhere"):
        student_folders(tmp_path / "nowhere")


def test_the_assignment_versions_hash_is_the_one_of_every_variant(course):
    expected = assignment_versions_hash(course, ASSIGNMENT)
    for student in ("ada", "zed"):
        variant = build_assignment_variant(course, ASSIGNMENT, student, SECRET)
        assert exercise_versions_hash(variant) == expected


PEEK = """
for path in {paths!r}:
    try:
        with open(path, "rb") as handle:
            print("read", handle.read(40))
    except OSError as error:
        print("denied", type(error).__name__)
"""


@pytest.fixture
def readable_class(course):
    """Submissions and a gradebook in world-readable folders, so only hiding protects them."""
    # /tmp and /var/tmp are private in the sandbox anyway: use a folder it could see
    places = [p for p in ("/srv", "/opt", "/mnt") if os.access(p, os.W_OK | os.X_OK)]
    if not places:
        pytest.skip("no writable folder outside /tmp to put readable submissions in")
    root = Path(tempfile.mkdtemp(prefix="cnn-grader-batch-test-", dir=places[0]))
    os.chmod(root, 0o755)
    try:
        victim = root / "subs" / "victim"
        victim.mkdir(parents=True)
        (victim / "answer.py").write_text("TOP_SECRET = 'answer of the victim'\n")
        book = root / "book" / "gradebook.db"
        book.parent.mkdir()
        with Gradebook(book):
            pass
        for path in (root / "subs", victim, book.parent, *book.parent.iterdir(),
                     victim / "answer.py"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield root, victim / "answer.py", book
    finally:
        shutil.rmtree(root)


def _peeking_result(course, readable_class, hidden):
    _, victim_file, book = readable_class
    variant = build_assignment_variant(course, ASSIGNMENT, "eve", SECRET)
    module = variant.exercises[0].module
    files = {f"{module}.py": PEEK.format(paths=[str(victim_file), str(book)]).encode()}
    job = GradingJob(course, ASSIGNMENT, SECRET, hidden_paths=hidden)
    with open_sandbox(job) as sandbox:
        outcome = grade_task(job, SubmissionTask("eve", files), sandbox)
    return outcome.result.exercises[0].stdout


def test_student_code_cannot_read_other_submissions_or_the_gradebook(course, readable_class):
    root, _, book = readable_class
    hidden = private_paths(course, root / "subs", book, None)
    stdout = _peeking_result(course, readable_class, hidden)
    assert stdout.count("denied") == 2, stdout
    assert "victim" not in stdout and "SQLite" not in stdout


def test_without_hiding_those_files_would_be_readable(course, readable_class):
    """The control.  Under the full tier a run's view lists what it may see
    (docs/sandbox.md), so these files are not there even unhidden; below it, only
    hiding protects them."""
    stdout = _peeking_result(course, readable_class, hidden=())
    if machine_isolation() == FULL_ISOLATION:
        assert stdout.count("denied FileNotFoundError") == 2, stdout
    else:
        assert "answer of the victim" in stdout and "SQLite format" in stdout


def test_an_executor_with_nothing_to_grade_starts_no_worker(course, monkeypatch):
    def no_processes(method):
        raise AssertionError(f"a {method} worker was about to start")

    monkeypatch.setattr("grader.grading.executors.local.multiprocessing.get_context", no_processes)
    job = GradingJob(course, ASSIGNMENT, SECRET)
    assert list(LocalExecutor(2).outcomes(job, iter(()))) == []


DUE = datetime(2026, 10, 5, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("file_time", "given", "days", "penalty"),
    [
        (DUE - timedelta(hours=1), None, 0, 0.0),  # files written before the deadline
        (DUE + timedelta(hours=1), None, 0, 0.0),  # file times are never trusted
        (DUE + timedelta(days=3), DUE + timedelta(hours=1), 1, 0.25),  # an hour counts as a day
        (DUE - timedelta(hours=1), DUE + timedelta(days=1, hours=1), 2, 0.5),  # given time wins
    ],
)
def test_late_penalties_use_the_given_time_never_the_files_times(
    course, tmp_path, file_time, given, days, penalty
):
    folder = write_submissions(course, tmp_path / "subs", {"ann": "reference"})
    for path in (folder / "ann").iterdir():
        os.utime(path, (file_time.timestamp(), file_time.timestamp()))
    grade_batch(course=course, assignment_id=ASSIGNMENT, submissions_dir=folder, secret=SECRET,
                gradebook_path=tmp_path / "g.db", workers=1, progress=False,
                policy=course.assignment(ASSIGNMENT).late_policy, submitted_at=given)
    (row,) = _current(tmp_path / "g.db", course).values()
    assert (row.late_days, row.late_penalty) == (days, penalty)
    assert row.score == pytest.approx(row.max_score * (1 - penalty))
