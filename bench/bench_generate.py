"""How long `cnn-grader generate` takes for a large class.

    python bench/bench_generate.py [--students 1000] [--assignment a3-implementation]
                                   [--workers N] [--tmp /dev/shm]
                                   [--against /work/main [--rounds 2]] [--hash [--manifest F]]

Writes a generated roster and the release into a temporary folder (deleted
afterwards; ``--tmp`` chooses where, e.g. a tmpfs to leave the disk out of the
figure) and prints wall time, CPU time of this process and its workers, and
the time per student, with the load average before and after (other work on
the machine slows the wall time; CPU seconds are the steadier figure).  Uses the
demo course of the repository.  ``--against TREE`` compares with another checkout:
this tree and TREE run in turn, ``--rounds`` times, each in a fresh process whose
``PYTHONPATH`` is its own tree (so neither borrows the other's installed code), for
before/after figures taken under the same load.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.cli.instructor import available_cpus, generate_release

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--assignment", default="a3-implementation")
    parser.add_argument("--workers", type=int, default=available_cpus())
    parser.add_argument("--tmp", default=None, help="parent folder of the temporary output")
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout to run in turn with this one (before/after)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --against")
    parser.add_argument("--hash", action="store_true",
                        help="print a digest of every released byte (for bit-identity)")
    parser.add_argument("--manifest", type=Path, default=None,
                        help="with --hash: write every file's digest to this file")
    args = parser.parse_args()
    if args.against is not None:
        compare(args)
        return
    # a fixed strong secret (read_secret refuses weak ones); never a course's
    os.environ.setdefault("CNN_GRADER_SECRET", hashlib.sha256(b"bench_generate").hexdigest())
    with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
        roster = Path(folder) / "roster.csv"
        rows = [f"b{i:05d},Student {i},b{i}@example.org" for i in range(args.students)]
        roster.write_text("student_id,name,email\n" + "\n".join(rows) + "\n")
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        _, count = generate_release(course_path=REPO / "course.yml",
                                    assignment_id=args.assignment, roster_path=roster,
                                    out_dir=Path(folder) / "out", workers=args.workers)
        wall = time.perf_counter() - started
        digest = (f"; release sha256 {release_digest(Path(folder) / 'out', args.manifest)}"
                  if args.hash else "")
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage)
    print(f"{args.assignment}: {count} students, {args.workers} workers: {wall:.1f} s wall, "
          f"{cpu:.1f} s CPU ({1000 * cpu / count:.1f} ms CPU per student); load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs; "
          f"written under {folder}{digest}")


def release_digest(folder: Path, manifest: Path | None = None) -> str:
    """SHA-256 over every file under ``folder``: relative path, then bytes, sorted by path
    (each file's own digest written to ``manifest``, one ``digest path`` a line)."""
    digest, lines = hashlib.sha256(), []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name, content = str(path.relative_to(folder)), hashlib.sha256(path.read_bytes())
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(content.digest())
        lines.append(f"{content.hexdigest()}  {name}\n")
    if manifest is not None:
        manifest.write_text("".join(lines), encoding="utf-8")
    return digest.hexdigest()


def compare(args: argparse.Namespace) -> None:
    """Alternate this tree and ``args.against``, each round in fresh processes."""
    options = ["--students", str(args.students), "--assignment", args.assignment,
               "--workers", str(args.workers), *(["--tmp", args.tmp] if args.tmp else []),
               *(["--hash"] if args.hash else [])]
    for round_number in range(1, args.rounds + 1):
        for tree in (args.against.resolve(), REPO):
            environment = {**os.environ, "PYTHONPATH": str(tree)}
            manifest = ([] if args.manifest is None else
                        ["--manifest", f"{args.manifest}.{round_number}.{tree.name}"])
            result = subprocess.run(
                [sys.executable, str(tree / "bench" / "bench_generate.py"), *options, *manifest],
                env=environment, capture_output=True, text=True, check=True)
            print(f"round {round_number} {tree}: {result.stdout.strip()}", flush=True)


if __name__ == "__main__":
    main()
