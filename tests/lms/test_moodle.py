"""Moodle XML: the file imports (required elements) and grades exactly as our grader does.

The reader in ``moodle_reader`` is written from Moodle's importer, not from our
writer; the verdicts it compares with come from ``grader.grading.compare``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from grader.exports.lms_common import WRONG_FEEDBACK, quiz_item, quiz_items
from grader.exports.moodle import FRACTIONS, cloze_escape, moodle_fraction, moodle_xml
from grader.model import Case, ExerciseVariant, ModeledAnswer, Probe

from .conftest import VARIANTS, cells, demo_source, grader_verdict, wrong_number
from .moodle_reader import cloze_fields, read_quiz


def _export(source, *, as_choice=False):
    data = moodle_xml(quiz_items(source.exercises, as_choice=as_choice), category="cnn/test")
    return data, {q.name: q for q in read_quiz(data)}


def _pick(field, typed):
    """The option a student clicks for ``typed``, or ``typed`` itself for a number field."""
    if field.kind == "number":
        return typed
    texts = [a.text for a in field.answers]
    if isinstance(typed, str):
        return next(t for t in texts if t == typed or t.startswith(f"{typed}. "))
    return min(texts, key=lambda t: abs(float(t) - float(typed)))


def _agrees(question, exercise, case, value):
    """Moodle's verdict on ``value`` (typed into the case's fields) is the grader's."""
    start = sum(len(cells(c.expected)) for c in exercise.cases[:exercise.cases.index(case)])
    fields = question.fields[start:start + len(cells(case.expected))]
    matched = [f.grade(_pick(f, typed)) for f, typed in zip(fields, cells(value), strict=True)]
    credit = [m.fraction if m else 0.0 for m in matched]
    verdict = grader_verdict(case, value)
    score = sum(f.weight * c for f, c in zip(fields, credit, strict=True)) / sum(
        f.weight for f in fields)
    assert (verdict.status == "passed") == all(c == 1.0 for c in credit), question.name
    if case.per_element_credit or len(fields) == 1:
        assert score == pytest.approx(verdict.score / case.points), question.name
    wrong = [m for m, c in zip(matched, credit, strict=True) if c < 1.0]
    if verdict.mistake_id is not None:
        explanation = next(m.explanation for m in case.mistakes
                           if m.mistake_id == verdict.mistake_id)
        assert all(m is not None and explanation in m.feedback for m in wrong), question.name
    elif verdict.status != "passed":
        assert all(m is None or m.feedback == WRONG_FEEDBACK for m in wrong), question.name


@pytest.mark.parametrize("as_choice", [False, True], ids=["numeric", "choice"])
def test_moodle_grades_every_variant_as_our_grader(source, as_choice):
    _, questions = _export(source, as_choice=as_choice)
    rng = np.random.default_rng(12)
    checked = 0
    for variant_id, exercise in source.exercises:
        question = questions[f"{exercise.exercise_id} [{variant_id}]"]
        assert question.category.endswith(f"/{exercise.exercise_id}")
        for case in exercise.cases:
            values = [case.expected] + [m.value for m in case.mistakes
                                        if np.shape(m.value) == np.shape(case.expected)]
            offered = case.answer_type == "choice" or (
                as_choice and np.ndim(case.expected) == 0 and case.mistakes)
            if not offered:  # a number of one's own can be typed only into a number field
                values.append(wrong_number(case, rng))
            tolerant = case.tolerance.atol or case.tolerance.rtol
            if not offered and tolerant:  # a near value can be typed, never picked
                expected = np.asarray(case.expected, dtype=np.float64)  # just inside our rule
                near = expected + 0.9 * (case.tolerance.atol + case.tolerance.rtol * abs(expected))
                values.append(float(near) if near.ndim == 0 else near)
            for value in values:
                _agrees(question, exercise, case, value)
                checked += 1
    assert checked > 3 * len(source.exercises)


def test_every_question_has_what_the_moodle_importer_requires(source):
    data, _ = _export(source)
    root = etree.fromstring(data)
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    allowed = {f"{sign}{f:g}" for f in FRACTIONS for sign in ("", "-")}
    for question in questions:
        if question.get("type") == "category":
            assert question.findtext("category/text").startswith("$course$/top/")
            continue
        assert question.findtext("name/text").strip()
        assert question.find("questiontext").get("format") == "html"
        assert question.findtext("questiontext/text").strip()
        for answer in question.findall("answer"):
            assert f"{float(answer.get('fraction')):g}" in allowed
            assert answer.find("text") is not None
        if question.get("type") == "numerical":
            assert all(a.find("tolerance") is not None for a in question.findall("answer"))
            assert question.find("answer").get("fraction") == "100"
        if question.get("type") == "multichoice":
            assert question.findtext("single") == "true"
            assert [a.get("fraction") for a in question.findall("answer")].count("100") == 1
        if question.get("type") == "cloze":
            fields = cloze_fields(question.findtext("questiontext/text"))
            assert fields and all(any(a.fraction == 1.0 for a in f.answers) for f in fields)


