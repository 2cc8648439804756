"""Grading a4 through the real sandbox: full marks, named mistakes, hints, partial credit."""

from __future__ import annotations

import dataclasses

import pytest

from grader.grading.grade import grade_submission

# Real student code with one bug each: (mistake id, line of the reference, replacement).
BACKWARD_BUGS = [
    ("tinycnn_softmax_grad_no_onehot", "    d_logits[np.arange(n), y] -= 1.0\n", ""),
    ("tinycnn_relu_grad_through_negatives", "d_z = d_a * (z > 0)", "d_z = d_a"),
    ("tinycnn_pool_grad_every_cell",
     "winner = blocks.argmax(axis=-1)[..., None] == np.arange(4)", "winner = np.ones(4)"),
    ("tinycnn_loss_summed", "d_logits /= n", "d_logits /= 1"),
    ("tinycnn_dense_grad_transposed", "d_dense_w = d_logits.T @ flat",
     "d_dense_w = flat.T @ d_logits"),
    ("tinycnn_bias_grads_forgotten", "d_conv_b = d_z.sum(axis=(0, 2, 3))",
     "d_conv_b = np.zeros(f)"),
    ("tinycnn_conv_grad_flipped", ".reshape(f, 1, k, k)", ".reshape(f, 1, k, k)[:, :, ::-1, ::-1]"),
    ("tinycnn_gradient_sign", "return d_conv_w, d_conv_b, d_dense_w, d_dense_b",
     "return -d_conv_w, -d_conv_b, -d_dense_w, -d_dense_b"),
]
FORWARD_BUGS = [
    ("tinycnn_average_pooled", ".max(axis=(3, 5))", ".mean(axis=(3, 5))"),
    ("tinycnn_softmax_over_batch", "logits.max(axis=1, keepdims=True))\n    return shifted / "
     "shifted.sum(axis=1, keepdims=True)", "logits.max(axis=0, keepdims=True))\n    return "
     "shifted / shifted.sum(axis=0, keepdims=True)"),
]


def _with_bug(source, old, new):
    assert old in source, old
    return source.replace(old, new, 1)


def _grade(variant, sandbox, files, only):
    chosen = dataclasses.replace(variant, exercises=tuple(
        e for e in variant.exercises if e.exercise_id in only))
    return grade_submission(variant=chosen, files=files, sandbox=sandbox)


def test_the_reference_submission_scores_full_marks(variant, solutions, sandbox):
    result = grade_submission(variant=variant, files=solutions, sandbox=sandbox)
    assert result.score == result.max_score == 30
    trained = result.exercises[-1].checks[0]
    assert trained.status == "passed" and "test accuracy" in trained.message
    (title, filters), = trained.figures
    assert title == "learned filters" and len(filters) == 3 and len(filters[0]) == 3


@pytest.mark.parametrize("mistake_id, old, new", BACKWARD_BUGS)
def test_each_modeled_backward_mistake_is_named(variant, solutions, sandbox, mistake_id, old, new):
    source = solutions["tinycnn_backward.py"].decode()
    if mistake_id == "tinycnn_bias_grads_forgotten":
        source = _with_bug(source, "d_dense_b = d_logits.sum(axis=0)",
                           "d_dense_b = np.zeros(len(dense_b))")
    files = {"tinycnn_backward.py": _with_bug(source, old, new).encode()}
    result = _grade(variant, sandbox, files, {"tinycnn-backward"})
    for check in result.exercises[0].checks:
        assert check.status != "passed"
        assert check.mistake_id == mistake_id, check.message


@pytest.mark.parametrize("mistake_id, old, new", FORWARD_BUGS)
def test_forward_mistakes_are_named(variant, solutions, sandbox, mistake_id, old, new):
    files = {"tinycnn_forward.py": _with_bug(
        solutions["tinycnn_forward.py"].decode(), old, new).encode()}
    result = _grade(variant, sandbox, files, {"tinycnn-forward"})
    assert {c.mistake_id for c in result.exercises[0].checks} == {mistake_id}


def test_a_constant_factor_in_one_group_is_described(variant, solutions, sandbox):
    source = solutions["tinycnn_backward.py"].decode()
    doubled = _with_bug(source, "d_dense_b = d_logits.sum(axis=0)",
                        "d_dense_b = 2 * d_logits.sum(axis=0)")
    result = _grade(variant, sandbox, {"tinycnn_backward.py": doubled.encode()},
                    {"tinycnn-backward"})
    for check in result.exercises[0].checks:
        assert check.status == "partial" and check.mistake_id is None
        assert "d_dense_b wrong; d_conv_w, d_conv_b, d_dense_w right" in check.message
        assert "2 times the right values" in check.message
        assert check.score == pytest.approx(check.max_score * 3 / 4)


def test_sign_and_scaling_of_one_group_are_described(variant, solutions, sandbox):
    source = solutions["tinycnn_backward.py"].decode()
    flipped = _with_bug(source, "d_dense_w = d_logits.T @ flat", "d_dense_w = -(d_logits.T @ flat)")
    result = _grade(variant, sandbox, {"tinycnn_backward.py": flipped.encode()},
                    {"tinycnn-backward"})
    message = result.exercises[0].checks[0].message
    assert "d_dense_w wrong" in message and "wrong sign" in message


def test_one_wrong_filter_is_located(variant, solutions, sandbox):
    source = solutions["tinycnn_backward.py"].decode()
    bug = _with_bug(source, "d_conv_b = d_z.sum(axis=(0, 2, 3))",
                    "d_conv_b = d_z.sum(axis=(0, 2, 3))\n    d_conv_w[1] *= 0.5")
    result = _grade(variant, sandbox, {"tinycnn_backward.py": bug.encode()}, {"tinycnn-backward"})
    message = result.exercises[0].checks[0].message
    assert "d_conv_w wrong" in message and "Only entry 1 along the first axis" in message
