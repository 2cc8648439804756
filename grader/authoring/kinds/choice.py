"""Kind ``multiple_choice``: concept questions answered with one letter each.

Every student sees the options in their own order (and, with ``pick``, their own
subset of the questions), so a letter copied from a classmate means nothing.  A
distractor may name the misconception it stands for; choosing it is diagnosed
like any other modeled mistake.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from grader.authoring.kinds.base import KindOutput, OptionProblem
from grader.authoring.kinds.by_hand import CONSTANT_NAME
from grader.model import Case, ModeledAnswer, Probe

LETTERS = string.ascii_uppercase


class MultipleChoiceKind:
    """One constant per question holding the letter of the chosen option."""

    name = "multiple_choice"

    def check_options(self, options: Mapping[str, Any]) -> list[OptionProblem]:
        questions = options.get("questions") if isinstance(options, Mapping) else None
        if not isinstance(questions, list) or not questions:
            return [("options.questions", "expected a non-empty list of questions")]
        problems: list[OptionProblem] = []
        for i, question in enumerate(questions):
            problems += _question_problems(question, f"options.questions[{i}]")
        names = [q.get("name") for q in questions if isinstance(q, Mapping)]
        if len(set(names)) != len(names):
            problems.append(("options.questions", "question names must be unique"))
        pick = options.get("pick", len(questions))
        if not isinstance(pick, int) or not 1 <= pick <= len(questions):
            problems.append(("options.pick", f"expected an integer from 1 to {len(questions)}"))
        return problems

    def build(self, spec: Any, params: Mapping[str, Any], rng: Any) -> KindOutput:
        questions = list(spec.options["questions"])
        pick = int(spec.options.get("pick", len(questions)))
        chosen = [questions[int(i)] for i in rng.child("pick").permutation(len(questions))]
        chosen = chosen[:pick] if pick < len(questions) else questions
        shown, cases = [], []
        for question in chosen:
            options = [{"text": str(question["correct"]), "mistake": None}] + [
                _distractor(d, j) for j, d in enumerate(question["distractors"])
            ]
            order = rng.child(f"order:{question['name']}").permutation(len(options))
            ordered = [options[int(i)] for i in order]
            letters = {LETTERS[k]: option for k, option in enumerate(ordered)}
            shown.append({
                "name": question["name"],
                "question": question["question"],
                "options": [{"letter": k, "text": o["text"]} for k, o in letters.items()],
            })
            cases.append(_case(question, letters, spec.points / len(chosen)))
        return KindOutput(
            prompt_context={**params, "questions": shown, "choices_markdown": _markdown(shown)},
            cases=tuple(cases),
            stub_source=_module(spec.title, shown, None),
            solution_source=_module(spec.title, shown, cases),
        )


def _question_problems(question: Any, path: str) -> list[OptionProblem]:
    if not isinstance(question, Mapping):
        return [(path, "expected a mapping with name, question, correct, distractors")]
    problems = []
    if not CONSTANT_NAME.match(str(question.get("name", ""))):
        problems.append((f"{path}.name", "expected an UPPER_CASE constant name"))
    for key in ("question", "correct"):
        if not isinstance(question.get(key), str | int | float) or question.get(key) == "":
            problems.append((f"{path}.{key}", "expected non-empty text"))
    distractors = question.get("distractors")
    if not isinstance(distractors, list) or not 1 <= len(distractors) <= len(LETTERS) - 1:
        problems.append((f"{path}.distractors", "expected a non-empty list of wrong options"))
        return problems
    texts = [str(question.get("correct"))] + [
        str(d.get("text") if isinstance(d, Mapping) else d) for d in distractors
    ]
    if len(set(texts)) != len(texts):
        problems.append((f"{path}.distractors", "options must all differ from each other"))
    return problems


def _distractor(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raw = {"text": raw}
    return {
        "text": str(raw["text"]),
        "mistake": raw.get("mistake", f"distractor_{index + 1}"),
        "explanation": raw.get("explanation", f"The option \u201c{raw['text']}\u201d is wrong."),
    }


def _case(question: Mapping[str, Any], letters: Mapping[str, Any], points: float) -> Case:
    correct = next(k for k, o in letters.items() if o["mistake"] is None)
    modeled = tuple(
        ModeledAnswer(o["mistake"], o["explanation"], k)
        for k, o in letters.items()
        if o["mistake"] is not None
    )
    return Case(
        case_id=question["name"], label=question.get("label", _short(question["question"])),
        points=points, public=False, answer_type="choice",
        probe=Probe("attribute", question["name"]), expected=correct, mistakes=modeled,
    )


def _short(text: str, limit: int = 60) -> str:
    """A question shortened for a feedback line."""
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _markdown(shown: list[dict[str, Any]]) -> str:
    blocks = []
    for number, question in enumerate(shown, start=1):
        lines = [f"**{number}. {question['question']}** (answer in `{question['name']}`)", ""]
        lines += [f"- **{o['letter']}.** {o['text']}" for o in question["options"]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _module(title: str, shown: list[dict[str, Any]], cases: Any) -> str:
    lines = [f'"""{title}: set each constant to the letter of your choice."""', ""]
    for i, question in enumerate(shown):
        last = question["options"][-1]["letter"]
        value = "None" if cases is None else repr(cases[i].expected)
        lines.append(f'{question["name"]} = {value}  # one letter, "A" to "{last}"')
    return "\n".join(lines) + "\n"
