"""The shortcuts that make ``generate`` fast give exactly the answers of the plain rules."""

from __future__ import annotations

import hashlib
import hmac
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.authoring.kinds.reference import all_mistakes, mistakes_of, reference_topics
from grader.authoring.params import VariantRng, derive_key
from grader.authoring.release import _write_files
from grader.authoring.render import markdown_to_html
from grader.authoring.variant import values_equal
from grader.model import Tolerance

SPECIAL = st.sampled_from([0.0, -0.0, 1.0, 1.0 + 1e-9, math.inf, -math.inf, math.nan])
FLOATS = st.one_of(SPECIAL, st.floats(-10, 10))


def close_by_hand(got: list[float], expected: list[float], tolerance: Tolerance) -> bool:
    """The tolerance rule of grader.model, one element at a time in plain Python."""
    return all(abs(g - e) <= tolerance.atol + tolerance.rtol * abs(e) or g == e
               for g, e in zip(got, expected, strict=True))


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(FLOATS, FLOATS), min_size=1, max_size=6),
       same_start=st.booleans(), rtol=st.sampled_from([0.0, 1e-6]),
       atol=st.sampled_from([0.0, 1e-8, 0.5]))
def test_float_arrays_compare_like_the_element_by_element_rule(pairs, same_start, rtol, atol):
    got, expected = [g for g, _ in pairs], [e for _, e in pairs]
    if same_start:  # the first elements agree: the answer depends on the others
        got[0] = expected[0]
    tolerance = Tolerance(rtol=rtol, atol=atol)
    assert values_equal(np.array(got), np.array(expected), tolerance) == close_by_hand(
        got, expected, tolerance)


def test_arrays_that_differ_only_after_the_first_element_are_different():
    assert not values_equal(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.5]))
    assert values_equal(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0 + 1e-12]),
                        Tolerance(rtol=1e-9, atol=0.0))


def test_a_child_seed_is_the_hmac_of_child_and_its_label_before_and_after_draws():
    fresh = VariantRng(b"parent")
    used = VariantRng(b"parent")
    used.uniform(0, 1, 40)  # the parent's cached HMAC states now exist
    expected = VariantRng(derive_key(b"parent", "child", "param/k")).integers(0, 2**40, 6)
    for parent in (fresh, used):
        assert parent.child("param/k").integers(0, 2**40, 6).tolist() == expected.tolist()


def test_stream_blocks_asked_for_in_one_go_are_the_hmac_of_each_counter():
    stream = VariantRng(b"key")._read(32 * 40)
    expected = b"".join(hmac.new(b"key", i.to_bytes(8, "little"), hashlib.sha256).digest()
                        for i in range(40))
    assert stream == expected


def test_reference_topics_are_found_once_and_cannot_be_changed():
    topics = reference_topics()
    assert reference_topics() is topics
    assert "conv2d_forward" in topics
    with pytest.raises(TypeError):
        topics["conv2d_forward"] = None  # type: ignore[index]


def test_mistakes_of_a_topic_keep_the_registry_order_and_honour_the_wanted_list():
    for topic in {m.topic for m in all_mistakes().values()}:
        scanned = tuple(m for m in all_mistakes().values() if m.topic == topic)
        assert mistakes_of(topic) == scanned
        wanted = tuple(m.mistake_id for m in scanned[::2])
        assert mistakes_of(topic, wanted) == tuple(m for m in scanned if m.mistake_id in wanted)
    assert mistakes_of("no_such_topic") == ()


def test_plain_text_is_escaped_even_without_any_markup():
    assert str(markdown_to_html("a<b & 'c' > \"d\"")) == (
        "<p>a&lt;b &amp; &#x27;c&#x27; &gt; &quot;d&quot;</p>")
    assert str(markdown_to_html("- <script>")) == "<ul><li>&lt;script&gt;</li></ul>"


def test_release_files_get_the_permissions_and_contents_of_ordinary_writes(tmp_path):
    files = {"a.py": b"x = 1\n", ".cnn-grader/public.json": b"{}\n", "deep/er/b.txt": b"b"}
    _write_files(tmp_path / "fast", files)
    for name, content in files.items():
        plain = tmp_path / "plain" / name
        plain.parent.mkdir(parents=True, exist_ok=True)
        plain.write_bytes(content)
        written = tmp_path / "fast" / name
        assert written.read_bytes() == content
        assert written.stat().st_mode == plain.stat().st_mode
        assert written.parent.stat().st_mode == plain.parent.stat().st_mode


def test_writing_a_shorter_file_over_a_longer_one_leaves_only_the_new_bytes(tmp_path):
    _write_files(tmp_path, {"m.py": b"a much longer first version\n"})
    _write_files(tmp_path, {"m.py": b"short\n"})
    assert (tmp_path / "m.py").read_bytes() == b"short\n"
