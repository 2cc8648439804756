"""Version-stable randomness, parameter distributions and safe constraint expressions.

Every number a student sees comes from a ``VariantRng``: a byte stream made of
HMAC-SHA256 blocks in counter mode, turned into integers by rejection sampling and
into floats from 53-bit integers.  It uses neither ``random`` nor NumPy's generators,
so a released variant never changes when Python or NumPy is upgraded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np

_BLOCK = 32  # bytes per HMAC-SHA256 block
_WORD = 8  # bytes per random word (little-endian unsigned 64-bit)
_FLOAT_SCALE = 1.0 / (1 << 53)


def derive_key(secret: bytes, *parts: str) -> bytes:
    """The seed of one variant: HMAC-SHA256(secret, "part1/part2/...")."""
    return hmac.new(secret, "/".join(parts).encode("utf-8"), hashlib.sha256).digest()


class VariantRng:
    """A deterministic stream of random numbers keyed by a 32-byte seed.

    Block ``i`` of the stream is HMAC-SHA256(seed, i as 8 little-endian bytes).
    Draws consume whole 8-byte words in order, so the sequence of values depends
    only on the seed and on the sequence of calls.  Instances are local, mutable
    cursors over that stream; never share one between unrelated consumers (use
    ``child`` to hand out independent sub-streams).
    """

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or not seed:
            raise TypeError("VariantRng needs a non-empty bytes seed")
        self._seed = seed
        self._mac = hmac.new(seed, digestmod=hashlib.sha256)
        self._position = 0  # in bytes

    @classmethod
    def for_variant(cls, secret: bytes, *parts: str) -> VariantRng:
        """The stream of one (course, assignment, exercise, student) path."""
        return cls(derive_key(secret, *parts))

    def child(self, label: str) -> VariantRng:
        """An independent sub-stream; does not advance this stream."""
        return VariantRng(derive_key(self._seed, "child", label))

    def _read(self, n_bytes: int) -> bytes:
        first, last = self._position // _BLOCK, (self._position + n_bytes - 1) // _BLOCK
        blocks = []
        for index in range(first, last + 1):
            mac = self._mac.copy()
            mac.update(index.to_bytes(8, "little"))
            blocks.append(mac.digest())
        offset = self._position - first * _BLOCK
        self._position += n_bytes
        return b"".join(blocks)[offset : offset + n_bytes]

    def _words(self, count: int) -> np.ndarray:
        return np.frombuffer(self._read(count * _WORD), dtype="<u8").astype(np.uint64)

    def _bounded(self, span: int, count: int) -> np.ndarray:
        """``count`` integers uniform in [0, span) by masking and rejection.

        Equivalent to reading words one at a time and keeping those whose low
        ``bits`` bits are below ``span``; batches only make it faster.
        """
        if span == 1:
            return np.zeros(count, dtype=np.uint64)
        mask = np.uint64((1 << (span - 1).bit_length()) - 1)
        kept: list[np.ndarray] = []
        needed = count
        while needed > 0:
            start = self._position
            batch = self._words(2 * needed + 4) & mask
            accepted = np.flatnonzero(batch < np.uint64(span))
            if len(accepted) >= needed:
                accepted = accepted[:needed]
                self._position = start + (int(accepted[-1]) + 1) * _WORD
            kept.append(batch[accepted])
            needed -= len(accepted)
        return np.concatenate(kept) if kept else np.zeros(0, dtype=np.uint64)

    def integers(self, low: int, high: int, size: int | tuple[int, ...] | None = None) -> Any:
        """Uniform integers in [low, high] (inclusive); an int, or an int64 array of ``size``."""
        low, high = int(low), int(high)
        if high < low:
            raise ValueError(f"empty integer range [{low}, {high}]")
        if high - low >= 1 << 62:
            raise ValueError("integer range too wide")
        shape = _shape(size)
        count = int(np.prod(shape, dtype=np.int64)) if shape is not None else 1
        values = self._bounded(high - low + 1, count).astype(np.int64) + np.int64(low)
        if shape is None:
            return int(values[0])
        return values.reshape(shape)

    def uniform(self, low: float, high: float, size: int | tuple[int, ...] | None = None) -> Any:
        """Uniform floats in [low, high); a float, or a float64 array of ``size``."""
        shape = _shape(size)
        count = int(np.prod(shape, dtype=np.int64)) if shape is not None else 1
        unit = (self._words(count) >> np.uint64(11)).astype(np.float64) * _FLOAT_SCALE
        values = float(low) + (float(high) - float(low)) * unit
        if shape is None:
            return float(values[0])
        return values.reshape(shape)

    def choice(self, options: Sequence[Any]) -> Any:
        """One element of ``options``, each equally likely."""
        if len(options) == 0:
            raise ValueError("choice from an empty sequence")
        return options[self.integers(0, len(options) - 1)]

    def permutation(self, n: int) -> np.ndarray:
        """A uniformly random ordering of 0..n-1 (Fisher-Yates, from the top down)."""
        order = np.arange(n, dtype=np.int64)
        for top in range(n - 1, 0, -1):
            pick = self.integers(0, top)
            order[top], order[pick] = order[pick], order[top]
        return order


def _shape(size: int | tuple[int, ...] | None) -> tuple[int, ...] | None:
    if size is None:
        return None
    if isinstance(size, int | np.integer):
        return (int(size),)
    return tuple(int(s) for s in size)
