"""The exercise spec: one YAML file in ``exercises/`` validated into a frozen object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise as its author wrote it (distributions, not yet sampled)."""

    schema_version: int
    exercise_id: str
    kind: str
    title: str
    points: float
    version: str  # short sha256 of the file's content (changes => re-grade)
    prompt: str  # jinja2 template source, rendered with KindOutput.prompt_context
    params: Mapping[str, Any]  # distribution specs as written (sampled by grader/params.py)
    constraints: tuple[str, ...]  # safe arithmetic/boolean expressions over scalar params
    answer: Mapping[str, Any]  # answer type, tolerance, per-element credit (kind validates)
    mistakes: tuple[str, ...]  # mistake ids to diagnose; empty = every mistake the kind knows
    hints: tuple[str, ...]
    options: Mapping[str, Any]  # kind-specific section, validated by Kind.check_options
    source: str  # file path, for messages

    @property
    def module(self) -> str:
        """The student's module name: the id with ``-`` replaced by ``_``."""
        return self.exercise_id.replace("-", "_")
