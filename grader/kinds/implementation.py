"""Kind ``implementation`` (work in progress: build() lands shortly)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.kinds.base import KindOutput, OptionProblem


class ImplementationKind:
    name = "implementation"

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        return []

    def build(self, spec: Any, params: Mapping[str, Any], rng: Any) -> KindOutput:
        raise NotImplementedError("implementation.build is being written")
