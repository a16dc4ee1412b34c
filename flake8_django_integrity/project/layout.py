"""Where the project is and what its modules are called, from the file system alone."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat

ROOT_MARKERS = ("manage.py", "pyproject.toml", "setup.cfg", "setup.py", ".git")
# Directories that never hold the project's own code.
SKIP_DIRS = frozenset(
    {
        "__pycache__", "node_modules", "site-packages", "dist-packages", "build", "dist",
        ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".hypothesis", ".eggs", "htmlcov", "static",
        "staticfiles", "media", "templates", "locale", "docs",
    }
)


# flake8's own default ``--exclude``: what the ``models`` command skips when no config says more.
DEFAULT_EXCLUDE = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "*.egg")


def find_project_root(filename: str) -> str | None:
    """The directory that holds the project of ``filename``.

    The nearest ancestor holding a root marker (manage.py, pyproject.toml, setup.cfg,
    setup.py, .git); failing that, the parent of the outermost package that contains the
    file (through at most two folders without ``__init__.py`` between the file and it).  None for a file that is in no package and under no marker.
    """
    return _root_of_directory(os.path.dirname(os.path.abspath(filename)))


@functools.lru_cache(maxsize=1024)
def _root_of_directory(directory: str) -> str | None:
    current = directory
    while True:
        for marker in ROOT_MARKERS:
            if os.path.exists(os.path.join(current, marker)):
                return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    top = outermost_package(directory)
    # a folder without __init__.py inside a package (``pkg/plays/x.py``, an implicit namespace
    # portion that imports as ``pkg.plays.x``): the package above it holds the project
    current = directory
    for _ in range(_NAMESPACE_LEVELS):
        if top is not None:
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
        top = outermost_package(current)
    if top is None:
        return None
    return os.path.dirname(top)


_NAMESPACE_LEVELS = 2  # how many folders without __init__.py may sit between a file and its package


@functools.lru_cache(maxsize=1024)
def outermost_package(directory: str) -> str | None:
    """The outermost directory above (or at) ``directory`` in an unbroken __init__.py chain.
    Remembered per directory, as the project root is (``_root_of_directory``): a run names
    every module from it, several times over (the index, the function index, each linted
    file), and pretix's 994 files sit in 79 directories."""
    top = None
    current = directory
    while os.path.isfile(os.path.join(current, "__init__.py")):
        top = current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return top


def module_name(path: str, root: str) -> tuple[str, bool]:
    """(dotted module name, is_package) for a file of the project.

    Named from the outermost package that holds it, so ``src/`` layouts and apps nested
    in non-package folders get the names their imports use; a loose file is named relative
    to the project root.
    """
    path = os.path.abspath(path)
    directory, base = os.path.split(path)
    stem = base[:-3] if base.endswith(".py") else base
    is_package = stem == "__init__"
    top = outermost_package(directory)
    if top is not None:
        start = os.path.dirname(top)
    elif root and (directory + os.sep).startswith(root.rstrip(os.sep) + os.sep):
        start = root  # folders without __init__.py under the root: namespace packages
    else:
        start = directory
    rel = os.path.relpath(directory, start)
    parts = [] if rel == "." else rel.split(os.sep)
    if not is_package:
        parts.append(stem)
    return ".".join(p for p in parts if p and p != ".."), is_package


def iter_python_files(root: str, dirs_seen: set[str] | None = None,
                      exclude: tuple[str, ...] = ()):
    """Every .py file of the project, skipping virtualenvs, caches, vendored trees and what
    flake8's ``exclude`` / ``extend-exclude`` patterns (``exclude``) match.

    Directory links are not entered (no walk out of the root, no cycle), as flake8's own
    discovery does not enter them.  Only names are listed here: a FIFO or device named
    ``*.py`` is yielded and then refused by the reader (project/files.py) without blocking.
    ``dirs_seen`` collects every directory walked (the on-disk cache watches them for new,
    renamed or removed modules)."""
    excluded = exclude_matcher(tuple(exclude))
    for directory, dirs, files in os.walk(root):
        if dirs_seen is not None:
            dirs_seen.add(directory)
        dirs[:] = sorted(
            d for d in dirs
            if _walked_dir(directory, d) and not (excluded and excluded(os.path.join(directory, d)))
        )
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                if not (excluded and excluded(path)):
                    yield path


@functools.lru_cache(maxsize=32)
def exclude_matcher(patterns: tuple[str, ...]):
    """A test ``path -> excluded?`` that matches flake8's: a pattern (fnmatch syntax) matches
    the path's base name or its absolute path; None when there are no patterns."""
    patterns = tuple(p for p in patterns if isinstance(p, str) and p)
    if not patterns:
        return None
    match = re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in patterns)).match

    def excluded(path: str) -> bool:
        base = os.path.basename(path)
        if base not in (".", "..") and match(os.path.normcase(base)):
            return True
        return match(os.path.normcase(os.path.abspath(path))) is not None

    return excluded


def is_real_dir(path: str) -> bool:
    """A directory that is not reached through a symbolic link at its last component."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _walked_dir(directory: str, name: str) -> bool:
    return (
        name not in SKIP_DIRS
        and not name.startswith(".")
        and not os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))
    )


def walked_entries(directory: str) -> list[str] | None:
    """What the walk sees of one directory: its .py files and the subdirectories it enters
    (names, sorted); None if the directory cannot be listed."""
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except OSError:
        return None
    names = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if _walked_dir(directory, entry.name):
                names.append(entry.name + "/")
        elif entry.name.endswith(".py"):
            names.append(entry.name)
    return sorted(names)


def is_test_path(path: str) -> bool:
    """A test module: test_*.py, tests_*.py (Django's runner finds ``test*.py``), *_test(s).py,
    tests.py, conftest.py, or under a tests/ folder."""
    parts = os.path.normpath(path).split(os.sep)
    name = parts[-1]
    if name in ("tests.py", "test.py", "conftest.py") or name.startswith(("test_", "tests_")):
        return True
    if name.endswith(("_test.py", "_tests.py")):
        return True
    return any(p in ("tests", "test", "testing") for p in parts[:-1])


def is_migration_path(path: str) -> bool:
    parts = os.path.normpath(path).split(os.sep)
    return len(parts) >= 2 and parts[-2] == "migrations" and parts[-1] != "__init__.py"


def is_models_path(path: str) -> bool:
    parts = os.path.normpath(path).split(os.sep)
    return parts[-1] == "models.py" or "models" in parts[:-1]
