"""A misspelt key is named with the key it probably stands for, and nothing else."""

from __future__ import annotations

from grader.authoring.kinds import get_kind
from grader.authoring.spec import parse_exercise
from grader.authoring.yamldoc import parse_yaml

TWO_CALLS = """\
schema_version: 1
id: two-calls
kind: by_hand
title: Two sizes
points: 1
prompt: "n={{ n }}"
params:
  n: {int: [9, 20]}
answer: {type: integer}
options:
  calls:
    conv: {reference: conv_output_size, arguments: {n: n, k: 3}}
    pool: {reference: pool_output_size, arguments: {n: n, k: 2}}
  answers:
    - {name: CONV, label: conv size, from: conv}
    - {name: POOL, label: pool size, from: pool}
"""


def problems_of(text: str) -> list[str]:
    spec, problems = parse_exercise(parse_yaml(text, source="e.yml"), get_kind)
    assert (spec is None) == bool(problems)
    return [str(problem) for problem in problems]


def test_the_spelled_right_file_is_valid():
    assert problems_of(TWO_CALLS) == []


def test_a_misspelt_calls_key_is_one_error_with_did_you_mean():
    assert problems_of(TWO_CALLS.replace("  calls:", "  cals:")) == [
        "e.yml:11: options.cals: unknown key 'cals'; did you mean 'calls'?"]


def test_a_misspelt_top_level_key_is_not_also_reported_as_missing():
    assert problems_of(TWO_CALLS.replace("prompt:", "promt:")) == [
        "e.yml:6: promt: unknown key 'promt'; did you mean 'prompt'?"]


def test_a_key_like_no_other_still_lists_the_expected_keys():
    (problem,) = problems_of(TWO_CALLS + "colour: blue\n")
    assert problem.startswith("e.yml:17: colour: unknown key; expected one of schema_version, id")


def test_a_misspelt_option_of_another_kind_is_caught_too():
    text = TWO_CALLS.replace("kind: by_hand", "kind: implementation").split("options:")[0] + (
        "options:\n  referense: conv2d_forward\n  cases:\n"
        "    - {name: one, public: true, inputs: {x: {random: [1, 1, 4, 4]}}}\n")
    assert problems_of(text) == [
        "e.yml:11: options.referense: unknown key 'referense'; did you mean 'reference'?"]


def test_every_option_key_the_catalogue_uses_is_known_to_the_did_you_mean_table():
    from pathlib import Path

    import yaml

    from grader.authoring.spec import option_keys

    folder = Path(__file__).resolve().parents[2] / "exercises"
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        known = option_keys(get_kind(data["kind"]))  # the lookup validation itself uses
        assert set(data.get("options", {})) <= set(known), path.name
