"""Command line: a thin layer over keyword-only functions elsewhere.

Each module of ``grader/cli/`` named in ``COMMAND_MODULES`` contributes subcommands
through ``register``; this module only assembles them and turns our exceptions into one-line errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from grader import __version__
from grader.cli.help import SECRET_EPILOG, show_defaults
from grader.errors import CnnGraderError, GraderError

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


def build_parser() -> argparse.ArgumentParser:
    """The whole parser, with every subcommand that is installed."""
    parser = argparse.ArgumentParser(
        prog="cnn-grader",
        description="Per-student randomized, auto-graded exercises on convolutional networks.",
        epilog=SECRET_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"cnn-grader {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
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
    parser = build_parser()
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
        traceback.print_exc()
        print(
            "cnn-grader: internal error (a bug in cnn-grader, not in your work); "
            "please report it with the traceback above",
            file=sys.stderr,
        )
        return 3


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
