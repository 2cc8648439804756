"""Plain Python numbers and texts are compared, shown and recorded as arrays would be.

``compare`` and ``answer_record`` take shortcuts for a plain ``int``, ``float`` or
``str`` (most by-hand answers).  The oracle is the array path itself: the same value
as a NumPy scalar (``np.float64``, ``np.int64``, ``np.str_``) is not a plain value, so
it goes the old way, and every field of the verdict must be the same (texts: the
old 0-d array of the comparison).
"""

from __future__ import annotations

import json
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.grading import answer_record, compare
from grader.grading.answer_record import answer_json
from grader.grading.compare import check_case
from grader.grading.grade import module_files_for, module_source_for
from grader.model import Case, ExerciseVariant, ModeledAnswer, Probe, Tolerance
from grader.sandbox.api import ProbeOutcome

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
NUMBERS = st.one_of(INT64, st.integers(min_value=-5, max_value=5),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.floats(min_value=-10, max_value=10))
TOLERANCES = st.builds(Tolerance, rtol=st.sampled_from([0.0, 1e-9, 1e-6, 0.01, 0.5]),
                       atol=st.sampled_from([0.0, 1e-8, 0.5, 1.0, 1e300]))


def as_numpy(value):
    """The same value as a NumPy scalar: not plain, so compared the old way."""
    if isinstance(value, str):
        return np.str_(value)
    return np.int64(value) if isinstance(value, int) else np.float64(value)


def make_case(expected, tolerance, mistakes, *, public, credit) -> Case:
    return Case(case_id="ANSWER", label="answer", points=2.0, public=public,
                answer_type="float", probe=Probe("attribute", "ANSWER"), expected=expected,
                tolerance=tolerance, per_element_credit=credit,
                mistakes=tuple(ModeledAnswer(f"m{i}", f"mistake {i}", value)
                               for i, value in enumerate(mistakes)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf, as the oracle computes it
@settings(max_examples=1500, deadline=None)
@given(NUMBERS, NUMBERS, TOLERANCES, st.lists(NUMBERS, max_size=3), st.booleans(),
       st.booleans(), st.booleans())
def test_plain_numbers_get_the_verdict_of_numpy_scalars(got, expected, tolerance, mistakes,
                                                        public, credit, same):
    if same:
        got = expected
    case = make_case(expected, tolerance, mistakes, public=public, credit=credit)
    oracle_case = make_case(as_numpy(expected), tolerance, [as_numpy(m) for m in mistakes],
                            public=public, credit=credit)
    fast = check_case(case, ProbeOutcome(value=got, error=None))
    slow = check_case(oracle_case, ProbeOutcome(value=as_numpy(got), error=None))
    assert repr(fast) == repr(slow)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=5), st.sampled_from(["A", "b", " c ", "\u00e9"]),
       st.lists(st.sampled_from(["A", "B", "c"]), max_size=3), st.booleans())
def test_texts_get_the_verdict_they_got_as_arrays(got, expected, mistakes, public):
    """The old ``_close`` gave text's verdict as a 0-d array: the oracle wraps it so."""
    case = make_case(expected, Tolerance(), mistakes, public=public, credit=False)
    fast = check_case(case, ProbeOutcome(value=got, error=None))
    plain_close = compare._close
    with mock.patch.object(compare, "_close",
                           lambda *args: np.asarray(plain_close(*args))):
        slow = check_case(case, ProbeOutcome(value=got, error=None))
    assert repr(fast) == repr(slow)


def test_the_shortcuts_are_taken():
    tolerance = Tolerance(rtol=0.0, atol=0.0)
    assert compare._close(3, 3.0, tolerance) is True
    assert compare._close(" a", "A", tolerance) is True
    assert compare._close(2**60, 2**60, tolerance) is not True  # not exact in float64
    assert answer_record._scalar_json(3) == "3"
    assert answer_record._scalar_json(np.int64(3)) is None


@given(st.one_of(INT64, st.floats(), st.text(), st.none(), st.booleans()))
def test_plain_answers_are_recorded_as_the_encoder_writes_them(value):
    plain = answer_record._plain(value)
    expected = None if plain is None else json.dumps(plain, separators=(",", ":"),
                                                      allow_nan=False)
    if expected is not None and len(expected) > answer_record.MAX_ANSWER_CHARS:
        expected = None
    assert answer_json(value) == expected


def test_long_texts_are_not_recorded():
    assert answer_json("x" * answer_record.MAX_ANSWER_CHARS) is None
    assert answer_json("x" * (answer_record.MAX_ANSWER_CHARS - 2)) is not None


def exercise(stub: str = "") -> ExerciseVariant:
    return ExerciseVariant(exercise_id="e", title="E", kind="by_hand", version="1", points=1.0,
                           module="answers", prompt_markdown="", stub_source=stub, cases=())


def test_the_module_source_is_the_one_module_files_for_chooses():
    stub = "ANSWER = None  # an integer"
    notebook = "notebook:answers.py"
    for files in (
        {"answers.py": b"ANSWER = 1\n"},
        {"answers.py": b"ANSWER = 1\n", notebook: b"ANSWER = 2\n"},
        {"answers.py": stub.encode() + b"\n", notebook: b"ANSWER = 2\n"},
        {notebook: b"ANSWER = 2\n"},
        {"other.py": b"X = 1\n"},
        {},
    ):
        for variant in (exercise(stub), exercise()):
            chosen = module_files_for(variant, files)
            assert module_source_for(variant, files) == chosen.get("answers.py"), files
    assert module_source_for(exercise(stub), {"answers.py": stub.encode(),
                                              notebook: b"2"}) == b"2"
