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


def test_the_check_path_does_not_load_the_authoring_stack():
    """`check` runs at every save on a student's machine; YAML, Jinja2 and the course
    loader are for instructors only and cost a quarter of a second to import."""
    probe = (
        "import sys, grader.cli, grader.grading.pipeline, grader.authoring.public_cases\n"
        "grader.cli.build_parser()\n"
        "heavy = {'yaml', 'jinja2', 'grader.authoring.course', 'grader.authoring.spec',\n"
        "         'grader.authoring.kinds'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
