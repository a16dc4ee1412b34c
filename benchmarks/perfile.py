"""The plugin's own per-file time over a whole tree, the project's facts built first.

    python benchmarks/perfile.py [--corpus DIR] [--projects pretix wagtail] [--runs 3]
                                 [--passes N] [--profile OUT.prof] [--one]

The whole-tree budget (overhead.py) times flake8 with and without the plugin: on a shared
machine two identical runs differ by more than the plugin's per-file cost.  This script
measures that cost alone, in the Python running it (the plugin it imports, e.g. an editable
install, or ``PYTHONPATH=<a checkout>`` for another version): flake8 parses its options
(``-j1 --dji-no-cache --select=DJI .``) and lists the project's files as it would, the
project's facts are built (not timed: the build has its own figures), then each file is read
and parsed by flake8's FileProcessor (not timed) and handed to the plugin as flake8 hands it;
the CPU time (``time.process_time``) of the plugin's ``run`` is summed over the files.
Also printed: the facts' build, and one ``ast.parse`` of every file of the run (the floor of
any fact drawn from the whole project's syntax when nothing is cached).  Each
run is a fresh process (the facts' lazy parts are paid once per process, as in flake8); the
median of ``--runs`` is printed with the findings' count.  ``--passes N`` lints the same
files N-1 more times in each process and also prints the fastest of those warm passes (the
lazily built facts and the memo tables already paid): a steadier figure on a busy machine,
for comparing two versions of the per-file code.  ``--profile`` writes a cProfile of
the per-file loop of one run (``--one``: a single run in this process, the child mode).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import corpus_dir  # noqa: E402


def one_run(project: Path, profile: str | None, passes: int = 1) -> dict:
    """In this process: the per-file CPU time of the plugin over ``project``."""
    from flake8.main.application import Application
    from flake8.processor import FileProcessor

    from flake8_django_integrity import prefork
    from flake8_django_integrity.checker import Plugin

    os.chdir(project)
    app = Application()
    app.initialize(["-j1", "--isolated", "--dji-no-cache", "--select=DJI", "."])
    options = app.options
    settings = Plugin.settings
    start = time.process_time()
    prefork._build(settings.project_root or str(project), settings)
    build = time.process_time() - start
    manager = app.file_checker_manager
    manager.start()
    filenames = list(getattr(manager, "filenames", ()))
    parse = _parse_floor(filenames)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    total, findings, files = 0.0, 0, 0
    kept = []
    for filename in filenames:
        try:
            processor = FileProcessor(filename, options)
            tree = processor.build_ast()
        except (SyntaxError, ValueError, OSError):
            continue  # flake8 runs no AST plugin on a file that does not parse
        lines = processor.lines
        if profiler is not None:
            profiler.enable()
        start = time.process_time()
        found = list(Plugin(tree, filename, lines).run())
        total += time.process_time() - start
        if profiler is not None:
            profiler.disable()
        findings += len(found)
        files += 1
        if passes > 1:
            kept.append((tree, filename, lines))
    if profiler is not None:
        profiler.dump_stats(profile)
    warm = []
    if kept:
        gc.collect()
        gc.freeze()  # the kept trees: out of the collector's way, as flake8 drops them
    for _ in range(passes - 1):
        start = time.process_time()
        for tree, filename, lines in kept:
            list(Plugin(tree, filename, lines).run())
        warm.append(time.process_time() - start)
    return {"files": files, "findings": findings, "per_file": total, "build": build,
            "warm": min(warm) if warm else None, "parse": parse}


def _parse_floor(filenames: list[str]) -> float:
    """The CPU time of one ``ast.parse`` of every file of the run (the collector paused, as
    the facts build pauses it): the least a fact drawn from the syntax of the whole project
    costs when nothing is cached, whatever is done with the trees."""
    import ast

    sources = []
    for filename in filenames:
        try:
            with open(filename, "rb") as f:
                sources.append(f.read())
        except OSError:
            continue
    enabled = gc.isenabled()
    gc.disable()
    start = time.process_time()
    for source in sources:
        try:
            ast.parse(source)
        except (SyntaxError, ValueError):
            pass
    spent = time.process_time() - start
    if enabled:
        gc.enable()
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--projects", nargs="+", default=["pretix", "wagtail"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of the per-file loop here")
    parser.add_argument("--passes", type=int, default=1,
                        help="lint the files again N-1 times in the same process and print the "
                             "fastest of those warm passes too (the lazily built facts paid)")
    parser.add_argument("--one", action="store_true", help="one run in this process (JSON out)")
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    if args.one:
        print(json.dumps(one_run(corpus / args.projects[0], args.profile, args.passes)))
        return 0
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="dji-perfile-cache-")}
    for name in args.projects:
        runs = []
        for i in range(args.runs):
            command = [sys.executable, __file__, "--one", "--corpus", str(corpus),
                       "--projects", name, "--passes", str(args.passes)]
            if args.profile and i == 0:
                command += ["--profile", args.profile]
            result = subprocess.run(command, capture_output=True, text=True, env=env)
            if result.returncode != 0:
                raise SystemExit(f"{name}: failed\n{result.stderr[-3000:]}")
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
            warm = runs[-1]["warm"]
            print(f"  {name} run {i + 1}: per-file {runs[-1]['per_file']:.3f}s "
                  + (f"(warm passes: fastest {warm:.3f}s) " if warm is not None else "")
                  + f"(facts built first: {runs[-1]['build']:.2f}s; one parse of every "
                  f"file: {runs[-1]['parse']:.2f}s)", flush=True)
        per_file = statistics.median(r["per_file"] for r in runs)
        line = (f"{name}: {runs[0]['files']} files, {runs[0]['findings']} findings, "
                f"plugin per-file CPU median {per_file:.3f}s, facts built "
                f"{statistics.median(r['build'] for r in runs):.2f}s, one parse of every file "
                f"{statistics.median(r['parse'] for r in runs):.2f}s")
        if args.passes > 1:
            line += f", fastest warm pass {min(r['warm'] for r in runs):.3f}s"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
