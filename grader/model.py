"""What crosses from the variant stage to the grading stage.

A variant is everything one student is asked, already answered: every graded item
(a ``Case``) carries its expected value and the values the modeled mistakes give on
the same inputs.  These objects live only in the grader process; the sandbox sees
nothing but ``Probe``s (what to read from the student's module and with which inputs).

Values are plain Python scalars, tuples, strings or NumPy arrays.  Multi-output
probes (for example a backward pass returning ``(dx, dw, db)``) hold a tuple with
one value per name in ``Probe.outputs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

AnswerType = Literal["integer", "shape", "matrix", "float", "choice", "array"]
ProbeKind = Literal["attribute", "call"]


@dataclass(frozen=True)
class Tolerance:
    """``abs(got - expected) <= atol + rtol * abs(expected)``, element-wise."""

    rtol: float = 1e-6
    atol: float = 1e-8


EXACT = Tolerance(rtol=0.0, atol=0.0)


@dataclass(frozen=True)
class Probe:
    """How to obtain one student value inside the sandbox.

    ``attribute``: read ``module.<name>`` (a by-hand answer such as ``OUTPUT_HEIGHT``).
    ``call``: call ``module.<name>(**inputs)``; ``outputs`` names the parts of a
    returned tuple (empty means a single value is returned).
    """

    kind: ProbeKind
    name: str
    inputs: tuple[tuple[str, Any], ...] = ()
    outputs: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ModeledAnswer:
    """What one modeled mistake yields on the same inputs as a case."""

    mistake_id: str
    explanation: str
    value: Any


@dataclass(frozen=True, eq=False)
class MetricScoring:
    """How a case scored by a metric on hidden data turns the student's value into points.

    ``metric`` names a function of the reference library as ``"module:function"``
    (a module under ``solutions``) called as ``metric(value, **dict(data))`` in the
    grader process; ``data`` (for example a hidden test set) never goes to the sandbox.
    Full marks at ``metric >= full_at``, none at ``metric <= zero_at``, linear between.
    ``figures`` names the value's parts (indices into a returned tuple) that feedback
    shows as small images (learned filters), with their titles.
    """

    metric: str
    data: tuple[tuple[str, Any], ...]
    full_at: float
    zero_at: float
    name: str = "metric"
    figures: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, eq=False)
class Case:
    """One graded item: a by-hand answer or one call of a student function."""

    case_id: str
    label: str
    points: float
    public: bool
    answer_type: AnswerType
    probe: Probe
    expected: Any
    tolerance: Tolerance = EXACT
    per_element_credit: bool = False
    mistakes: tuple[ModeledAnswer, ...] = ()
    metric: MetricScoring | None = None  # set: scored by a metric on hidden data, not `expected`


@dataclass(frozen=True)
class AnswerForm:
    """What a hidden answer must look like, without its value.

    Released in place of a graded case's expected value so that ``check`` can say
    "unanswered", "wrong type" or "wrong shape" before grading.  ``shape`` is None
    when the shape itself would give part of the answer away (some modeled mistake
    has another shape); then only ``ndim`` is checked.  ``choices`` lists the
    letters a multiple-choice answer may take.
    """

    answer_type: AnswerType
    ndim: int
    shape: tuple[int, ...] | None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Practice:
    """A practice instance of a by-hand exercise: other numbers from the same stream.

    Its cases are public (expected values and modeled mistakes are released) and read
    ``PRACTICE_<NAME>`` constants; they are never graded.
    """

    prompt_markdown: str
    cases: tuple[Case, ...]
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class ExerciseVariant:
    """One exercise as one student sees it (prompt with their numbers) plus its cases."""

    exercise_id: str
    title: str
    kind: str
    version: str
    points: float
    module: str
    prompt_markdown: str
    stub_source: str
    cases: tuple[Case, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    hints: tuple[str, ...] = ()
    solution_source: str = ""  # the stub with every answer filled in; never released
    practice: Practice | None = None  # by-hand exercises: released, checked by `check`
    # The exercise's own sandbox limits, e.g. (("cpu_seconds", 30), ("wall_seconds", 60.0)):
    # plain data (this module imports no stage); grading turns them into sandbox Limits
    # over the defaults.  Released too, so that `check` runs under the same limits.
    limits: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, eq=False)
class AssignmentVariant:
    """Every exercise of one assignment for one student."""

    course_id: str
    assignment_id: str
    student_id: str
    title: str
    exercises: tuple[ExerciseVariant, ...]