def test_one_category_per_exercise_with_every_variant(source):
    _, questions = _export(source)
    categories = {}
    for question in questions.values():
        categories.setdefault(question.category, []).append(question.name)
    assert len(categories) == len({e.exercise_id for _, e in source.exercises})
    assert {len(names) for names in categories.values()} == {VARIANTS}


def test_variants_are_reproducible_and_never_a_students():
    first, again = demo_source("a1-sizes-and-counts"), demo_source.__wrapped__(
        "a1-sizes-and-counts")
    assert moodle_xml(quiz_items(first.exercises), category="c") == moodle_xml(
        quiz_items(again.exercises), category="c")
    assert all("~" in variant_id for variant_id, _ in first.exercises)


def _exercise(explanation: str, mistake_value=7, expected=(3, 4)) -> ExerciseVariant:
    case = Case(case_id="SHAPE", label="shape", points=2.0, public=False, answer_type="shape",
                probe=Probe("attribute", "SHAPE"), expected=expected,
                mistakes=(ModeledAnswer("m1", explanation, (3, mistake_value)),
                          ModeledAnswer("m2", "Another reason.", (3, mistake_value)),
                          ModeledAnswer("m3", "Wrong rank.", (1, 3, 4))))
    return ExerciseVariant(exercise_id="toy", title="Toy", kind="by_hand", version="1",
                           points=2.0, module="toy", prompt_markdown="Give {the} shape.",
                           stub_source="", cases=(case,))


def test_cloze_special_characters_survive_the_importers_decoding():
    tricky = "Braces {} hash # tilde ~ backslash \\ and <b>tags</b> & co."
    data = moodle_xml([quiz_item(_exercise(tricky), "quiz~0001")], category="c")
    question = read_quiz(data)[0]
    assert question.qtype == "cloze" and len(question.fields) == 2
    mistake = question.fields[1].grade(7)
    assert mistake.fraction == 0 and tricky in mistake.feedback
    assert "{the}" not in question.text  # prompt braces cannot start a field


def test_coinciding_mistakes_share_one_answer_and_other_shapes_are_counted():
    item = quiz_item(_exercise("One reason."), "quiz~0001")
    second = item.blanks[1]
    assert [r.mistake_ids for r in second.responses] == [(), ("m1", "m2")]
    assert item.unexpressed == ("SHAPE: m3",)


def test_fractions_come_only_from_moodles_list():
    assert moodle_fraction(1.0) == "100" and moodle_fraction(0.0) == "0"
    assert moodle_fraction(1 / 3) == "33.33333" and moodle_fraction(-0.5) == "-50"
    with pytest.raises(ValueError, match="not a grade Moodle accepts"):
        moodle_fraction(0.37)


def test_cloze_escape_leaves_no_character_that_ends_a_field():
    escaped = cloze_escape("a}b~c#d{e\\f")
    assert not set("}~{\\") & set(escaped.replace("&#35;", "").replace("&#", ""))


def test_a_one_question_choice_exercise_is_a_multichoice_with_its_options():
    import dataclasses

    from grader.authoring.course import load_course
    from grader.authoring.kinds import get_kind
    from grader.authoring.variant import build_exercise_variant

    from .conftest import ROOT, SECRET

    spec = load_course(ROOT / "course.yml").exercises["concepts"]
    spec = dataclasses.replace(spec, options={**spec.options, "pick": 1})
    exercise = build_exercise_variant(spec, secret=SECRET, points=1.0, kind=get_kind(spec.kind),
                                      path=("c", "a", "concepts", "quiz~0001"))
    (question,) = read_quiz(moodle_xml([quiz_item(exercise, "quiz~0001")], category="c"))
    (case,) = exercise.cases
    assert question.qtype == "multichoice"
    (field,) = question.fields
    right = field.grade(_pick(field, case.expected))
    assert right.fraction == 1.0 and right.text.split(". ", 1)[1] in exercise.prompt_markdown
    for mistake in case.mistakes:
        assert field.grade(_pick(field, mistake.value)).feedback == mistake.explanation


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")), min_size=1))
@example("{1:NUMERICAL:=3:0#x} ~ # \\} &amp; &#35; \\(x^2\\)")
def test_any_explanation_reads_back_exactly_from_a_cloze_field(explanation):
    data = moodle_xml([quiz_item(_exercise(explanation), "quiz~0001")], category="c")
    field = read_quiz(data)[0].fields[1]
    assert field.grade(7).feedback == f"{explanation} Another reason.".strip()  # shared
    assert field.grade(4).fraction == 1.0
