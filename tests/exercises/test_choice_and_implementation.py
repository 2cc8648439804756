"""The multiple_choice and implementation kinds, the stub cutter and the registry."""

from __future__ import annotations

import ast

import numpy as np
import pytest
from scipy.signal import correlate2d

from grader.authoring.kinds import KIND_NAMES, get_kind
from grader.authoring.kinds.reference import cut_solution
from grader.errors import SpecError
from grader.model import Probe
from tests.exercises.helpers import make_spec, rng

QUESTION = {
    "name": "Q_POOL",
    "question": "How many parameters does a max-pooling layer learn?",
    "correct": "none",
    "distractors": [
        {"text": "one per cell of the window", "mistake": "pooling_has_weights",
         "explanation": "Pooling applies a fixed rule."},
        "one per channel",
        "one in total",
    ],
}


def test_every_kind_name_is_registered_and_an_unknown_one_is_an_author_error():
    assert {get_kind(name).name for name in KIND_NAMES} == set(KIND_NAMES)
    with pytest.raises(SpecError, match="unknown kind 'essay'"):
        get_kind("essay")


def test_the_correct_letter_points_at_the_correct_text_in_every_student_order():
    spec = make_spec("multiple_choice", {"questions": [QUESTION]})
    orders = set()
    for seed in range(20):
        output = get_kind("multiple_choice").build(spec, {}, rng(f"student-{seed}"))
        (shown,) = output.prompt_context["questions"]
        texts = {o["letter"]: o["text"] for o in shown["options"]}
        (case,) = output.cases
        assert texts[case.expected] == "none"
        by_mistake = {m.mistake_id: m.value for m in case.mistakes}
        assert texts[by_mistake["pooling_has_weights"]] == "one per cell of the window"
        assert texts[by_mistake["distractor_2"]] == "one per channel"
        orders.add(tuple(texts.values()))
    assert len(orders) > 3  # students see different orders


def test_pick_gives_each_student_a_subset_of_the_questions():
    questions = [{**QUESTION, "name": f"Q_{i}"} for i in range(5)]
    spec = make_spec("multiple_choice", {"questions": questions, "pick": 2})
    chosen = set()
    for seed in range(10):
        output = get_kind("multiple_choice").build(spec, {}, rng(str(seed)))
        assert len(output.cases) == 2
        assert sum(case.points for case in output.cases) == pytest.approx(2.0)
        chosen.add(tuple(case.case_id for case in output.cases))
    assert len(chosen) > 1


def test_repeated_options_are_reported():
    broken = {**QUESTION, "distractors": ["none", "two"]}
    problems = get_kind("multiple_choice").check_options({"questions": [broken]})
    assert problems == [("options.questions[0].distractors",
                         "options must all differ from each other")]


CONV_OPTIONS = {
    "reference": "conv2d_forward",
    "cases": [
        {"name": "public_one", "public": True,
         "inputs": {"x": {"random": [1, 1, "h", 5]}, "w": {"random": [1, 1, 2, 3]}}},
        {"name": "hidden_bias", "inputs": {"x": {"random": [2, 1, "h", 5]},
                                           "w": {"random": [1, 1, 2, 2]},
                                           "b": {"random": [1]}}},
    ],
}


def test_implementation_cases_hold_reference_values_checked_against_scipy():
    spec = make_spec("implementation", CONV_OPTIONS, points=10)
    output = get_kind("implementation").build(spec, {"h": 4}, rng())
    public, hidden = output.cases
    assert public.public and not hidden.public
    assert public.points + hidden.points == pytest.approx(10)
    inputs = dict(public.probe.inputs)
    assert public.probe == Probe("call", "conv2d_forward", public.probe.inputs, ())
    oracle = correlate2d(inputs["x"][0, 0], inputs["w"][0, 0], mode="valid")
    np.testing.assert_allclose(public.expected[0, 0], oracle, rtol=1e-12)
    inputs = dict(hidden.probe.inputs)
    for n in range(2):
        oracle = correlate2d(inputs["x"][n, 0], inputs["w"][0, 0], mode="valid") + inputs["b"][0]
        np.testing.assert_allclose(hidden.expected[n, 0], oracle, rtol=1e-12)
    assert "bias_forgotten" in {m.mistake_id for m in hidden.mistakes}


def test_random_inputs_depend_only_on_the_stream():
    spec = make_spec("implementation", CONV_OPTIONS)
    first = get_kind("implementation").build(spec, {"h": 4}, rng("a"))
    again = get_kind("implementation").build(spec, {"h": 4}, rng("a"))
    other = get_kind("implementation").build(spec, {"h": 4}, rng("b"))
    x = dict(first.cases[0].probe.inputs)["x"]
    np.testing.assert_array_equal(x, dict(again.cases[0].probe.inputs)["x"])
    assert not np.array_equal(x, dict(other.cases[0].probe.inputs)["x"])


def test_the_stub_is_the_reference_function_with_its_solution_cut_out():
    spec = make_spec("implementation", CONV_OPTIONS)
    output = get_kind("implementation").build(spec, {"h": 4}, rng())
    assert "### BEGIN SOLUTION" not in output.stub_source
    assert "### BEGIN SOLUTION" in output.solution_source
    stub_tree = ast.parse(output.stub_source)
    (function,) = [node for node in stub_tree.body if isinstance(node, ast.FunctionDef)]
    assert function.name == "conv2d_forward"
    namespace: dict = {}
    exec(output.stub_source, namespace)
    with pytest.raises(NotImplementedError):
        namespace["conv2d_forward"](np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 2, 2)))
    exec(output.solution_source, namespace)  # the solution module stands alone
    got = namespace["conv2d_forward"](**dict(output.cases[1].probe.inputs))
    np.testing.assert_allclose(got, output.cases[1].expected)


def test_a_multi_output_function_gives_one_value_per_named_output():
    options = {"reference": "conv2d_backward", "outputs": ["dx", "dw", "db"], "cases": [
        {"public": True, "inputs": {"dout": {"random": [2, 1, 2, 2]},
                                    "x": {"random": [2, 1, 3, 3]}, "w": {"random": [1, 1, 2, 2]}}}]}
    output = get_kind("implementation").build(make_spec("implementation", options), {}, rng())
    (case,) = output.cases
    assert case.probe.outputs == ("dx", "dw", "db")
    dx, dw, db = case.expected
    assert dx.shape == (2, 1, 3, 3) and dw.shape == (1, 1, 2, 2) and db.shape == (1,)
    dout = dict(case.probe.inputs)["dout"]
    assert db[0] == pytest.approx(dout.sum())  # the bias sees every output once


def test_cutting_keeps_the_indentation_and_rejects_unclosed_markers():
    source = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n"
              "    ### END SOLUTION\n")
    assert cut_solution(source) == (
        'def f(x):\n    y = 1\n    raise NotImplementedError('
        '"replace this line with your implementation")\n')
    with pytest.raises(SpecError, match="never closed"):
        cut_solution("def f():\n    ### BEGIN SOLUTION\n    pass\n")

