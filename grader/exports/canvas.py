"""A Canvas quiz: a QTI 1.2 zip as Canvas (Classic Quizzes) imports it.

The zip holds ``imsmanifest.xml`` (IMS Common Cartridge) naming the assessment
``ID/ID.xml`` as a resource of type ``imsqti_xmlv1p2`` with a dependency on
``ID/assessment_meta.xml`` (Canvas's own quiz settings).  The identifier is the
same in all three files: text2qti's issue 18 shows Canvas dropping titles and
descriptions when they differ.  Each exercise is a question group (a
``section`` with a ``selection_ordering`` that picks 1 of its N variants, as
Canvas writes groups when it exports a quiz); items are written by
``canvas_items``.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as etree
import zipfile
from collections.abc import Sequence

from grader.exports.canvas_items import canvas_item, ident
from grader.exports.lms_common import QuizItem, number_text

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CC_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def canvas_package(items: Sequence[QuizItem], *, quiz_id: str, title: str) -> bytes:
    """The zip's bytes (the same items give the same bytes)."""
    key = ident("quiz", quiz_id)
    points = sum(variants[0].points for variants in _groups(items).values())
    files = {
        "imsmanifest.xml": manifest_xml(key, title),
        f"{key}/{key}.xml": assessment_xml(items, key, title),
        f"{key}/assessment_meta.xml": meta_xml(key, title, points),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=FIXED_TIME), data,
                             compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("non_cc_assessments/", date_time=FIXED_TIME), b"")
    return buffer.getvalue()


def _groups(items: Sequence[QuizItem]) -> dict[str, list[QuizItem]]:
    groups: dict[str, list[QuizItem]] = {}
    for item in items:
        groups.setdefault(item.exercise_id, []).append(item)
    return groups


def assessment_xml(items: Sequence[QuizItem], key: str, title: str) -> bytes:
    root = etree.Element("questestinterop", xmlns=QTI_NS)
    assessment = etree.SubElement(root, "assessment", ident=key, title=title)
    field = etree.SubElement(etree.SubElement(assessment, "qtimetadata"), "qtimetadatafield")
    etree.SubElement(field, "fieldlabel").text = "cc_maxattempts"
    etree.SubElement(field, "fieldentry").text = "1"
    section = etree.SubElement(assessment, "section", ident="root_section")
    for exercise_id, variants in _groups(items).items():
        group = etree.SubElement(section, "section", ident=ident(key, exercise_id),
                                 title=f"{variants[0].title} ({exercise_id})")
        selection = etree.SubElement(etree.SubElement(group, "selection_ordering"), "selection")
        etree.SubElement(selection, "selection_number").text = "1"
        extension = etree.SubElement(selection, "selection_extension")
        etree.SubElement(extension, "points_per_item").text = number_text(variants[0].points)
        for item in variants:
            group.append(canvas_item(item))
    return _bytes(root)


def manifest_xml(key: str, title: str) -> bytes:
    root = etree.Element("manifest", identifier=f"{key}_manifest", xmlns=CC_NS)
    metadata = etree.SubElement(root, "metadata")
    etree.SubElement(metadata, "schema").text = "IMS Content"
    etree.SubElement(metadata, "schemaversion").text = "1.1.3"
    etree.SubElement(root, "organizations")
    resources = etree.SubElement(root, "resources")
    resource = etree.SubElement(resources, "resource", identifier=key, type="imsqti_xmlv1p2")
    etree.SubElement(resource, "file", href=f"{key}/{key}.xml")
    etree.SubElement(resource, "dependency", identifierref=f"{key}_meta")
    meta = etree.SubElement(resources, "resource", identifier=f"{key}_meta",
                            type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                            href=f"{key}/assessment_meta.xml")
    etree.SubElement(meta, "file", href=f"{key}/assessment_meta.xml")
    return _bytes(root)


def meta_xml(key: str, title: str, points: float) -> bytes:
    """Canvas's quiz settings: answers in the order the prompt gives them (letters)."""
    root = etree.Element("quiz", identifier=key, xmlns=CANVAS_NS)
    settings = (("title", title), ("description", ""), ("shuffle_answers", "false"),
                ("scoring_policy", "keep_highest"), ("quiz_type", "assignment"),
                ("points_possible", number_text(points)), ("show_correct_answers", "true"),
                ("allowed_attempts", "1"), ("one_question_at_a_time", "false"),
                ("cant_go_back", "false"), ("available", "false"))
    for tag, text in settings:
        etree.SubElement(root, tag).text = text
    return _bytes(root)


def _bytes(root: etree.Element) -> bytes:
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
