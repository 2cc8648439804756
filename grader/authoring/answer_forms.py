"""The form of a hidden answer (type, number of axes, shape, letters), never its value.

A release ships these for every graded by-hand and multiple-choice answer so that
``cnn-grader check`` can tell a student "still None", "expected a number" or "has
shape (2,), expected (3, 3)" before grading, without shipping what would grade it.
Light on purpose (NumPy and the model only): ``check`` imports it at every save.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.model import AnswerForm, Case, Probe


def answer_form(case: Case) -> AnswerForm | None:
    """The form of ``case``'s answer, or None when it has none to check (a call).

    The shape is withheld (``None``) when a modeled mistake has another shape: then
    the shape is part of what the exercise asks (say, the size of an output map)
    and telling it would give a piece of the answer away.
    """
    if case.probe.kind != "attribute":
        return None
    if case.answer_type == "choice" or isinstance(case.expected, str):
        letters = {str(case.expected), *(str(m.value) for m in case.mistakes)}
        return AnswerForm(answer_type=case.answer_type, ndim=0, shape=(),
                          choices=tuple(sorted(letters)))
    shape = _shape(case.expected)
    hidden = any(_shape(mistake.value) != shape for mistake in case.mistakes)
    return AnswerForm(answer_type=case.answer_type, ndim=len(shape),
                      shape=None if hidden else shape)


def form_to_json(form: AnswerForm) -> dict[str, Any]:
    return {"answer_type": form.answer_type, "ndim": form.ndim,
            "shape": None if form.shape is None else list(form.shape),
            "choices": list(form.choices)}


def form_from_json(data: Mapping[str, Any]) -> AnswerForm:
    shape = data["shape"]
    return AnswerForm(answer_type=data["answer_type"], ndim=int(data["ndim"]),
                      shape=None if shape is None else tuple(int(n) for n in shape),
                      choices=tuple(data.get("choices", ())))


def encode_forms(cases: tuple[Case, ...]) -> list[dict[str, Any]]:
    """The form of every hidden answer that has one: ids, label, what to read, form."""
    forms = []
    for case in cases:
        form = None if case.public else answer_form(case)
        if form is not None:
            forms.append({"case_id": case.case_id, "label": case.label,
                          "name": case.probe.name, "form": form_to_json(form)})
    return forms


def decode_forms(forms: list[Mapping[str, Any]]) -> tuple[Case, ...]:
    """Hidden answers as cases worth nothing whose ``expected`` is an ``AnswerForm``."""
    return tuple(
        Case(case_id=f["case_id"], label=f["label"], points=0.0, public=False,
             answer_type=f["form"]["answer_type"], probe=Probe("attribute", f["name"]),
             expected=form_from_json(f["form"]))
        for f in forms)


def is_form(case: Case) -> bool:
    """Whether ``case`` holds only the form of a hidden answer (as loaded for ``check``)."""
    return isinstance(case.expected, AnswerForm)


def _shape(value: Any) -> tuple[int, ...]:
    try:
        return tuple(int(n) for n in np.shape(value))
    except ValueError:  # ragged: no shape at all
        return (-1,)
