"""ReLU, softmax and cross-entropy in float64."""

from __future__ import annotations

import numpy as np


def relu(z):
    """``max(0, z)`` element-wise."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def softmax(z, axis=-1):
    """Probabilities ``exp(z) / sum(exp(z))`` along ``axis``.

    The maximum is subtracted first: this leaves the value unchanged and keeps
    ``exp`` from overflowing for large scores.
    """
    z = np.asarray(z, dtype=np.float64)
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """``log(softmax(z))`` computed stably with the log-sum-exp trick."""
    z = np.asarray(z, dtype=np.float64)
    top = z.max(axis=axis, keepdims=True)
    return z - top - np.log(np.exp(z - top).sum(axis=axis, keepdims=True))


def cross_entropy(logits, labels):
    """Mean of ``-log softmax(logits)[label]`` over the batch.

    ``logits`` is ``(N, K)`` with integer ``labels (N,)``, or a single ``(K,)``
    score vector with one integer label.  Natural logarithm.
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if logits.ndim == 1:
        logits, labels = logits[None, :], labels.reshape(1)
    if labels.shape != (logits.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {logits.shape[0]} integers, got {labels!r}")
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(f"labels must lie in [0, {logits.shape[1]}), got {labels!r}")
    picked = log_softmax(logits)[np.arange(logits.shape[0]), labels]
    return float(-picked.mean())
