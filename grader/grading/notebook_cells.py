"""Turn a submitted notebook back into the modules our sandbox grades.

Two notebook flavours reach us: our plain release notebook, whose code cells carry
``metadata.cnn_grader.module``, and an nbgrader notebook, whose solution cells
carry an nbgrader ``grade_id`` of the form ``solution_<module>`` (and usually our
metadata too).  Only those cells are taken: test cells, setup cells and anything
else the student typed stay out of the module, as they would in nbgrader's own
grading of the solution.
"""

from __future__ import annotations

import json
import re
from typing import Any

SOLUTION_PREFIX = "solution_"
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")  # a file name, never a path


def notebook_to_files(nb_json: bytes) -> dict[str, bytes]:
    """``{"<module>.py": source}`` from the module cells of a notebook, in cell order.

    Several cells of the same module are joined with blank lines.  Raises
    ``ValueError`` when ``nb_json`` is not a notebook at all.
    """
    cells = _cells(nb_json)
    sources: dict[str, list[str]] = {}
    for cell in cells:
        module = module_of_cell(cell)
        if module is not None:
            sources.setdefault(module, []).append(_source_text(cell))
    return {
        f"{module}.py": ("\n\n".join(parts).rstrip("\n") + "\n").encode("utf-8", "replace")
        for module, parts in sources.items()
    }


def module_of_cell(cell: Any) -> str | None:
    """The module a code cell belongs to, or None for every other cell (or a name
    that could not be a module: a student's notebook may say anything)."""
    module = _claimed_module(cell)
    return module if module is not None and MODULE_NAME.match(module) else None


def _claimed_module(cell: Any) -> str | None:
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return None
    metadata = _mapping(cell.get("metadata"))
    ours = _mapping(metadata.get("cnn_grader"))
    if isinstance(ours, dict) and isinstance(ours.get("module"), str):
        return ours["module"]
    nbgrader = _mapping(metadata.get("nbgrader"))
    grade_id = nbgrader.get("grade_id")
    if (
        isinstance(grade_id, str)
        and nbgrader.get("solution")
        and grade_id.startswith(SOLUTION_PREFIX)
        and len(grade_id) > len(SOLUTION_PREFIX)
    ):
        return grade_id[len(SOLUTION_PREFIX) :]
    return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _cells(nb_json: bytes) -> list[Any]:
    try:
        notebook = json.loads(nb_json)
    except ValueError as error:  # also not UTF-8, or a number too long to convert
        raise ValueError(f"not a notebook (invalid JSON: {error})") from None
    except RecursionError:
        raise ValueError("not a notebook (JSON nested too deeply)") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError("not a notebook (no list of cells)")
    return notebook["cells"]


def _source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(line for line in source if isinstance(line, str))
    return source if isinstance(source, str) else ""
