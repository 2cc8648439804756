"""Kind ``metric``: the student's function is scored by a metric on hidden data.

For a training exercise any parameters that work are right, so there is no value
to compare with.  The kind draws a data set per student from the course stream
with a documented generator of ``solutions`` (``generator(n, seed, **arguments)``
returning ``(x, y)``): the training part becomes the inputs of one call of the
student's function (and ships in the release as ``.npy`` files, see
:func:`released_arrays`); the test part is stored only in the case's
``MetricScoring.data`` and never leaves the grader.  The grader then calls
``metric(value, x=x_test, y=y_test)`` on what the student's function returned
(``grader.grading.metric``).

Options::

    reference: tinycnn_train          # the student function (a reference topic)
    helpers: [tinycnn_fit]            # more reference functions cut into the same stub
    imports: ["from tinycnn_backward import tinycnn_backward"]  # for the stub
    solution_helpers: [tinycnn_backward]  # written out in full in the solution module
    outputs: [conv_w, conv_b, dense_w, dense_b]  # names of the returned tuple's parts
    dataset: {generator: "solutions.stripes:make_stripes", train: 2000, test: 1000,
              arguments: {noise: 0.2}}
    metric: {function: "solutions.tinycnn:tinycnn_accuracy", name: test accuracy,
             full_at: 0.99, zero_at: 0.34}
    figures: [{title: learned filters, output: 0}]
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import io
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.authoring.kinds.base import KindOutput, OptionProblem
from grader.authoring.kinds.reference import cut_solution, function_source, reference_topics
from grader.errors import SpecError
from grader.model import AssignmentVariant, Case, MetricScoring, Probe

SOLUTIONS = "solutions."


class MetricKind:
    """One hidden case: call the student's function on released data, score it on hidden data."""

    name = "metric"
    # each self-check seed trains the reference (seconds): 20 seeds check the ">= 99% for
    # every student" promise without making ``cnn-grader selfcheck`` take many minutes
    max_selfcheck_seeds = 20
    option_keys = ("reference", "helpers", "imports", "solution_helpers", "outputs", "label",
                   "dataset", "metric", "figures")

    def __init__(self, *, hidden_data: bool = True) -> None:
        """``hidden_data=False`` leaves the hidden test set out (``MetricScoring.data`` is
        empty): for writing a release, whose files never contain it, where drawing it
        was a third of a TinyCNN student's build.  Nothing else changes: the test
        seed is a child stream, so leaving it undrawn moves no other draw.  A variant
        built so must never be graded; grading builds its own with the data."""
        self.hidden_data = hidden_data

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        if not isinstance(options, Mapping):
            return [("options", "expected a mapping")]
        topics = reference_topics()
        problems: list[OptionProblem] = []
        for key in ("reference",):
            if options.get(key) not in topics:
                problems.append((f"options.{key}", "expected the name of a reference function"))
        for key in ("helpers", "solution_helpers"):
            names = options.get(key, [])
            if not isinstance(names, list) or any(n not in topics for n in names):
                problems.append((f"options.{key}", "expected a list of reference functions"))
        outputs = options.get("outputs", [])
        if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
            problems.append(("options.outputs", "expected a list of output names"))
        imports = options.get("imports", [])
        if not isinstance(imports, list) or not all(isinstance(i, str) for i in imports):
            problems.append(("options.imports", "expected a list of import lines"))
        problems += _check_dataset(options.get("dataset"))
        problems += _check_metric(options.get("metric"))
        return problems

    def build(self, spec: Any, params: Mapping[str, Any], rng: Any) -> KindOutput:
        options = spec.options
        dataset, scoring = options["dataset"], options["metric"]
        generate = load_function(dataset["generator"], where=f"{spec.source}: options.dataset")
        arguments = dict(dataset.get("arguments", {}))
        x_train, y_train = generate(int(dataset["train"]), _seed(rng, "train"), **arguments)
        if self.hidden_data:
            x_test, y_test = generate(int(dataset["test"]), _seed(rng, "test"), **arguments)
            hidden: tuple[tuple[str, Any], ...] = (("x", x_test), ("y", y_test))
        else:
            hidden = ()
        load_function(scoring["function"], where=f"{spec.source}: options.metric")
        topic = options["reference"]
        case = Case(
            case_id="metric",
            label=str(options.get("label", f"{topic} on the hidden test set")),
            points=spec.points,
            public=False,
            answer_type="array",
            probe=Probe("call", topic, (("x", x_train), ("y", y_train)),
                        tuple(options.get("outputs", ()))),
            expected=None,
            metric=MetricScoring(
                metric=scoring["function"],
                data=hidden,
                full_at=float(scoring["full_at"]),
                zero_at=float(scoring["zero_at"]),
                name=str(scoring.get("name", "metric")),
                figures=tuple((str(f["title"]), int(f["output"]))
                              for f in options.get("figures", ())),
            ),
        )
        stub, solution = _sources(spec, options)
        context = {"function": topic, "n_train": len(y_train), "n_test": int(dataset["test"]),
                   "files": [f"{spec.module}_x.npy", f"{spec.module}_y.npy"],
                   "full_at": float(scoring["full_at"]), "zero_at": float(scoring["zero_at"]),
                   "examples": _examples(x_train, y_train)}
        return KindOutput(prompt_context=context, cases=(case,), stub_source=stub,
                          solution_source=solution)


