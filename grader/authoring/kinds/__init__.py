"""Registry of problem kinds: the YAML ``kind:`` field names one of these."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from grader.authoring.kinds.base import Kind, KindOutput
from grader.errors import SpecError

KIND_NAMES: tuple[str, ...] = ("by_hand", "multiple_choice", "implementation", "metric")

# The top-level keys of each kind's ``options:`` section, for did-you-mean on a
# misspelt key (a kind may instead declare ``option_keys`` itself).
OPTION_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "by_hand": ("reference", "arguments", "calls", "answers"),
    "multiple_choice": ("questions", "pick"),
    "implementation": ("reference", "outputs", "cases", "gradient_check"),
})


@functools.lru_cache(maxsize=len(KIND_NAMES))
def get_kind(name: str) -> Kind:
    """The kind called ``name``; raises ``SpecError`` listing the known kinds otherwise.

    One instance per name (cached; kinds hold no per-build state): ``by_hand`` keeps
    the part of a build that depends on the spec alone, for every later student.
    """
    if name == "by_hand":
        from grader.authoring.kinds.by_hand import ByHandKind

        return ByHandKind()
    if name == "multiple_choice":
        from grader.authoring.kinds.choice import MultipleChoiceKind

        return MultipleChoiceKind()
    if name == "implementation":
        from grader.authoring.kinds.implementation import ImplementationKind

        return ImplementationKind()
    if name == "metric":
        from grader.authoring.kinds.metric import MetricKind

        return MetricKind()
    raise SpecError(f"unknown kind {name!r}; expected one of {', '.join(KIND_NAMES)}")


__all__ = ["KIND_NAMES", "OPTION_KEYS", "Kind", "KindOutput", "get_kind"]
