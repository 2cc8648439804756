"""`cnn-grader verify`: every claim is checked on its own, in four forms."""

from __future__ import annotations

import numpy as np
import pytest

from grader.cli import main

SETUP_PROBLEMS = """\
claims:
  - id: window-too-large
    topic: conv_output_size
    arguments: {n: 2, k: 5}
    claimed: 1
  - id: several-values
    calls:
      grads:
        topic: conv2d_backward
        arguments: {dout: [[1, 2], [3, 4]], x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                    w: [[1, 0], [0, 1]]}
    formula: "grads * 2"
    claimed: 3
  - id: symbolic
    topic: conv_output_size
    arguments: {n: N, k: 3}
    claimed: 7
  - id: right
    topic: conv_output_size
    arguments: {n: 9, k: 3}
    claimed: 7
  - id: wrong
    topic: conv_output_size
    arguments: {n: 9, k: 3}
    claimed: 6
"""


@pytest.fixture
def verify(tmp_path, capsys):
    def verify(text: str) -> tuple[int, list[str]]:
        path = tmp_path / "claims.yml"
        path.write_text(text, encoding="utf-8")
        code = main(["verify", str(path)])
        captured = capsys.readouterr()
        assert "internal error" not in captured.err
        return code, captured.out.replace(str(tmp_path) + "/", "").splitlines()
    return verify


def line_of(lines: list[str], claim_id: str) -> str:
    (found,) = [line for line in lines if line.split()[1:2] == [claim_id]]
    return found


def test_claims_that_cannot_be_computed_are_reported_each_at_its_line(verify):
    code, lines = verify(SETUP_PROBLEMS)
    assert code == 1
    assert line_of(lines, "window-too-large").startswith(
        "PROBLEM window-too-large (claims.yml:2): conv_output_size cannot be computed here")
    assert "does not fit" in line_of(lines, "window-too-large")
    assert line_of(lines, "several-values") == (
        "PROBLEM several-values (claims.yml:6): call 'grads' returns 3 values; pick one "
        "with index: [i] in the call")
    symbolic = line_of(lines, "symbolic")
    assert symbolic.startswith("PROBLEM symbolic (claims.yml:14):")
    assert "n='N' is a symbol, not a number" in symbolic
    assert line_of(lines, "wrong").startswith("WRONG wrong (claims.yml:22): claimed 6, "
                                              "right answer 7")
    assert all(line.split()[1] != "right" for line in lines[:-1])
    assert lines[-1] == "5 claims checked, 1 wrong, 3 could not be checked"


def test_a_call_picks_one_of_several_values_with_index(verify):
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])
    claim = SETUP_PROBLEMS.split("  - id: symbolic")[0].split("  - id: several-values")[1]
    claim = claim.replace("w: [[1, 0], [0, 1]]}", "w: [[1, 0], [0, 1]]}\n        index: [2, 0]")
    claim = claim.replace("claimed: 3", f"claimed: {2 * dout.sum()}")  # db of one filter
    code, lines = verify(f"claims:\n  - id: db{claim}")
    assert (code, lines) == (0, ["1 claims checked, 0 wrong"])


MLP_EXISTS = """\
claims:
  - id: some-width-gives-{total}
    exists: {{h: [1, 1000]}}
    topic: network_params
    arguments:
      layers:
        - {{type: dense, n_in: 64, n_out: h}}
        - {{type: dense, n_in: h, n_out: 3}}
    condition: "result == {total}"
    claimed: {claimed}
"""


def widths_giving(total: int) -> list[int]:
    # 64 -> h -> 3 with biases: 64h + h + 3h + 3 = 68h + 3 parameters
    return [h for h in range(1, 1001) if 68 * h + 3 == total]


def test_no_hidden_width_gives_1242_parameters(verify):
    assert widths_giving(1242) == []
    assert verify(MLP_EXISTS.format(total=1242, claimed="false"))[0] == 0
    code, lines = verify(MLP_EXISTS.format(total=1242, claimed="true"))
    assert code == 1
    assert "claimed True, right answer False (none of 1000 points satisfy it)" in lines[0]


