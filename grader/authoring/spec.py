"""The exercise spec: one YAML file in ``exercises/`` validated into a frozen object.

``parse_exercise`` checks the common fields, the parameter distributions, the
constraints and the sandbox ``limits`` (``exercise_limits``), then hands the
kind-specific ``options`` section to the kind; every problem is collected (with its
file, line and key path) rather than stopping at the first.  The prompt's jinja2
environment lives here too because validation compiles every prompt.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

import jinja2
import numpy as np
from jinja2.sandbox import SandboxedEnvironment

from grader.authoring.distributions import check_expression, check_params
from grader.authoring.exercise_limits import ExerciseLimits, check_limits
from grader.authoring.yamldoc import KeyPath, LocatedYaml, Problem, Report, parse_path
from grader.errors import SpecError
from grader.model import AnswerType

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^(?=.{1,48}$)[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


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
    params: Mapping[str, Any]  # distribution specs as written (sampled by authoring/params.py)
    constraints: tuple[str, ...]  # safe arithmetic/boolean expressions over scalar params
    answer: Mapping[str, Any]  # answer type, tolerance, per-element credit (kind validates)
    mistakes: tuple[str, ...]  # mistake ids to diagnose; empty = every mistake the kind knows
    hints: tuple[str, ...]
    options: Mapping[str, Any]  # kind-specific section, validated by Kind.check_options
    source: str  # file path, for messages
    limits: ExerciseLimits = ()  # the author's sandbox limits, (name, value) in LIMIT_KEYS order

    @property
    def module(self) -> str:
        """The student's module name: the id with ``-`` replaced by ``_``."""
        return self.exercise_id.replace("-", "_")


# --- the prompt template environment ------------------------------------------------

def format_grid(value: Any) -> str:
    """A matrix (or stack of matrices) as right-aligned rows, for prompts and handouts."""
    array = np.asarray(value)
    if array.ndim <= 1:
        array = array.reshape(1, -1)
    if array.ndim > 2:
        blocks = []
        for index in np.ndindex(*array.shape[:-2]):
            label = ", ".join(str(i) for i in index)
            blocks.append(f"[{label}]\n{format_grid(array[index])}")
        return "\n\n".join(blocks)
    cells = [[_format_number(v) for v in row] for row in array.tolist()]
    width = max((len(c) for row in cells for c in row), default=1)
    return "\n".join(" ".join(c.rjust(width) for c in row) for row in cells)


def _format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@functools.lru_cache(maxsize=1)
def prompt_environment() -> SandboxedEnvironment:
    """Sandboxed jinja2 with StrictUndefined: a typo in a prompt is an error, not a blank."""
    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                                       keep_trailing_newline=True)
    environment.filters["grid"] = format_grid
    environment.filters["shape"] = lambda v: "(" + ", ".join(str(s) for s in np.shape(v)) + ")"
    return environment


@functools.lru_cache(maxsize=512)
def compile_prompt(source: str) -> jinja2.Template:
    """The compiled template of a prompt (cached: every student uses the same one)."""
    return prompt_environment().from_string(source)


# --- exercise files -----------------------------------------------------------------

EXERCISE_KEYS = ("schema_version", "id", "kind", "title", "points", "prompt", "params",
                 "constraints", "answer", "mistakes", "hints", "options", "limits")
ANSWER_KEYS = ("type", "rtol", "atol", "per_element_credit")
KindLookup = Callable[[str], Any]


def default_kind_lookup(name: str) -> Any:
    from grader.authoring.kinds import get_kind  # imported late: kinds import this module

    return get_kind(name)


def parse_exercise(doc: LocatedYaml, get_kind: KindLookup) -> tuple[ExerciseSpec | None,
                                                                      list[Problem]]:
    """Validate one exercise document; the spec is None when anything is wrong."""
    report = Report(doc)
    data = doc.data
    if not isinstance(data, Mapping):
        report.add((), "expected a mapping of exercise fields at the top level")
        return None, report.problems
    if not check_schema_version(data, report):
        return None, report.problems
    misspelt = report.unknown_keys(data, EXERCISE_KEYS, ())
    exercise_id = check_id(data, ("id",), report)
    kind = _check_kind(data, report, get_kind)
    title = check_text(data, ("title",), report)
    points = check_positive(data, ("points",), report)
    prompt = _check_prompt(data, report)
    params = _mapping(data, "params", report)
    scalars = check_params(params, report)
    constraints = _check_constraints(data, scalars, report)
    answer = _check_answer(data, report)
    mistakes = _check_mistakes(data, report)
    hints = check_strings(data, ("hints",), report)
    options = _mapping(data, "options", report)
    limits = check_limits(data, report)
    if kind is not None:
        _check_options(kind, options, report)
    report.drop_under((), misspelt)
    if report.problems:
        return None, report.problems
    spec = ExerciseSpec(
        schema_version=data["schema_version"], exercise_id=exercise_id, kind=data["kind"],
        title=title, points=float(points), version=content_version(doc.text), prompt=prompt,
        params=params, constraints=constraints, answer=answer, mistakes=mistakes, hints=hints,
        options=options, source=doc.source, limits=limits)
    return spec, []


