"""One parse per file for the model index, the migration state and the function index.

The model index parses the models, settings and apps modules (and the modules their names
lead to) and the migration state every migration; the function index, built later in the
same run, reads every production module and the migrations that mention ``RunPython``, and
used to read and parse those files again.  Now a tree the index or the migration state
parsed is kept here and the function index takes it instead of reading the file a second
time (the same text through the same reader, project/files.py, so the same tree).

Only trees the function index will ask for are kept (a migration without ``RunPython`` is
not), each is taken once (handed over, not copied), at most ``MAX_KEPT`` of them, and none
after the function index of their project is built: then the kept ones are dropped and no
more are kept.  A function index that reads through the on-disk cache's per-file store does
not take trees (the store pairs each summary with the fingerprint taken before its read).
"""

from __future__ import annotations

import ast
import os

from . import layout
from .memo import RecentMemo

MAX_KEPT = 2000
_KEPT: dict[str, tuple[str, ast.Module]] = RecentMemo(MAX_KEPT)  # path -> (source, tree)
_CLOSED: set[str] = set()  # roots whose function index is built


def offer(path: str, source: str, tree: ast.Module | None) -> None:
    """A file just parsed: keep its tree for the function index if it will want it."""
    if tree is None or (layout.is_migration_path(path) and "RunPython" not in source):
        return
    if any(path.startswith(root + os.sep) for root in _CLOSED):
        return
    _KEPT[path] = (source, tree)


def take(path: str) -> tuple[str, ast.Module] | None:
    """The (source, tree) kept for ``path``, handed over (forgotten here), else None."""
    return _KEPT.pop(path, None)


def close(root: str) -> None:
    """The function index of ``root`` is built: drop its kept trees, keep no more."""
    prefix = root.rstrip(os.sep) + os.sep
    _CLOSED.add(root.rstrip(os.sep))
    for path in [p for p in _KEPT if p.startswith(prefix)]:
        del _KEPT[path]
