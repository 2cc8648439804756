"""The line reader of ``literal_answers`` agrees with its syntax-tree reader.

``_lines_read`` is the cheap path for the usual answer module; it must accept only
what ``_assigned_literals`` accepts and give the very same names and values (types,
list or tuple, the sign of zero).  The oracle is the tree reader; where the line
reader says None, the tree reader decides, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.authoring.course import load_course
from grader.authoring.variant import build_assignment_variant
from grader.cli.demo_submissions import PROFILES
from grader.grading import literal_answers
from grader.grading.grade import module_files_for
from grader.grading.literal_answers import _assigned_literals, _lines_read, literal_outcomes
from grader.model import Probe

REPO = Path(__file__).resolve().parents[2]
SECRET = b"literal-lines-test-secret-0123456789abcdef"


def tree_reading(text: str) -> str:
    """What the tree reader makes of ``text``: the repr of its names (it tells a list
    from a tuple, 1 from 1.0 and -0.0 from 0.0), or the exception it refuses with."""
    try:
        return repr(_assigned_literals(text))
    except Exception as error:  # every refusal is an answer here
        return f"refused: {type(error).__name__}"


def assert_agrees(text: str) -> bool:
    """True when the line reader read ``text`` (and agreed with the tree)."""
    names = _lines_read(text)
    if names is None:
        return False
    assert repr(names) == tree_reading(text), text
    return True


READ = [
    "X = 1", "X = -1", "X = +1.5", "X = 1e5", "X = 1.e5", "X = .5", "X = 5.", "X = 1E-5",
    "X = 01e5", "X = 00.5", "X = 0", "X = -0.0", "X = 1e400", "X=(1,)", "X = ()", "X = []",
    "X = [1,]", "X = ( 1 , 2 )", 'X = "a#b" # c', "X = 'it'", "X = None  # c",
    "X = (-0.0, 1e400, None, 'A')", "X = [[1, 2], [3, 4]]", "_ = 1", 'X = "\u2028\u00e9"',
    '"""doc"""\nX = 1', '"""a\nb"""\nX = 2', '""""a"""\nX=3', "'''a'''  # c\nX = 1",
    "'a' # c\nX=1", "# c\n\n   # d\nX = 1\npass\nX = 2  # later wins\n", "pass  # p\nX = 1",
    "", "\n\n", '"""only a docstring"""\n', "X = " + "[" * 8 + "1" + "]" * 8,
]
LEFT_TO_THE_TREE = [
    "X = 00", "X = 07", "X = (1)", "X = ((1, 2))", "X = (,)", "X = [1,,2]", "X = 'a' 'b'",
    "X = [1][0]", "X = (1, 2)(3)", '"""a""""\nX=1', '"x"\n"y"', "pass\n'x'", "  X = 1",
    "X = 1_0", "X = 0x10", "X = 1j", "X = - 1", "X = --1", "X = -None",
    "X = " + "[" * 9 + "1" + "]" * 9, '"""', "X = 1 2", "X = 1.5.5", "X = 5e", "X = True",
    "x = 1", "X: int = 1",
    "X = Y = 1", "X == 1", "X = 1; Y = 2", "X = [1,\n 2]", "X = 1\tY", "X = '\t'",
    "X = '\x0c'", "\x0cX = 1", "X = b'a'", "X = f'a'", "X = r'a'", "X = 1 if 1 else 2",
    "X = (1, [2)]", "X = [1, 2)", "X = 'a' # c\n  Y = 2", "X = " + "9" * 50,
    "X = 1." + "0" * 50, "\u00c9T\u00c9 = 1", "X = (1, 2", "X = 1,", "X = 1, 2", "del X",
    "X = 'a\\d'", "'''never closed", "'a'.upper()\nX = 1", "X = 'a'b'", "X = ...", "X = [...]",
]


