"""The shortcuts of parameter sampling give what the general steps give."""

from __future__ import annotations

import itertools
from types import MappingProxyType, SimpleNamespace

import pytest

from grader.authoring.params import DISTRIBUTION_KEYS, VariantRng, distribution_key
from grader.authoring.variant import _draw
from grader.errors import SpecError


@pytest.mark.parametrize("size", range(4))
def test_a_dicts_distribution_is_the_one_a_mapping_gets(size):
    """A dict takes a set intersection; any other mapping the listing of keys."""
    for keys in itertools.combinations((*DISTRIBUTION_KEYS, "decimals", "shape"), size):
        spec = dict.fromkeys(keys, 1)
        assert distribution_key(spec) == distribution_key(MappingProxyType(spec)), keys
    assert distribution_key({"int": [1, 2]}) == "int"
    assert distribution_key({"int": [1, 2], "float": [1, 2]}) is None
    assert distribution_key(3) == "value"


def test_refusals_are_still_counted_in_the_error():
    spec = SimpleNamespace(params={"n": {"int": [1, 3]}}, constraints=("n > 5",),
                           source="x.yml", exercise_id="x", kind="by_hand", mistakes=())
    with pytest.raises(SpecError, match=r"200x constraint 'n > 5' does not hold"):
        _draw(spec, VariantRng(b"seed"), kind=None, points=1.0, path=("s",))


def test_a_childs_stream_is_the_hmac_of_its_label():
    import hashlib
    import hmac

    parent = VariantRng(b"parent seed")
    child = parent.child("param/n")
    seed = hmac.new(b"parent seed", b"child/param/n", hashlib.sha256).digest()
    assert child._read(64) == VariantRng(seed)._read(64)
    assert child.child("x")._read(8) == VariantRng(seed).child("x")._read(8)
