"""The fast (libyaml) loader reads our files exactly as the pure-Python one does."""

from pathlib import Path

import pytest
import yaml

from grader.authoring import yamldoc

REPO = Path(__file__).resolve().parents[2]
FILES = [*sorted((REPO / "exercises").glob("*.yml")), REPO / "course.yml"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_both_loaders_give_the_same_data_and_line_numbers(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    fast = yamldoc.parse_yaml(text, source=path.name)
    monkeypatch.setattr(yamldoc, "SAFE_LOADER", yaml.SafeLoader)
    pure = yamldoc.parse_yaml(text, source=path.name)
    assert fast.data == pure.data
    assert fast.lines == pure.lines


def test_a_syntax_error_still_gets_the_pure_loaders_message():
    with pytest.raises(yamldoc.SpecProblems, match="expected ',' or ']', but got ':'"):
        yamldoc.parse_yaml("a: [1, 2\nb: 3\n", source="x.yml")
