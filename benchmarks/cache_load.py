"""CPU time to load one project's facts from a warm on-disk cache (the per-file editor path).

    python benchmarks/cache_load.py [--corpus DIR] [--project pretix] [--runs 60]

Fills a temporary cache once, then times (``time.process_time``) ``get_index`` (read, check
and rebuild the index from its cache file) and ``get_migration_state`` with the per-process
memo cleared before each run; prints the median and the minimum of each.  Compare two
checkouts by running it with each on ``PYTHONPATH``, alternating.  No budget: a figure.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from _common import corpus_dir

from flake8_django_integrity.project import index as index_module
from flake8_django_integrity.project import migrations


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--project", default="pretix")
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    root = str(corpus_dir(args.corpus) / args.project)
    with tempfile.TemporaryDirectory() as cache_dir:
        index = index_module.get_index(root, cache_dir=cache_dir, use_cache=True)
        migrations.get_migration_state(index, cache_dir, True)
        index_times, state_times = [], []
        for _ in range(args.runs):
            index_module._INDEXES.clear()
            migrations._STATES.clear()
            start = time.process_time()
            index = index_module.get_index(root, cache_dir=cache_dir, use_cache=True)
            index_times.append(time.process_time() - start)
            if index.files_read:
                raise SystemExit("the index cache missed: nothing to measure")
            start = time.process_time()
            migrations.get_migration_state(index, cache_dir, True)
            state_times.append(time.process_time() - start)
    for name, times in (("index", index_times), ("migration state", state_times)):
        print(f"{args.project} {name}: median {statistics.median(times) * 1000:.1f} ms, "
              f"min {min(times) * 1000:.1f} ms CPU over {args.runs} loads")


if __name__ == "__main__":
    main()
