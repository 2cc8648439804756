"""Tries to read the reference solution, a secret file, the grader's environment."""

import os

REFERENCE = "__REFERENCE__"
SECRET_FILE = "__DECOY__/secret.txt"
GRADER_PID = int("__GRADER_PID__")
CHECKOUT_FILE = "__CHECKOUT_FILE__"


def _read(path):
    try:
        with open(path, "rb") as handle:
            return "read: " + handle.read(200).decode("utf-8", "replace")
    except OSError as exc:
        return f"denied: {type(exc).__name__}"


def read_reference():
    return _read(REFERENCE)


def read_secret():
    return _read(SECRET_FILE)


def read_checkout_file():
    return _read(CHECKOUT_FILE)


def read_grader_environ():
    return _read(f"/proc/{GRADER_PID}/environ")


def list_reference_folder():
    try:
        return "read: " + ",".join(os.listdir(os.path.dirname(REFERENCE)))
    except OSError as exc:
        return f"denied: {type(exc).__name__}"


def own_environment():
    return ",".join(sorted(os.environ))
