"""The three kinds of failure, kept apart so each reaches the right person.

``SpecError`` is the author's fault (a course or exercise file), ``SubmissionError``
the student's (their code or answer), ``GraderError`` ours.  A student must never
see a zero for a ``GraderError``.
"""

from __future__ import annotations


class CnnGraderError(Exception):
    """Base class; the CLI turns these into a one-line message and exit code 2."""


class SpecError(CnnGraderError):
    """A course, exercise, roster or claims file is invalid.

    ``where`` names the place (``file:line: key.path``) so the message can be acted on.
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class SubmissionError(CnnGraderError):
    """A submission cannot be read at all (for example no such folder)."""


class GraderError(CnnGraderError):
    """Something on our side failed; reported as a grader error, never as a score."""
