"""Dump the function index of projects as JSON lines, to compare two versions of the code.

    python benchmarks/function_summaries_dump.py OUT_DIR ROOT [ROOT ...]

For each project root, the facts are built as a whole-tree run without the cache builds them
(the model index, the migration state, then the function index, which takes the trees the
first two parsed: project/shared_trees.py), and ``OUT_DIR/<root's name>.jsonl`` gets every
module's summary exactly as the index stores it (one ``{module: summary}`` per line, in
module order, keys in the order the summariser wrote them), then the linked call graph as
stored (``FunctionIndex.graph_json``).  Run it with one version of the package importable,
then with the other, and ``cmp`` the files: a change meant to make the function index faster
must leave them byte-identical (the order of a unit's calls is part of what is stored).  The
package is imported from wherever Python finds it (the active virtualenv), not from this
repository.
"""

from __future__ import annotations

import json
import os
import sys
import time


def dump(root: str, out_dir: str) -> None:
    from flake8_django_integrity.project.functions import get_functions
    from flake8_django_integrity.project.index import IndexOptions, get_index
    from flake8_django_integrity.project.migrations import get_migration_state

    index = get_index(root, IndexOptions(), cache_dir=None, use_cache=False)
    get_migration_state(index, None, False)
    started = time.process_time()
    functions = get_functions(root, index.atomic_requests, cache_dir=None, use_cache=False)
    built = time.process_time() - started
    name = os.path.basename(root.rstrip(os.sep))
    with open(os.path.join(out_dir, f"{name}.jsonl"), "w", encoding="utf-8") as out:
        for module in sorted(functions.modules):
            out.write(json.dumps({module: functions.modules[module]}) + "\n")
        out.write(json.dumps({"<graph>": functions.graph_json()}) + "\n")
    print(f"{root}: {len(functions.modules)} module summaries, function index {built:.2f} s CPU",
          file=sys.stderr)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir, roots = argv[0], argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    for root in roots:
        dump(os.path.abspath(root), out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
