"""What a student's answer is kept as for class analytics: canonical JSON of the
value, or nothing when it is not plain data or longer than the cap."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.grading.answer_record import MAX_ANSWER_CHARS, answer_json


def by_hand_json_uncapped(value) -> str:
    """The oracle: the nested lists written out one item at a time, non-finite as null."""
    def plain(item):
        if isinstance(item, list):
            return [plain(x) for x in item]
        if isinstance(item, float) and not np.isfinite(item):
            return None
        return item
    return json.dumps(plain(np.asarray(value).tolist()), separators=(",", ":"))


def by_hand_json(value) -> str | None:
    text = by_hand_json_uncapped(value)
    return text if len(text) <= MAX_ANSWER_CHARS else None


@pytest.mark.parametrize("value", [
    np.arange(6).reshape(2, 3), np.linspace(-1, 1, 7), np.array([True, False]),
    np.array([1.5, np.nan, np.inf]), np.array(2.25), np.zeros((0, 3)),
    np.arange(MAX_ANSWER_CHARS // 2 - 1) % 10, np.arange(MAX_ANSWER_CHARS // 2 + 1) % 10,
    np.arange(1400) % 10, np.random.default_rng(3).standard_normal((12, 12)),
])
def test_an_array_is_kept_as_its_json_or_dropped_when_too_long(value):
    assert answer_json(value) == by_hand_json(value)


def test_a_long_array_is_dropped_and_a_short_one_round_trips():
    assert answer_json(np.ones(MAX_ANSWER_CHARS)) is None
    small = np.arange(12, dtype=float).reshape(3, 4) / 8
    assert json.loads(answer_json(small)) == small.tolist()


def test_text_arrays_and_objects_are_not_plain_numbers():
    assert answer_json(np.array(["a", "b"])) == '["a","b"]'
    assert answer_json(object()) is None


def _oracle(value) -> str | None:
    """Any value the long way: every part turned into lists and written out in full."""
    if isinstance(value, tuple):
        parts = [json.loads(by_hand_json_uncapped(part)) for part in value]
        text = json.dumps(parts, separators=(",", ":"))
        return text if len(text) <= MAX_ANSWER_CHARS else None
    return by_hand_json(value)


_lengths = st.integers(min_value=0, max_value=2100)
_arrays = st.one_of(
    _lengths.map(lambda n: np.arange(n) % 7),
    st.tuples(_lengths, st.integers(0, 2**32 - 1)).map(
        lambda a: np.random.default_rng(a[1]).standard_normal(a[0])),
    st.tuples(st.integers(1, 60), st.integers(1, 60), st.integers(0, 9)).map(
        lambda a: np.round(np.random.default_rng(a[2]).standard_normal((a[0], a[1])), a[2])),
    st.tuples(_lengths, st.booleans()).map(
        lambda a: np.where(np.arange(a[0]) % 5 == 0, np.nan if a[1] else np.inf, 1.0)),
    _lengths.map(lambda n: np.arange(n) % 3 == 0),
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(_arrays, st.lists(_arrays, min_size=1, max_size=4).map(tuple)))
def test_arrays_and_tuples_of_arrays_give_what_writing_them_out_in_full_gives(value):
    assert answer_json(value) == _oracle(value)
