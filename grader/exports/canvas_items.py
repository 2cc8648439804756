"""QTI 1.2 items as Canvas (Classic Quizzes) reads them, one per quiz item.

Canvas recognises a question only by ``itemmetadata/qtimetadata``
(``question_type``, ``points_possible``, ``original_answer_ids``) and grades by
``resprocessing``: the first ``respcondition`` that sets ``SCORE`` decides, and
conditions with ``continue="Yes"`` show feedback.  The element layout follows
what Canvas exports and what text2qti writes (compared in the tests).

What Canvas can hold of a mistake differs by type:

- ``multiple_choice_question`` (our choice kind, and numbers ``--as choice``):
  every option has its own feedback, so each mistake is explained when chosen;
- ``numerical_question``: every answer Canvas keeps is a *correct* one, so a
  mistake cannot be a 0-point answer; the explanations of the mistakes, with
  their values, go to the feedback shown after a wrong answer;
- several fields (``fill_in_multiple_blanks_question``, or
  ``multiple_dropdowns_question`` when every field is a choice): blanks are
  matched as text, so a number is accepted in the spellings our tolerance allows
  (``2.33`` and ``2.333...`` for 7/3 within 0.01), and mistakes go to the
  feedback after a wrong answer as for numbers.
"""

from __future__ import annotations

import hashlib
import html
import xml.etree.ElementTree as etree

from grader.exports.lms_common import Blank, QuizItem, number_text
from grader.exports.quiz_html import inline_html, markdown_html, matrix_table


def ident(*parts: str) -> str:
    """A stable identifier (Canvas's own are ``g`` and 32 hex digits)."""
    return "g" + hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


def canvas_type(item: QuizItem) -> str:
    if len(item.blanks) == 1 and not item.blanks[0].cell:
        return "numerical_question" if item.blanks[0].kind == "number" else \
            "multiple_choice_question"
    if all(blank.kind == "choice" for blank in item.blanks):
        return "multiple_dropdowns_question"
    return "fill_in_multiple_blanks_question"


def canvas_item(item: QuizItem) -> etree.Element:
    """One ``<item>`` for one exercise variant."""
    kind = canvas_type(item)
    key = ident(item.exercise_id, item.variant_id)
    element = etree.Element("item", ident=key, title=item.name)
    answer_ids = [_answer_id(key, b, i) for b in item.blanks for i in range(_answers(b, kind))]
    _metadata(element, kind, item.points, answer_ids)
    presentation = etree.SubElement(element, "presentation")
    _mattext(presentation, question_html(item, kind))
    processing = etree.SubElement(element, "resprocessing")
    outcomes = etree.SubElement(processing, "outcomes")
    etree.SubElement(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE",
                     vartype="Decimal")
    feedbacks: list[tuple[str, str]] = []
    not_right = etree.Element("other")  # after a decisive condition: "not right"
    if kind == "numerical_question":
        _numerical(presentation, processing, item.blanks[0])
    elif kind == "multiple_choice_question":
        feedbacks = _choice(presentation, processing, key, item.blanks[0])
    else:
        not_right = _blanks(presentation, processing, key, item.blanks, kind)
    wrong = mistakes_feedback(item)
    if wrong and kind != "multiple_choice_question":
        _show(processing, "general_incorrect_fb", not_right)
        feedbacks.append(("general_incorrect_fb", wrong))
    for feedback_id, text in feedbacks:
        block = etree.SubElement(element, "itemfeedback", ident=feedback_id)
        _mattext(etree.SubElement(block, "flow_mat"), text)
    return element


def mistakes_feedback(item: QuizItem) -> str:
    """After a wrong answer: the value each modeled mistake gives, and why."""
    lines = []
    for blank in item.blanks:
        for response in blank.responses[1:]:
            value = response.value if isinstance(response.value, str) else number_text(
                float(response.value))
            where = f"{blank.label} ({blank.blank_id})" if blank.cell else blank.label
            lines.append(f"<li>{html.escape(where)} = {html.escape(value)}: "
                         f"{html.escape(response.feedback)}</li>")
    return "<p>Common mistakes and the values they give:</p><ul>" + "".join(lines) + "</ul>" \
        if lines else ""


