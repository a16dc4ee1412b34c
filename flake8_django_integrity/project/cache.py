"""The on-disk cache of project facts, so that linting one file does not rebuild them.

One JSON file per kind of fact (``index``, ``migrations``, ...), project root and options,
in ``$XDG_CACHE_HOME/flake8-django-integrity`` (``~/.cache/...`` when unset), or the
``--dji-cache-dir`` directory.  Each file records what its facts were read from:

- files, by (mtime, ctime, size): the facts depend on their content;
- directories, by mtime and the list of ``.py`` files and packages in them: the facts depend
  on which modules exist.  A directory whose mtime moved (an editor's save-by-rename) is
  listed again and still matches if the same modules are there.

A file whose inputs all match is used; anything else (another plugin or format version,
another root or options, a changed input, a corrupt, truncated or unreadable file, data of
the wrong shape) is ignored and the facts are rebuilt.  The cache is plain JSON read by
``json.load`` and checked field by field: a crafted cache file can at worst describe a wrong
project, never make the linter import or execute anything.  Writes go to a temporary file in
the same directory then ``os.replace`` it, so parallel flake8 workers never see half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .. import __version__
from . import layout

LOG = logging.getLogger("flake8_django_integrity")
FORMAT = 1  # bump when the layout of a cache file changes
T = TypeVar("T")
_RACY_NS = 2_000_000_000  # inputs modified this close to a build are not trusted (coarse mtimes)


def default_dir() -> str | None:
    """$XDG_CACHE_HOME/flake8-django-integrity, else ~/.cache/...; None when neither is an
    absolute path (no home directory): then nothing is cached rather than written to the
    working directory.  A relative XDG_CACHE_HOME is ignored, as the XDG spec says."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "flake8-django-integrity")


def cache_path(cache_dir: str, kind: str, root: str, key: Any) -> str:
    digest = hashlib.sha256(json.dumps([kind, root, key], sort_keys=True).encode()).hexdigest()[:20]
    return os.path.join(cache_dir, f"{kind}-{digest}.json")


