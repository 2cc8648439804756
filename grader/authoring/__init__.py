"""Authoring: course.yml and exercises/*.yml -> frozen specs -> per-student variants ->
rendered stubs, handouts, notebooks and public tests -> a release folder.

Never imports grading, exports or the sandbox (an import-linter contract in
pyproject.toml); kept import-free so that `check` can load `public_cases` alone."""
