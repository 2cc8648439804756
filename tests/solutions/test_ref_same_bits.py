"""The padding and window fast paths of issue 15 change no bit of what the reference computes.

``solutions/conv.py`` and ``solutions/pool.py`` write the input into an array of the
fill (instead of ``np.pad``) and take the windows with ``as_strided`` (instead of
``sliding_window_view`` and slicing).  Released variants are recomputed from the
reference for years, so the results must be the very same arrays: same dtype,
shape, memory layout and bytes as the plain NumPy versions in ``ref_np_pad``,
and the same exceptions, on many shapes (zero padding, strides, dilation, groups,
windows as large as the input, inputs of other layouts and dtypes).
"""

from __future__ import annotations

import numpy as np
import pytest
import ref_np_pad as plain

from solutions import conv, pool
from solutions.wrong import conv as wrong_conv
from solutions.wrong import pool as wrong_pool
from solutions.wrong import tinycnn as wrong_tinycnn


def assert_same_bits(got, expected):
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert_same_bits(g, e)
        return
    assert (got.dtype, got.shape, got.strides) == (expected.dtype, expected.shape,
                                                   expected.strides)
    assert got.tobytes() == expected.tobytes()
    assert got.tobytes() == expected.tobytes()


def outcome(fn, *args, **kwargs):
    """The value, or the type of the exception (messages may differ)."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, ArithmeticError, TypeError, IndexError) as error:
        return type(error)


def assert_same_outcome(new, old, *args, **kwargs):
    got, expected = outcome(new, *args, **kwargs), outcome(old, *args, **kwargs)
    if isinstance(expected, type):
        assert got is expected
    else:
        assert_same_bits(got, expected)


def layout(x, rng):
    """``x`` as it is, transposed twice (a strided view), Fortran-ordered or as integers."""
    choice = int(rng.integers(0, 4))
    if choice == 1:
        return np.swapaxes(np.swapaxes(x, 2, 3).copy(), 2, 3)
    if choice == 2:
        return np.asfortranarray(x)
    if choice == 3:
        return np.round(x * 3).astype(np.int64)
    return x


def conv_case(rng):
    groups = int(rng.choice([1, 1, 2]))
    c, f = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    options = {"stride": tuple(int(v) for v in rng.integers(1, 4, size=2)),
               "padding": tuple(int(v) for v in rng.integers(0, 3, size=2)),
               "dilation": tuple(int(v) for v in rng.integers(1, 3, size=2))}
    if rng.random() < 0.3:  # plain ints, and often no padding at all
        options = {name: int(value[0]) for name, value in options.items()}
        options["padding"] = 0
    h, w = (int(v) for v in rng.integers(1, 9, size=2))  # windows sometimes too large
    x = layout(rng.normal(size=(int(rng.integers(1, 3)), c, h, w)), rng)
    return x, rng.normal(size=(f, c // groups, kh, kw)), groups, options


@pytest.mark.parametrize("seed", range(150))
def test_convolutions_give_the_bits_of_np_pad_and_sliding_windows(seed):
    rng = np.random.default_rng(seed)
    x, w, groups, options = conv_case(rng)
    b = rng.normal(size=w.shape[0])
    assert_same_outcome(conv.conv2d_forward, plain.conv2d_forward, x, w, b, groups=groups,
                        **options)
    assert_same_outcome(conv.im2col, plain.im2col, x, *w.shape[2:], **options)
    forward = outcome(plain.conv2d_forward, x, w, b, groups=groups, **options)
    if not isinstance(forward, type):
        dout = rng.normal(size=forward.shape)
        assert_same_outcome(conv.conv2d_backward, plain.conv2d_backward, dout, x, w,
                            groups=groups, **options)
        wrong = np.ones((*forward.shape[:2], forward.shape[2] + 1, forward.shape[3]))
        assert_same_outcome(conv.conv2d_backward, plain.conv2d_backward, wrong, x, w,
                            groups=groups, **options)


@pytest.mark.parametrize("seed", range(60))
def test_depthwise_separable_gives_the_bits_of_sliding_windows(seed):
    rng = np.random.default_rng(1000 + seed)
    x, _, _, options = conv_case(rng)
    c, k = x.shape[1], int(rng.integers(1, 4))
    w_depth, w_point = rng.normal(size=(c, 1, k, k)), rng.normal(size=(2, c, 1, 1))
    args = (x, w_depth, w_point, rng.normal(size=c), rng.normal(size=2), options["stride"],
            options["padding"])
    assert_same_outcome(conv.depthwise_separable_forward, plain.depthwise_separable_forward,
                        *args)


def pool_case(rng):
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    stride = None if rng.random() < 0.3 else tuple(int(v) for v in rng.integers(1, 4, size=2))
    padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
    if rng.random() < 0.2:
        padding = 0
    h, w = (int(v) for v in rng.integers(1, 8, size=2))
    x = np.round(rng.normal(size=(int(rng.integers(1, 3)), int(rng.integers(1, 3)), h, w)), 1)
    return layout(x, rng), {"size": (kh, kw), "stride": stride, "padding": padding}


@pytest.mark.parametrize("seed", range(150))
def test_pooling_gives_the_bits_of_np_pad_and_sliding_windows(seed):
    rng = np.random.default_rng(2000 + seed)
    x, options = pool_case(rng)
    for mode in ("max", "avg", "min"):
        assert_same_outcome(pool.pool2d_forward, plain.pool2d_forward, x, mode=mode, **options)
    forward = outcome(plain.pool2d_forward, x, **options)
    dout = rng.normal(size=forward.shape) if not isinstance(forward, type) else np.ones((1,) * 4)
    assert_same_outcome(pool.maxpool_backward, plain.maxpool_backward, dout, x, **options)
    picks = {wrong_pool.maxpool_grad_to_last_max: (wrong_pool._last_max, True),
             wrong_pool.maxpool_grad_to_min: (wrong_pool._min_ignoring_padding, True),
             wrong_pool.maxpool_overlap_overwritten: (lambda v: v.argmax(axis=-1), False)}
    for mistake, (pick, accumulate) in picks.items():
        assert_same_outcome(mistake, lambda *a, pick=pick, accumulate=accumulate, **k:
                            plain.route(*a, k["stride"], k["padding"], pick, accumulate),
                            dout, x, options["size"], stride=options["stride"],
                            padding=options["padding"])


@pytest.mark.parametrize("seed", range(40))
def test_padding_mistakes_give_the_bits_of_np_pad(seed):
    rng = np.random.default_rng(3000 + seed)
    x, w, _, options = conv_case(rng)
    ph, pw = plain.geometry(1, 1, options["padding"])[4:]
    one_side = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (ph, 0), (pw, 0)))
    assert_same_outcome(wrong_conv.conv_padding_one_side,
                        lambda *a, **k: conv.conv2d_forward(one_side, w, None, k["stride"], 0,
                                                            k["dilation"]),
                        x, w, **options)
    x, options = pool_case(rng)
    kh, kw, sh, sw, ph, pw = plain.geometry(**options)
    zeros = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    assert_same_outcome(wrong_pool.pool_padded_with_zeros,
                        lambda *a, **k: pool.pool2d_forward(zeros, (kh, kw), (sh, sw), 0),
                        x, **options)


@pytest.mark.parametrize("seed", range(100))
def test_the_strided_window_view_is_the_sliced_sliding_window_view(seed):
    # the expression of solutions/conv.py, checked for shape, strides, values, read-only
    rng = np.random.default_rng(4000 + seed)
    xp = layout(rng.normal(size=tuple(int(v) for v in rng.integers(1, 7, size=4))), rng)
    kh, kw, sh, sw, dh, dw = (int(v) for v in rng.integers(1, 4, size=6))
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if span_h > xp.shape[2] or span_w > xp.shape[3]:
        return
    sliced = np.lib.stride_tricks.sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    sliced = sliced[:, :, ::sh, ::sw, ::dh, ::dw]
    s_n, s_c, s_h, s_w = xp.strides
    view = np.lib.stride_tricks.as_strided(
        xp, (*xp.shape[:2], (xp.shape[2] - span_h) // sh + 1, (xp.shape[3] - span_w) // sw + 1,
             kh, kw), (s_n, s_c, sh * s_h, sw * s_w, dh * s_h, dw * s_w), writeable=False)
    assert (view.shape, view.strides) == (sliced.shape, sliced.strides)
    assert np.array_equal(view, sliced) and not view.flags.writeable


@pytest.mark.parametrize("n", [1, 4, 12])
def test_the_backward_family_shares_its_upstream_but_hands_out_no_shared_array(n):
    # members whose d_z agree share one einsum; each still gets its own arrays, laid
    # out (strides too) as when it runs alone
    rng = np.random.default_rng(n)
    inputs = {"x": rng.uniform(-1, 1, (n, 1, 8, 8)), "y": rng.integers(0, 3, n),
              "conv_w": rng.uniform(-1, 1, (3, 1, 3, 3)), "conv_b": rng.uniform(-0.3, 0.3, 3),
              "dense_w": rng.uniform(-0.5, 0.5, (3, 27)), "dense_b": rng.uniform(-0.3, 0.3, 3)}
    members = [m.fn for m in wrong_tinycnn.MISTAKES if hasattr(m.fn, "switches")
               and m.topic == "tinycnn_backward"]
    assert sum(not set(fn.switches) & set(wrong_tinycnn._UPSTREAM) for fn in members) >= 2
    together = wrong_tinycnn._backward_family(inputs, [fn.switches for fn in members])
    arrays = []
    for fn, (ok, value) in zip(members, together, strict=True):
        assert ok
        assert_same_bits(value, fn(**inputs))
        arrays += value
    assert len({id(a) for a in arrays}) == len(arrays)


def _backward_inputs(topic, rng):
    if topic == "tinycnn_backward":
        n = int(rng.integers(1, 13))
        return {"x": rng.uniform(-1, 1, (n, 1, 8, 8)), "y": rng.integers(0, 3, n),
                "conv_w": rng.uniform(-1, 1, (3, 1, 3, 3)), "conv_b": rng.uniform(-0.3, 0.3, 3),
                "dense_w": rng.uniform(-0.5, 0.5, (3, 27)),
                "dense_b": rng.uniform(-0.3, 0.3, 3)}
    while True:
        x, w, groups, options = conv_case(rng)
        forward = outcome(conv.conv2d_forward, x, w, groups=groups, **options)
        if not isinstance(forward, type):
            return {"dout": rng.normal(size=forward.shape), "x": x, "w": w, "groups": groups,
                    **options}


@pytest.mark.parametrize("seed", range(40))
def test_mistakes_derived_from_the_reference_value_give_what_they_give_alone(seed):
    # evaluate_safely(fn, arguments, reference) calls fn.from_reference(reference, **arguments)
    from solutions.mistakes import MISTAKES
    from solutions.tinycnn import tinycnn_backward

    references = {"conv2d_backward": conv.conv2d_backward, "tinycnn_backward": tinycnn_backward}
    derived = [m for m in MISTAKES.values() if hasattr(m.fn, "from_reference")]
    assert {m.topic for m in derived} == set(references) and len(derived) >= 4
    rng = np.random.default_rng(5000 + seed)
    for mistake in derived:
        arguments = _backward_inputs(mistake.topic, rng)
        reference = references[mistake.topic](**arguments)
        before = [r.tobytes() for r in reference]
        value = mistake.fn.from_reference(reference, **arguments)
        assert_same_bits(value, mistake.fn(**arguments))
        assert [r.tobytes() for r in reference] == before  # kept arrays are never changed
