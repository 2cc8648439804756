"""One section of ``bench/RESULTS.md`` replaced in place: every benchmark owns the
section under its heading (up to the next ``## ``) and leaves the others alone."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def replace_section(heading: str, text: str, path: Path = RESULTS) -> None:
    """Put ``text`` (which starts with ``heading``) where that section is, or append it."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start = old.find(heading)
    if start < 0:
        new = old.rstrip() + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(heading))
        new = old[:start] + text.rstrip() + "\n\n" + (old[end + 1:] if end >= 0 else "")
    path.write_text(new.rstrip() + "\n", encoding="utf-8")
