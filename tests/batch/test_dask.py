"""The Dask executor grades the class exactly like the local executor."""

from __future__ import annotations

import functools

import pytest

from grader.errors import GraderError
from grader.exports.gradebook import Gradebook
from grader.grading.batch import grade_batch
from grader.grading.executors.dask import DaskExecutor
from grader.grading.jobs import SubmissionTask

from .conftest import ASSIGNMENT, CLASS, SECRET

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local_cluster:
        yield local_cluster


def _rows(gradebook, course):
    with Gradebook(gradebook) as book:
        return {
            row.student_id: (row.score, row.max_score, row.mistakes, row.submission_hash,
                             row.versions_hash)
            for row in book.current(course.course_id, ASSIGNMENT)
        }


@pytest.mark.slow
def test_a_dask_cluster_gives_the_local_executor_results_score_for_score(
    cluster, graded_locally, course, class_submissions, tmp_path
):
    gradebook = tmp_path / "dask.db"
    summary = grade_batch(
        course=course, assignment_id=ASSIGNMENT, submissions_dir=class_submissions,
        secret=SECRET, gradebook_path=gradebook, scheduler=cluster.scheduler_address,
        progress=False,
    )
    assert (summary.graded, summary.failures, summary.workers) == (len(CLASS), (), 2)
    local = _rows(graded_locally[1], course)
    assert _rows(gradebook, course) == local
    assert len({score for score, *_ in local.values()}) > 1  # not all alike


@pytest.mark.slow
def test_the_dask_run_is_idempotent_too(cluster, course, class_submissions, tmp_path):
    gradebook = tmp_path / "dask.db"
    run = functools.partial(
        grade_batch, course=course, assignment_id=ASSIGNMENT, submissions_dir=class_submissions,
        secret=SECRET, gradebook_path=gradebook, scheduler=cluster.scheduler_address,
        progress=False,
    )
    run()
    again = run()
    assert (again.graded, again.skipped) == (0, len(CLASS))


def test_an_unreachable_scheduler_is_a_grader_error_naming_it(monkeypatch):
    monkeypatch.setattr("grader.grading.executors.dask.CONNECT_SECONDS", 2)
    with pytest.raises(GraderError, match=r"tcp://127\.0\.0\.1:9"):
        next(DaskExecutor("tcp://127.0.0.1:9").outcomes(None, iter([SubmissionTask("ann", {})])))


def test_nothing_to_grade_does_not_contact_the_scheduler():
    assert list(DaskExecutor("tcp://127.0.0.1:9").outcomes(None, iter(()))) == []
