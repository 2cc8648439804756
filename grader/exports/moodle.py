"""Moodle XML quizzes whose wrong answers name the misconception.

One question category per exercise holds N variants; a Moodle quiz slot "random
question from this category" then gives each student one.  Question names carry
the exercise and the variant id, so a response traces back to its variant.

- one number: a ``numerical`` question; the right value first, then every
  distinct mistake value worth 0 with the mistake's explanation as feedback, then
  ``*`` (any other number) with a neutral feedback;
- one choice: a ``multichoice`` question, options in the student's letter order;
- several answers or a matrix: a ``cloze`` question with one field per answer
  or per cell, each field holding the same responses.

Moodle has no schema for this format; its importer (``question/format/xml``
and ``question/type/multianswer`` in moodle/moodle) is the specification.  Two
details of it shape this file: Cloze fractions are whole percentages, and inside
a Cloze field Moodle un-escapes ``\\}`` and ``\\#`` but not ``\\~``, while it
decodes HTML entities in every answer and feedback, so special characters are
written as numeric entities there (an escape the importer always undoes).
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree
from collections.abc import Sequence

from grader.exports.lms_common import (
    WRONG_FEEDBACK,
    Blank,
    QuizItem,
    Response,
    integer_weights,
    number_text,
)
from grader.exports.quiz_html import inline_html, markdown_html, matrix_table

# Moodle's list of grade fractions (percent); any other value is refused on import.
FRACTIONS = (100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333,
             30.0, 25.0, 20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0, 0.0)


def moodle_fraction(credit: float) -> str:
    """``credit`` (from -1 to 1) as one of Moodle's fractions, or ValueError."""
    percent = 100.0 * credit
    for allowed in FRACTIONS:
        if abs(abs(percent) - allowed) < 1e-4:
            value = allowed if percent >= 0 else -allowed
            return number_text(value)
    raise ValueError(f"{percent:g}% is not a grade Moodle accepts")


def moodle_xml(items: Sequence[QuizItem], *, category: str) -> bytes:
    """The quiz file: a category question before each exercise's variants."""
    quiz = etree.Element("quiz")
    seen: list[str] = []
    for item in items:
        if item.exercise_id not in seen:
            seen.append(item.exercise_id)
            quiz.append(etree.Comment(f" exercise {item.exercise_id} "))
            quiz.append(_category(f"$course$/top/{category}/{item.exercise_id}"))
        quiz.append(moodle_question(item))
    etree.indent(quiz, space="  ")
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8") + b"\n"


def question_type(item: QuizItem) -> str:
    """``numerical``, ``multichoice`` or ``cloze`` for this item."""
    if len(item.blanks) == 1 and not item.blanks[0].cell:
        return "numerical" if item.blanks[0].kind == "number" else "multichoice"
    return "cloze"


def moodle_question(item: QuizItem) -> etree.Element:
    kind = question_type(item)
    question = etree.Element("question", type=kind)
    _text(question, "name", item.name, fmt=None)
    if kind == "cloze":
        _text(question, "questiontext", cloze_text(item))
    else:
        _text(question, "questiontext", _prompt_html(item))
    _text(question, "generalfeedback", "")
    if kind != "cloze":
        _leaf(question, "defaultgrade", number_text(item.points))
    _leaf(question, "penalty", "0")
    _leaf(question, "hidden", "0")
    if kind == "numerical":
        _numerical(question, item.blanks[0])
    elif kind == "multichoice":
        _multichoice(question, item.blanks[0])
    return question


def _numerical(question: etree.Element, blank: Blank) -> None:
    for response in blank.responses:
        _answer(question, response, number_text(float(response.value)), response.tolerance)
    catch_all = Response(0.0, 0.0, 0.0, WRONG_FEEDBACK)
    _answer(question, catch_all, "*", 0.0)
    _leaf(question, "unitgradingtype", "0")
    _leaf(question, "unitpenalty", "0")
    _leaf(question, "showunits", "3")
    _leaf(question, "unitsleft", "0")


def _answer(question: etree.Element, response: Response, text: str, tolerance: float) -> None:
    answer = etree.SubElement(question, "answer", fraction=moodle_fraction(response.credit),
                              format="moodle_auto_format")
    _leaf(answer, "text", text)
    _leaf(answer, "tolerance", number_text(tolerance))
    _text(answer, "feedback", html.escape(response.feedback))


def _multichoice(question: etree.Element, blank: Blank) -> None:
    _leaf(question, "single", "true")
    _leaf(question, "shuffleanswers", "false")  # letters must stay as the prompt gives them
    _leaf(question, "answernumbering", "none")
    _leaf(question, "showstandardinstruction", "0")
    for fieldname in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(question, fieldname, "")
    responses = {r.value: r for r in blank.responses}
    for value, text in blank.options:
        response = responses.get(value, Response(value, 0.0, 0.0, WRONG_FEEDBACK))
        answer = etree.SubElement(question, "answer", fraction=moodle_fraction(response.credit),
                                  format="html")
        _leaf(answer, "text", _option_html(value, text))
        _text(answer, "feedback", html.escape(response.feedback))