def fingerprint(path: str) -> list | None:
    """What is recorded of one input: ``["f", mtime_ns, ctime_ns, size]`` for a file,
    ``["d", mtime_ns, [names]]`` for a directory, None if it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if os.path.isdir(path):
        return ["d", st.st_mtime_ns, layout.walked_entries(path)]
    return ["f", st.st_mtime_ns, st.st_ctime_ns, st.st_size]


def _unchanged(path: str, recorded) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return recorded is None
    if not isinstance(recorded, list) or not recorded:
        return False
    if recorded[0] == "f":
        return recorded[1:] == [st.st_mtime_ns, st.st_ctime_ns, st.st_size]
    if recorded[0] == "d" and len(recorded) == 3:
        if recorded[1] == st.st_mtime_ns:
            return True
        return layout.walked_entries(path) == recorded[2]  # touched, but the same modules?
    return False


def load(path: str, kind: str, root: str, key: Any) -> Any | None:
    """The stored data if the file is ours and every input is unchanged, else None."""
    try:
        with open(path, encoding="utf-8") as fh:
            stored = json.load(fh)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(stored, dict):
        return None
    header = (stored.get("format"), stored.get("plugin"), stored.get("kind"), stored.get("root"))
    if header != (FORMAT, __version__, kind, root):
        return None
    if stored.get("key") != json.loads(json.dumps(key)):
        return None
    inputs = stored.get("inputs")
    if not isinstance(inputs, dict) or "data" not in stored:
        return None
    for input_path, recorded in inputs.items():
        if not _unchanged(input_path, recorded):
            return None
    return stored["data"]


def save(path: str, kind: str, root: str, key: Any, inputs: dict[str, list | None],
         data: Any) -> None:
    """Write atomically; a failure (read-only disk, no space) only costs the next run a rebuild."""
    payload = {"format": FORMAT, "plugin": __version__, "kind": kind, "root": root, "key": key,
               "inputs": inputs, "data": data}
    directory = os.path.dirname(path)
    tmp = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, separators=(",", ":"))
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError, RecursionError):
        LOG.debug("flake8-django-integrity: cannot write cache %s", path, exc_info=True)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def load_or_build(
    kind: str,
    root: str,
    build: Callable[[], T],
    inputs: Callable[[T], Iterable[str]],
    to_json: Callable[[T], Any],
    from_json: Callable[[Any], T],
    *,
    key: Any = None,
    cache_dir: str | None = None,
    enabled: bool = True,
) -> T:
    """The facts of ``kind`` for ``root``: from the cache when its inputs are unchanged, else
    ``build()`` them and store ``to_json(value)`` with the fingerprints of ``inputs(value)``
    (files and directories).  ``key`` is plain data that must match too (the options the
    facts depend on).  Never raises because of the cache."""
    cache_dir = cache_dir or default_dir()
    if not enabled or not cache_dir:
        return build()
    path = cache_path(cache_dir, kind, root, key)
    data = load(path, kind, root, key)
    if data is not None:
        try:
            return from_json(data)
        except Exception:  # malformed data of the right JSON syntax: rebuild
            LOG.debug("flake8-django-integrity: ignoring cache %s", path, exc_info=True)
    started = time.time_ns()
    value = build()
    value_inputs: dict[str, list | None] = {}
    try:
        for input_path in inputs(value):
            recorded = fingerprint(input_path)
            if recorded is not None and recorded[1] > started - _RACY_NS:
                # changed just before or during the build: the content read may not be the
                # content this mtime stands for, so this entry never matches (git's "racy" rule)
                recorded = ["racy"]
            value_inputs[input_path] = recorded
        data = to_json(value)
    except Exception:
        LOG.debug("flake8-django-integrity: cannot store %s facts", kind, exc_info=True)
        return value
    save(path, kind, root, key, value_inputs, data)
    return value


class FileStore:
    """Facts about single files, each valid while its file is unchanged (by mtime, ctime and
    size): the import tables of the modules a linted file resolves names through, which the
    index would otherwise parse again in every flake8 run.  One JSON file per kind and root,
    read on first use, written back (atomically, merged with what other processes wrote) when
    the process exits."""

    def __init__(self, kind: str, root: str, key: Any, cache_dir: str):
        self.kind, self.root, self.key = kind, root, key
        self.path = cache_path(cache_dir, kind, root, key)
        self._entries: dict | None = None
        self._new: dict[str, list] = {}
        self._registered = False

    def _load(self) -> dict:
        if self._entries is None:
            data = load(self.path, self.kind, self.root, self.key)
            self._entries = data if isinstance(data, dict) else {}
        return self._entries

    def get(self, name: str, path: str) -> Any | None:
        """The stored data for ``path`` (under ``name``) if the file is unchanged."""
        entry = self._load().get(f"{name}\0{path}")
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        return entry[1] if _unchanged(path, entry[0]) and entry[0] is not None else None

    def put(self, name: str, path: str, recorded: list | None, data: Any) -> None:
        """Remember ``data``, read from ``path`` when it had the fingerprint ``recorded``
        (taken before reading: an edit after it makes the entry stale, never wrong)."""
        if recorded is None or recorded[0] != "f" or recorded[1] > time.time_ns() - _RACY_NS:
            return
        self._new[f"{name}\0{path}"] = [recorded, data]
        if not self._registered:
            self._registered = True
            import atexit
            import sys

            atexit.register(self.flush)
            if "multiprocessing" in sys.modules:  # flake8 -jN workers end without atexit
                from multiprocessing import util

                util.Finalize(self, self.flush, exitpriority=10)

    def flush(self) -> None:
        if not self._new:
            return
        new, self._new = self._new, {}
        current = load(self.path, self.kind, self.root, self.key)
        merged = current if isinstance(current, dict) else {}
        merged.update(new)
        save(self.path, self.kind, self.root, self.key, {}, merged)
