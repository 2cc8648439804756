"""An independent reader of QTI 1.2 quiz packages that scores responses by their
``resprocessing``, as a QTI player (and Canvas's import of it) does.

Conditions run in order; ``varequal`` compares a choice's ident, or a number
with a number; ``vargte``/``varlte`` bound a number; ``other`` holds when no
earlier condition held; ``setvar`` sets or adds to ``SCORE``; a condition with
``continue="No"`` that holds ends the processing.  Fill-in blanks match the
typed text against the labels' texts (trimmed, case-insensitive), as Canvas does.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}


@dataclass
class Item:
    ident: str
    title: str
    qtype: str
    points: float
    element: object
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # response -> ident -> text
    feedback: dict[str, str] = field(default_factory=dict)

    def responses(self) -> list[str]:
        return [r.get("ident") for r in self.element.iterfind(".//q:presentation/*", NS)
                if r.tag.endswith(("response_lid", "response_str"))]

    def choose(self, response: str, text: str) -> str:
        """The label ident a student picks by its text (options and blanks)."""
        wanted = text.strip().casefold()
        for label_id, label_text in self.labels[response].items():
            if label_text.strip().casefold() == wanted:
                return label_id
        return ""  # a text no label has: matches nothing

    def score(self, answers: dict[str, str]) -> tuple[float, list[str]]:
        """SCORE (0..100) and the feedback texts shown, for ``answers`` by response ident."""
        score, shown, held_any = 0.0, [], False
        for condition in self.element.iterfind(".//q:resprocessing/q:respcondition", NS):
            variable = condition.find("q:conditionvar", NS)
            holds = all(_holds(test, answers, held_any) for test in variable)
            if not holds:
                continue
            held_any = held_any or condition.find("q:setvar", NS) is not None
            for setvar in condition.iterfind("q:setvar", NS):
                value = float(setvar.text)
                score = value if setvar.get("action") == "Set" else score + value
            for display in condition.iterfind("q:displayfeedback", NS):
                shown.append(self.feedback.get(display.get("linkrefid"), ""))
            if condition.get("continue", "No") == "No":
                break
        return score, shown


def _holds(test, answers: dict[str, str], held_any: bool) -> bool:
    tag = etree.QName(test).localname
    if tag == "other":
        return not held_any
    if tag == "not":
        return not all(_holds(t, answers, held_any) for t in test)
    if tag == "or":
        return any(_holds(t, answers, held_any) for t in test)
    if tag == "and":
        return all(_holds(t, answers, held_any) for t in test)
    given = answers.get(test.get("respident"), "")
    if tag == "varequal":
        try:
            return float(given) == float(test.text)
        except ValueError:
            return given == test.text
    try:
        number, bound = float(given), float(test.text)
    except ValueError:
        return False
    return number >= bound if tag == "vargte" else number <= bound


def read_package(data: bytes) -> tuple[dict[str, bytes], list[tuple[str, int, list[Item]]]]:
    """The zip's files, and (group title, pick, items) of every question group."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assessment = next(v for k, v in files.items()
                      if k.endswith(".xml") and b"<questestinterop" in v)
    root = etree.fromstring(assessment)
    groups = []
    for section in root.iterfind(".//q:section/q:section", NS):
        pick = int(section.findtext(".//q:selection_number", namespaces=NS))
        items = [_item(element) for element in section.iterfind("q:item", NS)]
        groups.append((section.get("title"), pick, items))
    return files, groups


def _item(element) -> Item:
    fields = {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
              for f in element.iterfind(".//q:qtimetadatafield", NS)}
    item = Item(element.get("ident"), element.get("title"), fields["question_type"],
                float(fields["points_possible"]), element)
    for response in element.iterfind(".//q:response_lid", NS):
        item.labels[response.get("ident")] = {
            label.get("ident"): _plain(label.findtext(".//q:mattext", namespaces=NS) or "")
            for label in response.iterfind(".//q:response_label", NS)}
    for feedback in element.iterfind("q:itemfeedback", NS):
        item.feedback[feedback.get("ident")] = _plain(
            feedback.findtext(".//q:mattext", namespaces=NS) or "")
    return item


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()
