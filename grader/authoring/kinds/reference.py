"""Finding reference functions and their modeled mistakes in ``solutions/``.

A *topic* is the name of a public function of the reference library
(``conv_output_size``, ``conv2d_forward``...).  Its modeled mistakes are the
``solutions.mistakes`` entries whose ``topic`` is that name, so a reference call
and every wrong way of making it can be evaluated on the same arguments.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from grader.errors import SpecError

REFERENCE_MODULES = (
    "solutions.sizes",
    "solutions.conv",
    "solutions.pool",
    "solutions.counts",
    "solutions.activations",
    "solutions.tinycnn",
    "solutions.capstone",
)
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB_MESSAGE = "replace this line with your implementation"


def _modules() -> list[Any]:
    found = []
    for name in REFERENCE_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return found


@functools.lru_cache(maxsize=1)
def reference_topics() -> Mapping[str, Callable[..., Any]]:
    """Every public function of the reference library, by name (read-only, found once)."""
    topics: dict[str, Callable[..., Any]] = {}
    for module in _modules():
        for name, value in vars(module).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
            ):
                topics[name] = value
    return MappingProxyType(topics)


def reference_function(topic: str, *, where: str = "") -> Callable[..., Any]:
    """The reference function called ``topic``; ``SpecError`` listing the known ones otherwise."""
    topics = reference_topics()
    if topic not in topics:
        known = ", ".join(sorted(topics))
        raise SpecError(f"unknown reference topic {topic!r}; known topics: {known}", where=where)
    return topics[topic]


def all_mistakes() -> Mapping[str, Any]:
    """Every modeled mistake by id (empty while ``solutions.mistakes`` does not exist)."""
    try:
        from solutions.mistakes import MISTAKES
    except ModuleNotFoundError:
        return {}
    return MISTAKES


def mistakes_of(topic: str, wanted: Sequence[str] = ()) -> tuple[Any, ...]:
    """The modeled mistakes of ``topic``, restricted to ``wanted`` ids when given."""
    found = _mistakes_by_topic().get(topic, ())
    if wanted:
        found = tuple(m for m in found if m.mistake_id in wanted)
    return found


@functools.lru_cache(maxsize=1)
def _mistakes_by_topic() -> Mapping[str, tuple[Any, ...]]:
    """``all_mistakes()`` grouped by topic once (builds look them up per case)."""
    grouped: dict[str, list[Any]] = {}
    for mistake in all_mistakes().values():
        grouped.setdefault(mistake.topic, []).append(mistake)
    return MappingProxyType({topic: tuple(found) for topic, found in grouped.items()})


def check_wanted_mistakes(topics: Sequence[str], wanted: Sequence[str], where: str) -> None:
    """Raise ``SpecError`` for a listed mistake id that none of ``topics`` models."""
    known = {m.mistake_id for t in topics for m in mistakes_of(t)}
    unknown = [mistake_id for mistake_id in wanted if mistake_id not in known]
    if unknown:
        raise SpecError(
            f"mistakes {unknown} are not modeled for {list(topics)}; "
            f"known: {sorted(known)}",
            where=where,
        )


NOT_GIVEN: Any = object()  # no reference value at hand (``None`` could be one)


def evaluate_safely(fn: Callable[..., Any], arguments: Mapping[str, Any],
                    reference: Any = NOT_GIVEN) -> tuple[bool, Any]:
    """``(True, value)`` or ``(False, error text)``: a mistake may crash on some inputs.

    ``reference``: the reference function's value on these ``arguments``, when the
    caller has it.  A mistake that is the reference's value reworked (``fn.from_reference``,
    called as ``from_reference(reference, **arguments)``) then gives the same value
    without computing the reference again (tests/solutions/test_ref_same_bits.py).
    """
    derive = getattr(fn, "from_reference", None) if reference is not NOT_GIVEN else None
    try:
        return True, fn(**arguments) if derive is None else derive(reference, **arguments)
    except (ArithmeticError, ValueError, TypeError, IndexError) as error:
        return False, f"{type(error).__name__}: {error}"


def evaluate_mistakes(mistakes: Sequence[Any], arguments: Mapping[str, Any],
                      reference: Any = NOT_GIVEN) -> list[tuple[bool, Any]]:
    """``evaluate_safely`` of every mistake's ``fn`` on ``arguments`` (and ``reference``),
    in order.

    Mistakes whose functions name one ``family`` (a function of the arguments and a
    list of the members' ``switches``, with the ``arguments`` it takes) are evaluated
    by it at once, sharing the steps no switch changes: the family returns what each
    member alone would (tests/tinycnn/test_mistake_families.py).  Used only when the
    arguments are exactly the family's; otherwise each member runs alone.
    """
    results: list[tuple[bool, Any] | None] = [None] * len(mistakes)
    families: dict[Any, list[int]] = {}
    for index, mistake in enumerate(mistakes):
        family = getattr(mistake.fn, "family", None)
        if family is not None and set(arguments) == set(family.arguments):
            families.setdefault(family, []).append(index)
        else:
            results[index] = evaluate_safely(mistake.fn, arguments, reference)
    for family, members in families.items():
        values = family(arguments, [mistakes[i].fn.switches for i in members])
        for index, value in zip(members, values, strict=True):
            results[index] = value
    return [result for result in results if result is not None]


@functools.lru_cache(maxsize=64)
def function_source(topic: str) -> tuple[str, str]:
    """``(imports, source)``: the module's top-level imports and the function's own text."""
    fn = reference_function(topic)
    module = inspect.getmodule(fn)
    module_text = inspect.getsource(module)
    import_lines = [
        ast.get_source_segment(module_text, node)
        for node in ast.parse(module_text).body
        if isinstance(node, ast.Import | ast.ImportFrom)
        and getattr(node, "module", None) != "__future__"
    ]
    return "\n".join(line for line in import_lines if line), textwrap.dedent(
        inspect.getsource(fn)
    )


@functools.lru_cache(maxsize=64)
def cut_solution(source: str) -> str:
    """Replace each BEGIN/END SOLUTION region with a ``NotImplementedError`` at its indentation."""
    lines, out, inside = source.splitlines(), [], False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise SpecError(f"nested {BEGIN} at line {number}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("{STUB_MESSAGE}")')
        elif stripped == END:
            if not inside:
                raise SpecError(f"{END} without {BEGIN} at line {number}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SpecError(f"{BEGIN} is never closed")
    return "\n".join(out) + "\n"
