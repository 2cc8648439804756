"""Registry of problem kinds: the YAML ``kind:`` field names one of these."""

from __future__ import annotations

from grader.authoring.kinds.base import Kind, KindOutput
from grader.errors import SpecError

KIND_NAMES: tuple[str, ...] = ("by_hand", "multiple_choice", "implementation")


def get_kind(name: str) -> Kind:
    """The kind called ``name``; raises ``SpecError`` listing the known kinds otherwise."""
    if name == "by_hand":
        from grader.authoring.kinds.by_hand import ByHandKind

        return ByHandKind()
    if name == "multiple_choice":
        from grader.authoring.kinds.choice import MultipleChoiceKind

        return MultipleChoiceKind()
    if name == "implementation":
        from grader.authoring.kinds.implementation import ImplementationKind

        return ImplementationKind()
    raise SpecError(f"unknown kind {name!r}; expected one of {', '.join(KIND_NAMES)}")


__all__ = ["KIND_NAMES", "Kind", "KindOutput", "get_kind"]
