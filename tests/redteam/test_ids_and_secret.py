"""Red team, class "path-like ids and weak secrets", and grading that cannot silently
go wrong: ids are checked before they become paths, the roster decides who is
graded, the secret is strong enough not to be guessed from a handout, and a
release graded with the wrong secret or as the wrong assignment is refused.
"""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from grader.authoring.course import load_course, parse_roster, read_secret
from grader.authoring.fingerprint import check_secret_strength, secret_bits, secret_fingerprint
from grader.cli import main
from grader.errors import SpecError

from .classroom import make_classroom


@pytest.fixture
def room(tmp_path):
    return make_classroom(tmp_path, ("ann", "ben", "classmate", "kim@uni.example"))


@pytest.mark.parametrize("student", ["../x", "../../course", "a/b", "", "-rf", ".hidden",
                                     "x" * 65, "tab\tname", "ann\n", "grades.csv",
                                     "batch-summary.txt"])
def test_a_path_like_student_id_is_refused_before_any_path_is_made(room, capsys, student):
    folder = room.submit("ann")
    code = room.grade(f"--student={student}", "--submission", str(folder))
    assert code == 2
    assert "is not a student id" in capsys.readouterr().err
    assert not room.out.exists() or not any(room.out.rglob("*.md"))
    assert not (room.root.parent / "x").exists()


def test_a_batch_reports_unlisted_bad_and_missing_students_and_grades_only_the_roster(room,
                                                                                    capsys):
    for student in ("ann", "kim@uni.example", "stranger"):
        room.submit(student)
    for bad in ("bad name", "-rf", "émile"):
        (room.submissions / bad).mkdir()
    assert room.grade_batch() == 0
    out = capsys.readouterr().out
    assert set(room.rows()) == {"ann", "kim@uni.example", "classmate"}
    assert "not on the roster, not graded (1): stranger" in out
    assert "folders that are not student ids, never graded: '-rf', 'bad name', 'émile'" in out
    assert "on the roster with no submission (1): ben" in out
    assert main(["report", "--assignment", "a1", "--course", str(room.course_yml),
                 "--gradebook", str(room.out / "gradebook.db")]) == 0
    assert "no result for 1 roster student(s): ben" in capsys.readouterr().out
    assert room.leaked() == []


def test_unlisted_students_are_graded_only_when_asked(room, capsys):
    folder = room.submit("stranger")
    assert room.grade("--student", "stranger", "--submission", str(folder)) == 2
    assert "not on the course roster" in capsys.readouterr().err
    assert room.grade_batch("--allow-unlisted") == 0
    assert "not on the roster, graded (--allow-unlisted) (1): stranger" in capsys.readouterr().out
    assert room.rows()["stranger"].score > 0


@pytest.mark.parametrize("weak", ["hunter2", "framework-test-secret", "a" * 64,
                                  "0123456789abcdef" * 1 + "0123456789abcde",
                                  "ab" * 40])
def test_a_weak_secret_is_refused_saying_why(room, capsys, weak):
    (room.root / ".course-secret").write_text(weak + "\n")
    room.submit("ann")
    assert room.grade_batch() == 2
    err = capsys.readouterr().err
    assert "too weak" in err and "test guesses" in err and "cnn-grader secret new" in err
    assert weak not in err  # the refusal never prints the secret


def test_the_strength_is_that_of_the_smallest_alphabet_and_repetition_is_refused():
    assert secret_bits("0123456789abcdef" * 2) == 128  # 32 hex digits: exactly enough
    assert secret_bits("0123456789abcdef" * 2 + "g") > 128  # now letters: 33 * log2(36)
    check_secret_strength("0123456789abcdef" * 2, where="s")
    with pytest.raises(SpecError, match="only 3 distinct characters"):
        check_secret_strength("Zx9" * 30, where="s")


def test_secret_new_writes_a_private_strong_secret_and_never_overwrites_silently(room, capsys):
    secret_file = room.root / ".course-secret"
    old = secret_file.read_bytes()
    args = ["secret", "new", "--course", str(room.course_yml)]
    assert main(args) == 2
    assert "pass --force to replace it" in capsys.readouterr().err
    assert secret_file.read_bytes() == old
    assert main([*args, "--force"]) == 0
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert secret_file.read_bytes() != old
    assert len(read_secret(load_course(room.course_yml))) >= 43
    secret_file.unlink()
    assert main(args) == 0 and stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600


def release_and_submit(room, assignment: str = "a1") -> None:
    """Students hand in their released folder (release.json included), answered."""
    assert main(["generate", "--assignment", assignment, "--course", str(room.course_yml),
                 "--out", str(room.root.parent / "release"), "--workers", "1"]) == 0
    for student in ("ann", "ben"):
        released = room.root.parent / "release" / assignment / student
        shutil.copytree(released, room.submissions / student)
        room.submit(student)  # the answers over the stubs