def load_function(name: str, *, where: str = "") -> Any:
    """The function ``"solutions.module:function"``; ``SpecError`` naming it otherwise."""
    module_name, _, function_name = str(name).partition(":")
    if not module_name.startswith(SOLUTIONS) or not function_name:
        raise SpecError(f"{name!r} must be written 'solutions.<module>:<function>'", where=where)
    try:
        return getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise SpecError(f"{name!r} not found: {error}", where=where) from None


def released_arrays(variant: AssignmentVariant) -> dict[str, bytes]:
    """The training data of every metric case, as ``<module>_<input>.npy`` files (no pickle)."""
    files = {}
    for exercise in variant.exercises:
        for case in exercise.cases:
            if case.metric is None:
                continue
            for name, value in case.probe.inputs:
                if isinstance(value, np.ndarray):
                    buffer = io.BytesIO()
                    np.save(buffer, value, allow_pickle=False)
                    files[f"{exercise.module}_{name}.npy"] = buffer.getvalue()
    return files


def _examples(x: np.ndarray, y: np.ndarray, count: int = 3) -> list[dict[str, Any]]:
    """The first training examples as 2-D grids rounded to one decimal, for the prompt."""
    images = np.asarray(x, dtype=np.float64)[:count]
    return [{"label": int(label), "image": np.round(image.reshape(image.shape[-2:]), 1) + 0.0}
            for image, label in zip(images, np.asarray(y)[:count], strict=True)]


def _seed(rng: Any, label: str) -> int:
    """A generator seed drawn from the variant's stream (so the data belong to the variant)."""
    high, low = rng.child(f"dataset:{label}").integers(0, 2**31 - 1, size=2)
    return int(high) << 31 | int(low)


def _sources(spec: Any, options: Mapping[str, Any]) -> tuple[str, str]:
    """The student's stub and the same module answered (helpers written out in full)."""
    names = [*options.get("helpers", ()), options["reference"]]
    imports = function_source(options["reference"])[0]
    header = f'"""{spec.title}: complete the functions below."""\n\n{imports}\n'
    student_imports = _guarded(options.get("imports", ()))
    bodies = [function_source(name)[1] for name in names]
    stub = header + student_imports + "".join(f"\n\n{cut_solution(b)}" for b in bodies)
    full = [function_source(name)[1] for name in options.get("solution_helpers", ())]
    solution = header + "".join(f"\n\n{b}" for b in [*full, *bodies])
    return stub, solution


