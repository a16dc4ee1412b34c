"""The whole-tree case (CI): flake8 on a whole project, with vs without the plugin.

    python benchmarks/overhead.py [--corpus DIR] [--projects pretix wagtail] [--jobs 1 2]
                                  [--runs 3] [--cache none|warm] [--probe [full|light]]

For each project and -j value, times ``python -m flake8 -jN .`` with the plugin (.venvs/dji,
every DJI code selected on top of flake8's defaults) and without it (.venvs/plain, same flake8
and plugins; see _common.py), alternating, at least 3 runs each; prints the medians and the
ratio.  Budget (issue 11): ratio <= 1.10 at -j1 with no cache, CPU time (user + system) of
the medians.  ``--cache none`` (default) is CI without a cache; ``--cache warm`` first fills
the cache; ``--cache restored`` is CI keeping the cache between jobs: the cache is filled
once, on a copy of the project (the corpus is never touched), and before every timed run
every file of the copy gets new times, as a fresh checkout gives them (same content).
With -jN the plugin builds the project's facts once, before flake8 forks its
workers (prefork.py): the script also prints the median wall time of each -j value with the
plugin, and -j2 must take less wall time than -j1 (on a machine with two idle cores).  ``--probe`` adds the
test probe rule (tests/probe.py): a heavy stand-in for rules where the branch has none.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import REPO, alternate, corpus_dir, ensure_venvs, median, timed  # noqa: E402

BUDGET = 1.10  # with / without, CPU time, -j1, no cache


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--projects", nargs="+", default=["pretix", "wagtail"])
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", choices=["none", "warm", "restored"], default="none")
    parser.add_argument("--probe", nargs="?", const="full", choices=["full", "light"],
                        help="add the test probe rule: full (every name) or light (writes only)")
    args = parser.parse_args()
    if args.runs < 3:
        sys.exit("--runs must be at least 3")
    corpus = corpus_dir(args.corpus)
    plain, dji = ensure_venvs()
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="dji-bench-cache-")}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.probe == "light":
        env["DJI_PROBE"] = "light"
    entry = [str(REPO / "tests" / "probe_flake8.py")] if args.probe else ["-m", "flake8"]
    cache = ["--dji-no-cache"] if args.cache == "none" else []
    rows = []
    for name in args.projects:
        project = corpus / name
        before = None
        if args.cache == "restored":
            checkout = Path(tempfile.mkdtemp(prefix="dji-checkout-")) / name
            project = Path(shutil.copytree(project, checkout, symlinks=True))
            checked_out_again(project)
            before = lambda root=project: checked_out_again(root)  # noqa: E731
        for jobs in args.jobs:
            with_plugin = [str(dji), *entry, f"-j{jobs}", "--extend-select=DJI", *cache, "."]
            without = [str(plain), "-m", "flake8", f"-j{jobs}", "."]
            if args.cache != "none":
                timed(with_plugin, project, env)  # fills the cache
            print(f"{name} -j{jobs}:")
            times, walls = alternate({"without": without, "with": with_plugin}, args.runs, project,
                                     env, wall=True, before=before)
            a, b = median(times["without"]), median(times["with"])
            wall = median(walls["with"])
            rows.append((name, jobs, a, b, wall))
            print(f"  median without {a:.2f}s, with {b:.2f}s, ratio {b / a:.3f}, "
                  f"wall with the plugin {wall:.2f}s")
    print(f"\nproject   jobs  without    with   ratio  wall(with)   (CPU s; budget {BUDGET} at "
          f"-j1; cache: {args.cache}{f', probe {args.probe}' if args.probe else ''})")
    for name, jobs, a, b, wall in rows:
        flag = "  OVER BUDGET" if jobs == 1 and b / a > BUDGET else ""
        print(f"{name:9} {jobs:4} {a:7.2f}s {b:7.2f}s {b / a:7.3f} {wall:9.2f}s{flag}")
    return 0


def checked_out_again(root: Path) -> None:
    """Every file and folder under ``root`` gets new times, as a fresh checkout gives them
    (a minute ago: older than the cache's two-second "racy" window; new at each call)."""
    when = time.time() - 60
    for directory, _dirs, files in os.walk(root):
        for f in files:
            os.utime(os.path.join(directory, f), (when, when), follow_symlinks=False)
        os.utime(directory, (when, when))


if __name__ == "__main__":
    sys.exit(main())
