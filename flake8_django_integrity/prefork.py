"""With ``--jobs N``, the project's facts are built once, in flake8's main process.

flake8 lints in parallel by forking worker processes after it has parsed its options.  Facts
the plugin builds lazily (the model index, the migration state, the function index) would be
built, or loaded from the cache, once in every worker that needs them: N times the work on N
cores, and no gain from ``-j2`` on a project whose facts cost more than its linting.  Built
here, in ``parse_options``, before the fork, every worker inherits them (the memo tables of
project/index.py, migrations.py and functions.py hold them under the keys the rules ask
with).  Then ``gc.freeze()`` moves them out of the collector's reach: a worker's collections
do not walk them, and the pages holding them stay shared.

A directory or many files get every fact; a few files (pre-commit, whose ``--jobs`` defaults
to one per core) get the model index only, since they may need nothing else.
Only when flake8 will fork: more than one job, no stdin, and the ``fork`` start method (under
``spawn``/``forkserver`` each worker parses the options again and builds what it needs, as
in a serial run).  Nothing here may fail the run: an error leaves each worker to build the
facts itself.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os

from .options import Settings
from .project import layout

LOG = logging.getLogger("flake8_django_integrity")
# Files looked at to find which project roots the linted paths belong to, per directory given.
_SAMPLE_FILES = 20
# Roots whose facts are built before the fork (one in the usual run; more is a mixed command).
_MAX_ROOTS = 3
# From this many paths on (or any directory), every fact is built before the fork.
_MANY_FILES = 20


def prepare(options, settings: Settings, load_rules) -> list[str]:
    """Before flake8 forks its workers: import the rules and build the facts; the roots
    built (none when flake8 will not fork)."""
    try:
        if not will_fork(options):
            return []
        load_rules()
    except Exception:  # never fail flake8's option parsing
        LOG.debug("flake8-django-integrity: nothing prepared before the fork", exc_info=True)
        return []
    return build_facts(options, settings)


def will_fork(options) -> bool:
    """Will flake8 run this command's files in forked worker processes?"""
    paths = [p for p in getattr(options, "filenames", None) or () if isinstance(p, str)]
    if not paths or "-" in paths:
        return False
    if len(paths) == 1 and not os.path.isdir(paths[0]):
        return False  # one file: flake8 runs it serially
    jobs = getattr(options, "jobs", None)
    try:
        count = multiprocessing.cpu_count() if getattr(jobs, "is_auto", False) \
            else int(getattr(jobs, "n_jobs", 1))
    except (NotImplementedError, TypeError, ValueError):
        return False
    if count < 2 or multiprocessing.parent_process() is not None:
        return False  # serial, or this is already a worker
    method = multiprocessing.get_start_method(allow_none=True) \
        or multiprocessing.get_context().get_start_method()
    return method == "fork"


def build_facts(options, settings: Settings) -> list[str]:
    """Build (or load from the cache) every project fact of the roots the linted paths
    belong to; the roots built, for the tests."""
    built = []
    try:
        every_fact = _many_files(options)
        for root in project_roots(options, settings)[:_MAX_ROOTS]:
            _build(root, settings, every_fact)
            built.append(root)
    except Exception:  # the workers build what is missing, as they would have anyway
        LOG.debug("flake8-django-integrity: facts not built before the fork", exc_info=True)
    gc.freeze()
    return built


def project_roots(options, settings: Settings) -> list[str]:
    """The roots the linted files will find (context.py: --dji-project-root, else each
    file's own), from the paths on the command line and a sample of the files under them."""
    if settings.project_root:
        return [settings.project_root]
    roots: list[str] = []
    for path in getattr(options, "filenames", None) or ():
        path = os.path.abspath(path)
        files = _sample(path) if os.path.isdir(path) else [path]
        for filename in files:
            root = layout.find_project_root(filename)
            if root and root not in roots:
                roots.append(root)
    return roots


def _sample(directory: str) -> list[str]:
    """The first Python files under ``directory``, the shallowest first (hidden folders
    aside); only their names are read."""
    found: list[str] = []
    level = [directory]
    while level and len(found) < _SAMPLE_FILES:
        below = []
        for folder in level:
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_file(follow_symlinks=False) and entry.name.endswith(".py"):
                    found.append(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    below.append(entry.path)
        level = below
    return found[:_SAMPLE_FILES]


def _many_files(options) -> bool:
    """A directory or many files: some file will need every fact.  A few files (pre-commit
    with ``--jobs`` left at auto) may need no migration state or function index: only the
    model index, which nearly every file asks for, is built before the fork then."""
    paths = getattr(options, "filenames", None) or ()
    return len(paths) >= _MANY_FILES or any(os.path.isdir(p) for p in paths)


def _build(root: str, settings: Settings, every_fact: bool = True) -> None:
    """The facts, asked for exactly as the rules ask (same memo keys)."""
    from .project.functions import get_functions
    from .project.index import IndexOptions, get_index
    from .project.migrations import get_migration_state

    options = IndexOptions(settings.model_bases, settings.managers, settings.exclude)
    index = get_index(root, options, cache_dir=settings.cache_dir, use_cache=settings.use_cache)
    if not every_fact:
        return
    get_migration_state(index, settings.cache_dir, settings.use_cache)
    get_functions(root, index.atomic_requests, cache_dir=settings.cache_dir,
                  use_cache=settings.use_cache, exclude=settings.exclude)
