"""Grading end to end: real variants, the real sandbox, real outputs."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest

from grader.authoring.course import read_secret
from grader.authoring.release import write_release
from grader.authoring.variant import build_assignment_variant
from grader.cli import demo_submissions, main
from grader.exports.gradebook import Gradebook
from grader.grading.collect import collect_submission
from grader.grading.grade import grade_submission
from grader.grading.pipeline import grade_one
from grader.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def variant_for(course, student="ada"):
    return build_assignment_variant(course, "hw", student, read_secret(course))


def grade_files(course, files, sandbox, student="ada"):
    return grade_submission(variant=variant_for(course, student), files=files, sandbox=sandbox)


def test_the_reference_solution_earns_full_marks_for_every_student(course, sandbox):
    for student in ("ada", "bob", "cy"):
        variant = variant_for(course, student)
        result = grade_files(course, demo_submissions.reference_files(variant), sandbox, student)
        failing = [c.message for e in result.exercises for c in e.checks if c.status != "passed"]
        assert failing == []
        assert result.score == result.max_score > 0


def test_the_blank_stub_scores_zero_without_grader_errors(course, sandbox):
    result = grade_files(course, demo_submissions.blank_files(variant_for(course)), sandbox)
    assert result.score == 0
    assert not result.grader_error


def test_modeled_mistakes_are_named_in_the_result(course, sandbox):
    result = grade_files(course, demo_submissions.mistaken_files(variant_for(course)), sandbox)
    assert 0 < result.score < result.max_score
    # the demo's buggy conv2d_forward flips the kernel; its maxpool_backward routes to the min
    assert {"kernel_flipped", "maxpool_grad_to_min"} <= set(result.mistakes)


def test_a_classmates_answers_do_not_pass_my_variant(course, sandbox):
    bobs_answers = demo_submissions.reference_files(variant_for(course, "bob"))
    result = grade_files(course, bobs_answers, sandbox, student="ada")
    by_hand = [e for e in result.exercises if e.exercise_id == "conv-output-size"]
    assert by_hand[0].score < by_hand[0].max_score


def test_a_malicious_submission_scores_zero_and_grading_goes_on(course, sandbox):
    result = grade_files(course, demo_submissions.malicious_files(variant_for(course)), sandbox)
    assert result.score == 0
    assert not result.grader_error
    again = grade_files(course, demo_submissions.reference_files(variant_for(course)), sandbox)
    assert again.score == again.max_score


def test_one_broken_exercise_does_not_cost_the_others(course, sandbox):
    variant = variant_for(course)
    files = demo_submissions.reference_files(variant)
    files["impl_conv2d_forward.py"] = b"def conv2d_forward(:\n"
    result = grade_files(course, files, sandbox)
    scores = {e.exercise_id: (e.score, e.max_score) for e in result.exercises}
    assert scores["impl-conv2d-forward"][0] == 0
    assert all(s == m for ex, (s, m) in scores.items() if ex != "impl-conv2d-forward")


def test_grade_one_writes_gradescope_junit_feedback_and_the_gradebook(course, tmp_path):
    submission = tmp_path / "sub"
    submission.mkdir()
    for name, data in demo_submissions.reference_files(variant_for(course, "bob")).items():
        (submission / name).write_bytes(data)
    (submission / "timestamp.txt").write_text("2026-03-02T10:00:00+00:00")
    before = {p: p.read_bytes() for p in submission.iterdir()}
    result = grade_one(
        course=course,
        assignment_id="hw",
        student_id="bob",
        submission=submission,
        out_dir=tmp_path / "out",
        gradebook_path=tmp_path / "gb.db",
        insecure=True,
        submitted_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),  # a timestamp.txt is not trusted
    )
    folder = tmp_path / "out" / "hw" / "bob"
    assert json.loads((folder / "results.json").read_text())["score"] == result.score
    assert (folder / "junit.xml").read_text().startswith("<?xml")
    assert "Score:" in (folder / "feedback.md").read_text()
    assert result.late_days == 1 and result.score == pytest.approx(0.9 * result.max_score)
    with Gradebook(tmp_path / "gb.db") as book:
        assert [r.student_id for r in book.current("test-course", "hw")] == ["bob"]
    assert {p: p.read_bytes() for p in submission.iterdir()} == before


def test_check_in_a_release_folder_fails_on_the_stub_and_passes_when_solved(course, tmp_path):
    secret = read_secret(course)
    release = write_release(course, "hw", course.roster[:1], secret, tmp_path)
    folder = release / "ada"
    assert main(["check", str(folder)]) == 1
    for name, data in demo_submissions.reference_files(variant_for(course)).items():
        (folder / name).write_bytes(data)
    assert main(["check", str(folder)]) == 0


def test_a_notebook_answer_is_preferred_over_an_untouched_stub(course, tmp_path, sandbox):
    secret = read_secret(course)
    release = write_release(course, "hw", course.roster[:1], secret, tmp_path) / "ada"
    notebook = json.loads((release / "hw.ipynb").read_text())
    answers = demo_submissions.reference_files(variant_for(course))
    for cell in notebook["cells"]:
        module = cell.get("metadata", {}).get("cnn_grader", {}).get("module")
        if module:
            cell["source"] = answers[f"{module}.py"].decode()
    (release / "hw.ipynb").write_text(json.dumps(notebook))
    result = grade_files(course, collect_submission(release), sandbox)
    assert result.score == result.max_score


def test_grade_refuses_a_missing_submission_folder(course, tmp_path, capsys):
    code = main(
        [
            "grade",
            "--course",
            str(course.source),
            "--assignment",
            "hw",
            "--student",
            "ada",
            "--submission",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "no submission" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root")
def test_results_record_the_full_isolation_tier_as_root(course, tmp_path):
    submission = tmp_path / "s"
    submission.mkdir()
    (submission / "conv_output_size.py").write_text("OUTPUT_SIZE = 1\n")
    result = grade_one(
        course=course,
        assignment_id="hw",
        student_id="ada",
        submission=submission,
        out_dir=tmp_path,
        gradebook_path=None,
        submitted_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert "uid" in result.isolation and "netns" in result.isolation


def test_nbgrader_style_folders_are_read_one_level_down(course, sandbox, tmp_path):
    inner = tmp_path / "ada" / "hw"
    inner.mkdir(parents=True)
    for name, data in demo_submissions.reference_files(variant_for(course)).items():
        (inner / name).write_bytes(data)
    (inner / "timestamp.txt").write_text("2026-03-05T00:00:00+00:00")
    files = collect_submission(tmp_path / "ada")
    assert grade_files(course, files, sandbox).score > 0
    from grader.grading.times import SubmissionTimes

    assert SubmissionTimes().time_for("ada", tmp_path / "ada") is None  # not trusted by default
    trusted = SubmissionTimes(trust_nbgrader=True).time_for("ada", tmp_path / "ada")
    assert trusted is not None and trusted.day == 5


def test_an_oversized_module_is_reported_as_such_not_as_missing(course, sandbox, tmp_path):
    for name, data in demo_submissions.reference_files(variant_for(course)).items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "conv_output_size.py").write_bytes(b"#" * (3 * 2**20))
    result = grade_files(course, collect_submission(tmp_path), sandbox)
    messages = [
        c.message for e in result.exercises if e.exercise_id == "conv-output-size" for c in e.checks
    ]
    assert messages and all("larger than 2 MiB" in m for m in messages)
    others = [e for e in result.exercises if e.exercise_id != "conv-output-size"]
    assert all(e.score == e.max_score for e in others)
