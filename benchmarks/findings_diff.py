"""Every DJI finding of the corpus, dumped by one installation and compared with another's.

    python benchmarks/findings_diff.py dump --python PY --out DIR [--corpus DIR]
                                            [--projects NAME ...] [--jobs 1] [--cache]
                                            [--isolated]
    python benchmarks/findings_diff.py compare DIR_A DIR_B

``dump`` runs ``PY -m flake8 -jN --select=DJI .`` in each corpus project, one project at a
time under ``nice``, without the cache unless ``--cache`` (then a fresh cache directory is
filled by a first run and the second run's findings are kept), and writes every finding,
sorted, one ``path:line:col: message`` per line, to ``DIR/<project>.txt``.  ``compare`` prints
the findings only one side has, per project, and exits 1 when any project differs (or is
missing on one side).  A change meant to be pure speed (a shared parse, facts built before
flake8 forks) must leave this comparison empty: run ``dump`` with the installation before
the change (e.g. main's virtualenv) and with the one after, then ``compare``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import corpus_dir  # noqa: E402

PROJECTS = ["weblate", "pretix", "pretalx", "wagtail", "django-oscar", "django", "django-allauth",
            "nautobot", "geonode", "arches", "tendenci", "openwisp-controller", "wiki",
            "django-filer", "hyperkitty"]


def dump(python: str, project: Path, jobs: int, cache: bool,
         isolated: bool = False) -> tuple[list[str], float]:
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="dji-findings-cache-")}
    env.pop("PYTHONPATH", None)
    command = ["nice", "-n", "10", python, "-m", "flake8", f"-j{jobs}", "--select=DJI",
               "--format=%(path)s:%(row)d:%(col)d: %(code)s %(text)s", "."]
    if isolated:  # the project's own flake8 configuration ignored
        command.insert(-1, "--isolated")
    if not cache:
        command.insert(-1, "--dji-no-cache")
    else:  # the kept run reads what a first run stored
        subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    start = time.monotonic()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise SystemExit(f"{project.name}: flake8 failed\n{result.stderr[-3000:]}")
    return sorted(line for line in result.stdout.splitlines() if line.strip()), elapsed


def compare(a: Path, b: Path) -> int:
    names = sorted({p.stem for p in a.glob("*.txt")} | {p.stem for p in b.glob("*.txt")})
    differs = 0
    for name in names:
        fa, fb = a / f"{name}.txt", b / f"{name}.txt"
        if not fa.exists() or not fb.exists():
            print(f"{name}: only in {a if fa.exists() else b}")
            differs += 1
            continue
        left, right = fa.read_text().splitlines(), fb.read_text().splitlines()
        only_a, only_b = sorted(set(left) - set(right)), sorted(set(right) - set(left))
        if only_a or only_b or len(left) != len(right):
            differs += 1
            print(f"{name}: {len(left)} vs {len(right)} findings")
            for line in only_a:
                print(f"  - {line}")
            for line in only_b:
                print(f"  + {line}")
        else:
            print(f"{name}: {len(left)} findings, identical")
    print(f"{len(names) - differs} of {len(names)} projects identical")
    return 1 if differs else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--python", required=True, help="the Python whose flake8 and plugin run")
    d.add_argument("--out", required=True, type=Path)
    d.add_argument("--corpus")
    d.add_argument("--projects", nargs="+", default=PROJECTS)
    d.add_argument("--jobs", type=int, default=1)
    d.add_argument("--cache", action="store_true", help="a warm cache instead of none")
    d.add_argument("--isolated", action="store_true", help="ignore the projects' flake8 config")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "compare":
        return compare(args.a, args.b)
    corpus = corpus_dir(args.corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.projects:
        project = corpus / name
        if not project.is_dir():
            print(f"{name}: not in {corpus}, skipped")
            continue
        lines, elapsed = dump(args.python, project, args.jobs, args.cache, args.isolated)
        (args.out / f"{name}.txt").write_text("".join(f"{line}\n" for line in lines))
        print(f"{name}: {len(lines)} findings ({elapsed:.0f}s wall)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