def _check_options(kind: Any, options: Mapping[str, Any], report: Report) -> None:
    """The kind's own checks, unless a key is misspelt: then the kind would only list
    the consequences (``cals:`` reads as "no calls", and every answer's source fails)."""
    known = option_keys(kind)
    if known and report.unknown_keys(options, known, ("options",), misspellings_only=True):
        return
    for path, message in kind.check_options(options):
        located = parse_path(path)
        if not located or located[0] not in EXERCISE_KEYS:
            located = ("options", *located)
        report.add(located, message)


def option_keys(kind: Any) -> tuple[str, ...]:
    """The top-level ``options`` keys a kind reads (its ``option_keys``, or our table)."""
    from grader.authoring.kinds import OPTION_KEYS

    return tuple(getattr(kind, "option_keys", OPTION_KEYS.get(getattr(kind, "name", ""), ())))


def content_version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def check_schema_version(data: Mapping[str, Any], report: Report) -> bool:
    """True when the document's schema version is one this code reads."""
    version = data.get("schema_version")
    if "schema_version" not in data:
        report.add((), f"missing schema_version; add `schema_version: {SCHEMA_VERSION}` "
                       "at the top of the file")
    elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
        report.add(("schema_version",), f"expected a positive integer, got {version!r}")
    elif version > SCHEMA_VERSION:
        report.add(("schema_version",), f"version {version} is newer than this cnn-grader "
                   f"reads (up to {SCHEMA_VERSION}); upgrade with `pip install -U cnn-grader`")
    else:
        return True
    return False


def check_id(data: Mapping[str, Any], path: KeyPath, report: Report) -> str:
    value = data.get(path[-1])
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        report.add(path, "expected an id of at most 48 lower-case letters and digits joined by "
                         f"- or _ (e.g. conv-output-size), got {value!r}")
        return ""
    return value


def check_text(data: Mapping[str, Any], path: KeyPath, report: Report) -> str:
    value = data.get(path[-1])
    if not isinstance(value, str) or not value.strip():
        report.add(path, f"expected a non-empty string, got {value!r}")
        return ""
    return value


def check_positive(data: Mapping[str, Any], path: KeyPath, report: Report) -> float:
    value = data.get(path[-1])
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        report.add(path, f"expected a number > 0, got {value!r}")
        return 0.0
    return float(value)


def check_strings(data: Mapping[str, Any], path: KeyPath, report: Report) -> tuple[str, ...]:
    value = data.get(path[-1], [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        report.add(path, f"expected a list of non-empty strings, got {value!r}")
        return ()
    return tuple(value)


def _mapping(data: Mapping[str, Any], key: str, report: Report) -> dict[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        report.add((key,), f"expected a mapping, got {value!r}")
        return {}
    return dict(value)


def _check_kind(data: Mapping[str, Any], report: Report, get_kind: KindLookup) -> Any:
    name = data.get("kind")
    if not isinstance(name, str):
        report.add(("kind",), f"expected the name of a kind, got {name!r}")
        return None
    try:
        return get_kind(name)
    except SpecError as error:
        report.add(("kind",), str(error))
        return None


def _check_prompt(data: Mapping[str, Any], report: Report) -> str:
    prompt = check_text(data, ("prompt",), report)
    if prompt:
        try:
            compile_prompt(prompt)
        except jinja2.TemplateSyntaxError as error:
            start = report.doc.text_lines.get(("prompt",))
            line = start + error.lineno - 1 if start else report.doc.line_of(("prompt",))
            report.problems.append(Problem(report.doc.source, line, "prompt",
                                           f"invalid jinja2 template: {error.message}"))
    return prompt


def _check_constraints(data: Mapping[str, Any], scalars: set[str],
                       report: Report) -> tuple[str, ...]:
    constraints = check_strings(data, ("constraints",), report)
    for index, source in enumerate(constraints):
        check_expression(source, scalars, ("constraints", index), report)
    return constraints


def _check_mistakes(data: Mapping[str, Any], report: Report) -> tuple[str, ...]:
    """Mistake ids must name modeled mistakes of ``solutions.mistakes`` (typos caught here)."""
    from solutions.mistakes import MISTAKES  # the grader's reference library

    mistakes = check_strings(data, ("mistakes",), report)
    for index, mistake_id in enumerate(mistakes):
        if mistake_id not in MISTAKES:
            close = difflib.get_close_matches(mistake_id, list(MISTAKES), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            report.add(("mistakes", index), f"unknown mistake {mistake_id!r}{hint}")
    return mistakes


def _check_answer(data: Mapping[str, Any], report: Report) -> dict[str, Any]:
    answer = _mapping(data, "answer", report)
    for key, value in answer.items():
        path = ("answer", key)
        if key not in ANSWER_KEYS:
            report.add(path, f"unknown key; expected one of {', '.join(ANSWER_KEYS)}")
        elif key == "type" and value not in get_args(AnswerType):
            report.add(path, f"expected one of {', '.join(get_args(AnswerType))}, got {value!r}")
        elif key in ("rtol", "atol") and (isinstance(value, bool) or not isinstance(
                value, int | float) or value < 0):
            report.add(path, f"expected a number >= 0, got {value!r}")
        elif key == "per_element_credit" and not isinstance(value, bool):
            report.add(path, f"expected true or false, got {value!r}")
    return answer
