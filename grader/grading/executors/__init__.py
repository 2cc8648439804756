"""Where batch grading runs: worker processes on this machine (``local``) or a Dask
cluster (``dask``).  Both turn ``SubmissionTask``s into ``TaskOutcome``s with
``grader.grading.jobs.grade_task``, so they grade identically."""
