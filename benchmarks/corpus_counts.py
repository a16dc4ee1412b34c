"""Count each code's findings on the shared corpus, per project, and keep them for reading.

    python benchmarks/corpus_counts.py [CORPUS_DIR] [--jobs N] [--out DIR]

CORPUS_DIR is what ../shared/corpus/get_corpus.sh filled (default: $DJI_CORPUS or ../corpus
beside the repository).  Prints a table of counts and writes every finding, one
``path:line:col: message`` per line, to DIR/<project>.txt (default benchmarks/results/) so that
a sample can be read.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECTS = ["weblate", "pretix", "pretalx", "wagtail", "django-oscar", "django", "django-allauth"]
CODES = [f"DJI{n:03d}" for n in range(1, 10)]


def default_corpus() -> Path:
    return Path(os.environ.get("DJI_CORPUS", REPO.parent / "corpus"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=default_corpus())
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--lint-tests", action="store_true", help="pass --dji-lint-tests")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    table = {}
    for project in PROJECTS:
        root = args.corpus / project
        if not root.is_dir():
            print(f"skip {project}: {root} missing (run ../shared/corpus/get_corpus.sh)", file=sys.stderr)
            continue
        cmd = [sys.executable, "-m", "flake8", "--isolated", "--select=DJI", f"-j{args.jobs}",
               "--format=%(path)s:%(row)d:%(col)d: %(code)s %(text)s", "--dji-no-cache"]
        if args.lint_tests:
            cmd.append("--dji-lint-tests")
        result = subprocess.run(cmd + ["."], cwd=root, capture_output=True, text=True)
        if result.returncode not in (0, 1) or "Traceback" in result.stderr:
            print(f"{project}: flake8 failed\n{result.stderr}", file=sys.stderr)
            return 2
        lines = [line for line in result.stdout.splitlines() if ": DJI" in line]
        (args.out / f"{project}.txt").write_text("\n".join(sorted(lines)) + "\n")
        counts = collections.Counter(line.split(": ", 1)[1][:6] for line in lines)
        table[project] = counts
    width = max(len(p) for p in table) if table else 7
    print("project".ljust(width), *CODES, "total", sep="  ")
    for project, counts in table.items():
        print(project.ljust(width), *(str(counts.get(c, 0)).rjust(6) for c in CODES),
              str(sum(counts.values())).rjust(5), sep="  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
