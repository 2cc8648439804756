"""Version-stable randomness: the byte stream every sampled number comes from.

Every number a student sees comes from a ``VariantRng``: a byte stream made of
HMAC-SHA256 blocks in counter mode, turned into integers by rejection sampling and
into floats from 53-bit integers.  It uses neither ``random`` nor NumPy's generators,
so a released variant never changes when Python or NumPy is upgraded.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

_BLOCK = 32  # bytes per HMAC-SHA256 block
_SHA256_BLOCK = 64  # SHA-256's internal block size, used to pad HMAC keys
_IPAD = bytes(b ^ 0x36 for b in range(256))  # byte translation tables: XOR 0x36 / 0x5C
_OPAD = bytes(b ^ 0x5C for b in range(256))
_WORD = 8  # bytes per random word (little-endian unsigned 64-bit)
_FLOAT_SCALE = 1.0 / (1 << 53)
_MANTISSA_SHIFT = np.uint64(64 - 53)  # keep the top 53 bits of a word
_new_rng = object.__new__
_TABLED = 1024  # block counters 0..1023 as their 8 little-endian bytes, made once
_INDICES = tuple(index.to_bytes(8, "little") for index in range(_TABLED))


def derive_key(secret: bytes, *parts: str) -> bytes:
    """The seed of one variant: HMAC-SHA256(secret, "part1/part2/...").

    ``hmac.digest`` is the one-shot form of ``hmac.new(...).digest()`` (the same
    bytes, without building an HMAC object: one per exercise of every build)."""
    return hmac.digest(secret, "/".join(parts).encode("utf-8"), "sha256")


def _hmac_states(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states after absorbing key XOR ipad and key XOR opad (RFC 2104).

    Continuing copies of them computes HMAC-SHA256 exactly, but much faster than
    copying ``hmac.HMAC`` objects, which matters for the thousands of blocks a
    release draws.  ``test_params`` checks the result against ``hmac``.
    """
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))


