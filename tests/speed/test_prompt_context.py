"""``show.<name>`` in a by-hand prompt: formatted on demand, the same text as before."""

from __future__ import annotations

import jinja2.sandbox
import numpy as np

from grader.authoring.kinds.by_hand_prompt import prompt_context


def test_show_holds_each_array_parameter_as_aligned_rows():
    params = {"x": np.array([[1, 2], [3, 40]]), "k": 3, "v": np.array([0.5, -1.0])}
    show = prompt_context(params, ())["show"]
    assert sorted(show) == ["v", "x"]  # scalars are not matrices
    assert show["x"] == " 1  2\n 3 40"
    assert len(show) == 2


def test_a_prompt_template_reads_show_by_attribute_and_loops_over_it():
    params = {"x": np.array([[1, 2], [3, 40]]), "k": 3}
    template = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined).from_string(
        "k={{ k }}\n{{ show.x }}\n{% for name in show %}[{{ name }}]{% endfor %}")
    assert template.render(prompt_context(params, ())) == "k=3\n 1  2\n 3 40\n[x]"
