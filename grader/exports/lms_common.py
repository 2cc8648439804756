"""One exercise variant as LMS quiz blanks: what every LMS writer shares.

A *blank* is one field a student fills in: a number (with an absolute tolerance)
or a choice among options.  It lists its accepted responses, right one first,
then one per distinct mistake value (mistakes whose values coincide share one
response, their explanations joined), each with the feedback our grader gives.
Order matters: an LMS takes the first response that matches, as our grader
tries the right answer first and then the mistakes in order.

Our tolerance is ``atol + rtol * |expected|``; an LMS knows only absolute
tolerances, so each response gets the absolute width our rule gives around its
own value (the grader names a mistake by the same rule centred on the mistake's
value).  Arrays become one blank per cell; a mistake whose shape differs from the
expected one cannot be typed into cells and is counted as not expressed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from grader.errors import SpecError
from grader.exports.quiz_html import ChoiceBlock, choice_blocks
from grader.model import Case, ExerciseVariant, ModeledAnswer, Tolerance

RIGHT_FEEDBACK = "Correct."
WRONG_FEEDBACK = "Not the expected value, and not one of the mistakes we know."
QUIZ_KINDS = ("by_hand", "multiple_choice")


@dataclass(frozen=True)
class Response:
    """One accepted response of a blank and what the LMS should say to it."""

    value: float | str
    tolerance: float
    credit: float  # 1.0 right, 0.0 a modeled mistake
    feedback: str
    mistake_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blank:
    """One field: a number or a choice, worth ``points``."""

    blank_id: str  # e.g. "OUTPUT[1][2]"
    case_id: str
    label: str
    kind: Literal["number", "choice"]
    points: float
    responses: tuple[Response, ...]
    options: tuple[tuple[str, str], ...] = ()  # (value, text) of every option of a choice
    cell: tuple[int, ...] = ()

    @property
    def right(self) -> Response:
        return self.responses[0]


@dataclass(frozen=True)
class QuizItem:
    """One exercise variant as one LMS question."""

    exercise_id: str
    variant_id: str
    title: str
    points: float
    prompt_markdown: str
    intro_markdown: str  # the prompt without the option lists, for choice exercises
    questions: tuple[ChoiceBlock, ...]  # parsed choice questions (may be empty)
    blanks: tuple[Blank, ...]
    unexpressed: tuple[str, ...] = ()  # "case: mistake" pairs no blank could hold

    @property
    def name(self) -> str:
        """Exercise and variant id, so that an LMS response traces back to a variant."""
        return f"{self.exercise_id} [{self.variant_id}]"

    @property
    def feedbacks(self) -> int:
        """How many modeled mistakes of this variant have feedback (one per answer that
        a mistake affects, however many cells carry it)."""
        return len({(b.case_id, m) for b in self.blanks for r in b.responses
                    for m in r.mistake_ids})


def quiz_item(exercise: ExerciseVariant, variant_id: str, *, as_choice: bool = False) -> QuizItem:
    """The blanks of one exercise variant; ``as_choice`` turns numbers into choices."""
    if exercise.kind not in QUIZ_KINDS or any(c.probe.kind != "attribute" for c in exercise.cases):
        raise SpecError(f"a {exercise.kind} exercise asks for code, which a quiz cannot grade",
                        where=exercise.exercise_id)
    intro, questions = choice_blocks(exercise.prompt_markdown)
    by_name = {q.name: q for q in questions}
    blanks: list[Blank] = []
    unexpressed: list[str] = []
    for case in exercise.cases:
        made, lost = case_blanks(case, by_name.get(case.case_id), as_choice=as_choice)
        blanks += made
        unexpressed += [f"{case.case_id}: {m}" for m in lost]
    return QuizItem(exercise_id=exercise.exercise_id, variant_id=variant_id,
                    title=exercise.title, points=exercise.points,
                    prompt_markdown=exercise.prompt_markdown, intro_markdown=intro,
                    questions=questions, blanks=tuple(blanks), unexpressed=tuple(unexpressed))


def case_blanks(case: Case, block: ChoiceBlock | None, *, as_choice: bool
                ) -> tuple[list[Blank], list[str]]:
    """The blanks of one case and the mistakes (ids) that none of them can express."""
    if case.answer_type == "choice":
        return [_choice_blank(case, block)], []
    if np.ndim(case.expected) == 0:
        blank = _number_blank(case, case.case_id, (), case.points)
        if as_choice and len(blank.responses) > 1:
            blank = as_choice_blank(blank)
        return [blank], []
    expected = np.asarray(case.expected, dtype=np.float64)
    fitting = [m for m in case.mistakes if np.shape(m.value) == expected.shape]
    lost = [m.mistake_id for m in case.mistakes if np.shape(m.value) != expected.shape]
    share = case.points / expected.size
    blanks = []
    for cell in np.ndindex(expected.shape):
        sub = dataclasses.replace(case, expected=float(expected[cell]), mistakes=tuple(
            ModeledAnswer(m.mistake_id, m.explanation, float(np.asarray(m.value)[cell]))
            for m in fitting))
        blank_id = case.case_id + "".join(f"[{i}]" for i in cell)
        blanks.append(_number_blank(sub, blank_id, tuple(int(i) for i in cell), share))
    return blanks, lost


def absolute_tolerance(value: float, tolerance: Tolerance) -> float:
    """The width of our rule around ``value``, as an LMS's absolute tolerance."""
    return tolerance.atol + tolerance.rtol * abs(value)


