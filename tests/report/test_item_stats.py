"""Item statistics: checked by hand on tiny classes and against SciPy/NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from grader.exports.item_stats import (
    cronbach_alpha,
    discrimination,
    facility,
    fairness_buckets,
    item_statistics,
)


def test_facility_is_the_mean_mark_over_the_maximum_mark():
    # marks 0, 1, 2, 2 out of 2: mean 1.25, facility 0.625
    assert facility(np.array([0.0, 1.0, 2.0, 2.0]), 2.0) == pytest.approx(0.625)


def test_discrimination_by_hand_leaves_the_item_out_of_the_total():
    # two items, three students; item 1 = (1, 0, 1), item 2 = (1, 0, 0).
    # rest of item 1 is item 2: centred item (1/3, -2/3, 1/3), rest (2/3, -1/3, -1/3)
    # covariance sum 2/9 + 2/9 - 1/9 = 1/3; norms sqrt(2/3) and sqrt(2/3): r = 0.5
    scores = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    assert discrimination(scores[:, 0], scores.sum(axis=1)) == pytest.approx(50.0)


def test_discrimination_equals_scipys_pearson_with_the_rest_of_the_test():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 3, size=(60, 5)).astype(float)
    total = scores.sum(axis=1)
    for item in range(5):
        rest = total - scores[:, item]
        expected = 100 * stats.pearsonr(scores[:, item], rest).statistic
        assert discrimination(scores[:, item], total) == pytest.approx(expected)


def test_an_item_everybody_got_right_has_no_discrimination():
    scores = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    assert discrimination(scores[:, 0], scores.sum(axis=1)) is None


def test_cronbach_alpha_by_hand():
    # items (1,0,1) and (1,0,0): variances (ddof 1) 1/3 each; totals (2,0,1) variance 1
    # alpha = 2/1 * (1 - 2/3) = 2/3
    scores = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    assert cronbach_alpha(scores) == pytest.approx(2 / 3)


def test_cronbach_alpha_matches_the_covariance_formula():
    # alpha = k/(k-1) * (1 - trace(C) / sum(C)), C the item covariance matrix
    rng = np.random.default_rng(5)
    ability = rng.normal(size=(200, 1))
    scores = (ability + rng.normal(size=(200, 6)) > 0).astype(float)
    cov = np.cov(scores, rowvar=False)
    expected = 6 / 5 * (1 - np.trace(cov) / cov.sum())
    assert cronbach_alpha(scores) == pytest.approx(expected)


def test_items_nobody_solved_or_that_separate_nobody_are_flagged():
    rng = np.random.default_rng(7)
    ability = rng.normal(size=200)
    good = (ability + 0.5 * rng.normal(size=200) > 0).astype(float)
    also_good = (ability + 0.5 * rng.normal(size=200) > 0).astype(float)
    noise = (rng.normal(size=200) > 0).astype(float)
    hard = (ability > 2.2).astype(float)
    scores = np.column_stack([good, also_good, noise, hard])
    found = {s.exercise_id: s for s in item_statistics(scores, "abcd", [1, 1, 1, 1])}
    assert found["a"].flags == ()
    assert any("weakly" in f or "negative" in f for f in found["c"].flags)
    assert "almost nobody solved it" in found["d"].flags


def test_a_harder_kernel_size_is_flagged_and_an_irrelevant_parameter_is_not():
    rng = np.random.default_rng(11)
    rows = []
    for _ in range(600):
        k, colour = int(rng.choice([3, 5, 7])), str(rng.choice(["red", "blue"]))
        solved = rng.random() < (0.3 if k == 7 else 0.8)
        rows.append(({"k": k, "colour": colour, "n": int(rng.integers(100))}, float(solved)))
    buckets = fairness_buckets("conv", rows)
    flagged = {(b.parameter, b.value) for b in buckets if b.flagged}
    assert ("k", "7") in flagged
    assert not any(parameter == "colour" for parameter, _ in flagged)
    assert all(b.parameter != "n" for b in buckets)  # too many values to bucket
    seven = next(b for b in buckets if (b.parameter, b.value) == ("k", "7"))
    assert "lower" in seven.sentence() and "k was 7" in seven.sentence()


def test_bucket_bounds_are_median_plus_minus_two_mads():
    rows = []
    for value, solved in (("1", 10), ("2", 10), ("3", 2)):
        rows += [({"p": value}, 1.0)] * solved + [({"p": value}, 0.0)] * (10 - solved)
    buckets = fairness_buckets("x", rows)
    # facilities 1.0, 1.0, 0.2: median 1.0, MAD = median(0, 0, 0.8) = 0 -> floor 0.025
    assert buckets[0].low == pytest.approx(1.0 - 0.05)
    assert [b.flagged for b in buckets] == [False, False, True]
