"""Rendering: stubs, handouts and the notebook are pure functions of a variant."""

from __future__ import annotations

import nbformat
import pytest

from grader.authoring.course import load_course
from grader.authoring.render import (
    handout_html,
    handout_markdown,
    markdown_to_html,
    notebook,
    stub_module,
)
from grader.authoring.variant import build_assignment_variant
from grader.model import AssignmentVariant, ExerciseVariant

from .conftest import TEST_SECRET, tiny_lookup, write_course


@pytest.fixture
def variant(tmp_path) -> AssignmentVariant:
    course = load_course(write_course(tmp_path), get_kind=tiny_lookup)
    return build_assignment_variant(course, "a1", "s002", TEST_SECRET, get_kind=tiny_lookup)


def hostile_variant() -> AssignmentVariant:
    exercise = ExerciseVariant(
        exercise_id="evil", title="<b>Bold</b> & co", kind="tiny", version="0", points=1.0,
        module="evil", prompt_markdown="Try <script>alert(1)</script> and `a<b`\n\n"
        "```\nx < y && z\n```", stub_source="X = None\n", cases=(), hints=("<i>hint</i>",))
    return AssignmentVariant("c", "a", "s<1>", "T & T", (exercise,))


def test_a_stub_module_names_the_student_and_exercise_above_the_kind_stub(variant):
    exercise = variant.exercises[0]
    source = stub_module(variant, exercise)
    header, body = source.split("\n\n", 1)
    assert "s002" in header and "tiny-product" in header and "a1" in header
    assert all(line.startswith("#") for line in header.splitlines())
    assert body == exercise.stub_source
    compile(source, "stub.py", "exec")


def test_the_markdown_handout_has_every_prompt_and_module(variant):
    text = handout_markdown(variant)
    for index, exercise in enumerate(variant.exercises, start=1):
        assert f"## {index}. {exercise.title}" in text
        assert exercise.prompt_markdown.strip() in text
        assert f"`{exercise.module}.py`" in text
    assert "- Multiplication is repeated addition." in text


def test_the_html_handout_is_self_contained_and_escapes_everything():
    page = handout_html(hostile_variant())
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page
    assert "<code>a&lt;b</code>" in page
    assert "<pre><code>x &lt; y &amp;&amp; z</code></pre>" in page
    assert "&lt;i&gt;hint&lt;/i&gt;" in page
    for external in ("<link", "src=", "http://", "https://", "@import"):
        assert external not in page


def test_the_html_handout_shows_the_students_numbers(variant):
    page = handout_html(variant)
    a = variant.exercises[0].params["a"]
    assert f"<strong>{a}</strong>" in page
    assert page.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("markdown, html", [
    ("# Title", "<h3>Title</h3>"),
    ("one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>"),
    ("- a\n- *b*", "<ul><li>a</li><li><em>b</em></li></ul>"),
    ("1. a\n2. b", "<ol><li>a</li><li>b</li></ol>"),
    ("| 1 | 2 |\n|---|---|\n| 3 | 4 |",
     "<table><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>"),
    ("2 * 3 * 4", "<p>2 * 3 * 4</p>"),  # lone stars in arithmetic stay stars
])
def test_the_markdown_subset_converts_as_expected(markdown, html):
    assert str(markdown_to_html(markdown)) == html


def test_the_notebook_is_valid_nbformat_4_with_one_module_cell_per_exercise(variant):
    document = notebook(variant)
    nbformat.validate(nbformat.from_dict(document))
    module_cells = [c for c in document["cells"] if "cnn_grader" in c["metadata"]]
    assert [c["metadata"]["cnn_grader"]["module"] for c in module_cells] == [
        e.module for e in variant.exercises]
    assert ["".join(c["source"]) for c in module_cells] == [
        e.stub_source.rstrip() for e in variant.exercises]
    ids = [c["id"] for c in document["cells"]]
    assert len(ids) == len(set(ids))


def test_every_module_cell_is_followed_by_its_public_check(variant):
    cells = notebook(variant)["cells"]
    for index, cell in enumerate(cells):
        if "cnn_grader" in cell["metadata"]:
            module = cell["metadata"]["cnn_grader"]["module"]
            check = "".join(cells[index + 1]["source"])
            assert check == f'check_in_notebook("{module}", globals())'
