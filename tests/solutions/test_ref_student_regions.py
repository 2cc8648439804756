"""Student-facing reference functions can be cut into stubs and stand alone with only NumPy."""

from __future__ import annotations

import inspect
import textwrap

import numpy as np
import pytest

from solutions import conv, pool

STUDENT_FUNCTIONS = [conv.im2col, conv.conv2d_forward, conv.conv2d_backward,
                     conv.depthwise_separable_forward, pool.pool2d_forward,
                     pool.maxpool_backward, pool.avgpool_backward]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def standalone(fn):
    """Re-create ``fn`` from its source text in a namespace that holds nothing but ``np``."""
    namespace = {"np": np}
    exec(textwrap.dedent(inspect.getsource(fn)), namespace)
    return namespace[fn.__name__]


def example_arguments(name):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 4, 7, 6))
    w = rng.normal(size=(6, 2, 3, 3))
    return {
        "im2col": (x, 3, 2, 2, 1, (1, 2)),
        "conv2d_forward": (x, w, rng.normal(size=6), 2, 1, 1, 2),
        "conv2d_backward": (rng.normal(size=(2, 6, 4, 3)), x, w, 2, 1, 1, 2),
        "depthwise_separable_forward": (x, rng.normal(size=(4, 1, 3, 3)),
                                        rng.normal(size=(3, 4, 1, 1)), rng.normal(size=4),
                                        rng.normal(size=3), 1, 1),
        "pool2d_forward": (x, 3, 2, 1, "avg"),
        "maxpool_backward": (rng.normal(size=(2, 4, 4, 3)), x, 3, 2, 1),
        "avgpool_backward": (rng.normal(size=(2, 4, 4, 3)), x.shape, 3, 2, 1),
    }[name]


@pytest.mark.parametrize("fn", STUDENT_FUNCTIONS, ids=lambda fn: fn.__name__)
def test_whole_body_after_the_docstring_lies_in_one_solution_region(fn):
    lines = textwrap.dedent(inspect.getsource(fn)).splitlines()
    stripped = [line.strip() for line in lines]
    assert stripped.count(BEGIN) == 1 and stripped.count(END) == 1
    begin, end = stripped.index(BEGIN), stripped.index(END)
    assert stripped[begin - 1].endswith('"""'), "the region starts right after the docstring"
    assert end == len(lines) - 1, "nothing follows the region"
    assert lines[begin].startswith("    ") and not lines[begin].startswith("     ")
    assert end - begin - 1 <= 40


@pytest.mark.parametrize("fn", STUDENT_FUNCTIONS, ids=lambda fn: fn.__name__)
def test_function_rebuilt_with_only_numpy_in_scope_gives_the_same_result(fn):
    arguments = example_arguments(fn.__name__)
    got, want = standalone(fn)(*arguments), fn(*arguments)
    for a, b in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,), strict=True):
        np.testing.assert_array_equal(a, b)
