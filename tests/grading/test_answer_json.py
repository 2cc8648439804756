"""What a student's answer is kept as for class analytics: canonical JSON of the
value, or nothing when it is not plain data or longer than the cap."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader.grading.compare import MAX_ANSWER_CHARS, answer_json


def by_hand_json(value) -> str | None:
    """The oracle: the nested lists written out one item at a time, non-finite as null."""
    def plain(item):
        if isinstance(item, list):
            return [plain(x) for x in item]
        if isinstance(item, float) and not np.isfinite(item):
            return None
        return item
    text = json.dumps(plain(np.asarray(value).tolist()), separators=(",", ":"))
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