def _option_html(value: str, text: str) -> str:
    return inline_html(text) if value == text else f"{html.escape(value)}. {inline_html(text)}"


def cloze_text(item: QuizItem) -> str:
    """The question text with one embedded field per blank."""
    weights = dict(zip((b.blank_id for b in item.blanks),
                       integer_weights([b.points for b in item.blanks]), strict=True))
    fields = {b.blank_id: cloze_field(b, weights[b.blank_id]) for b in item.blanks}
    return _protect_braces(_prompt_html(item)) + "\n" + answer_area(item, fields)


def answer_area(item: QuizItem, fields: dict[str, str]) -> str:
    """Where the fields go: one line per answer, a table for a matrix."""
    parts = []
    for case_id in dict.fromkeys(b.case_id for b in item.blanks):
        blanks = [b for b in item.blanks if b.case_id == case_id]
        label = _protect_braces(inline_html(_case_heading(item, blanks[0])))
        if len(blanks) == 1 and not blanks[0].cell:
            parts.append(f"<p>{label}: {fields[blanks[0].blank_id]}</p>")
            continue
        rows: dict[tuple[int, ...], list[str]] = {}
        for blank in blanks:
            rows.setdefault(blank.cell[:-1], []).append(fields[blank.blank_id])
        if len(blanks[0].cell) == 1:  # a shape or a vector: one row
            parts.append(f"<p>{label}:</p>" + matrix_table([next(iter(rows.values()))]))
        else:
            parts.append(f"<p>{label}:</p>" + matrix_table(list(rows.values())))
    return "\n".join(parts)


def _case_heading(item: QuizItem, blank: Blank) -> str:
    for number, question in enumerate(item.questions, start=1):
        if question.name == blank.case_id:
            return f"**{number}. {question.question}**"
    return blank.label[:1].upper() + blank.label[1:]


def cloze_field(blank: Blank, weight: int) -> str:
    """``{w:NUMERICAL:=v:t#fb~%0%m:t#fb}``, or a vertical ``MULTICHOICE_V`` field."""
    if blank.kind == "number":
        alternatives = [
            f"{_cloze_credit(r.credit)}{number_text(float(r.value))}:{number_text(r.tolerance)}"
            f"#{cloze_escape(r.feedback)}" for r in blank.responses]
        return f"{{{weight}:NUMERICAL:{'~'.join(alternatives)}}}"
    responses = {r.value: r for r in blank.responses}
    alternatives = []
    for value, text in blank.options:
        response = responses.get(value, Response(value, 0.0, 0.0, WRONG_FEEDBACK))
        shown = text if value == text else f"{value}. {text}"
        alternatives.append(f"{_cloze_credit(response.credit)}{cloze_escape(shown)}"
                            f"#{cloze_escape(response.feedback)}")
    return f"{{{weight}:MULTICHOICE_V:{'~'.join(alternatives)}}}"


def _cloze_credit(credit: float) -> str:
    if credit == 1.0:
        return "="
    fraction = float(moodle_fraction(credit))
    if fraction != int(fraction):
        raise ValueError(f"Cloze takes whole percentages only, not {fraction:g}%")
    return f"%{int(fraction)}%"


def cloze_escape(text: str) -> str:
    """Text for inside a Cloze field, as Moodle will decode it (see the module docstring).

    The importer decodes entities once, then turns ``\\}`` and ``\\#`` into ``}`` and
    ``#``; so a backslash is encoded twice: it is stored as the HTML entity ``&#92;``,
    which no later replacement touches and every browser shows as a backslash.
    """
    escaped = html.escape(text, quote=False).replace("&", "&amp;").replace("\\", "&amp;#92;")
    escaped = escaped.replace("#", "&#35;")
    for char in "{}~":
        escaped = escaped.replace(char, f"&#{ord(char)};")
    return escaped


def _protect_braces(text: str) -> str:
    """Braces outside fields as entities, so no prompt text can look like a field."""
    return text.replace("{", "&#123;").replace("}", "&#125;")


def _prompt_html(item: QuizItem) -> str:
    if item.questions and len(item.questions) == len(item.blanks) == 1:
        question = item.questions[0]
        return markdown_html(item.intro_markdown) + f"\n<p>{inline_html(question.question)}</p>"
    if item.questions and len(item.questions) == len(item.blanks):
        return markdown_html(item.intro_markdown)  # each question heads its own field
    return markdown_html(item.prompt_markdown)


def _category(path: str) -> etree.Element:
    question = etree.Element("question", type="category")
    category = etree.SubElement(question, "category")
    _leaf(category, "text", path)
    return question


def _text(parent: etree.Element, tag: str, text: str, *, fmt: str | None = "html") -> None:
    element = etree.SubElement(parent, tag, format=fmt) if fmt else etree.SubElement(parent, tag)
    _leaf(element, "text", text)


def _leaf(parent: etree.Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text
