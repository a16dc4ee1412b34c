"""What the project's functions are: one summary per function and method, as plain data.

Each production module of the project (test modules left out: a test calling a function says
nothing about where it runs in production; migrations read only when they mention
``RunPython``) is parsed once and summarised: for every function or method (a *unit*: a
function whose enclosing scopes are only classes and the module; code in nested functions and
lambdas counts as its unit's) its qualified name, lines, the entry-point kinds its decorators,
class or registrations make it (project/entrypoints.py), whether ``@transaction.atomic`` wraps
it or ``@non_atomic_requests`` exempts it, and the calls it makes, each marked when the call
site is inside a ``with transaction.atomic():`` block.  The module's own top-level code is a
unit too (``<module>``): what it references runs at import; its ``if __name__ ==
"__main__":`` block is a unit of its own (``__main__``, a script: run once, from a shell).

A receiver connected to ``pre_save`` / ``post_save`` of one model (``sender=Model``) is called
by that model's ``save()`` (Django sends the signal from inside it): when the project's
``save()`` override runs ``super().save()`` inside ``atomic()``, the receiver runs inside that
transaction.  A ``pre_delete`` / ``post_delete`` receiver always runs inside the ``atomic()``
Django's deletion opens.  The strings of the project that name a dotted path
(``"app.hooks.f"``: settings, registries) are kept by their last name: a function named there
has callers the plugin cannot see.

Calls are resolved across modules through the import tables (project/summary.py), re-exports
and the class chain for ``self.m()`` / ``cls.m()`` / ``super().m()``.  An attribute call the
plugin cannot resolve (``obj.m()``) is kept by its name: it may call any method named ``m``
(an over-approximation: it can only add callers, so it never makes code look single-run that
is not).  A function passed as a value (``on_commit(f)``, ``RunPython(f)``, a dict of handlers)
is a reference: it may run from there, but not inside the call site's transaction.

Each module also keeps its *one-row reads*: ``M.objects.get(a=..., b=...)`` (through a chain
of ``filter()`` / ``using()`` / ...), ``get_or_create()`` / ``update_or_create()`` (their
lookup, ``defaults`` left out), ``get_object_or_404(M, ...)`` and ``parent.children.get(...)``:
the field names a row is looked up by where the code expects exactly one (UNKNOWN_KEYS for a
lookup that cannot be read whole: ``get(**lookup)``, ``get(Q(...))``).  Two rows that agree
on those fields make that call raise ``MultipleObjectsReturned`` (``one_row_reads``, asked by
DJI003 for a check-then-insert that no unique constraint covers).

A signal the project defines (``order_placed = Signal()``) is linked too: its ``send()`` calls
its receivers (``@receiver(order_placed)``, ``order_placed.connect(f)``), inside the sender's
transaction.  Each unit also keeps the classes whose rows it locks (``select_for_update()``)
and, per ``atomic()`` region, its calls and locks in line order: whether every caller of a
function holds a lock on a parent row when it calls it (``callers_lock``, asked by DJI003 and
DJI007 for a finding about to be reported).

Built only when a rule asks (project/reach.py), cached on disk with the files it read as
inputs (project/cache.py).  Issue 9 will add what each function writes and guards here.

This module builds the index (``get_functions``: read, or loaded from the cache); the parts
live beside it: the scan of one module into its summary (function_scan.py, with the walks of
a function's statements in function_bodies.py), the linked index and its questions
(function_index.py, its records in function_units.py) and its stored, lazily decoded form
(function_store.py).
"""

from __future__ import annotations

import ast
import os

from . import layout, shared_trees
from .files import read_source
from .function_index import FunctionIndex
from .function_scan import FORMAT, summarize_module
from .function_store import GRAPH_SEGMENT, _checked_modules
from .gc_pause import collector_paused
from .memo import RECENT_ROOTS, RecentMemo
from .test_callers import TestCallers


def read_modules(root: str, input_files: set[str], input_dirs: set[str],
                 store=None, exclude: tuple[str, ...] = ()) -> dict[str, dict]:
    """Every production module of the project, summarised (each file parsed once; with a
    ``store`` (cache.FileStore), a file unchanged since an earlier run is not parsed again).
    Paths flake8's ``exclude`` patterns name are never read, as for the model index."""
    modules: dict[str, dict] = {}
    for path in layout.iter_python_files(root, input_dirs, exclude):
        rel = os.path.relpath(path, root)
        if layout.is_test_path(rel):
            continue
        name, is_package = layout.module_name(path, root)
        if not name or name in modules:
            continue
        input_files.add(path)
        data = _stored(store, name, path)
        if data is None:
            data = _read_module(path, rel, name, is_package, store)
        if data:
            modules[name] = data
    return modules


