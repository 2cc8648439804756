"""Small builders shared by the exercise tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.authoring.params import VariantRng
from grader.authoring.spec import ExerciseSpec


def make_spec(
    kind: str,
    options: Mapping[str, Any],
    *,
    answer: Mapping[str, Any] | None = None,
    mistakes: tuple[str, ...] = (),
    points: float = 2.0,
    exercise_id: str = "demo-exercise",
) -> ExerciseSpec:
    """An exercise spec as the framework would parse it, without a YAML file."""
    return ExerciseSpec(
        schema_version=1, exercise_id=exercise_id, kind=kind, title="Demo exercise",
        points=points, version="test", prompt="{{ answers | length }}", params={},
        constraints=(), answer=dict(answer or {}), mistakes=mistakes, hints=(),
        options=options, source="demo.yml",
    )


def rng(label: str = "seed") -> VariantRng:
    return VariantRng(label.encode())


def modeled(case: Any) -> dict[str, Any]:
    """The mistake values of a case by mistake id."""
    return {m.mistake_id: m.value for m in case.mistakes}
