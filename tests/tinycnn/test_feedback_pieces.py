"""The learned-filter images and the gradient hints, each on its own."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from grader.exports.filters import figure_markdown, filters_svg
from grader.grading.gradient_hints import describe_relation

SVG = "{http://www.w3.org/2000/svg}"


def test_filters_are_drawn_cell_by_cell_on_one_symmetric_colour_scale():
    vertical = [[-1.0, 2.0, -1.0]] * 3
    horizontal = [[-0.5] * 3, [1.0] * 3, [-0.5] * 3]
    root = ET.fromstring(filters_svg([vertical, horizontal]))
    cells = root.findall(f"{SVG}rect")
    assert len(cells) == 18
    colours = [cell.get("fill") for cell in cells]
    assert colours[1] == "#ff0000"  # the largest value overall: full red
    assert colours[0] == "#8080ff"  # -1 on a scale of 2: half-way to blue (255 / 2 rounded)
    assert colours[9 + 3] == "#ff8080"  # 1.0 of the second filter: same scale, half red
    second_left = min(float(c.get("x")) for c in cells[9:])
    assert second_left > max(float(c.get("x")) for c in cells[:9])


def test_figure_markdown_keeps_the_numbers_for_renderers_without_svg():
    lines = figure_markdown("learned <filters>", [np.eye(3).tolist()])
    text = "\n".join(lines)
    assert "&lt;filters&gt;" in text and "<svg" in text
    assert "filter 1:" in text and "  1.00   0.00   0.00" in text
    assert figure_markdown("none", []) == []


@pytest.mark.parametrize("factor, words", [
    (-1.0, "wrong sign"), (8.0, "8 times"), (0.125, "1/8 times"), (2.5, "5/2 times")])
def test_a_constant_factor_is_named(factor, words):
    expected = np.random.default_rng(0).normal(size=(3, 27))
    assert words in describe_relation(factor * expected, expected)


def test_unrelated_or_equal_values_get_no_factor_hint():
    rng = np.random.default_rng(1)
    expected = rng.normal(size=(3, 4))
    assert describe_relation(expected, expected) is None
    assert describe_relation(rng.normal(size=(3, 4)), expected) is None
    assert describe_relation(expected.T, expected) is None
    assert "never computed" in describe_relation(np.zeros((3, 4)), expected)


def test_errors_in_one_filter_are_located():
    expected = np.random.default_rng(2).normal(size=(3, 1, 3, 3))
    got = expected.copy()
    got[2] += 0.1
    assert "Only entry 2 along the first axis" in describe_relation(got, expected)
