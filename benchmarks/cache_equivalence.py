"""A cached project index answers exactly like a fresh one, on real projects.

    python benchmarks/cache_equivalence.py [--corpus DIR] [--projects pretix ...]

For each project: builds the index fresh, stores it in a temporary cache, loads it back as a
new process would, and compares everything the index answers (tests/index_answers.py): every
model's facts, labels, managers, reverse accessors, the user model, and for every file of the
project how each dotted name it uses resolves and what each class it declares is.  Exit status
1 on any difference.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(Path(__file__).parent)]

from _common import corpus_dir  # noqa: E402
from index_answers import answers  # noqa: E402

from flake8_django_integrity.project import index as index_module  # noqa: E402
from flake8_django_integrity.project.index import ProjectIndex, get_index  # noqa: E402


def compare(root: str) -> list[str]:
    with tempfile.TemporaryDirectory() as cache_dir:
        index_module._INDEXES.clear()
        get_index(root, cache_dir=cache_dir, use_cache=True)  # build and store
        index_module._INDEXES.clear()
        start = time.perf_counter()
        cached = get_index(root, cache_dir=cache_dir, use_cache=True)
        load_time = time.perf_counter() - start
        if cached.files_read:
            return [f"{root}: the cache was not used"]
        fresh = ProjectIndex(root).build()
        a, b = answers(cached, root), answers(fresh, root)
        cached.summary_store.flush()  # as at the end of that process
        index_module._INDEXES.clear()
        third = get_index(root, cache_dir=cache_dir, use_cache=True)
        c = answers(third, root)  # modules read after the build now come from the per-file store
        if third.files_read:
            return [f"{root}: {third.files_read} modules parsed again despite the per-file store"]
    diffs = [] if c == a else ["the index with stored module summaries answers differently"]
    for key in ("models", "by_label", "by_name", "manager_models", "reverse", "user_model"):
        if a[key] != b[key]:
            diffs.append(f"{key} differs")
    for rel in sorted(set(a["files"]) | set(b["files"])):
        fa, fb = a["files"].get(rel, {}), b["files"].get(rel, {})
        for name in sorted(set(fa) | set(fb)):
            if fa.get(name) != fb.get(name):
                diffs.append(f"{rel}: {name}: cached {fa.get(name)} fresh {fb.get(name)}")
    names = sum(len(f) for f in a["files"].values())
    print(f"{root}: {len(a['models'])} models, {len(a['files'])} files, {names} names and classes "
          f"compared, cache loaded in {load_time * 1000:.0f} ms, {len(diffs)} differences")
    return diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--projects", nargs="+", default=["pretix"])
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    failed = False
    for name in args.projects:
        diffs = compare(str(corpus / name))
        for line in diffs[:30]:
            print("  " + line)
        failed = failed or bool(diffs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
