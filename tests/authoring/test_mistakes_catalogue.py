"""Authors find the mistake ids in `cnn-grader mistakes` and in docs/mistakes.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring.mistake_docs import REGENERATE, markdown, mistake_entries
from grader.cli import main
from grader.errors import SpecError
from solutions.mistakes import MISTAKES

DOC = Path(__file__).resolve().parents[2] / "docs" / "mistakes.md"


def test_docs_mistakes_md_is_the_page_generated_from_the_registry():
    assert DOC.read_text(encoding="utf-8") == markdown(mistake_entries(MISTAKES)), (
        f"docs/mistakes.md is out of date; regenerate it with `{REGENERATE}`")


def test_the_page_has_one_row_per_registered_mistake():
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")]
    assert sorted(row.split("`")[1] for row in rows) == sorted(MISTAKES)


def test_the_command_lists_id_topic_and_the_sentence_a_student_sees(capsys):
    assert main(["mistakes", "conv_output_size"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "conv_output_size:"
    for mistake in MISTAKES.values():
        listed = f"{mistake.mistake_id}" in out and mistake.explanation in out
        assert listed == (mistake.topic == "conv_output_size"), mistake.mistake_id


def test_without_a_topic_every_mistake_is_listed(capsys):
    assert main(["mistakes"]) == 0
    out = capsys.readouterr().out
    assert all(mistake.explanation in out for mistake in MISTAKES.values())


def test_an_unknown_topic_names_the_topics_that_have_mistakes(capsys):
    assert main(["mistakes", "conv_output_sise"]) == 2
    err = capsys.readouterr().err
    assert "no modeled mistakes for topic 'conv_output_sise'" in err
    assert "conv_output_size" in err
    with pytest.raises(SpecError):
        mistake_entries(MISTAKES, "nothing")
