"""nbgrader's autograde beside our engine, on the same notebooks.

Builds a throwaway nbgrader course from three catalogue exercises (two by hand, one
implementation), releases it to N students, submits a mix of reference, blank and
mistaken notebooks, then times

* ``nbgrader autograde A`` for one student and for all N (the real CLI; the
  difference gives the cost per extra notebook, the rest is nbgrader's start-up),
* our engine on the same notebook files: ``collect_submission`` + ``grade_submission``
  with one warm ``Sandbox`` (its start is timed separately),

and checks that both give every notebook the same score.  The result replaces the
"nbgrader autograde vs ours" section of bench/RESULTS.md (``--no-write`` to print only).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from results_md import replace_section  # bench/ is the script's folder

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## nbgrader autograde vs ours"
ASSIGNMENT = "a1"
SECRET = b"bench-nbgrader-secret"
EXERCISES = ("conv-output-size", "pool-output-size", "impl-maxpool")
BIN = Path(sys.executable).parent


def write_course(root: Path) -> Path:
    (root / "exercises").mkdir(parents=True)
    for exercise in EXERCISES:
        shutil.copy(REPO / "exercises" / f"{exercise}.yml", root / "exercises")
    (root / "course.yml").write_text(
        "schema_version: 1\nid: bench-nbgrader\ntitle: bench\nsecret: {env: UNUSED_SECRET}\n"
        "exercises: exercises\nassignments:\n"
        f"  - id: {ASSIGNMENT}\n    title: Sizes and pooling\n"
        "    due: 2030-01-01T00:00:00+00:00\n"
        f"    exercises: [{', '.join(EXERCISES)}]\n", encoding="utf-8")
    return root / "course.yml"


def children_cpu() -> float:
    """CPU seconds of every finished child process (and the children they waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def nbgrader_timed(course_dir: Path, *args: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one nbgrader command, its kernels included."""
    cpu = children_cpu()
    wall = nbgrader(course_dir, *args)
    return wall, children_cpu() - cpu


def nbgrader(course_dir: Path, *args: str) -> float:
    """Run the real nbgrader CLI; returns its wall time in seconds."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course_dir}"],
                          cwd=course_dir, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return time.perf_counter() - started


def submission(released: dict, variant, profile: str) -> dict:
    """The student's release notebook answered as ``profile`` says."""
    from grader.nbgrader.notebook import with_module_sources

    if profile == "blank":
        return released
    sources = {ex.module: ex.solution_source for ex in variant.exercises}
    if profile == "mistake":
        exercise = variant.exercises[0]
        case = exercise.cases[0]
        if case.mistakes:
            sources[exercise.module] += f"\n{case.probe.name} = {case.mistakes[0].value!r}\n"
    return with_module_sources(released, sources)


def prepare(root: Path, students: list[str]) -> tuple[Path, dict, dict]:
    """Course, release and submissions; returns (course dir, variants, notebook paths)."""
    from grader.authoring.variant import build_assignment_variant, load_course
    from grader.nbgrader.course import export_course, release_students, student_release_dir

    course = load_course(write_course(root))

    def variant_for(student: str):
        return build_assignment_variant(course, ASSIGNMENT, student, SECRET)

    course_dir = root / "nb"
    export_course(course_dir=course_dir, assignment_id=ASSIGNMENT, variant_for=variant_for)
    (root / "ids.csv").write_text("id\n" + "\n".join(students) + "\n", encoding="utf-8")
    nbgrader(course_dir, "db", "student", "import", str(root / "ids.csv"))
    nbgrader(course_dir, "generate_assignment", ASSIGNMENT)
    release_students(course_dir=course_dir, assignment_id=ASSIGNMENT, students=students,
                     variant_for=variant_for)
    variants, paths = {}, {}
    for index, student in enumerate(students):
        variants[student] = variant_for(student)
        released_path = student_release_dir(course_dir, ASSIGNMENT, student) / "a1.ipynb"
        released = json.loads(released_path.read_text(encoding="utf-8"))
        profile = ("reference", "blank", "mistake")[index % 3]
        folder = course_dir / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        paths[student] = folder / f"{ASSIGNMENT}.ipynb"
        paths[student].write_text(json.dumps(submission(released, variants[student], profile)),
                                  encoding="utf-8")
    return course_dir, variants, paths


def nbgrader_scores(course_dir: Path) -> dict[str, float]:
    out = course_dir / "grades.csv"
    nbgrader(course_dir, "export", f"--to={out}")
    with out.open(newline="", encoding="utf-8") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}


