"""``cnn-grader mistakes [TOPIC]``: the mistake ids an exercise may name, and what they say."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    mistakes = subparsers.add_parser(
        "mistakes", help="list the modeled mistakes (id, topic, the sentence a student sees)",
        description="List every modeled mistake an exercise may name under `mistakes:`, "
        "grouped by the reference function it imitates.  --markdown prints the page "
        "docs/mistakes.md is generated from.")
    mistakes.add_argument("topic", nargs="?", default=None,
                          help="only this reference function, e.g. conv_output_size "
                               "(default: every topic)")
    mistakes.add_argument("--markdown", action="store_true",
                          help="print docs/mistakes.md instead of the terminal listing")
    mistakes.set_defaults(func=run_mistakes)


def run_mistakes(args: argparse.Namespace) -> int:
    from grader.authoring.kinds.reference import all_mistakes
    from grader.authoring.mistake_docs import markdown, mistake_entries, text_lines

    entries = mistake_entries(all_mistakes(), args.topic)
    if args.markdown:
        print(markdown(entries), end="")
    else:
        print("\n".join(text_lines(entries)))
    return 0