def test_exists_names_the_witness_it_found(verify):
    assert widths_giving(1227) == [18]
    code, lines = verify(MLP_EXISTS.format(total=1227, claimed="false"))
    assert code == 1 and "(h=18 satisfies it)" in lines[0]


FOR_ALL = """\
- id: padding-keeps-the-size
  for_all: {{n: [{k}, 40]}}
  topic: conv_output_size
  arguments: {{n: n, k: {k}, padding: 1}}
  condition: "result == n"
  claimed: true
"""


def test_for_all_holds_or_names_a_counterexample(verify):
    assert verify(FOR_ALL.format(k=3))[0] == 0
    code, lines = verify(FOR_ALL.format(k=2))
    assert code == 1  # k = 2 with padding 1 gives n + 1 (computed by hand: n + 2 - 2 + 1)
    assert "(n=2 does not satisfy it)" in lines[0]


SYMBOLS = """\
- id: output-size-formula
  symbols: {{n: [5, 30], k: [1, 5], p: [0, 2]}}
  where: "k <= n"
  topic: conv_output_size
  arguments: {{n: n, k: k, padding: p}}
  claimed: "{claimed}"
"""


def test_a_formula_in_symbols_is_checked_on_the_grid(verify):
    assert verify(SYMBOLS.format(claimed="n + 2 * p - k + 1")) == (
        0, ["1 claims checked, 0 wrong"])
    code, lines = verify(SYMBOLS.format(claimed="n + 2 * p - k"))
    assert code == 1
    assert ("(at n=5, k=1, p=0 the right answer is 5, the claimed formula gives 4); "
            "matches the modeled mistake plus_one_forgotten") in lines[0]


SYMPY = """\
- id: standard-conv-count
  symbols: {symbols}
  formula: "{formula}"
  claimed: "C**2 * k**2 + C"
"""


def test_formulas_alone_are_compared_with_sympy(verify):
    proved = SYMPY.format(symbols="[C, k]", formula="C * C * k * k + C")
    assert verify(proved)[0] == 0
    unproved = SYMPY.format(symbols="[C, k]", formula="C * C * k + C")
    code, lines = verify(unproved)
    assert code == 1 and "SymPy could not show the formulas equal" in lines[0]
    gridded = SYMPY.format(symbols="{C: [1, 4], k: [1, 3]}", formula="C * C * k + C")
    code, lines = verify(gridded)
    assert code == 1 and "at C=1, k=2 the right answer is 3" in lines[0]


def test_the_notes_depthwise_separable_count_holds_with_pointwise_biases_only(verify):
    text = """\
- id: separable
  symbols: {C: [1, 12], k: [1, 7]}
  topic: depthwise_separable_params
  arguments: {c_in: C, c_out: C, k: k, depthwise_bias: false}
  claimed: "C**2 + C * k**2 + C"
"""
    assert verify(text)[0] == 0
    code, lines = verify(text.replace("depthwise_bias: false", "depthwise_bias: true"))
    assert code == 1 and "the right answer is 4" in lines[0]  # C=1,k=1: 1+1+1+1


def test_a_malformed_range_is_reported_with_the_claims_line(verify, capsys, tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("- id: ok\n  formula: '1'\n  claimed: 1\n"
                    "- id: bad\n  exists: {h: [5, 1]}\n  condition: 'h > 0'\n  claimed: true\n")
    assert main(["verify", str(path)]) == 2
    assert "bad.yml:4: claims[1]: exists.h: expected [low, high] integers" in (
        capsys.readouterr().err)


def test_symbols_without_ranges_cannot_feed_a_reference_call(verify):
    code, lines = verify(SYMBOLS.format(claimed="n - k + 1").replace(
        "{n: [5, 30], k: [1, 5], p: [0, 2]}", "[n, k, p]"))
    assert code == 1 and "reference calls are checked on a grid" in lines[0]