def question_html(item: QuizItem, kind: str) -> str:
    """The prompt; with several blanks, ``[blank]`` markers where the fields go."""
    if item.questions and len(item.questions) == len(item.blanks):
        intro = markdown_html(item.intro_markdown)
        if kind == "multiple_choice_question":
            return intro + f"\n<p>{inline_html(item.questions[0].question)}</p>"
        return intro + "".join(
            f"\n<p><strong>{i}. {inline_html(q.question)}</strong> [{_blank_name(b)}]</p>"
            for i, (q, b) in enumerate(zip(item.questions, item.blanks, strict=True), 1))
    prompt = markdown_html(item.prompt_markdown)
    if kind in ("numerical_question", "multiple_choice_question"):
        return prompt
    parts = [prompt]
    for case_id in dict.fromkeys(b.case_id for b in item.blanks):
        blanks = [b for b in item.blanks if b.case_id == case_id]
        label = html.escape(blanks[0].label[:1].upper() + blanks[0].label[1:])
        if len(blanks) == 1 and not blanks[0].cell:
            parts.append(f"<p>{label}: [{_blank_name(blanks[0])}]</p>")
            continue
        rows: dict[tuple[int, ...], list[str]] = {}
        for blank in blanks:
            rows.setdefault(blank.cell[:-1], []).append(f"[{_blank_name(blank)}]")
        parts.append(f"<p>{label}:</p>" + matrix_table(list(rows.values())))
    return "\n".join(parts)


def _blank_name(blank: Blank) -> str:
    """Canvas blank names are plain words: OUTPUT[1][2] becomes OUTPUT_1_2."""
    return blank.blank_id.replace("][", "_").replace("[", "_").replace("]", "")


def _answers(blank: Blank, kind: str) -> int:
    if kind == "numerical_question":
        return 1
    if blank.kind == "choice":
        return len(blank.options)
    return len(accepted_texts(blank))


def _answer_id(key: str, blank: Blank, index: int) -> str:
    return ident(key, blank.blank_id, str(index))


def accepted_texts(blank: Blank) -> list[str]:
    """Spellings of the right number that our tolerance accepts (blanks match text)."""
    right = blank.right
    if isinstance(right.value, str):
        return [right.value]
    value = float(right.value)
    texts = [number_text(value)]
    for decimals in range(7):
        text = f"{value:.{decimals}f}"
        if abs(float(text) - value) <= right.tolerance and text not in texts:
            texts.append(text)
    if value == int(value) and f"{int(value)}.0" not in texts:
        texts.append(f"{int(value)}.0")
    return texts


def _numerical(presentation: etree.Element, processing: etree.Element, blank: Blank) -> None:
    response = etree.SubElement(presentation, "response_str", ident="response1",
                                rcardinality="Single")
    fib = etree.SubElement(response, "render_fib", fibtype="Decimal")
    etree.SubElement(fib, "response_label", ident="answer1")
    value, tolerance = float(blank.right.value), blank.right.tolerance
    condition = etree.SubElement(processing, "respcondition", {"continue": "No"})
    variable = etree.SubElement(condition, "conditionvar")
    either = etree.SubElement(variable, "or")
    etree.SubElement(either, "varequal", respident="response1").text = number_text(value)
    both = etree.SubElement(either, "and")
    etree.SubElement(both, "vargte", respident="response1").text = number_text(value - tolerance)
    etree.SubElement(both, "varlte", respident="response1").text = number_text(value + tolerance)
    etree.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"


