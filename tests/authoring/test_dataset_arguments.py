"""`cnn-grader validate` checks a metric exercise's ``dataset.arguments`` against its
generator: a misspelt keyword or a value the generator refuses is an error naming the
file, line and key, before any variant is built (not a bare ValueError at release)."""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

import pytest

from grader.authoring.spec import default_kind_lookup, parse_exercise
from grader.authoring.yamldoc import read_yaml
from grader.cli import main

REPO = Path(__file__).resolve().parents[2]
SPEC = (REPO / "exercises" / "tinycnn-train.yml").read_text(encoding="utf-8")
FLOW = "arguments: {noise: 0.2, stream: v2}"
BLOCK = "arguments:\n      noise: 0.2\n      stream: v2"


def _line_of(text: str, fragment: str) -> int:
    """The 1-based line of the one occurrence of ``fragment`` (the test's own oracle)."""
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "tinycnn-train.yml"
    path.write_text(text, encoding="utf-8")
    spec, problems = parse_exercise(read_yaml(path), default_kind_lookup)
    assert (spec is None) == bool(problems)
    return [str(problem) for problem in problems]


def _with_arguments(arguments: str) -> str:
    assert FLOW in SPEC
    return SPEC.replace(FLOW, arguments)


def test_the_demo_spec_and_its_block_form_are_valid(tmp_path):
    assert _problems(tmp_path, SPEC) == []
    assert _problems(tmp_path, _with_arguments(BLOCK)) == []


def test_an_unknown_stream_is_reported_at_its_key(tmp_path):
    text = _with_arguments(BLOCK.replace("stream: v2", "stream: v3"))
    (problem,) = _problems(tmp_path, text)
    where = f"{tmp_path / 'tinycnn-train.yml'}:{_line_of(text, 'stream: v3')}:"
    assert problem.startswith(f"{where} options.dataset.arguments.stream: ")
    assert "'v3'" in problem and "v1" in problem and "v2" in problem


def test_a_stream_in_the_flow_form_is_reported_on_the_arguments_line(tmp_path):
    text = _with_arguments(FLOW.replace("v2", "v3"))
    (problem,) = _problems(tmp_path, text)
    line = _line_of(text, "stream: v3")
    assert f"tinycnn-train.yml:{line}: options.dataset.arguments.stream: " in problem


def test_a_misspelt_keyword_is_named_with_the_one_it_stands_for(tmp_path):
    text = _with_arguments(BLOCK.replace("noise:", "nosie:"))
    (problem,) = _problems(tmp_path, text)
    line = _line_of(text, "nosie:")
    assert f"tinycnn-train.yml:{line}: options.dataset.arguments.nosie: " in problem
    assert "did you mean 'noise'?" in problem


def test_an_unrelated_keyword_lists_the_known_ones(tmp_path):
    text = _with_arguments(BLOCK + "\n      colour: red")
    (problem,) = _problems(tmp_path, text)
    assert f":{_line_of(text, 'colour:')}: options.dataset.arguments.colour: " in problem
    for known in ("noise", "classes", "size", "stream"):
        assert known in problem


def test_the_size_and_seed_are_the_graders_not_the_specs(tmp_path):
    text = _with_arguments(BLOCK + "\n      seed: 7")
    (problem,) = _problems(tmp_path, text)
    assert f":{_line_of(text, 'seed: 7')}: options.dataset.arguments.seed: " in problem


def test_a_noise_the_generator_refuses_is_reported_at_the_arguments(tmp_path):
    text = _with_arguments(FLOW.replace("0.2", "loud"))
    (problem,) = _problems(tmp_path, text)
    line = _line_of(text, "arguments:")
    assert f"tinycnn-train.yml:{line}: options.dataset.arguments" in problem
    assert "refused by solutions.stripes:make_stripes" in problem


def test_a_generator_that_is_missing_is_reported_at_the_generator(tmp_path):
    text = SPEC.replace("solutions.stripes:make_stripes", "solutions.stripes:make_stipes")
    (problem,) = _problems(tmp_path, text)
    line = _line_of(text, "generator:")
    assert f"tinycnn-train.yml:{line}: options.dataset.generator: " in problem
    assert "make_stipes" in problem


@pytest.fixture
def toy_generators(monkeypatch):
    """A generator module of ``solutions`` with a required keyword and one taking any."""
    def needs_level(n, seed, *, level):
        if level not in ("easy", "hard"):
            raise ValueError(f"level must be easy or hard, got {level!r}")
        return [0] * n, [0] * n

    def takes_any(n, seed, **options):
        if options.get("shape") == "round":
            raise TypeError("no round images")
        return [0] * n, [0] * n

    module = types.ModuleType("solutions.toy_generators")
    module.needs_level, module.takes_any = needs_level, takes_any
    monkeypatch.setitem(sys.modules, "solutions.toy_generators", module)


def test_a_required_keyword_that_is_missing_is_an_error(tmp_path, toy_generators):
    text = SPEC.replace("solutions.stripes:make_stripes", "solutions.toy_generators:needs_level")
    problems = _problems(tmp_path, text.replace(FLOW, "arguments: {}"))
    assert len(problems) == 1 and "options.dataset.arguments: " in problems[0]
    assert "level" in problems[0]
    assert _problems(tmp_path, text.replace(FLOW, "arguments: {level: hard}")) == []
    (refused,) = _problems(tmp_path, text.replace(FLOW, "arguments: {level: medium}"))
    assert "options.dataset.arguments.level: " in refused and "medium" in refused


def test_a_generator_taking_any_keyword_is_judged_by_its_own_call(tmp_path, toy_generators):
    text = SPEC.replace("solutions.stripes:make_stripes", "solutions.toy_generators:takes_any")
    assert _problems(tmp_path, text.replace(FLOW, "arguments: {shape: square}")) == []
    (problem,) = _problems(tmp_path, text.replace(FLOW, "arguments: {shape: round}"))
    assert "options.dataset.arguments" in problem and "no round images" in problem


def test_validate_reports_it_as_an_error_not_a_traceback(tmp_path, capsys):
    shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    shutil.copy(REPO / "course.yml", tmp_path / "course.yml")
    shutil.copy(REPO / "roster.csv", tmp_path / "roster.csv")
    spec = tmp_path / "exercises" / "tinycnn-train.yml"
    text = _with_arguments(FLOW.replace("v2", "v3"))
    spec.write_text(text, encoding="utf-8")
    assert main(["validate", "--course", str(tmp_path / "course.yml")]) == 2
    out = "".join(capsys.readouterr())
    assert f"tinycnn-train.yml:{_line_of(text, 'stream: v3')}: options.dataset.arguments.stream" \
        in out


def test_the_demo_course_still_validates(capsys):
    assert main(["validate", "--course", str(REPO / "course.yml")]) == 0
    assert "is valid" in capsys.readouterr().out
