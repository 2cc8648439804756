"""`cnn-grader export moodle|canvas` from the command line."""

from __future__ import annotations

import zipfile

import pytest

from grader.cli import main

from .conftest import ROOT
from .moodle_reader import read_quiz


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("CNN_GRADER_SECRET", "cli-export-secret-0123456789-ABCDEFGH")


def test_export_moodle_writes_n_variants_per_exercise(tmp_path, capsys):
    out = tmp_path / "quiz.xml"
    code = main(["export", "moodle", "--course", str(ROOT / "course.yml"), "--assignment",
                 "a1-sizes-and-counts", "--variants", "2", "--out", str(out)])
    assert code == 0
    questions = read_quiz(out.read_bytes())
    names = [q.name for q in questions]
    assert len(names) == len(set(names)) == 2 * 16
    assert "16 exercises x 2 variants = 32 questions" in capsys.readouterr().out


def test_export_canvas_as_choice_writes_a_zip(tmp_path, capsys):
    out = tmp_path / "quiz.zip"
    code = main(["export", "canvas", "--course", str(ROOT / "course.yml"), "--assignment",
                 "a2-by-hand", "--variants", "1", "--as", "choice", "--out", str(out)])
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        assert "imsmanifest.xml" in archive.namelist()
    assert "13 exercises x 1 variants" in capsys.readouterr().out


def test_an_assignment_of_code_only_is_refused_with_the_way_out(tmp_path, capsys):
    code = main(["export", "moodle", "--course", str(ROOT / "course.yml"), "--assignment",
                 "a3-implementation", "--out", str(tmp_path / "q.xml")])
    assert code == 2
    assert "gradescope package" in capsys.readouterr().err
    assert not (tmp_path / "q.xml").exists()


def test_zero_variants_is_an_error(tmp_path, capsys):
    code = main(["export", "canvas", "--course", str(ROOT / "course.yml"), "--assignment",
                 "a1-sizes-and-counts", "--variants", "0", "--out", str(tmp_path / "q.zip")])
    assert code == 2 and "--variants" in capsys.readouterr().err
