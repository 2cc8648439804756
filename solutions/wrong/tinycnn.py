"""Wrong ways to run TinyCNN forward and backward (topics in :mod:`solutions.tinycnn`).

Every backward mistake is the reference chain with one step done wrong, computed
by one switchable copy of that chain (:func:`_backward`), so that each mistake
differs from the reference in exactly the step its explanation names.
"""

from __future__ import annotations

import numpy as np

from solutions import tinycnn
from solutions.wrong.base import Mistake


def _features(x, conv_w, conv_b, flip=False):
    """Input windows, conv output ``z``, ReLU output ``a``; ``flip``: the true convolution."""
    x, conv_w = np.asarray(x, dtype=np.float64), np.asarray(conv_w, dtype=np.float64)
    kernel = conv_w[:, 0, ::-1, ::-1] if flip else conv_w[:, 0]
    k = conv_w.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(x[:, 0], (k, k), axis=(1, 2))
    z = np.einsum("nyxij,fij->nfyx", windows, kernel) + np.reshape(conv_b, (1, -1, 1, 1))
    return windows, z, np.maximum(z, 0.0)


def _blocks(a):
    n, f, oh, ow = a.shape
    ph, pw = oh // 2, ow // 2
    cut = a[:, :, : 2 * ph, : 2 * pw].reshape(n, f, ph, 2, pw, 2).transpose(0, 1, 2, 4, 3, 5)
    return cut.reshape(n, f, ph, pw, 4)


def _softmax(logits, axis=1):
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _forward(x, conv_w, conv_b, dense_w, dense_b, *, flip=False, pool="max",
             softmax_axis=1, channels_last=False, softmax=True):
    _, _, a = _features(x, conv_w, conv_b, flip)
    return _forward_tail(a, dense_w, dense_b, pool=pool, softmax_axis=softmax_axis,
                         channels_last=channels_last, softmax=softmax)


def _forward_tail(a, dense_w, dense_b, *, pool="max", softmax_axis=1, channels_last=False,
                  softmax=True):
    """``_forward`` after the convolution and ReLU ``a`` (which it does not change)."""
    blocks = _blocks(a)
    pooled = blocks.max(axis=-1) if pool == "max" else blocks.mean(axis=-1)
    if channels_last:
        pooled = pooled.transpose(0, 2, 3, 1)
    logits = pooled.reshape(len(pooled), -1) @ np.asarray(dense_w).T + np.asarray(dense_b)
    return _softmax(logits, softmax_axis) if softmax else logits


def _backward(x, y, conv_w, conv_b, dense_w, dense_b, **wrong):
    """The reference backward chain, with the named step done wrong when switched."""
    return _backward_tail(_backward_steps(x, y, conv_w, conv_b, dense_w, dense_b), **wrong)


def _backward_steps(x, y, conv_w, conv_b, dense_w, dense_b):
    """The steps of ``_backward`` that no switch changes: the forward pass and the softmax."""
    y, dense_w = np.asarray(y), np.asarray(dense_w, dtype=np.float64)
    windows, z, a = _features(x, conv_w, conv_b)
    blocks = _blocks(a)
    flat = blocks.max(axis=-1).reshape(len(a), -1)
    probs = _softmax(flat @ dense_w.T + np.asarray(dense_b))
    return windows, z, a, blocks, flat, probs, y, dense_w


_UPSTREAM = ("onehot", "relu_mask", "pool_to_all", "averaged")  # the switches d_z depends on


def _backward_tail(steps, *, transposed=False, biases=True, flipped=False, upstream=None,
                   **switches):
    """``_backward`` from its shared steps (which it does not change), switches applied.

    ``upstream``: what :func:`_upstream` gives for the ``switches`` of ``_UPSTREAM``,
    when another mistake of the family has made it already (not changed here either).
    """
    _, _, a, _, flat, _, _, dense_w = steps
    d_logits, d_z, kernel = _upstream(steps, **switches) if upstream is None else upstream
    d_dense_w = flat.T @ d_logits if transposed else d_logits.T @ flat
    d_conv_w = kernel.copy()[:, None]  # its own array, laid out as the einsum's view
    if flipped:
        d_conv_w = d_conv_w[:, :, ::-1, ::-1].copy()
    f = a.shape[1]
    d_conv_b = d_z.sum(axis=(0, 2, 3)) if biases else np.zeros(f)
    d_dense_b = d_logits.sum(axis=0) if biases else np.zeros(len(dense_w))
    return d_conv_w, d_conv_b, d_dense_w, d_dense_b


