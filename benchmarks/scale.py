"""Scale: run the plugin's check() with every code on every .py file of the corpus and report
any exception (the plugin's flake8 entry point swallows them; this calls check() directly so
that none goes unseen).

    python benchmarks/scale.py [--corpus DIR] [--projects NAME ...] [--probe] [--cache]

Every file is linted as a production file and as a test (``--dji-lint-tests``), like flake8
would see it; files that do not parse are skipped (flake8 reports E999 for them).  ``--probe``
adds the test probe rule (tests/probe.py), which asks the index about every name, query and
model class.  Exit status 1 if anything raised.  Also run by tests/test_corpus.py when
DJI_CORPUS is set.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))

from _common import corpus_dir  # noqa: E402

from flake8_django_integrity.checker import check  # noqa: E402
from flake8_django_integrity.options import Settings  # noqa: E402
from flake8_django_integrity.rules import load_rules  # noqa: E402


def python_files(root: Path):
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(directory) / name


def run(corpus: Path, projects: list[str], probe: bool, use_cache: bool, out=print) -> list[str]:
    rules = load_rules()
    passes = [(False, rules), (True, rules)]  # as production code, then with --dji-lint-tests
    if probe:  # the probe reads every file alike: once is enough
        sys.path.insert(0, str(REPO / "tests"))
        import probe as probe_module

        passes[0] = (False, rules + [probe_module.rule])
    if not rules:
        passes = passes[:1]
    out(f"rules: {', '.join(r.code for r in passes[0][1]) or '(none)'}")
    failures: list[str] = []
    for name in projects:
        root = corpus / name
        counts: Counter = Counter()
        start = time.perf_counter()
        files = 0
        for path in python_files(root):
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except (SyntaxError, ValueError):
                continue
            files += 1
            for lint_tests, pass_rules in passes:
                settings = Settings(lint_tests=lint_tests, use_cache=use_cache)
                try:
                    for finding in check(tree, str(path), settings, pass_rules):
                        counts[finding.code] += 1
                except Exception:
                    failures.append(f"{path} (lint_tests={lint_tests}):\n{traceback.format_exc()}")
        took = time.perf_counter() - start
        out(f"{name}: {files} files in {took:.1f}s, findings {dict(sorted(counts.items()))}, "
            f"exceptions so far {len(failures)}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--projects", nargs="*")
    parser.add_argument("--probe", action="store_true")
    parser.add_argument("--cache", action="store_true", help="use the on-disk cache (default: off)")
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    projects = args.projects or sorted(p.name for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    failures = run(corpus, projects, args.probe, args.cache)
    for failure in failures[:20]:
        print(failure)
    print(f"{len(failures)} exceptions")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
