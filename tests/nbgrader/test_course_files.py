"""The files ``export``, ``release`` and ``keys`` write into an nbgrader course folder."""

from __future__ import annotations

import json
import os
import runpy

import pytest

from grader.errors import GraderError, SpecError
from grader.nbgrader.course import (
    CONFIG_MARK,
    export_course,
    key_path,
    release_students,
    write_config,
    write_keys,
)
from grader.nbgrader.kernel import KEYS_ENV
from tests.nbgrader.toy import ASSIGNMENT, toy_variant


class FakeConfig:
    """Just enough of traitlets' config object to execute nbgrader_config.py."""

    def __init__(self):
        self.CourseDirectory = type("Section", (), {})()


def test_the_config_sets_the_root_course_id_and_key_folder(tmp_path, monkeypatch):
    path = write_config(tmp_path, "toy-course")
    config = FakeConfig()
    monkeypatch.delenv(KEYS_ENV, raising=False)
    runpy.run_path(str(path), init_globals={"get_config": lambda: config})
    assert config.CourseDirectory.root == str(tmp_path)
    assert config.CourseDirectory.course_id == "toy-course"
    assert os.environ[KEYS_ENV] == str(tmp_path / "cnn_grader" / "keys")


def test_an_existing_config_keeps_its_lines_and_gets_our_block_once(tmp_path):
    path = tmp_path / "nbgrader_config.py"
    path.write_text("c = get_config()\nc.Exchange.root = '/srv/exchange'\n")
    write_config(tmp_path, "toy-course")
    write_config(tmp_path, "toy-course")
    text = path.read_text()
    assert text.startswith("c = get_config()\nc.Exchange.root")
    assert text.count(CONFIG_MARK) == 1


def test_export_writes_the_source_notebook_of_the_assignment(tmp_path):
    written = export_course(course_dir=tmp_path, assignment_id=ASSIGNMENT, variant_for=toy_variant)
    source = tmp_path / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert source in written
    assert json.loads(source.read_text())["nbformat"] == 4


def test_release_before_generate_assignment_says_what_to_run(tmp_path):
    with pytest.raises(GraderError, match="nbgrader generate_assignment a1"):
        release_students(course_dir=tmp_path, assignment_id=ASSIGNMENT, students=["alice"],
                         variant_for=toy_variant)


def test_keys_are_written_per_student_outside_source_and_release(tmp_path):
    written = write_keys(course_dir=tmp_path, assignment_id=ASSIGNMENT,
                         students=["alice", "bob"], variant_for=toy_variant)
    assert written == [key_path(tmp_path, ASSIGNMENT, s) for s in ("alice", "bob")]
    assert all("source" not in p.parts and "release" not in p.parts for p in written)


@pytest.mark.parametrize("bad", ["", "../x", ".hidden", " alice"])
def test_a_student_id_that_cannot_name_a_folder_is_refused(tmp_path, bad):
    with pytest.raises(SpecError, match="student id"):
        write_keys(course_dir=tmp_path, assignment_id=ASSIGNMENT, students=[bad],
                   variant_for=toy_variant)


def test_the_cli_offers_export_release_and_keys():
    from grader.cli import build_parser

    args = build_parser().parse_args(["nbgrader", "release", "--assignment", "a1",
                                      "--course-dir", "nb", "--students", "a,b"])
    assert args.nbgrader_command == "release" and args.students == "a,b"
    for step in ("export", "keys"):
        assert build_parser().parse_args(["nbgrader", step, "--assignment", "a1",
                                          "--course-dir", "nb"]).func