class VariantRng:
    """A deterministic stream of random numbers keyed by a 32-byte seed.

    Block ``i`` of the stream is HMAC-SHA256(seed, i as 8 little-endian bytes).
    Draws consume whole 8-byte words in order, so the sequence of values depends
    only on the seed and on the sequence of calls.  Instances are local, mutable
    cursors over that stream; never share one between unrelated consumers (use
    ``child`` to hand out independent sub-streams).
    """

    # fixed attributes: a variant makes hundreds of streams and reads them often
    __slots__ = ("_buffer", "_buffer_start", "_position", "_seed", "_states")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or not seed:
            raise TypeError("VariantRng needs a non-empty bytes seed")
        self._start(seed)

    def _start(self, seed: bytes) -> None:
        self._seed = seed
        self._states: tuple[Any, Any] | None = None  # computed on the first draw
        self._position = 0  # in bytes, from the start of the stream
        self._buffer = b""  # stream bytes already computed, from _buffer_start on
        self._buffer_start = 0  # a multiple of _BLOCK

    @classmethod
    def for_variant(cls, secret: bytes, *parts: str) -> VariantRng:
        """The stream of one (course, assignment, exercise, student) path."""
        return cls(derive_key(secret, *parts))

    def child(self, label: str) -> VariantRng:
        """An independent sub-stream; does not advance this stream.

        Its seed is ``derive_key(seed, "child", label)``, computed from this stream's
        HMAC states (a variant derives hundreds of children, so the seed, never empty,
        is set without ``__init__``'s checks, and ``_mac`` and ``_start`` are inlined).
        """
        states = self._states
        if states is None:
            states = self._states = _hmac_states(self._seed)
        inner, outer = states[0].copy(), states[1].copy()
        inner.update(b"child/" + label.encode())
        outer.update(inner.digest())
        child = _new_rng(VariantRng)
        child._seed, child._states, child._position = outer.digest(), None, 0
        child._buffer, child._buffer_start = b"", 0
        return child

    def _mac(self, message: bytes) -> bytes:
        """HMAC-SHA256(seed, message), from the cached inner and outer states."""
        if self._states is None:
            self._states = _hmac_states(self._seed)
        inner, outer = self._states[0].copy(), self._states[1].copy()
        inner.update(message)
        outer.update(inner.digest())
        return outer.digest()

    def _read(self, n_bytes: int) -> bytes:
        """The next ``n_bytes`` of the stream (blocks are computed once and buffered)."""
        position, buffer_start = self._position, self._buffer_start
        if position < buffer_start:
            raise RuntimeError("VariantRng cannot rewind before its buffer")
        end = position + n_bytes
        have = buffer_start + len(self._buffer)
        if end > have:
            self._buffer += self._blocks(have // _BLOCK, (end - 1) // _BLOCK + 1)
        start = position - buffer_start
        self._position = end
        return self._buffer[start : start + n_bytes]

    def _blocks(self, first: int, stop: int) -> bytes:
        """Stream blocks ``first`` to ``stop - 1``: block i is HMAC-SHA256(seed, i).

        The same computation as ``_mac``, unrolled: this loop makes most of the
        stream, and bound methods in locals halve its cost.  Most streams are read
        for one block only; it is returned without the list.
        """
        if stop - first == 1:
            return self._mac(_index_bytes(first))
        states = self._states
        if states is None:
            states = self._states = _hmac_states(self._seed)
        inner_copy, outer_copy = states[0].copy, states[1].copy
        blocks = []
        for index in range(first, stop):
            inner = inner_copy()
            inner.update(_index_bytes(index))
            outer = outer_copy()
            outer.update(inner.digest())
            blocks.append(outer.digest())
        return b"".join(blocks)

    def _forget_consumed(self) -> None:
        """Drop whole buffered blocks that lie before the current position."""
        drop = (self._position - self._buffer_start) // _BLOCK * _BLOCK
        if drop:
            self._buffer = self._buffer[drop:]
            self._buffer_start += drop

    def _words(self, count: int) -> np.ndarray:
        return np.frombuffer(self._read(count * _WORD), dtype="<u8").astype(np.uint64, copy=False)

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
        self._forget_consumed()
        return np.concatenate(kept) if kept else np.zeros(0, dtype=np.uint64)

    def integers(self, low: int, high: int, size: int | tuple[int, ...] | None = None) -> Any:
        """Uniform integers in [low, high] (inclusive); an int, or an int64 array of ``size``."""
        if type(low) is not int or type(high) is not int:  # skip int() for plain ints
            low, high = int(low), int(high)
        if high < low:
            raise ValueError(f"empty integer range [{low}, {high}]")
        if high - low >= 1 << 62:
            raise ValueError("integer range too wide")
        if size is None:
            return low + self._one_bounded(high - low + 1)
        shape = _shape(size)
        count = math.prod(shape)
        values = self._bounded(high - low + 1, count).astype(np.int64) + np.int64(low)
        return values.reshape(shape)

    def _one_bounded(self, span: int) -> int:
        """One integer in [0, span): the same rule as ``_bounded``, without NumPy.

        Reads a buffered word in place when it can (most draws are one word of a
        block already computed); otherwise through ``_read``.
        """
        if span == 1:
            return 0
        mask = (1 << (span - 1).bit_length()) - 1
        while True:
            position = self._position
            offset = position - self._buffer_start
            if 0 <= offset <= len(self._buffer) - _WORD:
                word = int.from_bytes(self._buffer[offset : offset + _WORD], "little") & mask
                self._position = position + _WORD
            else:
                word = int.from_bytes(self._read(_WORD), "little") & mask
            if word < span:
                if position - self._buffer_start + _WORD >= _BLOCK:  # else nothing to drop
                    self._forget_consumed()
                return word

    def uniform(self, low: float, high: float, size: int | tuple[int, ...] | None = None) -> Any:
        """Uniform floats in [low, high); a float, or a float64 array of ``size``."""
        shape = _shape(size)
        count = math.prod(shape) if shape is not None else 1
        values = (self._words(count) >> _MANTISSA_SHIFT).astype(np.float64)
        self._forget_consumed()
        # low + (high - low) * (words * 2**-53), in place: the same products and sums
        values *= _FLOAT_SCALE
        values *= float(high) - float(low)
        values += float(low)
        if shape is None:
            return float(values[0])
        return values.reshape(shape)

    def choice(self, options: Sequence[Any]) -> Any:
        """One element of ``options``, each equally likely."""
        if len(options) == 0:
            raise ValueError("choice from an empty sequence")
        return options[self.integers(0, len(options) - 1)]

    def permutation(self, n: int) -> np.ndarray:
        """A uniformly random ordering of 0..n-1 (Fisher-Yates, from the top down).

        Shuffled as a Python list (swapping NumPy elements one by one is slower),
        then made the int64 array it always was."""
        order = list(range(n))
        for top in range(n - 1, 0, -1):
            pick = self._one_bounded(top + 1)
            order[top], order[pick] = order[pick], order[top]
        return np.array(order, dtype=np.int64)


def _index_bytes(index: int) -> bytes:
    """Block counter ``index`` as 8 little-endian bytes (the first ``_TABLED`` made once)."""
    return _INDICES[index] if index < _TABLED else index.to_bytes(8, "little")


def _shape(size: int | tuple[int, ...] | None) -> tuple[int, ...] | None:
    if size is None:
        return None
    if isinstance(size, int | np.integer):
        return (int(size),)
    return tuple(int(s) for s in size)
