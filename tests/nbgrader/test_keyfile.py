"""Answer keys survive the trip to JSON, and public keys hold no hidden case."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader.errors import GraderError
from grader.nbgrader.keyfile import key_data, parse_key, read_key, write_key
from tests.nbgrader.toy import toy_variant


def test_a_full_key_reads_back_every_case_with_equal_values(tmp_path):
    variant = toy_variant("alice")
    key = read_key(write_key(variant, tmp_path / "k.json"))
    assert (key.student_id, key.assignment_id, key.scope) == ("alice", "a1", "all")
    for exercise, keyed in zip(variant.exercises, key.exercises, strict=True):
        assert keyed.module == exercise.module
        for case, back in zip(exercise.cases, keyed.cases, strict=True):
            assert back.probe.name == case.probe.name
            assert back.points == case.points and back.tolerance == case.tolerance
            np.testing.assert_array_equal(back.expected, case.expected)
            for name_value, back_value in zip(case.probe.inputs, back.probe.inputs, strict=True):
                np.testing.assert_array_equal(back_value[1], name_value[1])
            assert [m.mistake_id for m in back.mistakes] == [m.mistake_id for m in case.mistakes]


def test_a_full_key_file_is_readable_by_its_owner_only(tmp_path):
    path = write_key(toy_variant("alice"), tmp_path / "k.json")
    assert path.stat().st_mode & 0o077 == 0


def test_a_public_key_holds_no_hidden_case(tmp_path):
    key = read_key(write_key(toy_variant("alice"), tmp_path / "p.json", scope="public"))
    cases = [case for exercise in key.exercises for case in exercise.cases]
    assert cases and all(case.public for case in cases)
    assert "out_w" not in (tmp_path / "p.json").read_text()


def test_a_key_of_another_format_or_version_is_refused():
    data = key_data(toy_variant("alice"))
    with pytest.raises(ValueError, match="version 1"):
        parse_key(dict(data, version=2))


def test_an_unreadable_key_is_a_grader_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(GraderError, match=r"broken\.json"):
        read_key(path)
