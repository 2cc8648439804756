"""Commands for exercise authors: ``answer``, ``verify`` and ``selfcheck``."""

from __future__ import annotations

import argparse
import inspect
import json
import time
from pathlib import Path
from typing import Any

from grader.errors import SpecError


def register(subparsers: Any) -> None:
    answer = subparsers.add_parser(
        "answer", help="print the reference answer for given arguments, as JSON",
        description="Compute a reference function of solutions/ on the given arguments. "
        "Values are read as YAML: numbers, [lists], [[matrices]], words.  Matrices given "
        "to the (N, C, H, W) functions are lifted to 4-D and the result squeezed back.")
    answer.add_argument("topic", nargs="?", help="reference function, e.g. conv_output_size")
    answer.add_argument("arguments", nargs="*", metavar="KEY=VALUE",
                        help="the function's arguments, values in YAML (e.g. n=32 k=3)")
    answer.add_argument("--list", action="store_true", help="list the available topics")
    answer.set_defaults(func=run_answer)

    verify = subparsers.add_parser(
        "verify", help="check the worked examples of a claims file",
        description="Recompute every claim; report each wrong one with the right answer "
        "and the modeled mistake it matches, and each claim that cannot be computed as "
        "written.  Exit 1 when any claim is wrong or could not be checked.")
    verify.add_argument("claims", type=Path, help="claims YAML file")
    verify.set_defaults(func=run_verify)

    selfcheck = subparsers.add_parser(
        "selfcheck", help="check that every exercise grades its reference, stub and mistakes",
        description="For many seeds per exercise: the reference answer passes, the blank "
        "stub fails, every modeled mistake is diagnosed as itself.  Exit 1 on any defect.")
    selfcheck.add_argument("--seeds", type=int, default=200, help="variants per exercise")
    selfcheck.add_argument("--exercise", help="only this exercise id (default: all)")
    selfcheck.add_argument("--course", type=Path, default=Path("course.yml"),
                           help="the course file; its exercise folder is checked")
    selfcheck.add_argument("--exercises", type=Path, default=None,
                           help="check this folder of exercise files instead of the "
                                "course's (default: the course's exercise folder)")
    selfcheck.set_defaults(func=run_selfcheck)


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs with YAML values; ``SpecError`` naming a malformed pair."""
    import yaml  # here, not at the top: every command builds this module's parser

    parsed = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.isidentifier():
            raise SpecError(f"expected KEY=VALUE, got {item!r}")
        try:
            parsed[key] = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise SpecError(f"{key}: cannot read the value {text!r} ({error})") from None
    return parsed


def plain_signature(fn: Any) -> str:
    """Parameter names and defaults, without type annotations."""
    parts = []
    for parameter in inspect.signature(fn).parameters.values():
        default = parameter.default
        parts.append(parameter.name if default is inspect.Parameter.empty
                     else f"{parameter.name}={default!r}")
    return ", ".join(parts)


def run_answer(args: argparse.Namespace) -> int:
    from grader.authoring.claims import reference_answer
    from grader.authoring.kinds.reference import reference_topics

    if args.list or not args.topic:
        for name, fn in sorted(reference_topics().items()):
            print(f"{name}({plain_signature(fn)})")
        return 0
    value = reference_answer(topic=args.topic, arguments=parse_assignments(args.arguments))
    print(json.dumps(value))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from grader.authoring.claim_verify import report_lines, verify_claims
    from grader.authoring.claims import load_claims

    verdicts = verify_claims(load_claims(args.claims))
    for line in report_lines(verdicts):
        print(line)
    return 1 if any(not verdict.correct for verdict in verdicts) else 0  # wrong or unchecked


def run_selfcheck(args: argparse.Namespace) -> int:
    from grader.grading.selfcheck import selfcheck

    if args.seeds < 1:
        raise SpecError(f"--seeds must be at least 1, got {args.seeds}")
    started = time.perf_counter()
    folder = args.exercises or course_exercise_folder(args.course)
    results = selfcheck(folder=folder, seeds=args.seeds, exercise_id=args.exercise)
    for result in results:
        status = "ok  " if result.ok else "FAIL"
        print(f"{status} {result.exercise_id} ({result.seeds} seeds, "
              f"{len(result.mistakes_seen)} mistakes diagnosed)")
        for failure in result.failures:
            print(f"     {failure}")
    bad = sum(not result.ok for result in results)
    print(f"{len(results)} exercises, {bad} with defects, "
          f"{time.perf_counter() - started:.1f} s")
    return 1 if bad else 0


def course_exercise_folder(course_path: Path) -> Path:
    """The folder the course file's ``exercises:`` names (relative to the course file).

    Only that key is read: a self-check needs no roster or secret.
    """
    from grader.authoring.yamldoc import read_yaml

    if not course_path.is_file():
        raise SpecError("no course file here; give --course FILE, or --exercises DIR",
                        where=str(course_path))
    data = read_yaml(course_path).data
    folder = data.get("exercises", "exercises") if isinstance(data, dict) else "exercises"
    return course_path.parent / str(folder)