def test_grading_with_another_secret_than_the_release_is_refused(room, capsys):
    release_and_submit(room)
    fingerprint = secret_fingerprint(room.secret, "redteam-boundary")
    (room.root / ".course-secret").write_text("another-strong-secret-0123456789-ABCDEFGH\n")
    assert room.grade_batch() == 2
    err = capsys.readouterr().err
    assert "released with another course secret" in err and fingerprint in err
    assert not (room.out / "gradebook.db").exists() or room.rows() == {}
    one = room.grade("--student", "ann", "--submission", str(room.submissions / "ann"))
    assert one == 2 and "another course secret" in capsys.readouterr().err


def test_grading_a1_submissions_as_another_assignment_is_refused(room, capsys):
    release_and_submit(room, "a1")
    assert main(["grade", "--assignment", "a2", "--course", str(room.course_yml),
                 "--submissions", str(room.submissions), "--out", str(room.out),
                 "--workers", "1", "--insecure"]) == 2
    assert "released for assignment 'a1', not 'a2'" in capsys.readouterr().err
    assert room.grade_batch() == 0  # the right assignment grades
    assert room.rows()["ann"].score == room.rows()["ann"].max_score > 0


def test_one_folder_from_another_assignment_is_that_students_zero(room, capsys):
    release_and_submit(room, "a1")
    record = room.submissions / "ben" / ".cnn-grader" / "release.json"
    record.write_text(record.read_text().replace('"a1"', '"a2"'))
    assert room.grade_batch() == 0
    rows = room.rows()
    assert rows["ann"].score > 0 and rows["ben"].score == 0
    assert all("released for assignment 'a2'" in m for m in room.messages("ben"))


def test_the_fingerprint_is_a_keyed_hash_that_does_not_reveal_the_secret():
    secret = b"a-strong-course-secret-0123456789-ABCDEFGH"
    fingerprint = secret_fingerprint(secret, "c1")
    assert fingerprint == secret_fingerprint(secret, "c1") != secret_fingerprint(secret, "c2")
    assert fingerprint != secret_fingerprint(secret + b"x", "c1")
    assert secret.decode()[:8] not in fingerprint and len(fingerprint) == 16


LMS_EXPORT = ("Student,SIS User ID,Email address\n"
              "Ann A,ann,ann@uni.example\nBen B,ben,ben@uni.example\n")


def test_an_lms_roster_without_a_mapping_is_refused_with_the_mapping_to_write():
    with pytest.raises(Exception) as raised:
        parse_roster(LMS_EXPORT, source="lms.csv")
    message = str(raised.value)
    assert "headers found: 'Student', 'SIS User ID', 'Email address'" in message
    assert ('roster: {file: FILE, columns: {student_id: "SIS User ID", name: "Student", '
            'email: "Email address"}}') in message


def test_an_lms_roster_is_read_through_the_columns_named_in_course_yml(room):
    (room.root / "lms.csv").write_text(LMS_EXPORT)
    text = room.course_yml.read_text().replace(
        "roster: roster.csv", 'roster: {file: lms.csv, columns: {student_id: "Email address", '
                              'name: Student}}')
    room.course_yml.write_text(text)
    students = load_course(room.course_yml).roster
    assert [(s.student_id, s.name, s.email) for s in students] == [
        ("ann@uni.example", "Ann A", ""), ("ben@uni.example", "Ben B", "")]
    room.course_yml.write_text(text.replace('"Email address"', '"Student ID"'))
    with pytest.raises(Exception, match=r"roster columns \['Student ID'\] not found"):
        load_course(room.course_yml)


def test_folders_of_another_assignment_without_records_get_a_warning(room, capsys):
    for student in ("ann", "ben"):
        room.submit(student)  # a1's modules, no release record
    assert main(["grade", "--assignment", "a2", "--course", str(room.course_yml),
                 "--submissions", str(room.submissions), "--out", str(room.out),
                 "--workers", "1", "--insecure"]) == 0
    assert "no submission read held a module of this assignment" in capsys.readouterr().out
    assert room.grade_batch() == 0
    assert "no submission read held" not in capsys.readouterr().out


def test_a_long_list_of_missing_students_is_cut_on_screen_and_kept_whole_in_a_file(tmp_path,
                                                                                   capsys):
    class_list = tuple(f"s{index:03d}" for index in range(30))
    room = make_classroom(tmp_path, class_list)
    room.submit("s000")
    assert room.grade_batch() == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("on the roster with no submission"))
    assert line.startswith("on the roster with no submission (29): s001, s002,")
    assert line.endswith("s020 and 9 more")
    record = room.out / "a1" / "batch-summary.txt"
    assert f"every name: {record}" in out
    kept = record.read_text(encoding="utf-8")
    assert "on the roster with no submission (29): " + ", ".join(class_list[1:]) in kept


def test_a_folder_named_like_a_class_file_is_never_graded_and_the_exports_still_land(room,
                                                                                     capsys):
    room.submit("ann")
    shutil.copytree(room.submissions / "ann", room.submissions / "grades.csv")
    assert room.grade_batch() == 0
    out = capsys.readouterr().out
    assert "folders that are not student ids, never graded: 'grades.csv'" in out
    assert (room.out / "a1" / "grades.csv").is_file()
    assert "grades.csv" not in room.rows()