def _number_blank(case: Case, blank_id: str, cell: tuple[int, ...], points: float) -> Blank:
    right = float(case.expected)
    responses = [Response(right, absolute_tolerance(right, case.tolerance), 1.0, RIGHT_FEEDBACK)]
    for value, group in _groups(case, right):
        responses.append(Response(value, absolute_tolerance(value, case.tolerance), 0.0,
                                  " ".join(m.explanation for m in group),
                                  tuple(m.mistake_id for m in group)))
    return Blank(blank_id=blank_id, case_id=case.case_id, label=case.label, kind="number",
                 points=points, responses=tuple(responses), cell=cell)


def _groups(case: Case, right: float) -> list[tuple[float, list[ModeledAnswer]]]:
    """Mistake values that differ from the right one, coinciding mistakes together."""
    groups: list[tuple[float, list[ModeledAnswer]]] = []
    for mistake in case.mistakes:
        value = float(mistake.value)
        if not math.isfinite(value) or _close(value, right, case.tolerance):
            continue  # this cell is right under that mistake: nothing to tell apart
        for known, group in groups:
            if _close(value, known, case.tolerance):
                group.append(mistake)
                break
        else:
            groups.append((value, [mistake]))
    return groups


def _close(got: float, centre: float, tolerance: Tolerance) -> bool:
    return abs(got - centre) <= absolute_tolerance(centre, tolerance)


def _choice_blank(case: Case, block: ChoiceBlock | None) -> Blank:
    texts = dict(block.options) if block else {}
    letters = sorted({case.expected, *(m.value for m in case.mistakes), *texts})
    responses = [Response(case.expected, 0.0, 1.0, RIGHT_FEEDBACK)] + [
        Response(m.value, 0.0, 0.0, m.explanation, (m.mistake_id,)) for m in case.mistakes]
    options = tuple((letter, texts.get(letter, letter)) for letter in letters)
    return Blank(blank_id=case.case_id, case_id=case.case_id, label=case.label, kind="choice",
                 points=case.points, responses=tuple(responses), options=options)


def as_choice_blank(blank: Blank) -> Blank:
    """A number blank as a choice whose distractors are the mistakes' values.

    Options are sorted by value, so their order tells nothing about which is right.
    """
    ordered = sorted(blank.responses, key=lambda r: float(r.value))
    options = tuple((number_text(float(r.value)), number_text(float(r.value))) for r in ordered)
    responses = tuple(dataclasses.replace(r, value=number_text(float(r.value)), tolerance=0.0)
                      for r in blank.responses)
    return dataclasses.replace(blank, kind="choice", responses=responses, options=options)


def number_text(value: float) -> str:
    """A number as an LMS parses it: the shortest text that reads back as the same float
    (an exact answer must match exactly), without a needless ``.0`` or ``-0``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def integer_weights(points: Sequence[float], limit: int = 1000) -> list[int]:
    """Whole-number weights in the same proportions (Cloze weights are integers)."""
    from fractions import Fraction

    shares = [Fraction(p).limit_denominator(limit) for p in points]
    denominator = math.lcm(*(s.denominator for s in shares)) if shares else 1
    weights = [int(s * denominator) for s in shares]
    divisor = math.gcd(*weights) if any(weights) else 1
    return [max(1, w // divisor) for w in weights]


def quiz_items(exercises: Sequence[tuple[str, ExerciseVariant]], *, as_choice: bool = False
               ) -> list[QuizItem]:
    """Every (variant id, exercise) pair as a quiz item."""
    return [quiz_item(exercise, variant_id, as_choice=as_choice)
            for variant_id, exercise in exercises]


def is_quiz_exercise(exercise: Any) -> bool:
    """Whether an exercise can become a quiz question (no code to run)."""
    return exercise.kind in QUIZ_KINDS and all(c.probe.kind == "attribute" for c in exercise.cases)
