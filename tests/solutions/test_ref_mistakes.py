"""Every modeled mistake imitates a reference function and really differs from it."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from solutions import activations, conv, counts, pool, sizes, tinycnn
from solutions.mistakes import MISTAKES, Mistake, mistakes_for

REFERENCE_MODULES = (sizes, conv, pool, counts, activations, tinycnn)


def reference(topic):
    for module in REFERENCE_MODULES:
        if hasattr(module, topic):
            return getattr(module, topic)
    raise AssertionError(f"no reference function named {topic}")


def generic_inputs():
    """Arguments per topic with nothing special: odd sizes, non-square, no ties, biases."""
    rng = np.random.default_rng(20260101)
    x = rng.normal(size=(2, 4, 9, 7))
    w = rng.normal(size=(6, 2, 3, 2))
    forward = {"x": x, "w": w, "b": rng.normal(size=6), "stride": (2, 1), "padding": 1,
               "dilation": (1, 2), "groups": 2}
    out_shape = conv.conv2d_forward(**forward).shape
    backward = {key: forward[key] for key in ("x", "w", "stride", "padding", "dilation",
                                              "groups")}
    pooled = {"size": 3, "stride": 2, "padding": 1}
    dpool = rng.normal(size=pool.pool2d_forward(x, **pooled).shape)
    return {
        "conv_output_size": {"n": 11, "k": 3, "stride": 2, "padding": 1, "dilation": 2},
        "pool_output_size": {"n": 9, "k": 3},
        "transposed_conv_output_size": {"n": 5, "k": 3, "stride": 2, "padding": 1,
                                        "output_padding": 1, "dilation": 2},
        "same_padding": {"k": 4, "dilation": 2},
        "conv_output_shape": {"x_shape": (2, 4, 9, 12), "w_shape": (6, 2, 3, 3), "stride": 1,
                              "padding": 1, "dilation": 1, "groups": 2},
        "conv2d_forward": forward,
        "conv2d_backward": {"dout": rng.normal(size=out_shape), **backward},
        "im2col": {"x": x, "kh": 3, "kw": 2, "stride": 1, "padding": 1, "dilation": 1},
        "depthwise_separable_forward": {
            "x": x, "w_depth": rng.normal(size=(4, 1, 3, 3)),
            "w_point": rng.normal(size=(5, 4, 1, 1)), "b_depth": rng.normal(size=4),
            "b_point": rng.normal(size=5), "stride": 1, "padding": 1},
        "pool2d_forward": {"x": x, "mode": "max", **pooled},
        "maxpool_backward": {"dout": dpool, "x": x, **pooled},
        "avgpool_backward": {"dout": dpool, "x_shape": x.shape, **pooled},
        "conv_params": {"c_in": 4, "c_out": 6, "kh": 3, "kw": 2, "bias": True, "groups": 2},
        "dense_params": {"n_in": 27, "n_out": 3},
        "depthwise_separable_params": {"c_in": 4, "c_out": 6, "k": 3},
        "conv_macs": {"h_out": 5, "w_out": 4, "c_in": 4, "c_out": 6, "kh": 3, "groups": 2},
        "depthwise_separable_macs": {"h_out": 5, "w_out": 4, "c_in": 4, "c_out": 6, "k": 3},
        "receptive_field": {"layers": [(3, 1), (2, 2, 1), (3, 1, 2), (3, 2)]},
        "network_params": {"layers": counts.TINY_CNN},
        "cross_entropy": {"logits": rng.uniform(0.5, 3.0, size=(3, 4)),
                          "labels": np.array([0, 3, 1])},
        "softmax": {"z": rng.normal(size=(3, 4))},
        **_tinycnn_inputs(rng),
    }


def _tinycnn_inputs(rng):
    """TinyCNN's topics: 5 random 8x8 images, labels of every class, random parameters."""
    params = {"conv_w": rng.normal(size=(3, 1, 3, 3)), "conv_b": rng.normal(scale=0.3, size=3),
              "dense_w": rng.normal(size=(3, 27)), "dense_b": rng.normal(size=3)}
    x = rng.normal(size=(5, 1, 8, 8))
    return {"tinycnn_forward": {"x": x, **params},
            "tinycnn_backward": {"x": x, "y": np.array([0, 1, 2, 1, 0]), **params},
            "tinycnn_param_count": {"classes": 3, "filters": 3, "k": 3, "size": 8}}


GENERIC = generic_inputs()
TIED = np.array([[[[1.0, 4.0, 4.0, 0.0], [4.0, 2.0, 3.0, 3.0]]]])
SPECIAL = {  # mistakes that only show on inputs chosen for them
    "floor_forgotten": {"n": 8, "k": 3, "stride": 2},
    "rounded_up": {"n": 8, "k": 3, "stride": 2},
    "pool_stride_one": {"x": GENERIC["pool2d_forward"]["x"], "size": 3},
    "maxpool_grad_to_last_max": {"dout": np.array([[[[1.0, 2.0]]]]), "x": TIED, "size": 2},
}


def same(a, b):
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(same(u, v) for u, v in zip(a, b, strict=True)))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def test_there_are_at_least_25_modeled_mistakes_with_unique_ids():
    assert len(MISTAKES) >= 25
    assert all(key == mistake.mistake_id for key, mistake in MISTAKES.items())
    with pytest.raises(TypeError):
        MISTAKES["new"] = MISTAKES["kernel_flipped"]  # read-only


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=list(MISTAKES))
def test_mistake_has_the_signature_of_its_reference_and_a_one_sentence_explanation(mistake):
    assert isinstance(mistake, Mistake)
    assert (list(inspect.signature(mistake.fn).parameters)
            == list(inspect.signature(reference(mistake.topic)).parameters))
    text = mistake.explanation
    assert text[0].isupper() and text.endswith(".") and "\n" not in text and len(text) < 160


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=list(MISTAKES))
def test_mistake_gives_a_different_answer_from_the_reference(mistake):
    arguments = SPECIAL.get(mistake.mistake_id, GENERIC[mistake.topic])
    expected = reference(mistake.topic)(**arguments)
    wrong = mistake.fn(**arguments)
    assert not same(expected, wrong)


def test_mistakes_for_lists_the_mistakes_of_one_topic_in_registry_order():
    found = mistakes_for("conv2d_forward")
    assert "kernel_flipped" in [m.mistake_id for m in found]
    assert all(m.topic == "conv2d_forward" for m in found)
    assert mistakes_for("no_such_topic") == ()


def test_the_last_max_mistake_agrees_with_the_reference_when_there_are_no_ties():
    arguments = GENERIC["maxpool_backward"]
    assert same(MISTAKES["maxpool_grad_to_last_max"].fn(**arguments),
                pool.maxpool_backward(**arguments))
