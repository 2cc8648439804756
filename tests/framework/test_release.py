"""Releases: the folder layout, public cases only, and nothing half-written on failure."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader.authoring.course import Student, load_course
from grader.authoring.public_cases import load_public_cases, save_public_cases
from grader.authoring.release import write_release
from grader.authoring.variant import build_assignment_variant, values_equal
from grader.errors import SpecError

from .conftest import TEST_SECRET, TinyKind, tiny_lookup, write_course

EXPECTED_FILES = {
    "tiny_product.py", "tiny_other.py", "handout.md", "handout.html", "a1.ipynb",
    "test_public.py", ".cnn-grader/public.json", ".cnn-grader/public.npz",
    ".cnn-grader/release.json",
}


@pytest.fixture
def course(tmp_path):
    return load_course(write_course(tmp_path / "course"), get_kind=tiny_lookup)


@pytest.fixture
def release(course, tmp_path) -> Path:
    return write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "out",
                         get_kind=tiny_lookup)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_every_student_gets_the_documented_files(release, course):
    assert sorted(p.name for p in release.iterdir()) == ["s001", "s002", "s003"]
    for student in course.roster:
        assert files_under(release / student.student_id) == EXPECTED_FILES
    assert sorted(p.name for p in release.parent.iterdir()) == ["a1"]  # no leftovers


def test_release_json_records_ids_and_exercise_versions(release, course):
    record = json.loads((release / "s001" / ".cnn-grader" / "release.json").read_text())
    assert (record["course_id"], record["assignment_id"], record["student_id"]) == (
        "test-course", "a1", "s001")
    assert {e["exercise_id"]: e["version"] for e in record["exercises"]} == {
        k: v.version for k, v in course.exercises.items()}


def test_the_release_holds_neither_the_secret_nor_hidden_cases_nor_solutions(release, course):
    variant = build_assignment_variant(course, "a1", "s001", TEST_SECRET, get_kind=tiny_lookup)
    hidden = [c for e in variant.exercises for c in e.cases if not c.public]
    assert hidden  # the tiny kind has hidden cases
    everything = b"".join(p.read_bytes() for p in (release / "s001").rglob("*") if p.is_file())
    assert TEST_SECRET not in everything
    assert b"scale(y, a)" not in everything  # the hidden case's label
    assert variant.exercises[0].solution_source.encode() not in everything
    public = json.loads((release / "s001" / ".cnn-grader" / "public.json").read_text())
    assert "params" not in public["exercises"][0]


def test_public_cases_round_trip_through_json_and_npz(course, tmp_path):
    variant = build_assignment_variant(course, "a1", "s003", TEST_SECRET, get_kind=tiny_lookup)
    save_public_cases(variant, tmp_path / "student")
    loaded = load_public_cases(tmp_path / "student")
    assert (loaded.course_id, loaded.assignment_id, loaded.student_id) == (
        "test-course", "a1", "s003")
    for original, back in zip(variant.exercises, loaded.exercises, strict=True):
        public = [c for c in original.cases if c.public]
        assert [c.case_id for c in back.cases] == [c.case_id for c in public]
        for one, two in zip(public, back.cases, strict=True):
            assert values_equal(two.expected, one.expected) and two.tolerance == one.tolerance
            assert two.probe.kind == one.probe.kind and two.probe.name == one.probe.name
            assert all(values_equal(a[1], b[1]) for a, b in zip(one.probe.inputs,
                                                                two.probe.inputs, strict=True))
            assert [(m.mistake_id, m.explanation) for m in two.mistakes] == [
                (m.mistake_id, m.explanation) for m in one.mistakes]
            assert all(values_equal(a.value, b.value) for a, b in zip(
                one.mistakes, two.mistakes, strict=True))


def test_arrays_are_stored_as_plain_npy_members_loadable_without_pickle(release):
    data = (release / "s001" / ".cnn-grader" / "public.npz").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)


def test_generating_twice_gives_identical_files(course, tmp_path):
    first = write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "one",
                          get_kind=tiny_lookup)
    second = write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "two",
                           get_kind=tiny_lookup)
    for name in files_under(first):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


class FailingKind(TinyKind):
    """Fails for the third student it builds, as a bug in a kind would."""

    def __init__(self) -> None:
        self.builds = 0

    def build(self, spec, params, rng):
        self.builds += 1
        if self.builds > 4:
            raise SpecError("boom")
        return super().build(spec, params, rng)


def test_a_failure_midway_leaves_nothing_behind(course, tmp_path):
    kind = FailingKind()
    with pytest.raises(SpecError, match="boom"):
        write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "out",
                      get_kind=lambda name: kind)
    assert kind.builds == 5  # two students were written before the failure
    assert not (tmp_path / "out").exists()


def test_an_existing_release_is_kept_unless_replacing_is_asked(course, release, tmp_path):
    marker = release / "s001" / "notes.txt"
    marker.write_text("mine")
    with pytest.raises(SpecError, match="already exists"):
        write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "out",
                      get_kind=tiny_lookup)
    assert marker.exists()
    write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "out", replace=True,
                  get_kind=tiny_lookup)
    assert not marker.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a1"]


def test_progress_is_reported_once_per_student(course, tmp_path):
    calls = []
    write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "out",
                  progress=lambda done, total: calls.append((done, total)), get_kind=tiny_lookup)
    assert calls == [(1, 3), (2, 3), (3, 3)]


def answer_like_the_solution(course, folder: Path, student: str) -> None:
    variant = build_assignment_variant(course, "a1", student, TEST_SECRET, get_kind=tiny_lookup)
    for exercise in variant.exercises:
        (folder / f"{exercise.module}.py").write_text(exercise.solution_source)


def run_public_tests(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_public.py"], cwd=folder, capture_output=True, text=True,
                          env=env, check=False, timeout=120)


def test_public_tests_fail_on_the_stubs_and_pass_on_correct_answers(course, release):
    folder = release / "s002"
    blank = run_public_tests(folder)
    assert blank.returncode == 1 and "4 failed" in blank.stdout
    assert "still None" in blank.stdout
    answer_like_the_solution(course, folder, "s002")
    solved = run_public_tests(folder)
    assert solved.returncode == 0, solved.stdout
    assert "4 passed" in solved.stdout


def test_notebook_check_cells_report_on_the_public_cases(course, release, monkeypatch, capsys):
    folder = release / "s001"
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "test_public", raising=False)
    notebook = json.loads((folder / "a1.ipynb").read_text())
    variant = build_assignment_variant(course, "a1", "s001", TEST_SECRET, get_kind=tiny_lookup)
    namespace: dict = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if cell["metadata"].get("cnn_grader", {}).get("module") == "tiny_product":
            source = variant.exercises[0].solution_source  # this one answered, the other not
        exec(source, namespace)
    output = capsys.readouterr().out
    assert "2 of 2 public checks passed for tiny_product" in output
    assert "0 of 2 public checks passed for tiny_other" in output


def test_loading_public_cases_from_a_folder_without_them_names_the_folder(tmp_path):
    with pytest.raises(SpecError, match="no readable public cases"):
        load_public_cases(tmp_path)


def test_an_output_path_that_is_a_file_is_refused(course, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SpecError, match="is not a folder"):
        write_release(course, "a1", course.roster, TEST_SECRET, tmp_path / "file",
                      get_kind=tiny_lookup)


def test_parallel_workers_write_the_same_files_as_one_process(course, tmp_path):
    students = [Student(f"p{i}", f"P {i}", f"p{i}@example.org") for i in range(6)]
    serial = write_release(course, "a1", students, TEST_SECRET, tmp_path / "one", workers=1,
                           get_kind=tiny_lookup)
    parallel = write_release(course, "a1", students, TEST_SECRET, tmp_path / "two", workers=2,
                             get_kind=tiny_lookup)
    assert files_under(serial) == files_under(parallel)
    for name in files_under(serial):
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name
