"""Golden files for one small quiz, so that a change of output is seen in review.

Regenerate after an intended change with ``UPDATE_LMS_GOLDEN=1 pytest tests/lms``
and read the diff.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from grader.exports.canvas import canvas_package
from grader.exports.lms_common import quiz_item
from grader.exports.moodle import moodle_xml

from .conftest import demo_source

GOLDEN = Path(__file__).parent / "golden"
PICKED = (("a1-sizes-and-counts", "conv-output-size"), ("a1-sizes-and-counts",
          "conv-output-shape"), ("a2-by-hand", "max-pool"))


def _small_quiz():
    items = []
    for assignment, exercise_id in PICKED:
        source = demo_source(assignment, 1)
        exercise = next(e for _, e in source.exercises if e.exercise_id == exercise_id)
        items.append(quiz_item(exercise, "quiz~0001"))
        if exercise_id == "conv-output-size":
            items.append(quiz_item(exercise, "quiz~0001-choice", as_choice=True))
    return items


def _outputs() -> dict[str, bytes]:
    items = _small_quiz()
    outputs = {"moodle.xml": moodle_xml(items, category="cnn-2026/small")}
    with zipfile.ZipFile(io.BytesIO(canvas_package(items, quiz_id="small", title="Small"))) as z:
        for name in z.namelist():
            base = name.split("/")[-1]
            if base.endswith(".xml"):  # the assessment is ID/ID.xml
                base = "ID.xml" if base.startswith("g") else base
                outputs[f"canvas/{base}"] = z.read(name)
    return outputs


@pytest.mark.parametrize("name", ["moodle.xml", "canvas/imsmanifest.xml",
                                  "canvas/assessment_meta.xml", "canvas/ID.xml"])
def test_small_quiz_matches_its_golden_file(name):
    produced = _outputs()[name]
    path = GOLDEN / name
    if os.environ.get("UPDATE_LMS_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produced)
    assert path.is_file(), f"no golden file {path}; run with UPDATE_LMS_GOLDEN=1"
    assert produced.decode() == path.read_text(encoding="utf-8")
