"""Golden values: the determinism guarantee of released variants.

A student's numbers are recomputed from the course secret whenever their work is
graded, possibly years later on another machine.  These literal values pin the
sampler.  If one of these tests fails, every variant ever released would change:
do not "update" the numbers, find what changed in grader/authoring/params.py or variant.py.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

from grader.authoring.course import load_course
from grader.authoring.kinds import get_kind
from grader.authoring.params import VariantRng
from grader.authoring.spec import parse_exercise
from grader.authoring.variant import build_assignment_variant, build_exercise_variant
from grader.authoring.yamldoc import parse_yaml

from .conftest import TEST_SECRET, tiny_lookup, write_course


def golden_rng() -> VariantRng:
    return VariantRng.for_variant(b"golden-secret", "cnn-2026", "a1", "conv-output-size", "s001")


def test_the_first_word_of_the_stream_is_the_first_hmac_block_read_little_endian():
    # An independent reconstruction with hashlib only: uniform() uses the top 53 bits.
    seed = hmac.new(b"golden-secret", b"cnn-2026/a1/conv-output-size/s001", hashlib.sha256)
    block = hmac.new(seed.digest(), (0).to_bytes(8, "little"), hashlib.sha256).digest()
    word = int.from_bytes(block[:8], "little")
    assert golden_rng().uniform(0.0, 1.0) == (word >> 11) / 2**53


def test_the_first_outputs_of_a_known_key_never_change():
    rng = golden_rng()
    assert rng.integers(0, 99, 10).tolist() == [43, 8, 4, 2, 89, 79, 34, 56, 4, 90]
    assert rng.uniform(0, 1) == 0.7133891074561576
    assert rng.permutation(6).tolist() == [0, 2, 4, 3, 5, 1]
    assert rng.child("x").integers(1, 6, 5).tolist() == [1, 6, 1, 5, 1]


def test_pinned_tiny_variants_never_change(tmp_path):
    course = load_course(write_course(tmp_path), get_kind=tiny_lookup)
    pinned = {
        "s001": ([{"a": 4, "b": 8}, {"a": 4, "b": 6}], [[-3, 0, 5], [5, 1, -1]]),
        "s002": ([{"a": 4, "b": 1}, {"a": 3, "b": 6}], [[-4, -4, 2], [4, -2, -5]]),
        "s003": ([{"a": 5, "b": 6}, {"a": 4, "b": 6}], [[3, 4, -1], [3, 0, 5]]),
    }
    for student, (params, first_input) in pinned.items():
        variant = build_assignment_variant(course, "a1", student, TEST_SECRET,
                                           get_kind=tiny_lookup)
        assert [dict(e.params) for e in variant.exercises] == params
        assert variant.exercises[0].cases[1].probe.inputs[0][1].tolist() == first_input
        assert variant.exercises[0].cases[0].expected == params[0]["a"] * params[0]["b"]


CONV_SIZE = """\
schema_version: 1
id: golden-conv-size
kind: by_hand
title: Output size
points: 2
prompt: "n={{ n }} k={{ k }} p={{ p }} s={{ s }}"
params:
  n: {int: [9, 40]}
  k: {choice: [3, 5, 7]}
  p: {int: [1, 3]}
  s: {int: [2, 4]}
constraints: ["k <= n", "(n + 2 * p - k) % s != 0"]
answer: {type: integer}
mistakes: [floor_forgotten, rounded_up, plus_one_forgotten]
options:
  reference: conv_output_size
  arguments: {n: n, k: k, stride: s, padding: p}
  answers:
    - {name: OUTPUT_SIZE, label: output size}
"""


def test_pinned_by_hand_variants_of_a_real_kind_never_change():
    spec, problems = parse_exercise(parse_yaml(CONV_SIZE, source="golden.yml"), get_kind)
    assert problems == []
    pinned = {
        "s001": {"n": 20, "k": 3, "p": 2, "s": 4},
        "s002": {"n": 12, "k": 3, "p": 2, "s": 3},
        "s003": {"n": 20, "k": 3, "p": 3, "s": 3},
    }
    for student, params in pinned.items():
        variant = build_exercise_variant(spec, secret=b"golden-secret", points=2.0,
                                         path=("cnn-2026", "a1", spec.exercise_id, student),
                                         kind=get_kind("by_hand"))
        assert dict(variant.params) == params
        n, k, p, s = params["n"], params["k"], params["p"], params["s"]
        assert variant.cases[0].expected == (n + 2 * p - k) // s + 1  # independent formula
        assert np.all([m.value != variant.cases[0].expected for m in variant.cases[0].mistakes])
