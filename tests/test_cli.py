"""The command line answers --version and --help without any course present."""

import subprocess
import sys

from grader import __version__
from grader.cli import main


def test_version_is_printed(capsys):
    try:
        main(["--version"])
    except SystemExit as stop:
        assert stop.code == 0
    assert __version__ in capsys.readouterr().out


def test_console_script_help_lists_usage():
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "usage: cnn-grader" in done.stdout
