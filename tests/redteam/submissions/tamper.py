"""Tries to delete or overwrite grader files and to plant a results.json."""

import os

DECOY = "__DECOY__"
FAKE = '{"score": 100, "tests": []}'
attempts = []


def _try(action, *args):
    try:
        action(*args)
        attempts.append("ok")
    except OSError:
        attempts.append("denied")


def _write(path):
    with open(path, "w") as handle:
        handle.write(FAKE)


for name in ("results.json", "secret.txt", os.path.join("grader", "compare.py")):
    _try(os.remove, os.path.join(DECOY, name))
    _try(_write, os.path.join(DECOY, name))
_try(os.rmdir, os.path.join(DECOY, "grader"))
for path in ("../results.json", "../../results.json", "../out/results.json", "/results.json"):
    _try(_write, path)


def scale(x, k):
    return x * k
