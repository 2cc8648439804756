"""``tinycnn_loss`` for a gradient check: the same floats, without redoing the shared layers.

A numerical gradient of TinyCNN's loss evaluates it twice per parameter (228 times
for the 114 parameters) on inputs that differ from one base in a single array.  When
only ``dense_w`` or ``dense_b`` differs, the convolution, ReLU and pooling of the base
are the same; when only ``conv_b`` differs, the convolution's product is.
:class:`CachedTinyLoss` keeps those from the base and runs, for each evaluation,
exactly the operations ``tinycnn_forward`` and ``tinycnn_loss`` run after them, on
arrays of the same shapes, strides and values: every loss is the same float, bit for
bit (tests/tinycnn/test_cached_loss.py compares it with ``tinycnn_loss``).

Not a reference topic (this module is not in ``REFERENCE_MODULES``): nothing here is
shown to students.
"""

from __future__ import annotations

import numpy as np

PARAMETERS = ("conv_w", "conv_b", "dense_w", "dense_b")
_NAMES = ("x", "y", *PARAMETERS)
_TINY = np.finfo(np.float64).tiny


class CachedTinyLoss:
    """``tinycnn_loss`` with the layers shared with ``base`` (keyword inputs) kept.

    Called like ``tinycnn_loss(**arguments)``.  An argument counts as the base's
    only when it *is* the base's object (``is``), so a caller that changes an array
    in place or passes an equal copy gets the full computation.
    """

    arguments = _NAMES  # the keyword arguments of ``tinycnn_loss``, all required

    def __init__(self, base: dict) -> None:
        self._base = {name: base[name] for name in _NAMES}
        x = np.asarray(base["x"], dtype=np.float64)
        conv_w = np.asarray(base["conv_w"], dtype=np.float64)
        y = np.asarray(base["y"])
        self._picks = (np.arange(x.shape[0]), y)  # probs[arange(N), y], as tinycnn_loss
        self._shape = _conv_shape(x, conv_w)
        self._cols = _columns(x, conv_w.shape[-1])
        self._products = _products(self._cols, conv_w, self._shape)
        self._pooled = _pooled(self._products, base["conv_b"], self._shape)

    def __call__(self, **arguments) -> float:
        changed = [name for name in _NAMES if arguments[name] is not self._base[name]]
        if not changed or set(changed) <= {"dense_w", "dense_b"}:
            pooled = self._pooled
        elif changed == ["conv_b"]:
            pooled = _pooled(self._products, arguments["conv_b"], self._shape)
        elif set(changed) <= {"conv_w", "conv_b"}:
            conv_w = np.asarray(arguments["conv_w"], dtype=np.float64)
            products = _products(self._cols, conv_w, self._shape)
            pooled = _pooled(products, arguments["conv_b"], self._shape)
        else:  # x or y changed: nothing shared
            return CachedTinyLoss(arguments)(**arguments)
        return _loss(pooled, arguments["dense_w"], arguments["dense_b"], self._picks)

    def differences(self, name: str, epsilon: float) -> np.ndarray | None:
        """``numerical_gradient(self, base, name, epsilon)`` for a parameter, at once.

        The same shifted arrays as that loop (``+= epsilon``, then ``-= 2 * epsilon``,
        made for every element together); every matrix product a stacked ``matmul``
        whose slices are the 2-D products of ``tinycnn_forward`` (NumPy hands each
        slice to BLAS with the same shapes, strides and transposition); the
        elementwise steps and the maxima (exact in any order) for all shifts
        together; the 3-term class sums and each mean by ``add.reduce`` along the last
        axis of a contiguous array, as for one row.  None for ``x`` or ``y``.
        """
        if name not in PARAMETERS:
            return None
        base = np.array(self._base[name], dtype=np.float64)
        size = base.size
        up = np.repeat(base.reshape(1, size), size, axis=0)
        diagonal = (np.arange(size), np.arange(size))
        up[diagonal] += epsilon
        down = up.copy()
        down[diagonal] -= 2 * epsilon
        shifted = np.stack((up, down), axis=1).reshape(2 * size, *base.shape)
        losses = _losses(self._shifted_logits(name, shifted), self._picks)
        return ((losses[0::2] - losses[1::2]) / (2 * epsilon)).reshape(base.shape)

    def _shifted_logits(self, name: str, shifted: np.ndarray) -> np.ndarray:
        """The logits ``(S, N, K)`` of the base with ``name`` replaced by each shifted array."""
        dense_w = np.asarray(self._base["dense_w"], dtype=np.float64)
        dense_b = np.asarray(self._base["dense_b"], dtype=np.float64)
        if name == "dense_b":
            flat = self._pooled.reshape(self._pooled.shape[0], -1)
            return (flat @ dense_w.T)[None] + shifted[:, None, :]
        if name == "dense_w":
            flat = self._pooled.reshape(self._pooled.shape[0], -1)
            return np.matmul(flat, shifted.transpose(0, 2, 1)) + dense_b
        n, oh, ow, f, k = self._shape
        if name == "conv_w":
            weights = shifted.reshape(len(shifted), f, k * k).transpose(0, 2, 1)
            products = np.matmul(self._cols, weights).reshape(len(shifted), n, oh, ow, f)
            pooled = self._with_own_channel(products)
        else:  # conv_b: the products of the base, channels last as the matmul made them
            channels_last = self._products.transpose(0, 2, 3, 1)[None]
            pooled = _pooled_stack(channels_last, shifted.reshape(len(shifted), f), self._shape)
        flat = pooled.reshape(len(shifted), n, -1)
        return np.matmul(flat, dense_w.T) + dense_b

    def _with_own_channel(self, products: np.ndarray) -> np.ndarray:
        """Pooled maps ``(S, N, F, PH, PW)`` for products of shifted ``conv_w`` arrays.

        Shift ``s`` changes one weight of filter ``s // (2 * k * k)`` (the order of
        ``differences``), so the other filters' products are the base's, value for
        value (a product's column depends only on its own filter): only the changed
        filter goes through bias, ReLU and pooling; the others are the base's maps.
        """
        n, oh, ow, f, k = self._shape
        stack = len(products)
        filters = np.arange(stack) // (2 * k * k)
        own = products.reshape(stack, n * oh * ow, f)[np.arange(stack), :, filters]
        bias = np.asarray(self._base["conv_b"], dtype=np.float64)[filters]
        a = own + np.repeat(bias, n * oh * ow).reshape(stack, -1)
        np.maximum(a, 0.0, out=a)
        ph, pw = oh // 2, ow // 2
        a = a.reshape(stack, n, oh, ow)[:, :, : 2 * ph, : 2 * pw].reshape(stack, n, ph, 2, pw, 2)
        rows = np.maximum(a[:, :, :, 0], a[:, :, :, 1])
        pooled = np.repeat(self._pooled[None], stack, axis=0)
        pooled[np.arange(stack), :, filters] = np.maximum(rows[..., 0], rows[..., 1])
        return pooled


