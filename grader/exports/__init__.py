"""Exports: pure writers from results and variants to the formats instructors and
platforms read (feedback, Gradescope, JUnit, CSV, the SQLite gradebook, LMS quizzes).

Each module has a pure ``render_*`` function returning text (tested on its own) and,
where useful, a thin ``write_*`` that puts it in a file.  Exports read results and
variants; they never import the sandbox, authoring or grading (import-linter)."""
