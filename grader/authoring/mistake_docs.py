"""The catalogue of modeled mistakes, as authors look it up.

An exercise names the mistakes it diagnoses by id (``mistakes: [floor_forgotten]``);
these functions list the ids with their topic and the sentence a student is shown,
for ``cnn-grader mistakes`` and for ``docs/mistakes.md``, which is generated from the
registry so that the page cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.errors import SpecError

REGENERATE = "cnn-grader mistakes --markdown > docs/mistakes.md"


@dataclass(frozen=True)
class MistakeEntry:
    mistake_id: str
    topic: str
    explanation: str
    shows_when: str


def mistake_entries(registry: Mapping[str, Any], topic: str | None = None
                    ) -> tuple[MistakeEntry, ...]:
    """The registry's mistakes sorted by topic then id, only ``topic``'s when given."""
    entries = sorted((MistakeEntry(m.mistake_id, m.topic, m.explanation,
                                   getattr(m, "shows_when", "") or "")
                      for m in registry.values()), key=lambda e: (e.topic, e.mistake_id))
    if topic is None:
        return tuple(entries)
    chosen = tuple(e for e in entries if e.topic == topic)
    if not chosen:
        topics = sorted({e.topic for e in entries})
        raise SpecError(f"no modeled mistakes for topic {topic!r}; topics with mistakes: "
                        f"{', '.join(topics)}")
    return chosen


def text_lines(entries: tuple[MistakeEntry, ...]) -> list[str]:
    """Terminal listing: a heading per topic, then ``id  sentence`` lines."""
    lines: list[str] = []
    width = max((len(e.mistake_id) for e in entries), default=0)
    topic = None
    for entry in entries:
        if entry.topic != topic:
            if lines:
                lines.append("")
            lines.append(f"{entry.topic}:")
            topic = entry.topic
        lines.append(f"  {entry.mistake_id.ljust(width)}  {entry.explanation}")
    return lines


def markdown(entries: tuple[MistakeEntry, ...]) -> str:
    """``docs/mistakes.md``: one table per topic (id, what the student reads, when it shows)."""
    out = ["# Modeled mistakes", "",
           "The mistake ids an exercise may list under `mistakes:`, grouped by the reference",
           "function (topic) they imitate.  \"Student sees\" is the sentence of the feedback;",
           "\"Shows when\" says which inputs make the mistake give a different answer.",
           "", f"Generated from `solutions/mistakes.py`; regenerate with `{REGENERATE}`.", ""]
    topic = None
    for entry in entries:
        if entry.topic != topic:
            out += ["", f"## `{entry.topic}`", "", "| id | student sees | shows when |",
                    "|---|---|---|"]
            topic = entry.topic
        cells = (f"`{entry.mistake_id}`", entry.explanation, entry.shows_when or "almost always")
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"