def _choice(presentation: etree.Element, processing: etree.Element, key: str,
            blank: Blank) -> list[tuple[str, str]]:
    response = etree.SubElement(presentation, "response_lid", ident="response1",
                                rcardinality="Single")
    render = etree.SubElement(response, "render_choice")
    by_value = {r.value: r for r in blank.responses}
    feedbacks, right_id = [], ""
    for index, (value, text) in enumerate(blank.options):
        option_id = _answer_id(key, blank, index)
        label = etree.SubElement(render, "response_label", ident=option_id)
        shown = inline_html(text) if value == text else f"{html.escape(value)}. {inline_html(text)}"
        _mattext(label, shown)
        chosen = by_value.get(value)
        if chosen is not None and chosen.credit == 1.0:
            right_id = option_id
        if chosen is not None:
            condition = _show(processing, f"{option_id}_fb", _equal("response1", option_id))
            condition.set("continue", "Yes")
            feedbacks.append((f"{option_id}_fb", f"<p>{html.escape(chosen.feedback)}</p>"))
    condition = etree.SubElement(processing, "respcondition", {"continue": "No"})
    etree.SubElement(condition, "conditionvar").append(_equal("response1", right_id))
    etree.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"
    return feedbacks


def _blanks(presentation: etree.Element, processing: etree.Element, key: str,
            blanks: tuple[Blank, ...], kind: str) -> etree.Element:
    """One response per blank; each right blank adds its share of 100.  Returns the
    test "some blank is not right", for the feedback after a wrong answer."""
    total = sum(b.points for b in blanks)
    not_right = etree.Element("not")
    all_right = etree.SubElement(not_right, "and")
    for blank in blanks:
        name = _blank_name(blank)
        response_id = f"response_{name}"
        response = etree.SubElement(presentation, "response_lid", ident=response_id)
        etree.SubElement(response, "material").append(_text_element(name))
        render = etree.SubElement(response, "render_choice")
        if kind == "multiple_dropdowns_question":
            options = [(value, text if value == text else f"{value}. {text}")
                       for value, text in blank.options]
            right = [i for i, (value, _) in enumerate(options) if value == blank.right.value]
        else:
            options = [(text, text) for text in accepted_texts(blank)]
            right = list(range(len(options)))
        for index, (_, text) in enumerate(options):
            label = etree.SubElement(render, "response_label", ident=_answer_id(key, blank, index))
            _mattext(label, inline_html(text))
        this_right = etree.SubElement(all_right, "or")
        for index in right:
            this_right.append(_equal(response_id, _answer_id(key, blank, index)))
            condition = etree.SubElement(processing, "respcondition", {"continue": "Yes"})
            etree.SubElement(condition, "conditionvar").append(
                _equal(response_id, _answer_id(key, blank, index)))
            etree.SubElement(condition, "setvar", varname="SCORE", action="Add").text = \
                number_text(100 * blank.points / total)
    return not_right


def _metadata(element: etree.Element, kind: str, points: float, answer_ids: list[str]) -> None:
    fields = etree.SubElement(etree.SubElement(element, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", kind), ("points_possible", number_text(points)),
                         ("original_answer_ids", ",".join(answer_ids))):
        field = etree.SubElement(fields, "qtimetadatafield")
        etree.SubElement(field, "fieldlabel").text = label
        etree.SubElement(field, "fieldentry").text = entry


def _show(processing: etree.Element, feedback_id: str, test: etree.Element) -> etree.Element:
    condition = etree.SubElement(processing, "respcondition", {"continue": "Yes"})
    etree.SubElement(condition, "conditionvar").append(test)
    etree.SubElement(condition, "displayfeedback", feedbacktype="Response", linkrefid=feedback_id)
    return condition


def _equal(response_id: str, value: str) -> etree.Element:
    element = etree.Element("varequal", respident=response_id)
    element.text = value
    return element


def _mattext(parent: etree.Element, text_html: str) -> None:
    etree.SubElement(etree.SubElement(parent, "material"), "mattext",
                     texttype="text/html").text = text_html


def _text_element(text: str) -> etree.Element:
    element = etree.Element("mattext")
    element.text = text
    return element
