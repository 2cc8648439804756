"""Command line: a thin layer over keyword-only functions elsewhere.

Each module of ``grader/cli/`` named in ``COMMAND_MODULES`` contributes subcommands
through ``register``; this module only assembles them and turns our exceptions into one-line errors.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from grader import __version__
from grader.errors import CnnGraderError, GraderError

if TYPE_CHECKING:  # argparse is imported when a parser is built: `check` needs none
    import argparse

COMMAND_MODULES = (
    "grader.cli.instructor",
    "grader.cli.author",
    "grader.cli.grading",
    "grader.cli.nbgrader",
    "grader.cli.report",
    "grader.cli.demo",
    # Slots filled by later work; a module that does not exist is skipped.
    "grader.cli.lms",
    "grader.cli.gradescope",
    "grader.cli.secret",
    "grader.cli.mistakes",
)
# Which module adds each built-in command, so that ``main`` imports only that module
# (``check`` runs at every save; the other modules pull in the authoring stack).
# A command not named here (a slot module's) gets the whole parser, as does ``--help``.
COMMAND_HOMES = {
    "check": "grader.cli.grading",
    "grade": "grader.cli.grading",
    "validate": "grader.cli.instructor",
    "generate": "grader.cli.instructor",
    "answer": "grader.cli.author",
    "verify": "grader.cli.author",
    "selfcheck": "grader.cli.author",
    "nbgrader": "grader.cli.nbgrader",
    "report": "grader.cli.report",
    "demo": "grader.cli.demo",
}


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser with the subcommands of ``modules`` (default: every one installed)."""
    import argparse

    from grader.cli.help import SECRET_EPILOG, show_defaults

    parser = argparse.ArgumentParser(
        prog="cnn-grader",
        description="Per-student randomized, auto-graded exercises on convolutional networks.",
        epilog=SECRET_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"cnn-grader {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(subparsers)
    show_defaults(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cnn-grader`` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _plain_check(argv)
    if args is None:
        parser = build_parser(_modules_for(argv))
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:
        return _reader_went_away()
    except GraderError as error:
        print(f"cnn-grader: grader error (not your fault): {error}", file=sys.stderr)
        return 3
    except CnnGraderError as error:
        print(f"cnn-grader: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cnn-grader: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug of ours: say so, keep the traceback for the report
        import traceback  # only here: `check` starts faster without it

        traceback.print_exc()
        print(
            "cnn-grader: internal error (a bug in cnn-grader, not in your work); "
            "please report it with the traceback above",
            file=sys.stderr,
        )
        return 3


def _plain_check(argv: Sequence[str]) -> SimpleNamespace | None:
    """``check`` with at most a folder: the arguments argparse would give, without
    building a parser (argparse and the parser are a tenth of ``check``'s own start-up).
    Anything else (an option, ``--help``, a second folder, an error) returns None and
    goes through argparse, so its help and its messages stay argparse's own."""
    if not argv or argv[0] != "check" or len(argv) > 2 or any(
            word.startswith("-") for word in argv[1:]):
        return None
    from grader.cli.grading import run_check_command

    folder = Path(argv[1]) if len(argv) == 2 else Path(".")
    return SimpleNamespace(command="check", folder=folder, func=run_check_command)


def _modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The one command module that ``argv``'s command needs, or all of them when the
    command is not a built-in one (or there is none: help, ``--version``)."""
    command = next((word for word in argv if not word.startswith("-")), None)
    home = COMMAND_HOMES.get(command or "")
    return (home,) if home else COMMAND_MODULES


def _reader_went_away() -> int:
    """``cnn-grader check | head``: the reader closed the pipe; stop quietly.

    Output still buffered would raise again when Python flushes at exit, so stdout
    is pointed at the null device first.  141 is what a shell reports for a
    process ended by SIGPIPE, the usual fate of a writer whose reader left.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141