def _stored(store, name: str, path: str) -> dict | None:
    if store is None:
        return None
    data = store.get(name, path)
    if not isinstance(data, dict):
        return None
    try:
        _checked_modules({name: data} if data else {})
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return data


def _read_module(path: str, rel: str, name: str, is_package: bool, store) -> dict:
    """The summary of one file; ``{}`` for a file with nothing to summarise (unreadable, not
    Python, a migration without RunPython), which the store remembers too."""
    recorded = None
    if store is not None:
        from .cache import fingerprint

        recorded = fingerprint(path)
    data: dict = {}
    # the tree the model index or the migration state parsed already (shared_trees.py);
    # not with the per-file store, whose fingerprint must be taken before the file is read
    shared = shared_trees.take(path) if store is None else None
    source, tree = shared if shared is not None else (read_source(path), None)
    if source is not None and not (layout.is_migration_path(rel) and "RunPython" not in source):
        try:
            if tree is None:
                tree = ast.parse(source, filename=path)
            data = summarize_module(tree, name, is_package, path, rel)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            data = {}
    if store is not None:
        store.put(name, path, recorded, data)
    return data


# per process, the most recent roots only (an in-process host may lint many)
_INDEXES: RecentMemo = RecentMemo(RECENT_ROOTS)


def get_functions(root: str, atomic_requests: list[str] | None = None, *,
                  cache_dir: str | None = None, use_cache: bool = False,
                  exclude: tuple[str, ...] = ()) -> FunctionIndex:
    """The function index of a project root, once per process; with ``use_cache`` the module
    summaries and the linked call graph come from the on-disk cache while no file they were
    read from has changed (each summary decoded only when a question needs it).
    ``exclude``: flake8's exclude patterns (part of the key: another exclude, other files)."""
    key = (root, tuple(atomic_requests or ()), tuple(exclude))
    found = _INDEXES.get(key)
    if found is not None:
        return found
    from . import cache

    store_dir = (cache_dir or cache.default_dir()) if use_cache else None
    store = cache.FileStore("function-summaries", root, {"format": FORMAT}, store_dir) \
        if store_dir else None  # per file: valid whatever the exclude
    def read() -> tuple[dict[str, dict], set[str]]:
        files: set[str] = set()
        dirs: set[str] = set()
        modules = read_modules(root, files, dirs, store, tuple(exclude))
        if store is not None:
            store.flush()
        return modules, files | dirs

    def build() -> FunctionIndex:
        modules, paths = read()
        index = FunctionIndex(modules, atomic_requests)
        index.inputs = paths  # what the cache entry depends on
        return index

    def rebuild() -> dict[str, dict]:  # a stored segment found bad after the entry was read
        with collector_paused():
            return read()[0]

    with collector_paused():  # gc_pause.py: a bulk parse, collections only cost here
        index = cache.load_or_build_segments(
            "functions", root, build=build,
            inputs=lambda idx: sorted(idx.inputs),
            to_segments=_segments,
            from_segments=lambda segments: FunctionIndex.from_store(
                segments, atomic_requests, rebuild),
            key={"format": FORMAT, "exclude": list(exclude)}, cache_dir=cache_dir,
            enabled=use_cache,
        )
    index.tests = TestCallers(root, tuple(exclude))
    shared_trees.close(root)  # built or loaded: the trees kept for it are of no more use
    _INDEXES[key] = index
    return index


def _segments(index: FunctionIndex) -> dict:
    """A built index as stored: one segment per module summary, and the call graph when
    this run linked it already (else the first run that needs it links the stored summaries
    and adds it: a run that asks no where-question never pays for linking)."""
    segments: dict = dict(index.modules)
    if index._edges_linked:
        try:
            segments[GRAPH_SEGMENT] = index.graph_json()
        except Exception:  # an odd project: the summaries alone; a later run links them
            import logging

            logging.getLogger("flake8_django_integrity").debug(
                "flake8-django-integrity: call graph not stored", exc_info=True)
    return segments
