"""Help text conventions shared by every command: each option's default is shown.

Commands write what an option means; the default is appended here, once for all,
so that the help never goes stale when a default changes.
"""

from __future__ import annotations

import argparse

SECRET_EPILOG = (
    "The course secret, from which every student's variant is derived, is read from the "
    "environment variable CNN_GRADER_SECRET, or else from the untracked file named by "
    "`secret:` in course.yml.  It is never written into a release.")


# What the options shared by several commands mean, said once: a command that adds
# one of these without help text gets this one.
COMMON_HELP = {
    "course": "the course file (course.yml); its folder holds the roster and exercises",
    "assignment": "assignment id from course.yml",
    "out": "output folder",
    "workers": "processes to work in parallel",
    "gradebook": "the SQLite gradebook file",
    "executor": "where submissions run: local processes, or a Dask cluster",
}


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to an option's help unless the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (default in (None, False, argparse.SUPPRESS) or action.required
                or "default" in text or text == argparse.SUPPRESS):
            return text
        if not action.option_strings and action.nargs not in ("?", "*"):
            return text
        return f"{text} (default: %(default)s)"


def show_defaults(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every subcommand below it the defaults-showing formatter,
    and the common help text to shared options that have none."""
    parser.formatter_class = DefaultsHelpFormatter
    for action in parser._actions:  # argparse offers no public walk over subcommands
        if action.help is None and action.dest in COMMON_HELP:
            action.help = COMMON_HELP[action.dest]
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                show_defaults(child)
