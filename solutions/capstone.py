"""The notes' experiments on TinyCNN, as reference topics that ``verify`` claims can call.

The notes claim that TinyCNN passes 99% test accuracy within about 40 epochs, and
that a one-hidden-layer MLP needs width 8 or more to match it reliably over five
seeds.  These functions rerun those experiments on the stripes data: the same
optimiser for both models (Adam, step 0.01, mini-batches of 32, the same epochs),
a training set of 2,000 and a test set of 1,000 images per seed, data seeds
independent of the initialisation seeds.  Deterministic for given arguments (local
``np.random.default_rng`` generators, no global seed); minutes at most.
"""

from __future__ import annotations

import numpy as np

from solutions.stripes import make_stripes
from solutions.tinycnn import tinycnn_accuracy, tinycnn_fit, tinycnn_train

N_TRAIN, N_TEST, NOISE = 2000, 1000, 0.2
SWEEP_WIDTHS = (1, 4, 8, 12, 18)


def stripes_split(seed, noise=NOISE):
    """Training and test sets of one experiment seed: ``(x_train, y_train, x_test, y_test)``."""
    x_train, y_train = make_stripes(N_TRAIN, f"claims/train/{seed}".encode(), noise=noise)
    x_test, y_test = make_stripes(N_TEST, f"claims/test/{seed}".encode(), noise=noise)
    return x_train, y_train, x_test, y_test


def tinycnn_test_accuracy(seed=0, epochs=40, restarts=1):
    """Test accuracy of TinyCNN trained on seed ``seed``'s data (``restarts`` runs, best kept)."""
    x, y, x_test, y_test = stripes_split(seed)
    if restarts == 1:
        params = tinycnn_fit(x, y, seed=seed, epochs=epochs)
    else:
        params = tinycnn_train(x, y, seed=seed, epochs=epochs, restarts=restarts)
    return tinycnn_accuracy(params, x_test, y_test)


def tinycnn_share_above(threshold=0.99, seeds=5, epochs=40, restarts=1):
    """The share of seeds ``0 .. seeds - 1`` whose TinyCNN test accuracy exceeds ``threshold``."""
    hits = [tinycnn_test_accuracy(s, epochs, restarts) > threshold for s in range(seeds)]
    return float(np.mean(hits))


def mlp_fit(x, y, width, seed=0, epochs=40):
    """A ``64 -> width -> classes`` ReLU MLP trained like TinyCNN (He init, Adam 0.01, batch 32)."""
    flat, y = np.asarray(x, dtype=np.float64).reshape(len(x), -1), np.asarray(y)
    rng = np.random.default_rng(seed)
    classes, inputs = int(y.max()) + 1, flat.shape[1]
    params = [rng.normal(0.0, np.sqrt(2.0 / inputs), (width, inputs)), np.zeros(width),
              rng.normal(0.0, np.sqrt(2.0 / width), (classes, width)), np.zeros(classes)]
    moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
    t = 0
    for _ in range(epochs):
        order = rng.permutation(len(flat))
        for start in range(0, len(flat), 32):
            chosen = order[start:start + 32]
            t += 1
            grads = _mlp_gradients(flat[chosen], y[chosen], params)
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                m[...] = 0.9 * m + 0.1 * g
                v[...] = 0.999 * v + 0.001 * g * g
                p -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return tuple(params)


def _mlp_gradients(flat, y, params):
    w1, b1, w2, b2 = params
    hidden = np.maximum(flat @ w1.T + b1, 0.0)
    logits = hidden @ w2.T + b2
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(y)), y] -= 1.0
    d_logits = probs / len(y)
    d_hidden = (d_logits @ w2) * (hidden > 0)
    return d_hidden.T @ flat, d_hidden.sum(axis=0), d_logits.T @ hidden, d_logits.sum(axis=0)


def mlp_accuracy(params, x, y):
    """Fraction of images ``x`` the MLP ``params`` classifies as ``y``."""
    w1, b1, w2, b2 = params
    hidden = np.maximum(np.asarray(x, dtype=np.float64).reshape(len(x), -1) @ w1.T + b1, 0.0)
    return float(np.mean((hidden @ w2.T + b2).argmax(axis=1) == np.asarray(y)))


def mlp_test_accuracy(width, seed=0, epochs=40):
    """Test accuracy of the MLP of ``width`` hidden units trained on seed ``seed``'s data."""
    x, y, x_test, y_test = stripes_split(seed)
    return mlp_accuracy(mlp_fit(x, y, width, seed=seed, epochs=epochs), x_test, y_test)


def mlp_worst_accuracy(width, seeds=5, epochs=40):
    """The lowest test accuracy of the MLP of ``width`` over seeds ``0 .. seeds - 1``."""
    return min(mlp_test_accuracy(width, s, epochs) for s in range(seeds))


def mlp_reliable_width(threshold=0.99, seeds=5, epochs=40, widths=SWEEP_WIDTHS):
    """The smallest swept width from which on every width reaches ``threshold`` on every seed.

    0 when even the widest does not: "width w and more reliably matches the CNN".
    """
    reliable = 0
    for width in sorted(widths, reverse=True):
        if mlp_worst_accuracy(width, seeds, epochs) < threshold:
            break
        reliable = width
    return reliable