def _guarded(lines: Any) -> str:
    """Imports of the student's own modules, guarded: the stub must load without them
    (a notebook defines the names in earlier cells; the self-check runs it alone)."""
    if not lines:
        return ""
    body = "".join(f"    {line}\n" for line in lines)
    return ("\ntry:  # your functions from the earlier exercises (same folder)\n" + body
            + "except ImportError:  # a notebook defines them in earlier cells\n    pass\n")


def _check_dataset(dataset: Any) -> list[OptionProblem]:
    if not isinstance(dataset, Mapping) or not isinstance(dataset.get("generator"), str):
        return [("options.dataset", "expected a mapping with a generator 'solutions.m:f'")]
    problems = [(f"options.dataset.{key}", "expected a positive integer")
                for key in ("train", "test")
                if not isinstance(dataset.get(key), int) or dataset[key] < 1]
    arguments = dataset.get("arguments", {})
    if not isinstance(arguments, Mapping):
        problems.append(("options.dataset.arguments", "expected a mapping"))
    else:
        problems += _check_arguments(dataset["generator"], arguments)
    return problems


def _check_arguments(name: str, arguments: Mapping[str, Any]) -> list[OptionProblem]:
    """The problems of ``arguments`` for the generator ``name``, found at validation
    rather than as a bare ``ValueError`` when a variant is first built (release, grading).

    First against the generator's signature (unknown and missing keywords, for any
    generator), then by one call on a single image with a fixed seed (cheap: the
    generator checks its own values, and no variant draws anything from this call).
    """
    try:
        generate = load_function(name)
    except SpecError as error:
        return [("options.dataset.generator", str(error))]
    problems = _signature_problems(name, generate, arguments)
    if problems:
        return problems
    try:
        generate(1, 0, **arguments)
    except (TypeError, ValueError) as error:
        return [(_blamed_argument(str(error), arguments), f"refused by {name}: {error}")]
    return []


def _signature_problems(name: str, generate: Any,
                        arguments: Mapping[str, Any]) -> list[OptionProblem]:
    """Keywords the generator lacks or needs; its first two parameters are the grader's
    (``generator(n, seed, **arguments)``), so they are no arguments of the spec."""
    try:
        parameters = list(inspect.signature(generate).parameters.values())
    except (TypeError, ValueError):  # no signature to read: the trial call decides
        return []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    given = {p.name for p in [p for p in parameters if p.kind in positional][:2]}
    keywords = [p for p in parameters if p.name not in given and p.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    known = [p.name for p in keywords]
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    problems: list[OptionProblem] = []
    for key in arguments:
        if key in given:
            problems.append((f"options.dataset.arguments.{key}",
                             f"{key!r} is the grader's to give (generator(n, seed, ...))"))
        elif key not in known and not takes_any:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.7)
            hint = f"did you mean {close[0]!r}?" if close else (
                f"expected one of {', '.join(known)}" if known else "it takes none")
            problems.append((f"options.dataset.arguments.{key}",
                             f"unknown argument of {name}; {hint}"))
    missing = [p.name for p in keywords if p.default is p.empty and p.name not in arguments]
    if missing:
        problems.append(("options.dataset.arguments",
                         f"{name} requires the argument(s) {', '.join(missing)}"))
    return problems


def _blamed_argument(message: str, arguments: Mapping[str, Any]) -> str:
    """The key path of the one argument a generator's error message names (its line is
    the one to edit), or of ``arguments`` as a whole when it names none or several."""
    named = [key for key in arguments if re.search(rf"\b{re.escape(str(key))}\b", message)]
    suffix = f".{named[0]}" if len(named) == 1 else ""
    return f"options.dataset.arguments{suffix}"


def _check_metric(metric: Any) -> list[OptionProblem]:
    if not isinstance(metric, Mapping) or not isinstance(metric.get("function"), str):
        return [("options.metric", "expected a mapping with a function 'solutions.m:f'")]
    try:
        full, zero = float(metric["full_at"]), float(metric["zero_at"])
    except (KeyError, TypeError, ValueError):
        return [("options.metric", "expected numbers full_at and zero_at")]
    if not full > zero:
        return [("options.metric.full_at", "must be greater than zero_at")]
    return []
