"""Problem texts state the rules the answer depends on, and nothing false."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.authoring.kinds import get_kind
from grader.authoring.spec import parse_exercise
from grader.authoring.variant import build_exercise_variant
from grader.authoring.yamldoc import read_yaml

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def prompts(exercise_id: str, students: int = 40) -> list[tuple[dict, str]]:
    spec, problems = parse_exercise(read_yaml(EXERCISES / f"{exercise_id}.yml"), get_kind)
    assert not problems
    built = []
    for i in range(students):
        variant = build_exercise_variant(spec, secret=b"texts", points=spec.points,
                                         path=("c", "a", exercise_id, f"s{i}"),
                                         kind=get_kind(spec.kind))
        built.append((dict(variant.params), " ".join(variant.prompt_markdown.split())))
    return built


def test_pool_padding_says_the_border_holds_minus_infinity_not_zero():
    for _, prompt in prompts("pool-padding", 3):
        assert "padded border holds −∞, not 0" in prompt


def test_strided_conv_exact_size_does_not_say_windows_tile_when_they_overlap():
    seen_overlap = False
    for params, prompt in prompts("strided-conv-exact-size"):
        seen_overlap |= params["k"] > params["s"]
        assert not re.search(r"\btil(e|es|ing)\b", prompt)
        assert "last window ends on the last row and column" in prompt
    assert seen_overlap  # the claim is checked on variants whose windows overlap


@pytest.mark.parametrize("exercise_id", ["impl-maxpool-backward", "impl-avgpool-backward"])
def test_pool_backward_exercises_restate_padding_and_divisor(exercise_id):
    _, prompt = prompts(exercise_id, 1)[0]
    assert "stride defaults to the window size" in prompt
    assert "(at most half the window)" in prompt
    if exercise_id == "impl-avgpool-backward":
        assert "`padding` zeros on every side" in prompt
        assert "`1 / (kh * kw)`" in prompt and "padding cells included" in prompt
    else:
        assert "hold −∞" in prompt and "Nothing is divided" in prompt
