"""``cnn-grader answer``, ``verify`` and ``selfcheck`` as an author runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
LECTURE_CLAIMS = ROOT / "docs" / "examples" / "lecture-claims.yml"

# The worked examples of the notes that are wrong, each reasoned out by hand from the notes.
EXPECTED_WRONG = {
    # 000: 3,072 inputs x 1,000 neurons is the weight count; with the 1,000 biases (which
    # the same slides do count for convolutions) a dense layer has 3,073,000 parameters.
    "000-mlp-32-rgb-1000": "dense_bias_forgotten",
    # 000: likewise 150,528 x 1,000 + 1,000 = 150,529,000.
    "000-mlp-224-rgb-1000": "dense_bias_forgotten",
    # 000: the MLP side of the sharing example omits its 32 biases: 784 x 32 + 32 = 25,120.
    "000-sharing-mlp": "dense_bias_forgotten",
    # 001: continuing the 4x4 example's own step 1 (a cross-correlation) gives
    # [[0, 0], [-1, -1]]; the printed [[0, 3], [2, -1]] follows no rule we model.
    "001-conv-output": None,
    # 002: 150,528 inputs x 100 + 100 = 15,052,900, not 150,528,100 (a factor 10 slip).
    "002-table-fc-224": None,
    # 002: the ReLU map has 6 at row 2, column 2; its bottom-right window's max is 6, not 2.
    "002-relu-then-pool": None,
    # 002: 64 -> h -> 3 with biases is 68h + 3; 1,242 fits no width (width 18 gives 1,227).
    "002-mlp-params": None,
    # 002: the same, for every width from 1 to 1,000: none gives 1,242.
    "002-mlp-some-width-gives-1242": None,
    # 002: so the ratio is 1,227 / 114 = 10.8, not 10.9.
    "002-mlp-ratio": None,
    # 002: width 8 is 68 x 8 + 3 = 547 = 4.8 x 114, below the "6-12x" claimed.
    "002-sweep-width-8": None,
    # 002: a fourth class adds 27 weights + 1 bias to the dense layer: 114 + 28 = 142.
    "002-four-class-cnn": None,
    # 002: 64 -> 8 -> 4 is 512 + 8 + 32 + 4 = 556.
    "002-four-class-mlp-8": None,
    # 002: 64 -> 18 -> 4 is 1,152 + 18 + 72 + 4 = 1,246.
    "002-four-class-mlp-18": None,
    # 002 (trained, solutions/capstone.py): a single 40-epoch run of TinyCNN passes 99%
    # on 4 of 5 seeds (seed 0: 98.9%); the best of 3 runs passes on all 5.
    "002-tinycnn-99-within-40-epochs": None,
}


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_answer_prints_the_resnet_stem_output_size(capsys):
    code, out, _ = run(capsys, "answer", "conv_output_size", "n=224", "k=7", "stride=2",
                       "padding=3")
    assert code == 0 and json.loads(out) == 112


def test_answer_takes_matrices_and_squeezes_the_result_back(capsys):
    code, out, _ = run(capsys, "answer", "conv2d_forward", "x=[[0,1,2],[3,4,5],[6,7,8]]",
                       "w=[[0,1],[2,3]]")
    assert code == 0 and json.loads(out) == [[19, 25], [37, 43]]


def test_answer_returns_each_part_of_a_multi_output_function(capsys):
    code, out, _ = run(capsys, "answer", "conv2d_backward", "dout=[[1,-1]]", "x=[[3,4,5]]",
                       "w=[[1,2]]")
    dx, dw, db = json.loads(out)
    assert code == 0
    assert dw == [[-1, -1]]  # 3 - 4 and 4 - 5, as in the 1-D worked example
    assert dx == [[1, 1, -2]] and db == [0]


def test_answer_list_names_the_topics(capsys):
    code, out, _ = run(capsys, "answer", "--list")
    assert code == 0
    assert any(line.startswith("conv_output_size(n, k") for line in out.splitlines())


@pytest.mark.parametrize("argv, message", [
    (["answer", "conv_outptu_size", "n=3"], "unknown reference topic 'conv_outptu_size'"),
    (["answer", "conv_output_size", "n"], "expected KEY=VALUE, got 'n'"),
    (["answer", "conv_output_size", "n=3", "k=5"], "does not fit"),
])
def test_answer_reports_bad_input_in_one_line_with_exit_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_verify_flags_exactly_the_wrong_claims_of_the_lecture_notes(capsys):
    code, out, _ = run(capsys, "verify", str(LECTURE_CLAIMS))
    assert code == 1
    wrong = {line.split()[1]: line for line in out.splitlines() if line.startswith("WRONG")}
    assert set(wrong) == set(EXPECTED_WRONG)
    for claim_id, mistake in EXPECTED_WRONG.items():
        if mistake:
            assert f"matches the modeled mistake {mistake}" in wrong[claim_id]
        else:
            assert "matches the modeled mistake" not in wrong[claim_id]
    assert "right answer [[0, 0], [-1, -1]]" in wrong["001-conv-output"]
    assert "right answer 142" in wrong["002-four-class-cnn"]


def test_verify_passes_a_file_of_right_claims_and_names_the_mistake_of_a_wrong_one(
        capsys, tmp_path):
    right = tmp_path / "right.yml"
    right.write_text(
        "claims:\n"
        "  - {id: a, topic: conv_output_size, arguments: {n: 6, k: 3, stride: 2}, claimed: 2}\n"
        "  - {id: b, formula: '3 * 4', claimed: 12}\n")
    assert run(capsys, "verify", str(right))[0] == 0
    wrong = tmp_path / "wrong.yml"
    wrong.write_text(
        "- {id: flipped, topic: conv2d_forward, claimed: [[-1, 0], [-1, -3]],\n"
        "   arguments: {x: [[2, 4, 1], [3, 1, 5], [0, 2, 1]], w: [[0, 1], [-1, 0]]}}\n")
    code, out, _ = run(capsys, "verify", str(wrong))
    assert code == 1
    assert "matches the modeled mistake kernel_flipped" in out


@pytest.mark.parametrize("text, message", [
    ("claims: []\n", "non-empty list of claims"),
    ("- {id: a, claimed: 1}\n", "needs a topic"),
    ("- {id: a, formula: '1', claimed: 1}\n- {id: a, formula: '2', claimed: 2}\n",
     "duplicate claim id 'a'"),
    ("- {id: a, topic: nope, claimed: 1}\n", "unknown reference topic 'nope'"),
    ("claims: [\n", "invalid YAML"),
])
def test_verify_rejects_a_malformed_claims_file_with_exit_2(capsys, tmp_path, text, message):
    path = tmp_path / "claims.yml"
    path.write_text(text)
    code, _, err = run(capsys, "verify", str(path))
    assert code == 2 and message in err


GOOD_EXERCISE = """\
schema_version: 1
id: tiny-size
kind: by_hand
title: Tiny size
points: 1
prompt: "n={{ n }}"
params:
  n: {int: [8, 20]}
  s: {value: 2}
