"""The stripes data set of TinyCNN: 8x8 images of vertical, horizontal or diagonal stripes.

Each image is a background of zeros with one stripe of ones, then Gaussian-like noise:

- class 0, vertical: columns ``c .. c + width - 1`` (``c`` uniform over the columns
  where the stripe fits);
- class 1, horizontal: rows ``r .. r + width - 1``;
- class 2, diagonal (top-left to bottom-right): the cells with ``0 <= (i - j) - d < width``,
  ``d`` uniform over the offsets that leave at least ``size - 2`` cells lit (with the
  anti-diagonal as well, three filters are too few for a reliable 99%);
- class 3 (only when ``classes=4``, the notes' extension), dot: a ``width x width``
  square at a position uniform over the central ``4 x 4`` cells;
- width 1 or 2 with equal probability; labels cycle 0, 1, 2, ... so every class has
  the same number of images; then each pixel gets ``noise * g`` added, with ``g`` an
  Irwin-Hall variate (the sum of 12 uniforms minus 6: mean 0, variance 1).

Why this construction: the data must not change when NumPy or Python is upgraded,
because a released training set and the hidden test set are part of a student's
variant.  All randomness therefore comes from SHAKE of a seed (standard, stable); in
``v1``, SHAKE-256 read as 24-bit integers: every uniform is ``k / 2**24``, so the
Irwin-Hall sums are exact in float64 whatever the order of addition, and the only
floating-point operations left are one multiplication by ``noise`` and the addition
of the clean image.  No NumPy random generator, no global seed.

Two versions of the random stream, chosen by ``stream`` (an exercise names it in its
``dataset.arguments``; without it, ``v1``, so a course that upgrades cnn-grader in
mid-semester keeps every student's data byte for byte):

- ``v1``: SHAKE-256, every uniform 24 bits (``k / 2**24``), so a pixel reads 36 bytes
  (4.6 MB for 2,000 images: most of a TinyCNN student's ``generate``);
- ``v2``: SHAKE-128 (another domain prefix), the layout integers as in ``v1`` and every
  noise uniform one byte ``k``, taken as the centre of its cell, ``(2k + 1) / 512``:
  12 bytes a pixel.  The noise is ``g = (k_1 + ... + k_12 - 1530) / 256``, exactly
  (an integer over a power of two), with mean exactly 0 and variance ``1 - 2**-16``,
  bounded by ``1530 / 256 < 6``; at the noise of the demo (0.2) the 1/256 steps of
  ``g`` are 0.0008 in pixel value, far below anything a classifier sees.  The same
  construction as ``v1`` otherwise (masks, labels, the prefix property), from its own
  stream, so its images are other images.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

CLASS_NAMES = ("vertical", "horizontal", "diagonal", "dot")
SIZE = 8
DEFAULT_NOISE = 0.2
_BITS = 24
_IRWIN_HALL_TERMS = 12
_DRAWS_PER_IMAGE = 4  # width, position, (unused), second position of a dot
_CHUNK = 16384  # noise sums made this many pixels at a time (fits a core's cache)
_V2_CENTRE = _IRWIN_HALL_TERMS * 255 // 2  # 1530: the sum of 12 bytes whose g is 0
_PREFIXES = {"v1": b"cnn-grader/stripes/v1/", "v2": b"cnn-grader/stripes/v2/"}


def make_stripes(n, seed, *, noise=DEFAULT_NOISE, classes=3, size=SIZE, stream="v1"):
    """``(x, y)``: ``x (n, 1, size, size)`` float64 images, ``y (n,)`` int64 labels.

    ``seed`` is an integer or bytes (for example drawn from the course stream); the
    same seed always gives the same images, and the first ``m`` images of
    ``make_stripes(n, seed)`` are ``make_stripes(m, seed)`` (SHAKE output is
    prefix-stable), so a larger set extends a smaller one.  ``stream`` is ``"v1"``
    or ``"v2"`` (module docstring): the default stays ``v1`` for ever.
    """
    if not 3 <= classes <= len(CLASS_NAMES):
        raise ValueError(f"classes must be 3 or 4, got {classes!r}")
    if size < 4 or n < 1:
        raise ValueError(f"need size >= 4 and n >= 1, got size={size!r}, n={n!r}")
    if stream not in _PREFIXES:
        raise ValueError(f"stream must be one of {sorted(_PREFIXES)}, got {stream!r}")
    labels = np.arange(n, dtype=np.int64) % classes
    draws = _uniform_integers(seed, "layout", n * _DRAWS_PER_IMAGE, stream)
    images = _clean_images(labels, draws.reshape(n, _DRAWS_PER_IMAGE), size).reshape(-1)
    x = np.empty_like(images)
    if stream == "v1":
        chunks = _irwin_hall_sums(seed, n * size * size)
        centre, scale = _IRWIN_HALL_TERMS * (1 << (_BITS - 1)), 1.0 / (1 << _BITS)
    else:
        chunks = _byte_sums(seed, n * size * size)
        centre, scale = _V2_CENTRE, 1.0 / 256
    for low, sums in chunks:
        gauss = (sums - centre) * scale
        x[low : low + len(sums)] = images[low : low + len(sums)] + noise * gauss
    return x.reshape(n, 1, size, size), labels


def _clean_images(labels, draws, size):
    """The clean images ``(n, size, size)``, each from its label and four uniform integers.

    An image is one of a few masks (a class, a width and a position): every possible
    mask is built once (:func:`_mask_tables`) and each image of a class takes its own
    with one gather, instead of building every class's mask for every image.
    """
    width = 1 + draws[:, 0] % 2
    first = draws[:, 1]
    reach = 2  # offsets -reach-width+1 .. reach keep at least size - reach cells lit
    keys = (
        first % (size - width + 1),  # vertical: the first lit column
        first % (size - width + 1),  # horizontal: the first lit row
        first % (2 * reach + width),  # diagonal: the band's offset, from its lowest
        (first % (5 - width)) * 4 + draws[:, 3] % (5 - width),  # dot: top and left
    )
    tables = _mask_tables(size, reach)
    images = np.empty((len(labels), size, size))
    for label, (table, key) in enumerate(zip(tables, keys, strict=True)):
        chosen = labels == label
        if chosen.any():
            images[chosen] = table[width[chosen] - 1, key[chosen]]
    return images


@functools.lru_cache(maxsize=8)
def _mask_tables(size, reach):
    """Every clean image of each class, as float64 ``(2, positions, size, size)`` tables.

    ``table[width - 1, key]`` is the image of that width at the position the key of
    :func:`_clean_images` names (rows of impossible keys are never read).  Read-only.
    """
    rows, cols = np.arange(size)[None, None, :, None], np.arange(size)[None, None, None, :]
    width = np.arange(1, 3)[:, None, None, None]
    start = np.arange(size)[None, :, None, None]
    vertical = (cols >= start) & (cols < start + width)
    horizontal = (rows >= start) & (rows < start + width)
    offset = np.arange(2 * reach + 2)[None, :, None, None]
    band = (rows - cols) - (-reach - width + 1 + offset)
    diagonal = (band >= 0) & (band < width)
    low = size // 2 - 2
    top = low + np.arange(16)[None, :, None, None] // 4
    left = low + np.arange(16)[None, :, None, None] % 4
    dot = (rows >= top) & (rows < top + width) & (cols >= left) & (cols < left + width)
    tables = tuple(mask.astype(np.float64) for mask in (vertical, horizontal, diagonal, dot))
    for table in tables:
        table.flags.writeable = False
    return tables


def _irwin_hall_sums(seed, count):
    """``(first, sums)`` for consecutive chunks of the ``count`` sums of
    ``_IRWIN_HALL_TERMS`` consecutive 24-bit integers of the noise stream (int64).

    The same integers as ``_uniform_integers(seed, "noise", ...)`` summed in groups,
    read without widening every byte: every 3 little-endian 32-bit words hold 4 of
    them (``w0 = a | a'<<24``, ``w1 = b' | c<<16``, ``w2 = c' | d<<8`` with the
    primes the remaining bytes), so masks and shifts give each block's sum.  Integer
    sums are exact in any order (at most ``12 * 2**24 < 2**32``), so this equals the
    plain sum bit for bit (tests/tinycnn/test_stripes_loops.py).  Chunks of
    ``_CHUNK`` pixels, so that the caller's arithmetic on them also stays in cache.
    """
    words = np.frombuffer(_stream(seed, "noise").digest(3 * count * _IRWIN_HALL_TERMS),
                          dtype="<u4").reshape(count, 3 * _IRWIN_HALL_TERMS // 4)
    blocks = np.empty((min(count, _CHUNK), _IRWIN_HALL_TERMS // 4), dtype=np.uint32)
    part = np.empty_like(blocks)
    for low in range(0, count, _CHUNK):
        chunk = words[low : low + _CHUNK]
        rows = len(chunk)
        _block_sums(chunk, blocks[:rows], part[:rows])
        sums = blocks[:rows, 0].astype(np.int64)
        for block in range(1, _IRWIN_HALL_TERMS // 4):
            sums += blocks[:rows, block]
        yield low, sums


def _block_sums(words, blocks, part):
    """Into ``blocks``: the sum of the 4 integers held by each 3 words of ``words``.

    In place, in buffers of ``_CHUNK`` rows: fresh temporaries the size of the whole
    stream cost as much as the arithmetic, and these stay in the processor's cache.
    """
    w0, w1, w2 = words[:, 0::3], words[:, 1::3], words[:, 2::3]
    np.bitwise_and(w0, np.uint32(0xFFFFFF), out=blocks)
    np.right_shift(w0, np.uint32(24), out=part)
    blocks += part
    np.bitwise_and(w1, np.uint32(0xFFFF), out=part)
    part <<= np.uint32(8)
    blocks += part
    np.right_shift(w1, np.uint32(16), out=part)
    blocks += part
    np.bitwise_and(w2, np.uint32(0xFF), out=part)
    part <<= np.uint32(16)
    blocks += part
    np.right_shift(w2, np.uint32(8), out=part)
    blocks += part


def _byte_sums(seed, count):
    """``(first, sums)`` for consecutive chunks of the ``count`` sums of 12 consecutive
    bytes of the ``v2`` noise stream (int64), in chunks of ``_CHUNK`` pixels.

    Each pixel's 12 bytes are 3 little-endian 32-bit words; ``w & 0x00FF00FF`` and
    ``(w >> 8) & 0x00FF00FF`` hold two bytes each in 16-bit lanes, so the lanes of the
    3 words' sum hold two sums of 6 bytes (at most 1530, no carry between lanes).
    Integer sums: exact, equal to the plain sum (tests/tinycnn/test_stripes_loops.py).
    """
    words = np.frombuffer(_stream(seed, "noise", "v2").digest(_IRWIN_HALL_TERMS * count),
                          dtype="<u4").reshape(count, _IRWIN_HALL_TERMS // 4)
    lanes = np.empty((min(count, _CHUNK), _IRWIN_HALL_TERMS // 4), dtype=np.uint32)
    part = np.empty_like(lanes)
    for low in range(0, count, _CHUNK):
        chunk = words[low : low + _CHUNK]
        rows = len(chunk)
        np.bitwise_and(chunk, np.uint32(0x00FF00FF), out=lanes[:rows])
        np.right_shift(chunk, np.uint32(8), out=part[:rows])
        part[:rows] &= np.uint32(0x00FF00FF)
        lanes[:rows] += part[:rows]
        pairs = lanes[:rows, 0] + lanes[:rows, 1]
        pairs += lanes[:rows, 2]
        sums = (pairs & np.uint32(0xFFFF)).astype(np.int64)
        sums += pairs >> np.uint32(16)
        yield low, sums


def _uniform_integers(seed, label, count, stream="v1"):
    """``count`` integers uniform on ``[0, 2**24)``, from ``stream`` of ``seed`` and ``label``."""
    raw = np.frombuffer(_stream(seed, label, stream).digest(3 * count),
                        dtype=np.uint8).reshape(count, 3)
    return raw[:, 0].astype(np.int64) | (raw[:, 1].astype(np.int64) << 8) | (
        raw[:, 2].astype(np.int64) << 16)


def _stream(seed, label, stream="v1"):
    """The SHAKE stream of ``seed`` and ``label``: SHAKE-256 for ``v1``, SHAKE-128 for
    ``v2``, each with its own prefix (``TypeError`` for another seed type)."""
    if isinstance(seed, bool) or not isinstance(seed, int | bytes | np.integer):
        raise TypeError(f"seed must be an integer or bytes, got {type(seed).__name__}")
    key = b"bytes:" + seed if isinstance(seed, bytes) else b"int:" + str(int(seed)).encode()
    shake = hashlib.shake_256 if stream == "v1" else hashlib.shake_128
    return shake(_PREFIXES[stream] + label.encode() + b"/" + key)
