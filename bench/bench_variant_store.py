"""A student's variant rebuilt from the secret against read back from the variant store.

    python bench/bench_variant_store.py [--students 40]

CPU milliseconds per student for each assignment of the demo course: the first pass
over the students builds and stores each variant, the second reads them back
(``cached_assignment_variant``); plain ``build_assignment_variant`` is the yardstick.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.authoring.course import load_course  # noqa: E402
from grader.authoring.variant import build_assignment_variant  # noqa: E402
from grader.authoring.variant_store import cached_assignment_variant  # noqa: E402


def store_versus_build(course_path: Path, secret: bytes, students: int = 40
                       ) -> dict[str, tuple[float, float]]:
    """CPU ms per student of each assignment: built from the secret, read from the store."""
    course = load_course(course_path)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        for assignment in course.assignments:
            times = []
            for _ in range(2):  # the first pass builds and writes, the second reads
                started = time.process_time()
                for index in range(students):
                    cached_assignment_variant(course, assignment.assignment_id,
                                              f"s{index:05d}", secret,
                                              folder=Path(folder))
                times.append(1000 * (time.process_time() - started) / students)
            started = time.process_time()
            for index in range(students):
                build_assignment_variant(course, assignment.assignment_id, f"s{index:05d}",
                                         secret)
            build = 1000 * (time.process_time() - started) / students
            figures[assignment.assignment_id] = (build, times[1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args()
    figures = store_versus_build(REPO / "course.yml", b"bench-variant-store", args.students)
    for assignment, (build, read) in figures.items():
        print(f"{assignment}: built {build:.2f} ms CPU per student, read {read:.2f} ms")


if __name__ == "__main__":
    main()
