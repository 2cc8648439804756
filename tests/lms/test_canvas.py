"""Canvas QTI: the same elements text2qti (a third-party writer) produces, and the
package scores every variant as our grader does."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from lxml import etree
from text2qti.config import Config
from text2qti.qti import QTI
from text2qti.quiz import Quiz

from grader.exports.canvas import canvas_package
from grader.exports.lms_common import number_text, quiz_item, quiz_items

from .canvas_reader import NS, read_package
from .conftest import VARIANTS, cells, demo_source, grader_verdict, wrong_number

IDENT_ATTRIBUTES = ("ident", "linkrefid", "identifier", "identifierref")


def _package(items, title="Quiz"):
    return canvas_package(items, quiz_id="cnn/test", title=title)


def _text2qti(source: str) -> bytes:
    return QTI(Quiz(source, config=Config())).zip_bytes()


def _assessment(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".xml") and "/" in n
                    and not n.endswith("assessment_meta.xml"))
        return etree.fromstring(archive.read(name))


def skeleton(element, names=None) -> list:
    """Tags, attributes and texts, with identifiers renamed by order of appearance,
    numbers compared as numbers and HTML texts left out (each writer has its own)."""
    names = {} if names is None else names
    rows = []
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        tag = etree.QName(node).localname
        attributes = {}
        for key, value in node.attrib.items():
            if key in IDENT_ATTRIBUTES or key == "respident":
                value = names.setdefault(value, f"id{len(names)}")
            if key != "title":
                attributes[key] = value
        rows.append((tag, tuple(sorted(attributes.items())), _canonical(tag, node, names)))
    return rows


def _canonical(tag, node, names):
    text = (node.text or "").strip()
    if tag == "mattext":
        return "<html>"
    if text in names:
        return names[text]
    if text.startswith(("text2qti_", "g")) and len(text) > 30:  # identifier lists
        return ",".join(names.setdefault(t, f"id{len(names)}") for t in text.split(","))
    try:
        return float(text)
    except ValueError:
        return text


def _items_of(assessment):
    return assessment.findall(".//q:item", NS)


def _drop_t2q_only(item):
    """text2qti adds a reference to a question bank entry Canvas does not need."""
    for field in item.iterfind(".//q:qtimetadatafield", NS):
        if field.findtext("q:fieldlabel", namespaces=NS) == "assessment_question_identifierref":
            field.getparent().remove(field)
    return item


def _first(assignment: str, exercise_id: str):
    return next(e for v, e in demo_source(assignment).exercises if e.exercise_id == exercise_id)


def test_numerical_question_in_a_group_is_written_as_text2qti_writes_it():
    exercise = _first("a1-sizes-and-counts", "conv-output-size")
    item = quiz_item(exercise, "quiz~0001")
    ours = _assessment(_package([item]))
    blank = item.blanks[0]
    wrong = "; ".join(f"{number_text(r.value)}: {r.feedback}" for r in blank.responses[1:])
    theirs = _assessment(_text2qti(
        f"Quiz title: Quiz\n\nGROUP\npick: 1\npoints per question: {number_text(item.points)}\n\n"
        f"Points: {number_text(item.points)}\n1.  Size?\n-   {wrong}\n"
        f"=   {number_text(blank.right.value)} +- 0\n\nEND_GROUP\n"))
    our_group, their_group = (a.find(".//q:section/q:section", NS) for a in (ours, theirs))
    assert skeleton(our_group) == skeleton(_drop_t2q_only(their_group))


def test_multiple_choice_with_feedback_is_written_as_text2qti_writes_it():
    exercise = _first("a1-sizes-and-counts", "conv-output-size")
    item = quiz_item(exercise, "quiz~0001", as_choice=True)
    blank = item.blanks[0]
    feedback = {r.value: r.feedback for r in blank.responses}
    lines = [f"Points: {number_text(item.points)}", "1.  Size?"]
    for value, _ in blank.options:
        star = "*" if value == blank.right.value else ""
        lines += [f"{star}{chr(97 + len(lines) // 2)})  {value}", f"... {feedback[value]}"]
    theirs = _assessment(_text2qti("Quiz title: Quiz\n\n" + "\n".join(lines) + "\n"))
    ours = _assessment(_package([item]))
    assert skeleton(_items_of(ours)[0]) == skeleton(_drop_t2q_only(_items_of(theirs)[0]))


def test_package_layout_and_identifiers_agree_across_files():
    data = _package(quiz_items(demo_source("a1-sizes-and-counts").exercises), title="A1")
    files, groups = read_package(data)
    manifest = etree.fromstring(files["imsmanifest.xml"])
    resources = manifest.findall(".//{*}resource")
    assert [r.get("type") for r in resources] == [
        "imsqti_xmlv1p2", "associatedcontent/imscc_xmlv1p1/learning-application-resource"]
    key = resources[0].get("identifier")
    assert resources[0].find("{*}file").get("href") == f"{key}/{key}.xml"
    assert resources[0].find("{*}dependency").get("identifierref") == resources[1].get(
        "identifier")
    meta = etree.fromstring(files[f"{key}/assessment_meta.xml"])
    assert meta.get("identifier") == key and meta.findtext("{*}title") == "A1"
    assert _assessment(data).find("q:assessment", NS).get("ident") == key
    assert {pick for _, pick, _ in groups} == {1} and {len(i) for _, _, i in groups} == {VARIANTS}


def _option_for(texts, value) -> str:
    """The option a student clicks: its letter, or the number nearest to theirs."""
    if isinstance(value, str):
        return next(t for t in texts if t == value or t.startswith(f"{value}. "))
    return min(texts, key=lambda t: abs(float(t) - float(value)))


def _canvas_answers(item, exercise, case, value):
    """What a student enters into the Canvas item for this case (other cases right)."""
    answers = {}
    responses = item.responses()
    if item.qtype == "numerical_question":
        return {responses[0]: number_text(float(value))}
    if item.qtype == "multiple_choice_question":
        text = _option_for(item.labels[responses[0]].values(), value)
        return {responses[0]: item.choose(responses[0], text)}
    position = 0
    for other in exercise.cases:
        typed = cells(value if other is case else other.expected)
        for cell_value in typed:
            response = responses[position]
            text = cell_value if isinstance(cell_value, str) else number_text(float(cell_value))
            if item.qtype == "multiple_dropdowns_question":
                text = _option_for(item.labels[response].values(), cell_value)
            answers[response] = item.choose(response, text)
            position += 1
    return answers


def _near_but_not_equal(case, value) -> bool:
    """Some cell within our tolerance yet not equal: Canvas blanks match text, so such a
    value counts only when typed in one of the spellings written (a known limit)."""
    if isinstance(value, str):
        return False
    got = np.asarray(value, dtype=np.float64)
    expected = np.asarray(case.expected, dtype=np.float64)
    bound = case.tolerance.atol + case.tolerance.rtol * np.abs(expected)
    return bool(np.any((got != expected) & (np.abs(got - expected) <= bound)))


@pytest.mark.parametrize("as_choice", [False, True], ids=["numeric", "choice"])
def test_canvas_scores_every_variant_as_our_grader(source, as_choice):
    _, groups = read_package(_package(quiz_items(source.exercises, as_choice=as_choice)))
    items = {item.title: item for _, _, group in groups for item in group}
    rng = np.random.default_rng(5)
    for variant_id, exercise in source.exercises:
        item = items[f"{exercise.exercise_id} [{variant_id}]"]
        whole = sum(c.points for c in exercise.cases)
        for case in exercise.cases:
            values = [case.expected] + [m.value for m in case.mistakes
                                        if np.shape(m.value) == np.shape(case.expected)]
            offered = item.qtype in ("multiple_choice_question", "multiple_dropdowns_question")
            if not offered and case.answer_type != "choice":
                values.append(wrong_number(case, rng))
            if case.answer_type != "choice" and (case.tolerance.atol or case.tolerance.rtol):
                expected = np.asarray(case.expected, dtype=np.float64)  # just inside our rule
                near = expected + 0.9 * (case.tolerance.atol + case.tolerance.rtol * abs(expected))
                values.append(float(near) if near.ndim == 0 else near)
            for value in values:
                verdict = grader_verdict(case, value)
                score, shown = item.score(_canvas_answers(item, exercise, case, value))
                lost = 100 * (case.points - verdict.score) / whole
                as_text = item.qtype == "fill_in_multiple_blanks_question"
                if not (as_text and _near_but_not_equal(case, value)) and (
                        not as_text or case.per_element_credit or len(cells(value)) == 1):
                    assert score == pytest.approx(100 - lost, abs=1e-3), item.title
                if not (as_text and _near_but_not_equal(case, value)):
                    assert (score == pytest.approx(100, abs=1e-3)) == (
                        verdict.status == "passed"), item.title
                if verdict.mistake_id:
                    explanation = next(m.explanation for m in case.mistakes
                                       if m.mistake_id == verdict.mistake_id)
                    assert any(explanation in text for text in shown), item.title


def test_blanks_accept_the_spellings_our_tolerance_allows():
    from grader.exports.canvas_items import accepted_texts
    from grader.exports.lms_common import Blank, Response

    def blank(value, tolerance):
        return Blank("X", "X", "x", "number", 1.0, (Response(value, tolerance, 1.0, "ok"),))

    texts = accepted_texts(blank(7 / 3, 0.01))
    assert "2.33" in texts and "2.3" not in texts and repr(7 / 3) in texts
    assert all(abs(float(t) - 7 / 3) <= 0.01 for t in texts)
    exact = accepted_texts(blank(4.0, 0.0))
    assert exact[0] == "4" and {"4.0", "4.00"} <= set(exact)
    assert all(float(t) == 4.0 for t in exact)
