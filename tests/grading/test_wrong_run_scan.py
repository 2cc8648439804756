"""``refuse_wrong_run`` looks at the first folders only; what it leaves to each
student's own check (``_Pending.task_for``) is still refused, never graded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import SpecError
from grader.grading.batch import PROVENANCE_LOOKS, refuse_wrong_run
from grader.grading.provenance import mismatch, release_record

RIGHT = {"course_id": "c", "assignment_id": "a1", "secret_fingerprint": "f" * 16}


def _folder(root: Path, name: str, record: dict | None) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "conv.py").write_text("x = 1\n")
    if record is not None:
        (folder / ".cnn-grader").mkdir()
        (folder / ".cnn-grader" / "release.json").write_text(json.dumps(record))
    return folder


def _refuse(folders: list[Path]) -> None:
    refuse_wrong_run(folders, "c", "a1", RIGHT["secret_fingerprint"])


def test_a_run_whose_first_records_are_for_another_assignment_is_refused(tmp_path):
    folders = [_folder(tmp_path, f"s{i}", None) for i in range(3)]
    folders += [_folder(tmp_path, f"t{i}", {**RIGHT, "assignment_id": "a2"}) for i in range(6)]
    with pytest.raises(SpecError, match=r"nothing graded: .*released for assignment 'a2'"):
        _refuse(folders)


def test_folders_past_the_first_looks_are_left_to_each_students_own_check(tmp_path):
    folders = [_folder(tmp_path, f"s{i:03d}", None) for i in range(PROVENANCE_LOOKS)]
    late = _folder(tmp_path, "zz", {**RIGHT, "assignment_id": "a2"})
    looked = []
    _refuse(_Recorded([*folders, late], looked))
    assert len(looked) == PROVENANCE_LOOKS  # the class is not read twice over
    reason = mismatch(release_record(late), course_id="c", assignment_id="a1",
                      fingerprint=RIGHT["secret_fingerprint"])
    assert reason is not None and "released for assignment 'a2'" in reason


class _Recorded:
    """The folders, noting each one handed out."""

    def __init__(self, folders: list[Path], looked: list[Path]) -> None:
        self.folders, self.looked = folders, looked

    def __iter__(self):
        for folder in self.folders:
            self.looked.append(folder)
            yield folder
