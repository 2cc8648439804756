"""The layout of `grader/` is its architecture (docs/architecture.md): stages import
downward only, with no cycles, and every module stays small enough to read."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = {"authoring", "grading", "sandbox", "exports", "nbgrader", "cli"}
CONTRACT_MODULES = {"errors.py", "model.py", "results.py"}


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("import-linter is not installed (it comes with the 'test' extra)")
    return found


def test_every_import_contract_in_pyproject_is_kept():
    done = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" in done.stdout and " 0 broken" in done.stdout


def test_a_forbidden_import_would_be_caught(tmp_path):
    """The contracts are live: a copy of the package where authoring imports grading
    breaks the layers contract (so the test above can fail)."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "grader", copy / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "solutions", copy / "solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    leak = copy / "grader" / "authoring" / "leak.py"
    leak.write_text("import grader.grading.compare\n", encoding="utf-8")
    done = subprocess.run(
        [_lint_imports(), "--no-cache"], cwd=copy, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "grader.authoring.leak -> grader.grading.compare" in done.stdout


def test_the_package_lists_only_stages_and_the_contracts_between_them():
    entries = {p.name for p in (REPO / "grader").iterdir() if p.name != "__pycache__"}
    packages = {name for name in entries if (REPO / "grader" / name / "__init__.py").is_file()}
    modules = {name for name in entries if name.endswith(".py")}
    assert packages == STAGES
    assert modules - {"__init__.py", "__main__.py"} == CONTRACT_MODULES


def test_no_module_is_over_300_lines():
    too_long = {
        str(path.relative_to(REPO)): count
        for root in ("grader", "solutions")
        for path in (REPO / root).rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert too_long == {}
