"""Red team, class "forged times": lateness comes only from what the instructor gives.

A student controls everything in their folder: a ``timestamp.txt`` claiming an
early time, file modification times, a link posing as nbgrader's record.  None of
it moves the late penalty.  Times come from ``--submitted-at``, an LMS times file
(``--times``) or nbgrader's exchange record when the instructor trusts it; without
one no penalty is applied and the summary says so.  The summary counts penalties
applied and students at 0 because of them.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest

from grader.grading.times import parse_times

from .classroom import DUE, make_classroom

DUE_TIME = datetime.fromisoformat(DUE)
EARLY = (DUE_TIME - timedelta(days=2)).isoformat()


@pytest.fixture
def room(tmp_path):
    room = make_classroom(tmp_path, ("ann", "ben", "cat", "classmate"))
    for student in ("ann", "ben", "cat"):
        folder = room.submit(student)
        (folder / "timestamp.txt").write_text(EARLY)  # forged: "I was early"
        late = (DUE_TIME + timedelta(days=30)).timestamp()
        for path in folder.iterdir():
            os.utime(path, (late, late))  # file times a month late (a copy that lost them)
    return room


def penalties(room) -> dict[str, tuple[int, float]]:
    return {s: (r.late_days, r.late_penalty) for s, r in room.rows().items()}


def test_without_a_trusted_time_nothing_is_late_and_the_summary_says_so(room, capsys):
    assert room.grade_batch() == 0
    out = capsys.readouterr().out
    assert set(penalties(room).values()) == {(0, 0.0)}
    assert "no submission time for 4 graded student(s): no late penalty applied" in out
    assert "late penalties applied 0, at 0 because of lateness 0" in out


def test_an_lms_times_file_decides_and_the_forged_timestamp_is_ignored(room, capsys, tmp_path):
    times = tmp_path / "times.csv"
    times.write_text(
        "SIS User ID,Submission time\n"
        f"ann,{(DUE_TIME + timedelta(hours=1)).isoformat()}\n"  # 1 started day late
        f"ben,{(DUE_TIME + timedelta(days=5)).isoformat()}\n"  # past max_days: zero
        f"cat,{(DUE_TIME - timedelta(hours=1)).isoformat()}\n"
        "classmate,\n"  # nothing submitted: no time
    )
    assert room.grade_batch("--times", str(times)) == 0
    out = capsys.readouterr().out
    found = penalties(room)
    assert found["ann"] == (1, 0.25)
    assert found["ben"] == (5, 1.0) and room.rows()["ben"].score == 0
    assert found["cat"] == (0, 0.0)
    assert "late penalties applied 2, at 0 because of lateness 1" in out
    assert f"(times from {times})" in out


def test_times_keyed_by_email_are_matched_through_the_roster(room, tmp_path):
    times = tmp_path / "times.csv"
    times.write_text("Email address,Submitted at\n"
                     f"ann@example.org,{(DUE_TIME + timedelta(hours=30)).isoformat()}\n")
    assert room.grade_batch("--times", str(times)) == 0
    assert penalties(room)["ann"] == (2, 0.5)


def test_nbgrader_timestamps_count_only_when_trusted_and_are_never_followed(room, capsys):
    cat = room.submissions / "cat" / "timestamp.txt"
    cat.unlink()
    cat.symlink_to(room.outside_file)  # a link posing as the exchange's record
    (room.submissions / "ann" / "timestamp.txt").write_text(
        (DUE_TIME + timedelta(hours=2)).isoformat())
    assert room.grade_batch("--trust-nbgrader-timestamps") == 0
    out = capsys.readouterr().out
    found = penalties(room)
    assert found["ann"] == (1, 0.25)
    assert found["ben"] == (0, 0.0)  # its record says early: trusted, as asked
    assert found["cat"] == (0, 0.0)  # the link is not read: no time
    assert "no submission time for 2 graded student(s)" in out  # cat and classmate
    assert room.leaked() == []


def test_one_student_mode_uses_the_given_time_not_the_folder(room, capsys):
    late = (DUE_TIME + timedelta(hours=1)).isoformat()
    args = ("--student", "ann", "--submission", str(room.submissions / "ann"))
    assert room.grade(*args) == 0
    assert "no submission time given: no late penalty applied" in capsys.readouterr().out
    assert penalties(room)["ann"] == (0, 0.0)
    assert room.grade(*args, "--submitted-at", late) == 0
    assert penalties(room)["ann"] == (1, 0.25)


def test_two_sources_of_times_are_refused(room, capsys, tmp_path):
    (tmp_path / "t.csv").write_text("student_id,submitted_at\n")
    code = room.grade_batch("--submitted-at", DUE, "--times", str(tmp_path / "t.csv"))
    assert code == 2
    assert "give one source of submission times" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "message"), [
    ("student,time\nann,2026-10-05 10:00\n", "times.csv:2: time: '2026-10-05 10:00' has no "
                                             "timezone"),
    ("student,time\nann,yesterday\n", "times.csv:2: time: 'yesterday' is not an ISO 8601 time"),
    ("Name,Grade\nann,A\n", "times.csv:1: expected a student column"),
    ("student,time\nann,2026-10-05T10:00Z\nann,2026-10-05T11:00Z\n",
     "times.csv:3: 'ann' is listed twice"),
])
def test_a_bad_times_file_is_refused_naming_the_line(text, message):
    with pytest.raises(Exception, match=message.replace("(", r"\(")):
        parse_times(text, source="times.csv")


def test_a_naive_submitted_at_is_refused(room, capsys):
    assert room.grade_batch("--submitted-at", "2026-10-05T10:00") == 2
    assert "--submitted-at needs a timezone" in capsys.readouterr().err


def test_giving_times_later_regrades_without_force_instead_of_keeping_old_results(room, capsys,
                                                                                   tmp_path):
    assert room.grade_batch() == 0
    capsys.readouterr()
    times = tmp_path / "times.csv"
    times.write_text(f"student_id,submitted_at\nann,{(DUE_TIME + timedelta(days=1)).isoformat()}\n")
    assert room.grade_batch("--times", str(times)) == 0
    assert "graded 1, unchanged 3" in capsys.readouterr().out  # only ann's result changes
    assert penalties(room)["ann"] == (1, 0.25)
    assert room.grade_batch("--times", str(times)) == 0
    assert "graded 0, unchanged 4" in capsys.readouterr().out
