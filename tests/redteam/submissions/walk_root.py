"""Walks the whole file system from inside the run and reports what it finds."""

import os

TOKEN = "__TOKEN__"
PLACES = "__PLACES__".split("|")


def _everything():
    for top, folders, files in os.walk("/"):
        for name in folders + files:
            yield os.path.join(top, name)


def seen():
    """Every path whose name carries the decoys' token (there should be none)."""
    found = [path for path in _everything() if TOKEN in path]
    return " ".join(found) if found else "none"


def reach():
    """Open each decoy place directly, to read and to write."""
    results = []
    for path in PLACES:
        for mode in ("rb", "ab"):
            try:
                with open(path, mode) as handle:
                    if mode == "ab":
                        handle.write(b"changed by a student")
                results.append("reached " + path)
            except OSError:
                pass
    return " ".join(results) if results else "none"


def leave_marks():
    """Leave a file in every folder the run may write to; the count of marks left."""
    marks = 0
    for top, folders, files in os.walk("/"):
        if top.startswith("/proc") or not os.access(top, os.W_OK):
            continue
        try:
            with open(os.path.join(top, f"mark-{TOKEN}"), "w") as handle:
                handle.write("left by a run")
            marks += 1
        except OSError:
            pass
    return marks


def scale(x, k):
    return x * k
