"""The editor case: lint ONE file of a large project after a first run has filled the cache.

    python benchmarks/editor.py [--corpus DIR] [--project pretix] [--file REL] [--runs 9] [--probe [full|light]]
                                [--instructions]

Times ``python -m flake8 <file>`` with the plugin (virtualenv .venvs/dji) and without it
(.venvs/plain, same flake8 and plugins; see _common.py), alternating, and prints the medians
and their ratio.  Budget (issue 11): with / without <= 1.15, CPU time (user + system), on files
of pretix and django-oscar.  ``--select`` is left at flake8's default
plus DJI, as an editor integration runs it.

``--instructions`` counts the instructions each command executes (one run each under valgrind's
callgrind, which must be installed; a minute or two per project) instead of timing it: a
figure other load on the machine cannot move, for a shared machine where CPU times are too
noisy to judge a few milliseconds.  Instructions are not seconds (the plugin's share of the
instructions runs somewhat above its share of the CPU time), so compare branches with it, and
judge the budget on CPU times measured on a quiet machine.

``--probe`` adds the test probe rule (tests/probe.py) to the plugin's rules: it resolves every
model name, query and model class of the file through the project index, a heavier demand on
the index than any one rule; use it where the branch has few or no rules.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import REPO, alternate, corpus_dir, ensure_venvs, median, timed

BUDGET = 1.15  # with / without, CPU time, warm cache, one file

DEFAULT_FILES = {
    "pretix": "pretix/control/views/orders.py",
    "wagtail": "wagtail/admin/views/pages/edit.py",
    "weblate": "weblate/trans/views/edit.py",
    "pretalx": "pretalx/orga/views/submission.py",
    "django-oscar": "oscar/apps/basket/views.py",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--project", default="pretix")
    parser.add_argument("--file", help="path inside the project (default: a large views module)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--probe", nargs="?", const="full", choices=["full", "light"],
                        help="add the test probe rule: full (every name) or light (writes only)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind (callgrind) instead of CPU time")
    args = parser.parse_args()
    project = corpus_dir(args.corpus) / args.project
    rel = args.file or DEFAULT_FILES.get(args.project)
    if not rel or not (project / rel).is_file():
        sys.exit(f"no file {rel!r} in {project}")
    plain, dji = ensure_venvs()
    cache = tempfile.mkdtemp(prefix="dji-bench-cache-")
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.probe == "light":
        env["DJI_PROBE"] = "light"  # both sides run from compiled modules
    select = ["--extend-select=DJI"]
    with_plugin = [str(dji), "-m", "flake8", *select, rel]
    if args.probe:
        with_plugin = [str(dji), str(REPO / "tests" / "probe_flake8.py"), *select, rel]
    without = [str(plain), "-m", "flake8", rel]
    if args.instructions:
        return instructions(args.project, rel, project, env, without, with_plugin)
    first = timed(with_plugin, project, env)  # fills the cache (cold: builds the index)
    print(f"{args.project}: {rel} ({sum(1 for _ in open(project / rel))} lines); "
          f"first run with the plugin (cold cache) {first:.3f}s")
    times = alternate({"without": without, "with": with_plugin}, args.runs, project, env)
    a, b = median(times["without"]), median(times["with"])
    print(f"median without the plugin {a:.3f}s, with the plugin (warm cache{f', probe {args.probe}' if args.probe else ''})"
          f" {b:.3f}s, ratio {b / a:.2f} (budget {BUDGET})")
    return 0


def instructions(name, rel, project, env, without, with_plugin) -> int:
    if not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind")
    timed(with_plugin, project, env)  # fills the cache
    env = {**env, "PYTHONHASHSEED": "0"}  # the same run twice counts the same
    counts = {}
    with tempfile.TemporaryDirectory() as out:
        for label, command in (("without", without), ("with", with_plugin)):
            result = subprocess.run(
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/{label}.out",
                 *command], cwd=project, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True)
            found = re.search(r"Collected : (\d+)", result.stderr)
            if not found:
                sys.exit(f"valgrind failed:\n{result.stderr[-3000:]}")
            counts[label] = int(found.group(1))
    a, b = counts["without"], counts["with"]
    print(f"{name}: {rel}: instructions without the plugin {a / 1e6:.1f}M, with the plugin "
          f"(warm cache) {b / 1e6:.1f}M: the plugin's {(b - a) / 1e6:.1f}M, ratio {b / a:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
