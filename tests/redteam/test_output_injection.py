"""Red team, class "injection into outputs": what a student prints or raises stays text.

A submission raises an exception whose message holds control characters,
characters XML forbids, a CDATA end, closing tags, Markdown headings, links,
images and backtick fences.  Graded through the real command line, the JUnit file
is well-formed for a strict third-party parser (lxml), the rendered feedback
(markdown-it, CommonMark) has no heading, link, image or HTML made from that
text, and the text is still there to read.  CSV cells that would start a formula
are neutralised; long strings are cut with a note.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from lxml import etree
from markdown_it import MarkdownIt

from grader.exports.cells import MAX_CELL_CHARS, code_block, code_span, csv_cell, xml_text
from grader.exports.csv_report import render_csv
from grader.exports.feedback import render_feedback
from grader.exports.junit import render_junit
from grader.results import CheckResult, ExerciseResult, GradingResult

from .classroom import make_classroom

HOSTILE = ("\x00\x01\x08\x0b\x1b[31mred\x7f \ufffe\uffff ]]> </failure></testcase> "
           "<script>alert(1)</script> &amp; \n# Owned heading\n"
           "![pixel](http://evil.example/p.png) [click](http://evil.example/) "
           "<img src=x onerror=alert(2)> ``` ```` `x` \n=HYPERLINK(\"http://evil\")\n"
           "---\n<!-- comment -->")
MODULE = f"raise ValueError({HOSTILE!r})\n".encode()


def html_of(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def assert_inert(html: str) -> None:
    for made in ("<a ", "<img", "<script", "<h3", "<hr", "<!--"):
        assert made not in html, made


@pytest.fixture
def graded(tmp_path):
    room = make_classroom(tmp_path, ("mallory", "classmate"))
    folder = room.submit("mallory")
    (folder / "conv_output_size.py").write_bytes(MODULE)
    (folder / "pool_output_size.py").write_bytes(b"print(" + repr(HOSTILE * 50).encode() + b")\n"
                                                 + MODULE)
    assert room.grade_batch() == 0
    assert room.leaked() == []
    return room, room.out / "a1" / "mallory"


def test_junit_stays_well_formed_for_a_strict_parser(graded):
    room, folder = graded
    document = etree.fromstring((folder / "junit.xml").read_bytes())  # raises if malformed
    errors = document.findall(".//error")
    assert errors and all("ValueError" in e.text for e in errors)
    assert any("<script>alert(1)</script>" in e.text for e in errors)  # shown, as text
    assert room.rows()["mallory"].score == 0


def test_feedback_shows_the_text_literally_and_makes_nothing_of_it(graded):
    _, folder = graded
    markdown = (folder / "feedback.md").read_text()
    html = html_of(markdown)
    assert_inert(html)
    assert html.count("<h1>") == 1 and html.count("<h2>") == 2  # ours: title, two exercises
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "# Owned heading" in html and "[click](http://evil.example/)" in html


def test_every_grades_csv_cell_is_text_a_spreadsheet_will_not_run(graded):
    room, _ = graded
    for name in ("grades.csv", "grades-long.csv"):
        with open(room.out / "a1" / name, newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert cells and not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)


def crafted(text: str) -> GradingResult:
    check = CheckResult("c", "case", 0.0, 1.0, "error", text, True, mistake_id=text)
    return GradingResult("course", "a1", "s1", (ExerciseResult("e", "E", (check,)),),
                         isolation=text, wall_seconds=0.1)


@pytest.mark.parametrize("formula", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                     '=HYPERLINK("http://evil")'])
def test_csv_cells_that_would_start_a_formula_are_neutralised(formula):
    rows = list(csv.reader(io.StringIO(render_csv([crafted(formula)]), newline="")))
    assert rows[1][-1] == "'" + formula and rows[1][-2].startswith("'")
    assert csv_cell(-1.5) == -1.5  # numbers stay numbers


def test_long_strings_are_cut_with_a_note():
    text = "y" * (MAX_CELL_CHARS * 3)
    cell = csv_cell(text)
    assert len(cell) < MAX_CELL_CHARS + 100 and f"cut: {len(text)} characters in all" in cell
    junit = render_junit(crafted("z" * 1_000_000))
    assert len(junit) < 100_000 and "characters in all" in junit
    etree.fromstring(junit.encode())


@pytest.mark.parametrize("text", [HOSTILE, "`", "``a```b````", "\ud800", "\x00" * 5, ""])
def test_code_spans_and_blocks_keep_any_text_literal(text):
    assert_inert(html_of(f"- x {code_span(text)}\n"))
    assert_inert(html_of("\n".join(code_block(text))))
    element = ET.Element("a", title=xml_text(text))
    element.text = xml_text(text)
    etree.fromstring(ET.tostring(element, encoding="utf-8"))  # the stdlib writer, lxml reads


def test_a_feedback_of_crafted_results_renders_inert():
    html = html_of(render_feedback(crafted(HOSTILE), show_output=True))
    assert_inert(html)
