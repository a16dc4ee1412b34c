"""flake8 plugin that finds the causes of Django's IntegrityError in the source."""

import os
import sys

__version__ = "0.1.0"

# Every standard-library module the plugin imports, anywhere (tests/test_security.py checks
# this list against the package's imports).  They are imported here, when flake8 loads the
# plugin, from the Python installation only: ``python -m flake8`` puts the working directory
# (the linted checkout) first on sys.path, and ``PYTHONPATH=<project>`` puts the project
# there, so a checkout's ``dataclasses/`` or ``hashlib.py`` would otherwise be what an
# ``import`` of the plugin runs.  (What Python and flake8 import before any plugin loads is
# beyond a plugin's reach: see the README's security section.)
STDLIB_IMPORTS = (
    "_blake2", "argparse", "ast", "atexit", "collections", "collections.abc", "configparser",
    "contextlib", "dataclasses", "fnmatch", "functools", "gc", "hashlib", "heapq", "importlib", "io",
    "itertools", "json", "logging", "operator", "os", "re", "stat", "subprocess",
    "sys", "tempfile", "time", "tokenize", "tomllib", "typing",
)
# Of those, the ones only some runs need (a file with findings reads its baseline, a command
# reads pyproject.toml): imported on first use through ``import_stdlib``, from the installation
# too.  Loading them with the plugin cost a one-file editor run several milliseconds (hashlib
# loads OpenSSL); they are never named in a plain ``import`` statement of the plugin.
ON_DEMAND = ("hashlib", "tomllib")


def _installation_path(path: list[str]) -> list[str]:
    """``path`` without the folders a linted checkout may control: the working directory
    (``''`` or its absolute path, as ``-m`` and ``-c`` add it) and PYTHONPATH's entries."""
    untrusted = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    try:
        untrusted.add(os.getcwd())
    except OSError:
        pass
    return [p for p in path if isinstance(p, str) and p and os.path.abspath(p) not in untrusted]


def _import_from_installation(names) -> None:
    missing = [name for name in names if name not in sys.modules]
    if not missing:
        return
    saved = sys.path[:]
    try:
        sys.path[:] = _installation_path(saved)
        import importlib

        for name in missing:
            try:
                importlib.import_module(name)
            except ImportError:  # an unusual installation: the plain import later decides
                pass
    finally:
        sys.path[:] = saved


def import_stdlib(name: str):
    """The standard-library module ``name`` (one of ON_DEMAND), imported from the Python
    installation as STDLIB_IMPORTS are; ImportError when the installation lacks it."""
    _import_from_installation([name])
    try:
        return sys.modules[name]
    except KeyError:
        raise ImportError(f"no module named {name!r} in the Python installation") from None


_import_from_installation([name for name in STDLIB_IMPORTS if name not in ON_DEMAND])
