"""The exercise catalogue: it validates, covers the course, and grades itself correctly."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring.kinds import KIND_NAMES
from grader.authoring.kinds.reference import all_mistakes
from grader.grading.selfcheck import build_variant, load_exercises, selfcheck_exercise

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
SPECS = {spec.exercise_id: spec for spec in load_exercises(EXERCISES)}
SELFCHECK_SEEDS = 200


def test_the_catalogue_has_at_least_24_exercises_of_every_kind():
    assert len(SPECS) >= 24
    assert {spec.kind for spec in SPECS.values()} == set(KIND_NAMES)


def test_every_modeled_mistake_is_diagnosed_by_some_exercise():
    listed = {m for spec in SPECS.values() for m in spec.mistakes}
    assert set(all_mistakes()) - listed == set()


def test_the_course_topics_each_have_an_exercise():
    # the topics the issue asks for, by the reference function (or kind) that grades them
    wanted = {
        "conv_output_size", "pool_output_size", "same_padding", "stride_for_output",
        "conv2d_forward", "pool2d_forward", "maxpool_backward", "avgpool_backward",
        "conv_params", "network_params", "dense_params", "depthwise_separable_params",
        "conv_macs", "receptive_field", "conv2d_backward", "im2col", "softmax",
        "cross_entropy", "depthwise_separable_forward",
    }
    used = set()
    for spec in SPECS.values():
        options = spec.options
        calls = options.get("calls", {"main": options}).values() if spec.kind != \
            "multiple_choice" else ()
        used |= {call.get("reference") for call in calls}
    assert wanted - used == set()


def test_implementation_exercises_cover_every_student_facing_function():
    implemented = {spec.options["reference"] for spec in SPECS.values()
                   if spec.kind == "implementation"}
    assert implemented >= {"conv2d_forward", "conv2d_backward", "pool2d_forward",
                           "maxpool_backward", "avgpool_backward",
                           "depthwise_separable_forward", "im2col"}


def test_by_hand_numbers_are_small_integers():
    for exercise_id, spec in SPECS.items():
        if spec.kind != "by_hand":
            continue
        for seed in range(5):
            params = build_variant(spec, seed).params
            for name, value in params.items():
                values = getattr(value, "ravel", lambda v=value: [v])()
                for number in values:
                    assert float(number).is_integer(), (exercise_id, name, number)
                    assert abs(number) <= 150_528, (exercise_id, name, number)


def test_variants_differ_between_seeds():
    for exercise_id, spec in SPECS.items():
        if not spec.params:
            continue
        seen = {repr(sorted((k, repr(v)) for k, v in build_variant(spec, s).params.items()))
                for s in range(8)}
        assert len(seen) > 1, exercise_id


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", sorted(SPECS))
def test_selfcheck_passes_for_200_seeds(exercise_id):
    spec = SPECS[exercise_id]
    result = selfcheck_exercise(spec, SELFCHECK_SEEDS)
    assert result.failures == ()
    assert set(spec.mistakes) <= result.mistakes_seen
