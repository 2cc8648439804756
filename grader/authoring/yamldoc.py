"""YAML files read safely, with the line of every key kept for error messages.

Files are parsed with PyYAML's SafeLoader only.  The node tree (``yaml.compose``)
is walked once to remember the line of every key path, so each problem can be
reported as ``file:line: key.path: what was expected``.  Problems are collected
and raised together as one ``SpecProblems``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.errors import SpecError

# libyaml's safe loader when PyYAML was built with it (same safe constructors, node
# marks, about 20 times faster on our exercise files), else the pure one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """``("params", "k", "int")`` -> ``params.k.int``; list items as ``hints[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_path(text: str) -> KeyPath:
    """The inverse of ``format_path`` (used to locate key paths reported by kinds)."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        parts.append(int(index) if index else name)
    return tuple(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a course file, with its place."""

    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        place = self.source + (f":{self.line}" if self.line else "")
        return f"{place}: {self.path}: {self.message}" if self.path else f"{place}: {self.message}"


class SpecProblems(SpecError):
    """Every problem found, raised at once; a single problem reads as one line."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = f"{len(lines)} errors:\n" + "\n".join(f"  {line}" for line in lines)
        super().__init__(message)


@dataclass(frozen=True)
class LocatedYaml:
    """A YAML document's data plus the line (1-based) of every key path."""

    source: str
    text: str
    data: Any
    lines: Mapping[KeyPath, int]
    duplicate_keys: tuple[Problem, ...] = ()
    text_lines: Mapping[KeyPath, int] = field(default_factory=dict)
    """Line where a scalar's text starts (the line after ``|`` or ``>`` for block scalars)."""

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its longest prefix that has one."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.source, self.line_of(path), format_path(path), message)


def read_yaml(path: Path, *, source: str | None = None) -> LocatedYaml:
    """Read one YAML file safely; raises ``SpecProblems`` for syntax errors."""
    name = source or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecProblems([Problem(name, None, "", f"cannot read the file ({error})")]) from None
    return parse_yaml(text, source=name)


def parse_yaml(text: str, *, source: str) -> LocatedYaml:
    """Parse YAML text once with SafeLoader: the node tree gives the lines, and the
    same loader constructs the (plain, safe) data from it."""
    try:
        root, data = _load(text, SAFE_LOADER)
    except yaml.YAMLError:
        try:  # the pure loader's messages are the clearer ones: parse again for them
            root, data = _load(text, yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise _yaml_problem(error, source) from None
    lines: dict[KeyPath, int] = {(): 1}
    text_lines: dict[KeyPath, int] = {}
    duplicates: list[Problem] = []
    if root is not None:
        _index_lines(root, (), (lines, text_lines), duplicates, source)
    return LocatedYaml(source, text, data, lines, tuple(duplicates), text_lines)


def _load(text: str, loader_class: type) -> tuple[Any, Any]:
    """The node tree (for line numbers) and the data constructed from it."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.YAMLError, source: str) -> SpecProblems:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    opened = getattr(error, "context_mark", None)
    if opened is not None and line is not None and opened.line + 1 != line:
        what += f" ({getattr(error, 'context', None) or 'context'} on line {opened.line + 1})"
    return SpecProblems([Problem(source, line, "", f"invalid YAML: {what}")])


def _index_lines(node: yaml.Node, path: KeyPath,
                 indexes: tuple[dict[KeyPath, int], dict[KeyPath, int]],
                 duplicates: list[Problem], source: str) -> None:
    lines, text_lines = indexes
    if isinstance(node, yaml.ScalarNode):
        text_lines[path] = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    elif isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            child = (*path, key)
            if key in seen:
                duplicates.append(Problem(source, key_node.start_mark.line + 1,
                                          format_path(child), "duplicate key"))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, indexes, duplicates, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _index_lines(item, (*path, index), indexes, duplicates, source)


class Report:
    """Collects the problems of one document."""

    def __init__(self, doc: LocatedYaml) -> None:
        self.doc = doc
        self.problems: list[Problem] = list(doc.duplicate_keys)

    def add(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def unknown_keys(self, mapping: Mapping[Any, Any], known: Sequence[str], path: KeyPath,
                     *, misspellings_only: bool = False) -> set[str]:
        """Report the keys of ``mapping`` not in ``known``; returns the known keys that
        misspelt ones stand for (``cals`` -> ``calls``).

        A key close to a known key that is absent is reported as a misspelling.  The
        checks of the key it stands for would only repeat the same mistake ("calls
        missing"), so callers drop them with ``drop_under``.  With
        ``misspellings_only``, other unknown keys are let through (sections whose
        keys are the kind's business).
        """
        meant: set[str] = set()
        absent = [key for key in known if key not in mapping]
        for key in mapping:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), absent, n=1, cutoff=0.7)
            if close:
                self.add((*path, key), f"unknown key {key!r}; did you mean {close[0]!r}?")
                meant.add(close[0])
            elif not misspellings_only:
                self.add((*path, key), f"unknown key; expected one of {', '.join(known)}")
        return meant

    def drop_under(self, path: KeyPath, keys: set[str]) -> None:
        """Forget the problems reported at ``path + (key,)`` or below, for each key."""
        prefixes = {format_path((*path, key)) for key in keys}
        self.problems = [p for p in self.problems if not any(
            p.path == prefix or p.path.startswith((f"{prefix}.", f"{prefix}["))
            for prefix in prefixes)]
