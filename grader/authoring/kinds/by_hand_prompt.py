"""What a ``by_hand`` prompt template can use: the parameters, ``show``, the answers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from grader.authoring.kinds.values import format_matrix, plain


def prompt_context(params: Mapping[str, Any], answers: Sequence[Any]) -> dict[str, Any]:
    """Parameters by name (arrays as lists), ``show.<name>`` aligned matrices, the answers."""
    return {
        **{name: plain(value) for name, value in params.items()},
        "show": _Matrices(params),
        "answers": [{"name": a.name, "label": a.label, "type": a.answer_type}
                    for a in answers],
    }


class _Matrices(Mapping):
    """``show.<name>``: an array parameter as aligned rows, formatted only when a prompt
    asks (formatting every array of every draw cost ~5% of ``generate``)."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._arrays = {k: v for k, v in params.items() if getattr(v, "ndim", 0) >= 1}

    def __getitem__(self, name: str) -> str:
        return format_matrix(self._arrays[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)


class LazyContext(Mapping):
    """``prompt_context(params, answers)``, made on first use: grading builds variants
    without prompts, and the context of a draw that is refused is never read."""

    def __init__(self, params: Mapping[str, Any], answers: Sequence[Any]) -> None:
        self._params, self._answers = params, answers
        self._context: dict[str, Any] | None = None

    def _made(self) -> dict[str, Any]:
        if self._context is None:
            self._context = prompt_context(self._params, self._answers)
        return self._context

    def __getitem__(self, name: str) -> Any:
        return self._made()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())