def _conv_shape(x: np.ndarray, conv_w: np.ndarray) -> tuple[int, int, int, int, int]:
    k = conv_w.shape[-1]
    return x.shape[0], x.shape[2] - k + 1, x.shape[3] - k + 1, conv_w.shape[0], k


def _columns(x: np.ndarray, k: int) -> np.ndarray:
    """As ``tinycnn_forward``: one row per output position (im2col)."""
    windows = np.lib.stride_tricks.sliding_window_view(x[:, 0], (k, k), axis=(1, 2))
    n, oh, ow = windows.shape[0], windows.shape[1], windows.shape[2]
    return windows.reshape(n * oh * ow, k * k)


def _products(cols: np.ndarray, conv_w: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    n, oh, ow, f, k = shape
    return (cols @ conv_w.reshape(f, k * k).T).reshape(n, oh, ow, f).transpose(0, 3, 1, 2)


def _pooled(z: np.ndarray, conv_b, shape: tuple[int, ...]) -> np.ndarray:
    n, oh, ow, f, _ = shape
    a = np.maximum(z + np.reshape(conv_b, (1, -1, 1, 1)), 0.0)
    ph, pw = oh // 2, ow // 2
    return a[:, :, : 2 * ph, : 2 * pw].reshape(n, f, ph, 2, pw, 2).max(axis=(3, 5))


def _pooled_stack(z: np.ndarray, conv_b: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``_pooled`` of stacked convolution products, channels last ``(S or 1, N, OH, OW, F)``
    (as the stacked matmul made them), with the biases ``(S or 1, F)``;
    ``(S, N, F, PH, PW)`` contiguous, ready to flatten as ``tinycnn_forward`` does.

    Elementwise steps do not depend on the layout, and a maximum is exact in any
    order, so working channels last gives the same values.  The bias is repeated over
    the positions (one long inner loop instead of loops of ``F``); each window's
    maximum is the maximum of its two rows' maxima.
    """
    n, oh, ow, f, _ = shape
    biases = np.tile(conv_b.reshape(-1, 1, f), (1, n * oh * ow, 1)).reshape(len(conv_b), -1)
    a = z.reshape(len(z), -1) + biases  # (S, N * OH * OW * F)
    np.maximum(a, 0.0, out=a)
    stack = len(a)
    ph, pw = oh // 2, ow // 2
    a = a.reshape(stack, n, oh, ow, f)[:, :, : 2 * ph, : 2 * pw]
    a = a.reshape(stack, n, ph, 2, pw, 2, f)
    rows = np.maximum(a[:, :, :, 0], a[:, :, :, 1])
    pooled = np.maximum(rows[:, :, :, :, 0], rows[:, :, :, :, 1])
    return np.ascontiguousarray(pooled.transpose(0, 1, 4, 2, 3))


def _loss(pooled: np.ndarray, dense_w, dense_b, picks: tuple) -> float:
    """The dense layer, softmax and mean cross-entropy, as ``tinycnn_forward``/``_loss``.

    The reductions are the ufuncs that ``ndarray.max``, ``.sum`` and ``np.mean`` call
    (``np.mean`` of a 1-D float64 array is ``add.reduce`` divided by the count), without
    their Python wrappers: this runs hundreds of times per check.
    """
    dense_w = np.asarray(dense_w, dtype=np.float64)
    n = pooled.shape[0]
    logits = pooled.reshape(n, -1) @ dense_w.T + np.asarray(dense_b, dtype=np.float64)
    shifted = np.exp(logits - np.maximum.reduce(logits, axis=1, keepdims=True))
    probs = shifted / np.add.reduce(shifted, axis=1, keepdims=True)
    logs = np.log(np.maximum(probs[picks], _TINY))
    return float(-(np.add.reduce(logs) / logs.shape[0]))


def _losses(logits: np.ndarray, picks: tuple) -> np.ndarray:
    """``_loss``'s tail for a stack of logits ``(S, N, K)``: one loss per stacked item.

    Each mean is ``add.reduce`` along the last axis of a contiguous ``(S, N)`` array,
    which sums every row as ``add.reduce`` sums that row alone (pairwise).
    """
    shifted = np.exp(logits - np.maximum.reduce(logits, axis=-1, keepdims=True))
    probs = shifted / np.add.reduce(shifted, axis=-1, keepdims=True)
    logs = np.ascontiguousarray(np.log(np.maximum(probs[:, picks[0], picks[1]], _TINY)))
    return -(np.add.reduce(logs, axis=-1) / logs.shape[1])