def _upstream(steps, *, onehot=True, relu_mask=True, pool_to_all=False, averaged=True):
    """The gradients at the logits and at the convolution output, and the kernel's
    ``(F, k, k)``: the part of the backward chain the last three switches never change."""
    windows, z, a, blocks, _, probs, y, dense_w = steps
    n, f, oh, ow = a.shape
    ph, pw = oh // 2, ow // 2
    d_logits = probs.copy()
    if onehot:
        d_logits[np.arange(n), y] -= 1.0
    d_logits /= n if averaged else 1
    d_pooled = (d_logits @ dense_w).reshape(n, f, ph, pw, 1)
    route = np.ones(4) if pool_to_all else blocks.argmax(axis=-1)[..., None] == np.arange(4)
    d_blocks = (route * d_pooled).reshape(n, f, ph, pw, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    d_z = np.zeros_like(a)
    d_z[:, :, : 2 * ph, : 2 * pw] = d_blocks.reshape(n, f, 2 * ph, 2 * pw)
    if relu_mask:
        d_z *= z > 0
    return d_logits, d_z, np.einsum("nfyx,nyxij->fij", d_z, windows)


def _backward_family(arguments, switch_sets):
    """``_backward(**arguments, **switches)`` for each switch set, the shared steps made once,
    and the upstream gradients once for the members whose ``_UPSTREAM`` switches agree.

    The same operations on the same arrays as one call each (the tails copy what
    they change), so every value is the same; a failure is reported per mistake,
    as ``evaluate_safely`` would.
    """
    shared = _safely(lambda: _backward_steps(**arguments))
    if not shared[0]:
        return [shared] * len(switch_sets)
    made, results = {}, []
    for switches in switch_sets:
        upward = {name: value for name, value in switches.items() if name in _UPSTREAM}
        key = tuple(sorted(upward.items()))
        if key not in made:
            made[key] = _safely(lambda u=upward: _upstream(shared[1], **u))
        if not made[key][0]:
            results.append(made[key])
            continue
        rest = {name: value for name, value in switches.items() if name not in _UPSTREAM}
        results.append(_safely(lambda r=rest, u=made[key][1]: _backward_tail(
            shared[1], upstream=u, **r)))
    return results


def _forward_family(arguments, switch_sets):
    """``_forward(**arguments, **switches)`` for each switch set; unflipped features made once."""
    shared = _safely(lambda: _features(arguments["x"], arguments["conv_w"], arguments["conv_b"]))
    dense_w, dense_b = arguments["dense_w"], arguments["dense_b"]
    results = []
    for switches in switch_sets:
        if switches.get("flip"):
            results.append(_safely(lambda s=switches: _forward(**arguments, **s)))
        elif not shared[0]:
            results.append(shared)
        else:
            results.append(_safely(
                lambda s=switches: _forward_tail(shared[1][2], dense_w, dense_b, **s)))
    return results


_backward_family.arguments = ("x", "y", "conv_w", "conv_b", "dense_w", "dense_b")
_forward_family.arguments = ("x", "conv_w", "conv_b", "dense_w", "dense_b")
_FAILURES = (ArithmeticError, ValueError, TypeError, IndexError)  # as evaluate_safely


def _safely(compute):
    """``(True, compute())``, or ``(False, error text)`` as ``evaluate_safely`` gives."""
    try:
        return True, compute()
    except _FAILURES as error:
        return False, f"{type(error).__name__}: {error}"


def _backward_with(**wrong):
    """A backward mistake with the reference's exact signature (one step switched)."""
    def mistake(x, y, conv_w, conv_b, dense_w, dense_b):
        return _backward(x, y, conv_w, conv_b, dense_w, dense_b, **wrong)
    mistake.family, mistake.switches = _backward_family, wrong
    return mistake


def _forward_with(**wrong):
    """A forward mistake with the reference's exact signature (one step switched)."""
    def mistake(x, conv_w, conv_b, dense_w, dense_b):
        return _forward(x, conv_w, conv_b, dense_w, dense_b, **wrong)
    mistake.family, mistake.switches = _forward_family, wrong
    return mistake


def gradient_ascent(x, y, conv_w, conv_b, dense_w, dense_b):
    return _negated(tinycnn.tinycnn_backward(x, y, conv_w, conv_b, dense_w, dense_b))


def _negated(grads, **_):
    """The reference's gradients negated (``gradient_ascent.from_reference``: a caller
    that has them gets the same arrays without a second backward pass)."""
    return tuple(-g for g in grads)


gradient_ascent.from_reference = _negated


def count_biases_forgotten(classes=3, filters=3, k=3, size=8):
    return tinycnn.tinycnn_param_count(classes, filters, k, size) - filters - classes


def count_pooling_ignored(classes=3, filters=3, k=3, size=8):
    flat = filters * (size - k + 1) ** 2
    return filters * k * k + filters + flat * classes + classes


_BACK = "tinycnn_backward"
_FWD = "tinycnn_forward"

MISTAKES = (
    Mistake("tinycnn_softmax_grad_no_onehot", _BACK,
            "The gradient at the logits is softmax(z) - onehot(y): the one-hot of the label "
            "was not subtracted.", _backward_with(onehot=False)),
    Mistake("tinycnn_relu_grad_through_negatives", _BACK,
            "ReLU's gradient is 0 where its input was negative; the gradient was passed "
            "through every cell.", _backward_with(relu_mask=False)),
    Mistake("tinycnn_pool_grad_every_cell", _BACK,
            "Max-pooling sends the gradient only to the cell that held the maximum; it was "
            "sent to every cell of the window.", _backward_with(pool_to_all=True)),
    Mistake("tinycnn_loss_summed", _BACK,
            "The loss is averaged over the batch, so every gradient carries a factor 1/N; "
            "the gradients are N times too large (loss summed).",
            _backward_with(averaged=False)),
    Mistake("tinycnn_dense_grad_transposed", _BACK,
            "The dense weights' gradient has the weights' shape (classes, 27): "
            "d_logits.T @ flat, not flat.T @ d_logits.", _backward_with(transposed=True)),
    Mistake("tinycnn_bias_grads_forgotten", _BACK,
            "The biases get gradients too: the sum of the upstream gradient over the batch "
            "(and over positions for the conv bias).", _backward_with(biases=False)),
    Mistake("tinycnn_conv_grad_flipped", _BACK,
            "The kernel gradient correlates the input with the upstream gradient; it is not "
            "flipped (only the input gradient uses the flipped kernel).",
            _backward_with(flipped=True)),
    Mistake("tinycnn_gradient_sign", _BACK,
            "Every gradient has the wrong sign: backward returns dL/dtheta, the direction "
            "in which the loss grows.", gradient_ascent),
    Mistake("tinycnn_count_biases_forgotten", "tinycnn_param_count",
            "Each filter and each dense output has a bias, and biases are parameters too.",
            count_biases_forgotten),
    Mistake("tinycnn_count_pooling_ignored", "tinycnn_param_count",
            "The dense layer sees the pooled maps (half the side), not the convolution output.",
            count_pooling_ignored),
    Mistake("tinycnn_kernel_flipped", _FWD,
            "Deep-learning convolution is cross-correlation: the kernel is not flipped.",
            _forward_with(flip=True)),
    Mistake("tinycnn_average_pooled", _FWD,
            "TinyCNN max-pools: each 2x2 window gives its maximum, not its mean.",
            _forward_with(pool="avg")),
    Mistake("tinycnn_softmax_over_batch", _FWD,
            "Softmax normalises each sample's scores over the classes (axis 1), not over "
            "the batch.", _forward_with(softmax_axis=0)),
    Mistake("tinycnn_flatten_channels_last", _FWD,
            "Flatten the pooled maps in (filter, row, column) order, as the dense weights "
            "expect; they were flattened channels-last.", _forward_with(channels_last=True)),
    Mistake("tinycnn_softmax_forgotten", _FWD,
            "The forward pass ends with a softmax: probabilities, not raw scores.",
            _forward_with(softmax=False)),
)

SHOWS_WHEN = {
    "tinycnn_relu_grad_through_negatives": "some convolution output that wins a pool is negative",
    "tinycnn_kernel_flipped": "some kernel is not symmetric under a 180 degree rotation",
    "tinycnn_flatten_channels_last": "the dense weights are not symmetric in the flatten order",
}
