"""An independent reader of Moodle XML quiz files, grading as Moodle's question types do.

Written from Moodle's importer and question types (``question/format/xml``,
``question/type/numerical``, ``question/type/multianswer``), not from our writer:
it parses the file with lxml, decodes Cloze fields with the importer's grammar
(fraction ``=`` or ``%n%``, answer up to an unescaped ``~ # }``, feedback up to an
unescaped ``~ }``, HTML entities decoded, ``\\}`` and ``\\#`` un-escaped), and
grades a typed response by taking the first answer within its tolerance (widened
as ``qtype_numerical_answer::get_tolerance_interval`` widens it), as Moodle's
numerical type does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree

_FIELD_START = re.compile(r"\{(\d*):(NUMERICAL|NM|MULTICHOICE_V|MCV|MULTICHOICE|MC|MULTICHOICE_H"
                          r"|MCH|SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC):")
_ALTERNATIVE = re.compile(
    r"~?(=|%(-?\d+)%)?(.+?)(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)(#(.*?)(?<!\\)(?=[~}]|$))?", re.S)
_NUMERIC = re.compile(r"^(-?(\d+[.,]?\d*|[.,]\d+)([eE][-+]?\d+)?)(:(-?(\d+[.,]?\d*|[.,]\d+)"
                      r"([eE][-+]?\d+)?))?$")


@dataclass(frozen=True)
class Answer:
    fraction: float  # 0..1
    text: str  # a number, "*", or an option's text
    tolerance: float
    feedback: str


@dataclass(frozen=True)
class Field:
    kind: str  # "number" or "choice"
    weight: float
    answers: tuple[Answer, ...]

    def grade(self, typed: float | str) -> Answer | None:
        """The answer Moodle would match to ``typed`` (a number, or an option's text)."""
        for answer in self.answers:
            if self.kind == "choice":
                if answer.text == typed:
                    return answer
            elif answer.text == "*" or _within(float(typed), float(answer.text), answer.tolerance):
                return answer
        return None


@dataclass(frozen=True)
class Question:
    qtype: str
    name: str
    category: str
    text: str
    fields: tuple[Field, ...]


def _within(typed: float, value: float, tolerance: float) -> bool:
    """Moodle's nominal tolerance: it widens the interval by 10**-precision (PHP's
    ``precision`` is 14 by default) times max(1, |answer|), against rounding (MDL-3225)."""
    return abs(typed - value) <= tolerance + 1e-14 * max(1.0, abs(value))


def read_quiz(data: bytes) -> list[Question]:
    """Every question of a Moodle XML file, in order, with its category path."""
    root = etree.fromstring(data)
    assert root.tag == "quiz", "a Moodle XML file is a <quiz>"
    questions, category = [], ""
    for element in root.iterchildren("question"):
        qtype = element.get("type")
        if qtype == "category":
            category = element.findtext("category/text")
            continue
        text = element.findtext("questiontext/text")
        name = element.findtext("name/text")
        questions.append(Question(qtype, name, category, text, _fields(qtype, element, text)))
    return questions


def _fields(qtype: str, element, text: str) -> tuple[Field, ...]:
    if qtype == "cloze":
        return cloze_fields(text)
    answers = []
    for answer in element.iterchildren("answer"):
        option = answer.findtext("text")
        answers.append(Answer(float(answer.get("fraction")) / 100, _plain(option)
                              if qtype == "multichoice" else option,
                              float(answer.findtext("tolerance") or 0),
                              _plain(answer.findtext("feedback/text") or "")))
    kind = "number" if qtype == "numerical" else "choice"
    weight = float(element.findtext("defaultgrade") or 1)
    return (Field(kind, weight, tuple(answers)),)


def cloze_fields(text: str) -> tuple[Field, ...]:
    """The embedded fields of a Cloze text, parsed with the importer's grammar."""
    fields, position = [], 0
    while match := _FIELD_START.search(text, position):
        kind = "number" if match.group(2) in ("NUMERICAL", "NM") else "choice"
        answers, index = [], match.end()
        while index < len(text) and text[index] != "}":
            alternative = _ALTERNATIVE.match(text, index)
            assert alternative, f"unparsable Cloze field at {text[index:index + 40]!r}"
            answers.append(_cloze_answer(kind, alternative))
            index = alternative.end()
        assert index < len(text), "a Cloze field is not closed"
        fields.append(Field(kind, float(match.group(1) or 1), tuple(answers)))
        position = index + 1
    return tuple(fields)


def _cloze_answer(kind: str, alternative: re.Match) -> Answer:
    fraction = 1.0 if alternative.group(1) == "=" else float(alternative.group(2) or 0) / 100
    feedback = _unescape(alternative.group(5) or "")
    raw = alternative.group(3)
    if kind == "number":
        number = _NUMERIC.match(raw)
        assert number, f"a NUMERICAL answer that is not a number: {raw!r}"
        return Answer(fraction, number.group(1), float(number.group(5) or 0), _plain(feedback))
    return Answer(fraction, _plain(_unescape(raw)), 0.0, _plain(feedback))


def _unescape(text: str) -> str:
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def _plain(html_text: str) -> str:
    """What a student reads: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).strip()
