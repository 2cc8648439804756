"""`cnn-grader check` loads only what it needs, and starts no sandbox it does not use.

`check` runs at every save on a student's machine; its start-up is what a student
feels.  These tests name what it may load, so that a new import on its path is a
decision (the time it costs is measured in bench/bench_speed.py, never here).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from grader.cli import COMMAND_HOMES, COMMAND_MODULES, build_parser
from grader.grading.pipeline import SandboxWhenNeeded, run_check

# Every grader module `check` may import in a folder whose answers are all constants.
CHECK_MODULES = frozenset({
    "grader", "grader.errors", "grader.model", "grader.results",
    "grader.cli", "grader.cli.help", "grader.cli.grading",
    "grader.grading", "grader.grading.pipeline", "grader.grading.grade",
    "grader.grading.collect", "grader.grading.answer_record", "grader.grading.compare",
    "grader.grading.locate",
    "grader.grading.literal_answers", "grader.grading.notebook_cells",
    "grader.grading.exception_hints", "grader.grading.gradient_hints",
    "grader.grading.owner_read",
    "grader.authoring", "grader.authoring.public_cases", "grader.authoring.answer_forms",
    "grader.authoring.release_files", "grader.authoring.exercise_limits",
    "grader.authoring.late",
    "grader.exports", "grader.exports.check_report", "grader.exports.feedback",
    "grader.exports.filters", "grader.exports.cells",
    # the sandbox package's __init__ imports its Sandbox, even when check starts none
    "grader.sandbox", "grader.sandbox.api", "grader.sandbox.checks",
    "grader.sandbox.isolation", "grader.sandbox.confine", "grader.sandbox.sandbox",
    "grader.sandbox.shared", "grader.sandbox.readback", "grader.sandbox.results_file",
    "grader.sandbox.results_read", "grader.sandbox.messages",
    "grader.sandbox.wire", "grader.sandbox.direct", "grader.sandbox.cgroups",
    "grader.sandbox.follow", "grader.sandbox.helper",
})
# Besides the standard library, `check` needs NumPy only.
THIRD_PARTY = frozenset({"numpy"})

PROBE = """
import contextlib, io, json, sys
from grader.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["check", sys.argv[1]])
stdlib = sys.stdlib_module_names
print(json.dumps({
    "code": code,
    "grader": sorted(m for m in sys.modules if m.split(".")[0] == "grader"),
    "other": sorted({m.split(".")[0] for m in sys.modules} - set(stdlib) - {"grader"}),
}))
"""


def loaded_by_check(folder) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def third_party(names) -> set[str]:
    """Top-level names that are not private helpers of the interpreter or of a package
    (``_distutils_hack``, an editable install's finder)."""
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("assignment", ["a1-sizes-and-counts", "a3-implementation"])
def test_check_in_a_fresh_release_loads_only_the_named_modules(demo_release, assignment):
    loaded = loaded_by_check(demo_release(assignment) / "s00000")
    assert loaded["code"] == 1  # nothing is answered yet
    assert set(loaded["grader"]) <= CHECK_MODULES, set(loaded["grader"]) - CHECK_MODULES
    assert third_party(loaded["other"]) <= THIRD_PARTY


def test_check_loads_no_other_command_and_no_authoring_stack(demo_release):
    loaded = loaded_by_check(demo_release("a1-sizes-and-counts") / "s00000")
    assert not [m for m in loaded["grader"] if m.startswith("grader.cli.")
                and m not in ("grader.cli.grading", "grader.cli.help")]  # help: text only
    assert "grader.authoring.course" not in loaded["grader"]
    assert not {"yaml", "jinja2"} & set(loaded["other"])


def test_constant_answers_are_checked_without_starting_a_sandbox(demo_release, tmp_path):
    folder = shutil.copytree(demo_release("a1-sizes-and-counts") / "s00000", tmp_path / "s")
    result = run_check(folder=folder)
    assert result.isolation == SandboxWhenNeeded.NOT_STARTED
    assert any(check.status == "failed" or "still None" in check.message
               for exercise in result.exercises for check in exercise.checks)


def test_an_answer_that_is_code_starts_the_direct_sandbox(demo_release, tmp_path):
    folder = shutil.copytree(demo_release("a1-sizes-and-counts") / "s00000", tmp_path / "s")
    module = folder / "conv_output_size.py"
    module.write_text("import math\n\nOUTPUT_SIZE = math.floor(7.5)\n"
                      "PRACTICE_OUTPUT_SIZE = None\n", encoding="utf-8")
    result = run_check(folder=folder)
    assert "direct" in result.isolation
    exercise = next(e for e in result.exercises if e.exercise_id == "conv-output-size")
    graded = [c for c in exercise.checks if not c.case_id.startswith("practice.")]
    assert graded and all(c.status == "passed" for c in graded)  # the form: an integer


def test_each_built_in_command_is_found_in_the_module_named_for_it():
    """``main`` builds only the parser of the command's module: a wrong entry would
    make that command unknown."""
    for command, module in COMMAND_HOMES.items():
        assert module in COMMAND_MODULES
        subparsers = build_parser((module,))._subparsers._group_actions[0]
        assert command in subparsers.choices, (command, module)


def test_every_command_of_the_whole_parser_is_still_reachable():
    """A command not in ``COMMAND_HOMES`` (a slot module's) gets the whole parser."""
    whole = build_parser()._subparsers._group_actions[0].choices
    for command in whole:
        done = subprocess.run([sys.executable, "-m", "grader", command, "--help"],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, (command, done.stderr)
        assert f"cnn-grader {command}" in done.stdout
