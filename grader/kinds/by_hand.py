"""Kind ``by_hand`` (work in progress: build() lands shortly)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.kinds.base import KindOutput, OptionProblem


class ByHandKind:
    name = "by_hand"

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        return []

    def build(self, spec: Any, params: Mapping[str, Any], rng: Any) -> KindOutput:
        raise NotImplementedError("by_hand.build is being written")