@pytest.mark.parametrize("text", READ)
def test_the_line_reader_reads_the_usual_modules_as_the_tree_does(text):
    assert assert_agrees(text), text


@pytest.mark.parametrize("text", LEFT_TO_THE_TREE)
def test_what_it_does_not_know_is_left_to_the_tree(text):
    assert _lines_read(text) is None, text


def test_its_limits_are_the_trees():
    deep = "X = " + "[" * 9 + "1" + "]" * 9  # one level more than MAX_DEPTH allows
    assert tree_reading(deep).startswith("refused")
    assert _lines_read(deep) is None
    wide = "X = [" + ", ".join(["1"] * literal_answers.MAX_ELEMENTS) + "]"  # one node too many
    assert tree_reading(wide).startswith("refused")
    assert _lines_read(wide) is None
    fits = "X = [" + ", ".join(["1"] * (literal_answers.MAX_ELEMENTS - 1)) + "]"
    assert assert_agrees(fits)


FRAGMENTS = st.sampled_from([
    "X", "Y_2", "_", "x", " ", "  ", "=", "==", "(", ")", "[", "]", ",", "#", "# c", "1",
    "-", "+", "0", "00", "07", ".", "5.", ".5", "1e5", "e", "E", "j", "_", "None", "True",
    "'", '"', "'''", '"""', "'a'", '"b"', "\u00e9", "\u2028", "\t", ";", ":", "pass", "\n",
    "\n", "\n", "-1.5", "(1,)", "[[1, 2], [3, 4]]", "1_0", "0x1", "\\", "\x0c", "inf",
])


@settings(max_examples=3000, deadline=None)
@given(st.lists(FRAGMENTS, max_size=14))
def test_random_fragments_are_read_as_the_tree_reads_them(parts):
    text = "".join(parts)
    assert_agrees(text)
    assert_agrees("X = " + text)
    assert_agrees('"""d"""\n' + text)


scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=4), st.none(),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple)), max_leaves=12)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ANSWER", "OUTPUT_SIZE", "_X"]), values,
                          st.sampled_from(["", "  # a comment", " #", "  # 'x' (1,"])),
                min_size=1, max_size=4))
def test_generated_constant_modules_are_read_as_the_tree_reads_them(assignments):
    text = '"""Answers."""\n\n' + "\n".join(
        f"{name} = {value!r}{comment}" for name, value, comment in assignments) + "\n"
    assert_agrees(text)


def test_the_demo_modules_take_the_line_reader_with_the_same_outcomes(monkeypatch):
    """Every by-hand module of the demo profiles: the line reader reads the plain ones,
    and each module's outcomes are the same with it and without it."""
    course = load_course(REPO / "course.yml")
    modules = []
    for assignment in course.assignments:
        variant = build_assignment_variant(course, assignment.assignment_id, "s2026002", SECRET)
        for profile in sorted(PROFILES):
            files = PROFILES[profile](variant)
            for exercise in variant.exercises:
                chosen = module_files_for(exercise, files)
                if f"{exercise.module}.py" in chosen:
                    probes = tuple(case.probe for case in exercise.cases)
                    modules.append((chosen[f"{exercise.module}.py"], probes))
    with_lines = [literal_outcomes(source, probes) for source, probes in modules]
    read = sum(_lines_read(source.decode("utf-8", "replace")) is not None
               for source, _ in modules)
    monkeypatch.setattr(literal_answers, "_lines_read", lambda text: None)
    without = [literal_outcomes(source, probes) for source, probes in modules]
    assert read > 30
    assert repr(with_lines) == repr(without)


def test_a_refused_line_still_refuses_the_module():
    probe = [Probe(kind="attribute", name="ANSWER")]
    assert literal_outcomes(b"ANSWER = 3\nimport os\n", probe) is None
    assert literal_outcomes(b'"""d"""\nANSWER = 3\n"""e"""\n', probe) is None
    assert literal_outcomes(b"ANSWER = 3\n", probe) is not None