constraints: ["(n - 3) % s != 0"]
mistakes: [floor_forgotten, plus_one_forgotten]
options:
  reference: conv_output_size
  arguments: {n: n, k: 3, stride: s}
  answers: [{name: SIZE}]
"""


def test_selfcheck_passes_a_sound_exercise_and_fails_a_non_discriminating_one(
        capsys, tmp_path):
    (tmp_path / "tiny.yml").write_text(GOOD_EXERCISE)
    code, out, _ = run(capsys, "selfcheck", "--exercises", str(tmp_path), "--seeds", "20")
    assert code == 0 and "ok   tiny-size (20 seeds, 2 mistakes diagnosed)" in out
    # with stride 1 a forgotten floor changes nothing: no variant can show the mistake
    (tmp_path / "tiny.yml").write_text(GOOD_EXERCISE.replace("{value: 2}", "{value: 1}")
                                       .replace('constraints: ["(n - 3) % s != 0"]', ""))
    code, out, _ = run(capsys, "selfcheck", "--exercises", str(tmp_path), "--seeds", "5")
    assert code == 1
    assert "FAIL tiny-size" in out and "no valid variant" in out
    assert "mistake 'floor_forgotten' gives the expected value" in out


def test_selfcheck_of_an_unknown_exercise_is_an_error(capsys, tmp_path):
    (tmp_path / "tiny.yml").write_text(GOOD_EXERCISE)
    code, _, err = run(capsys, "selfcheck", "--exercises", str(tmp_path), "--exercise", "nope")
    assert code == 2 and "no exercise with id 'nope'" in err


def test_a_bad_kind_option_is_reported_with_file_line_and_key_path(capsys, tmp_path):
    broken = GOOD_EXERCISE.replace("answers: [{name: SIZE}]", "answers:\n    - {name: size}")
    (tmp_path / "tiny.yml").write_text(broken)
    code, _, err = run(capsys, "selfcheck", "--exercises", str(tmp_path))
    assert code == 2
    line = broken.splitlines().index("    - {name: size}") + 1
    assert f"tiny.yml:{line}: options.answers[0].name: expected an UPPER_CASE" in err