def time_ours(variants: dict, paths: dict) -> tuple[float, list[float], dict[str, float], str,
                                                   float]:
    """(sandbox start, per-notebook seconds, scores, isolation, CPU seconds in all) with
    one warm sandbox."""
    from grader.grading.collect import collect_submission
    from grader.grading.grade import grade_submission
    from grader.sandbox import Sandbox

    cpu = time.process_time() + children_cpu()
    started = time.perf_counter()
    with Sandbox() as sandbox:
        start_cost = time.perf_counter() - started
        times, scores = [], {}
        for student, path in paths.items():
            began = time.perf_counter()
            result = grade_submission(variant=variants[student], sandbox=sandbox,
                                      files=collect_submission(path))
            times.append(time.perf_counter() - began)
            scores[student] = result.score
        isolation = sandbox.isolation
    return start_cost, times, scores, isolation, time.process_time() + children_cpu() - cpu


def report(n: int, one: tuple[float, float], all_: tuple[float, float], ours: tuple,
           agree: bool) -> str:
    start_cost, times, _, isolation, ours_cpu = ours
    (one_wall, one_cpu), (all_wall, all_cpu) = one, all_
    marginal = (all_wall - one_wall) / (n - 1)
    ours_total = start_cost + sum(times)
    load = os.getloadavg()[0]
    return "\n".join([
        SECTION, "",
        f"Written by `python bench/bench_nbgrader.py --students {n}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} when done (other jobs share "
        "these cores, so absolute times are pessimistic).",
        f"Same {n} notebooks for both (3 exercises: two by hand, one implementation; "
        "a third each reference, blank and one modeled mistake). "
        f"Scores agree on every notebook: {'yes' if agree else 'NO'}.",
        "",
        "| | nbgrader autograde | ours (`grade_submission`, warm sandbox) |",
        "|---|---:|---:|",
        f"| {n} notebooks, total wall (s) | {all_wall:.2f} | {ours_total:.2f} |",
        f"| per notebook, marginal wall (s) | {marginal:.2f} | {sum(times) / n:.3f} |",
        f"| fixed start-up wall (s) | {one_wall - marginal:.2f} (CLI, database) | "
        f"{start_cost:.2f} (sandbox zygote) |",
        f"| {n} notebooks, CPU (s, all processes) | {all_cpu:.2f} | {ours_cpu:.2f} |",
        f"| per notebook, marginal CPU (s) | {(all_cpu - one_cpu) / (n - 1):.2f} | "
        f"{ours_cpu / n:.3f} (start-up included) |",
        f"| isolation | Jupyter kernel, grader's user | {isolation} |",
        "",
        "nbgrader's marginal cost per notebook = (autograde of all N − autograde of one) / "
        "(N − 1): a fresh kernel per notebook, cell execution and the sanitizing pass. "
        "Ours runs each exercise module in a forked child of a warm zygote. CPU seconds "
        "are less sensitive to other jobs on the machine than wall seconds.",
        "",
    ])


def per_notebook(count: int) -> dict:
    """nbgrader's and our cost per notebook on the same ``count`` notebooks (this
    checkout's code), for ``bench_speed.py``'s targets table: nbgrader's marginal
    wall and CPU per extra notebook against ours per notebook with a warm sandbox."""
    students = [f"s{i:03d}" for i in range(count)]
    with tempfile.TemporaryDirectory(prefix="bench-nbgrader-") as tmp:
        course_dir, variants, paths = prepare(Path(tmp), students)
        one = nbgrader_timed(course_dir, "autograde", ASSIGNMENT, "--student", students[0])
        all_ = nbgrader_timed(course_dir, "autograde", ASSIGNMENT, "--force")
        theirs = nbgrader_scores(course_dir)
        start_cost, times, scores, isolation, ours_cpu = time_ours(variants, paths)
    return {"notebooks": count, "isolation": isolation,
            "agree": all(abs(scores[s] - theirs[s]) <= 1e-5 for s in students),
            "nbgrader_wall": (all_[0] - one[0]) / (count - 1),
            "nbgrader_cpu": (all_[1] - one[1]) / (count - 1),
            "ours_wall": sum(times) / count, "ours_cpu": ours_cpu / count,
            "ours_start": start_cost}


def write_section(text: str) -> None:
    """Replace this bench's section of RESULTS.md only (``bench/results_md.py``)."""
    replace_section(SECTION, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    students = [f"s{i:03d}" for i in range(args.students)]
    with tempfile.TemporaryDirectory(prefix="bench-nbgrader-") as tmp:
        course_dir, variants, paths = prepare(Path(tmp), students)
        one = nbgrader_timed(course_dir, "autograde", ASSIGNMENT, "--student", students[0])
        all_ = nbgrader_timed(course_dir, "autograde", ASSIGNMENT, "--force")
        theirs = nbgrader_scores(course_dir)
        ours = time_ours(variants, paths)
    agree = all(abs(ours[2][s] - theirs[s]) <= 1e-5 for s in students)
    text = report(args.students, one, all_, ours, agree)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"wrote the section to {RESULTS}")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
