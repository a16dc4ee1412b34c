"""The on-disk cache of project facts, so that linting one file does not rebuild them.

One JSON file per kind of fact (``index``, ``migrations``, ...), project root and options,
in ``$XDG_CACHE_HOME/flake8-django-integrity`` (``~/.cache/...`` when unset), or the
``--dji-cache-dir`` directory.  Each file records what its facts were read from:

- files, by (mtime, ctime, size) and a digest of their content: the facts depend on their
  content.  A file whose times moved but whose size did not (a fresh checkout, a cache
  restored in CI, ``touch``) is read and hashed, and still matches if its content is the
  same: the times are the fast path, the content is what is checked;
- directories, by mtime and the list of ``.py`` files and packages in them: the facts depend
  on which modules exist.  A directory whose mtime moved (an editor's save-by-rename) is
  listed again and still matches if the same modules are there.

A kind whose one file a single linted file needs a small part of (the function index: a
summary per module, and the linked call graph) is stored *segmented* (``<kind>-<hash>.jsonl``,
``Segments``): a header line (the same header and inputs) then one JSON text per segment,
each decoded and checked only when asked for; a segment that fails its checks discards
the entry, and the kind answers from a rebuild.

A file whose inputs all match is used; anything else (another plugin or format version,
another root or options, a changed input, a corrupt, truncated or unreadable file, data of
the wrong shape) is ignored and the facts are rebuilt.  The cache is plain JSON read by
``json.load`` and checked field by field: a crafted cache file can at worst describe a wrong
project, never make the linter import or execute anything.  Writes go to a temporary file in
the same directory then ``os.replace`` it, so parallel flake8 workers never see half a file.

A cache file is untrusted input: anyone who can write the cache directory (a CI cache
restored from another branch, a ``dji-cache-dir`` committed in the repository) chooses what
it holds.  So it is read only when it is a regular file (no FIFO, no device, not through a
symbolic link) of at most ``files.MAX_CACHE_BYTES`` (64 MiB); its text must be ASCII JSON
whose strings escape no control or format character (so no newline or tab can reach a
message and forge a finding line); its inputs must be non-empty and under the project root
(the index also checks they are a walk of the root, so every module path it will open is
one the walk lists); and each kind of facts checks every field's type and shape when it
loads (``from_json``; names a message prints must be identifiers).  A file that fails any
check is a miss: the facts are rebuilt, never trusted in part.  Paths are never taken from
the cache to be opened: a stored module summary must name the path the index's own walk
found for its module.

Housekeeping, done when a cache file is written (never on the read path): temporary files
(``.tmp-*``) older than ``STALE_TMP_SECONDS`` (10 minutes: a write takes well under a
second, so such a file was left by a killed process) are removed; entries not used for
``EVICT_AFTER_DAYS`` (30 days; a hit refreshes a file's modification time at most once a
day) are removed; and when the entries together exceed ``MAX_TOTAL_BYTES`` (256 MiB) the
least recently used go first.  Only files named as this module names them are touched.
A cache directory that is itself a symbolic link is read but never written or trimmed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .. import __version__
from . import layout
from .digest import hex_digest
from .files import MAX_CACHE_BYTES, read_regular

LOG = logging.getLogger("flake8_django_integrity")
FORMAT = 3  # bump when the layout of a cache file changes (2: the index's fields as rows;
#   3: a file's fingerprint holds the digest of its content)
T = TypeVar("T")
_RACY_NS = 2_000_000_000  # inputs modified this close to a build are not trusted (coarse mtimes)

STALE_TMP_SECONDS = 10 * 60
EVICT_AFTER_DAYS = 30
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_TOUCH_AFTER_SECONDS = 24 * 3600  # a hit refreshes the entry's mtime (its "last used") daily
# Patterns compiled on first use (re's own cache): a run that finds nothing to check or trim
# does not pay for compiling them when the plugin loads.
_ENTRY_NAME = r"[a-z]+-[0-9a-f]{20}\.jsonl?"
_TMP_NAME = r"\.tmp-[A-Za-z0-9_]+\.json"

# What our files never hold, so a file holding it is not ours: any byte but ASCII
# (json.dump escapes everything else; strict json.loads refuses raw control characters in
# strings), and, inside strings, escapes of control characters (newline, tab, C0/C1), of
# Unicode format characters and line/paragraph separators (bidi overrides, zero-width
# characters) and of surrogates (a lone one cannot even be printed; characters beyond the
# BMP, written as surrogate pairs, are in no name a message prints).
_BAD_ESCAPE = (
    rb"(?i)\\(?:[bfnrt]|u(?:00[01][0-9a-f]|007f|00[89][0-9a-f]|00ad|061c|180e"
    rb"|200[b-f]|202[8-9a-e]|206[0-9a-f]|feff|fff[9ab]|d[89a-f][0-9a-f][0-9a-f]))"
)


def _clean_text(raw: bytes) -> bool:
    """Is a cache file's text ASCII holding no escaped control or format character?"""
    if not raw.isascii():
        return False
    if b"\\" not in raw:
        return True
    # drop escaped backslashes (pairs, left to right): each backslash left starts an escape
    return re.search(_BAD_ESCAPE, raw.replace(b"\\\\", b"")) is None


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


def cache_path(cache_dir: str, kind: str, root: str, key: Any, suffix: str = ".json") -> str:
    digest = hex_digest(json.dumps([kind, root, key], sort_keys=True).encode(), 10)
    return os.path.join(cache_dir, f"{kind}-{digest}{suffix}")


def fingerprint(path: str) -> list | None:
    """What is recorded of one input: ``["f", mtime_ns, ctime_ns, size, digest]`` for a
    file (``digest``: of its content, "" when it cannot be read), ``["d", mtime_ns,
    [names]]`` for a directory, None if it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if os.path.isdir(path):
        return ["d", st.st_mtime_ns, layout.walked_entries(path)]
    return ["f", st.st_mtime_ns, st.st_ctime_ns, st.st_size, _content_digest(path, st) or ""]


_DIGEST_BYTES = 16
# per process: (path, mtime_ns, ctime_ns, size) -> digest, so that the entries sharing an
# input (the index, the migration state, the per-file stores) hash it once
_DIGESTS: dict[tuple, str | None] = {}


def _content_digest(path: str, st: os.stat_result) -> str | None:
    """The digest of a regular file's content (at most MAX_CACHE_BYTES), else None."""
    key = (path, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    if key in _DIGESTS:
        return _DIGESTS[key]
    raw = read_regular(path, MAX_CACHE_BYTES)
    found = hex_digest(raw, _DIGEST_BYTES) if raw is not None else None
    if len(_DIGESTS) > 100_000:
        _DIGESTS.clear()
    _DIGESTS[key] = found
    return found


def _unchanged(path: str, recorded) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return recorded is None
    if not isinstance(recorded, list) or not recorded:
        return False
    if recorded[0] == "f":
        if len(recorded) != 5 or recorded[3] != st.st_size:
            return False
        if recorded[1:4] == [st.st_mtime_ns, st.st_ctime_ns, st.st_size]:
            return True
        # touched, copied or checked out again: the same content?
        digest = recorded[4]
        return bool(digest) and isinstance(digest, str) and _content_digest(path, st) == digest
    if recorded[0] == "d" and len(recorded) == 3:
        if recorded[1] == st.st_mtime_ns:
            return True
        return layout.walked_entries(path) == recorded[2]  # touched, but the same modules?
    return False


def _under(path: str, root: str) -> bool:
    """Is ``path`` the root or a normalised absolute path below it (no ``..``)?"""
    if path == root:
        return True
    prefix = root if root.endswith(os.sep) else root + os.sep
    return path.startswith(prefix) and os.path.normpath(path) == path


def read_stored(path: str, kind: str, root: str, key: Any) -> dict | None:
    """The stored object if ``path`` is one of our cache files for ``kind``, ``root`` and
    ``key``: a regular file (no link, FIFO or device) within the size cap, printable ASCII
    JSON with no escaped control or format character, with our header.  Its inputs are not
    checked here (``load`` does that)."""
    raw = read_regular(path, MAX_CACHE_BYTES, follow_links=False)
    if raw is None or not _clean_text(raw):
        return None
    try:
        stored = json.loads(raw.decode("ascii"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(stored, dict):
        return None
    header = (stored.get("format"), stored.get("plugin"), stored.get("kind"), stored.get("root"))
    if header != (FORMAT, __version__, kind, root):
        return None
    if stored.get("key") != json.loads(json.dumps(key)) or "data" not in stored:
        return None
    return stored


def load(path: str, kind: str, root: str, key: Any,
         accept: Callable[[dict, Any], bool] | None = None) -> Any | None:
    """The stored data if the file is ours and every input is unchanged, else None.

    The inputs must be a non-empty map of paths under ``root`` (an entry that depends on
    nothing would match any project) and ``accept(inputs, data)``, if given, must hold: the
    kind's own test that the inputs are what it reads (``index`` checks they are a walk of
    the root)."""
    stored = read_stored(path, kind, root, key)
    if stored is None:
        return None
    if not _inputs_hold(path, stored.get("inputs"), root, accept, stored["data"]):
        return None
    _mark_used(path)
    return stored["data"]


def _inputs_hold(path: str, inputs, root: str, accept, data) -> bool:
    """A stored entry's inputs: a non-empty map of paths under ``root`` that ``accept``
    takes, each unchanged since the entry was written."""
    if not isinstance(inputs, dict) or not inputs:
        return False
    for input_path in inputs:
        if not (isinstance(input_path, str) and _under(input_path, root)):
            return False
    if accept is not None:
        try:
            if not accept(inputs, data):
                return False
        except Exception:  # a shape the test did not expect: not ours
            LOG.debug("flake8-django-integrity: ignoring cache %s", path, exc_info=True)
            return False
    for input_path, recorded in inputs.items():
        if not _unchanged(input_path, recorded):
            return False
    return True


def _mark_used(path: str) -> None:
    """Refresh a hit entry's mtime (what eviction reads as "last used"), at most once a day,
    so that the read path writes nothing in the common case."""
    try:
        st = os.stat(path, follow_symlinks=False)
        now = time.time()
        if stat.S_ISREG(st.st_mode) and now - st.st_mtime > _TOUCH_AFTER_SECONDS:
            os.utime(path, (now, now), follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass


def _writable_dir(directory: str) -> bool:
    """Create the cache directory if needed; False when it is not a real directory (a file,
    a FIFO, a symbolic link planted in its place) or cannot be made."""
    try:
        os.makedirs(directory, exist_ok=True)
        return stat.S_ISDIR(os.lstat(directory).st_mode)
    except (OSError, ValueError):
        return False


def save(path: str, kind: str, root: str, key: Any, inputs: dict[str, list | None],
         data: Any) -> None:
    """Write atomically; a failure (read-only disk, no space) only costs the next run a rebuild.

    The new file is created by ``mkstemp`` (a fresh name, ``O_EXCL``: never through a link)
    and renamed over ``path``: a symbolic link planted at ``path`` is replaced, not written
    through.  Then the directory is trimmed (``trim``)."""
    payload = {"format": FORMAT, "plugin": __version__, "kind": kind, "root": root, "key": key,
               "inputs": inputs, "data": data}
    directory = os.path.dirname(path)
    if not _writable_dir(directory):
        LOG.debug("flake8-django-integrity: not a cache directory: %s", directory)
        return
    tmp = None
    try:
        text = json.dumps(payload, separators=(",", ":"))  # ASCII: non-ASCII is escaped
        if not _clean_text(text.encode("ascii")):
            return  # text no cache file may hold (a newline in a name): it would never be read
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
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
    trim(directory, keep=path)


def trim(directory: str, keep: str | None = None, now: float | None = None) -> None:
    """Remove stale temporary files and evict old entries (see the module's docstring).

    Only names this module writes are considered (``kind-<20 hex>.json``, ``.tmp-*.json``),
    read with ``lstat`` (a link is removed as a link, never followed).  Never raises."""
    now = time.time() if now is None else now
    entries = []
    try:
        with os.scandir(directory) as it:
            for entry in it:
                name = entry.name
                is_tmp = re.fullmatch(_TMP_NAME, name) is not None
                if not is_tmp and re.fullmatch(_ENTRY_NAME, name) is None:
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if is_tmp:
                    if now - st.st_mtime > STALE_TMP_SECONDS:
                        _remove(entry.path)
                elif now - st.st_mtime > EVICT_AFTER_DAYS * 86400 or not stat.S_ISREG(st.st_mode):
                    if entry.path != keep:
                        _remove(entry.path)
                else:
                    entries.append((st.st_mtime, st.st_size, entry.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    if total <= MAX_TOTAL_BYTES:
        return
    for _, size, entry_path in sorted(entries):  # least recently used first
        if total <= MAX_TOTAL_BYTES:
            break
        if entry_path != keep:
            _remove(entry_path)
            total -= size


def _remove(path: str) -> None:
    try:
        os.unlink(path)
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
    accept: Callable[[dict, Any], bool] | None = None,
) -> T:
    """The facts of ``kind`` for ``root``: from the cache when its inputs are unchanged, else
    ``build()`` them and store ``to_json(value)`` with the fingerprints of ``inputs(value)``
    (files and directories).  ``key`` is plain data that must match too (the options the
    facts depend on).  ``accept(inputs, data)``: the kind's own test of a stored entry's
    inputs (see ``load``).  Never raises because of the cache."""
    cache_dir = cache_dir or default_dir()
    if not enabled or not cache_dir:
        return build()
    path = cache_path(cache_dir, kind, root, key)
    return _stored_or_built(
        path, kind, load(path, kind, root, key, accept), from_json, build, inputs, to_json,
        lambda value_inputs, data: save(path, kind, root, key, value_inputs, data))


def _stored_or_built(path: str, kind: str, stored: Any, decode: Callable[[Any], T],
                     build: Callable[[], T], inputs: Callable[[T], Iterable[str]],
                     encode: Callable[[T], Any], write: Callable[[dict, Any], None]) -> T:
    """The value ``decode(stored)`` when an entry was read and decodes, else ``build()``,
    stored by ``write`` with the fingerprints of its inputs taken from before the build."""
    if stored is not None:
        try:
            return decode(stored)
        except Exception:  # malformed data of the right JSON syntax, a bad segment: rebuild
            LOG.debug("flake8-django-integrity: ignoring cache %s", path, exc_info=True)
    started = time.time_ns()
    value = build()
    try:
        value_inputs = _fingerprints(inputs(value), started)
        data = encode(value)
    except Exception:
        LOG.debug("flake8-django-integrity: cannot store %s facts", kind, exc_info=True)
        return value
    write(value_inputs, data)
    return value


def _fingerprints(paths: Iterable[str], started: int) -> dict[str, list | None]:
    """The fingerprint of each input of a build that started at ``started`` (ns)."""
    value_inputs: dict[str, list | None] = {}
    for input_path in paths:
        recorded = fingerprint(input_path)
        if recorded is not None and recorded[1] > started - _RACY_NS:
            # changed just before or during the build: the content read may not be the
            # content this mtime stands for, so this entry never matches (git's "racy" rule)
            recorded = ["racy"]
        value_inputs[input_path] = recorded
    return value_inputs


# ---------------------------------------------------------------------- segmented entries
SEGMENTED = ".jsonl"  # the suffix of a segmented entry's file


class Segments:
    """A segmented entry as read: its header's ``data`` and its named segments, each decoded
    (and its text checked) on first use only.

    The file is JSON lines: the header (format, plugin, kind, root, key, inputs, ``data``
    and ``segments``: ``[name, offset, length]`` of each segment in the bytes that follow
    the header's line), then one JSON text per line.  A large kind of facts that one file
    needs a small part of (the function index: one summary per module) is read without
    decoding the rest.  A segment whose text or JSON is bad raises ``Malformed`` when it is
    asked for: the caller treats the entry as a miss (``discard`` it and rebuild)."""

    def __init__(self, path: str, raw: bytes, body: int, table: dict[str, tuple[int, int]],
                 data: Any):
        self.path = path
        self._raw = raw
        self._body = body
        self._table = table
        self.data = data
        self.decoded = 0  # how many segments were decoded (a count the benchmarks print)
        self.decoded_bytes = 0
        self.header: dict = {}

    @property
    def names(self) -> list[str]:
        """The segment names, in the order they were stored."""
        return list(self._table)

    def __contains__(self, name: str) -> bool:
        return name in self._table

    def get(self, name: str) -> Any:
        """The decoded segment ``name`` (KeyError when there is none; Malformed when its text
        is not what this module writes)."""
        offset, length = self._table[name]
        start = self._body + offset
        text = self._raw[start:start + length]
        if not _clean_text(text):
            raise Malformed(f"segment {name!r}: text no cache file holds")
        try:
            value = json.loads(text.decode("ascii"))
        except (ValueError, RecursionError) as exc:
            raise Malformed(f"segment {name!r}: {exc}") from None
        self.decoded += 1
        self.decoded_bytes += length
        return value

    def mentions(self, name: str, needle: bytes) -> bool:
        """Does the stored text of segment ``name`` hold ``needle``?  Read as bytes, neither
        decoded nor checked: a segment whose text lacks ``"key"`` holds no such key (a
        question that reads one key of every segment decodes only those that have it)."""
        offset, length = self._table[name]
        start = self._body + offset
        return self._raw.find(needle, start, start + length) >= 0


class Malformed(ValueError):
    """A stored segment that this module could not have written."""


def read_segments(path: str, kind: str, root: str, key: Any,
                  accept: Callable[[dict, Any], bool] | None = None) -> Segments | None:
    """A segmented entry for ``kind``, ``root`` and ``key`` whose inputs are unchanged (the
    same checks as ``load``: a regular file within the size cap, a clean header, inputs under
    the root), its segments not yet decoded; else None."""
    raw = read_regular(path, MAX_CACHE_BYTES, follow_links=False)
    if raw is None:
        return None
    end = raw.find(b"\n")
    if end < 0 or not _clean_text(raw[:end]):
        return None
    try:
        header = json.loads(raw[:end].decode("ascii"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(header, dict):
        return None
    if (header.get("format"), header.get("plugin"), header.get("kind"), header.get("root")) \
            != (FORMAT, __version__, kind, root):
        return None
    if header.get("key") != json.loads(json.dumps(key)) or "data" not in header:
        return None
    body = end + 1
    size = len(raw) - body
    table: dict[str, tuple[int, int]] = {}
    entries = header.get("segments")
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and type(entry[1]) is int and type(entry[2]) is int
                and 0 <= entry[1] and 0 <= entry[2] and entry[1] + entry[2] <= size
                and entry[0] not in table):
            return None
        table[entry[0]] = (entry[1], entry[2])
    segments = Segments(path, raw, body, table, header["data"])
    segments.header = header
    if not _inputs_hold(path, header.get("inputs"), root, accept, segments):
        return None
    _mark_used(path)
    return segments


def save_segments(path: str, kind: str, root: str, key: Any, inputs: dict[str, list | None],
                  segments: dict[str, Any], data: Any = None) -> None:
    """Write a segmented entry (see ``Segments``) atomically, as ``save`` writes a plain one."""
    directory = os.path.dirname(path)
    if not _writable_dir(directory):
        LOG.debug("flake8-django-integrity: not a cache directory: %s", directory)
        return
    tmp = None
    try:
        texts, table, offset = [], [], 0
        for name, value in segments.items():
            text = json.dumps(value, separators=(",", ":")).encode("ascii")
            if not _clean_text(text):
                return  # as in save(): text that would never be read back
            texts.append(text)
            table.append([name, offset, len(text)])
            offset += len(text) + 1
        header = json.dumps({"format": FORMAT, "plugin": __version__, "kind": kind, "root": root,
                             "key": key, "inputs": inputs, "data": data, "segments": table},
                            separators=(",", ":")).encode("ascii")
        if not _clean_text(header):
            return
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + b"\n")
            fh.write(b"\n".join(texts))
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError, RecursionError):
        LOG.debug("flake8-django-integrity: cannot write cache %s", path, exc_info=True)
    finally:
        if tmp is not None:
            _remove(tmp)
    trim(directory, keep=path)


def add_segment(segments: Segments, name: str, value: Any) -> bool:
    """Store one more segment in the entry ``segments`` was read from (a fact derived from
    its other segments, computed by a later run), if the file still holds exactly what was
    read: an entry another process replaced meanwhile is left alone.  The header (inputs
    and all) is kept, so the entry stays valid exactly as long as it was.  Never raises."""
    path = segments.path
    try:
        if name in segments or read_regular(path, MAX_CACHE_BYTES, follow_links=False) \
                != segments._raw:
            return False
        text = json.dumps(value, separators=(",", ":")).encode("ascii")
        if not _clean_text(text):
            return False
        body = segments._raw[segments._body:]
        header = dict(segments.header)
        header["segments"] = [*header["segments"], [name, len(body) + 1, len(text)]]
        head = json.dumps(header, separators=(",", ":")).encode("ascii")
        if not _clean_text(head):
            return False
        directory = os.path.dirname(path)
        if not _writable_dir(directory):
            return False
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(head + b"\n" + body + b"\n" + text)
            os.replace(tmp, path)
        except OSError:
            _remove(tmp)
            raise
        return True
    except (OSError, TypeError, ValueError, RecursionError):
        LOG.debug("flake8-django-integrity: cannot add to cache %s", path, exc_info=True)
        return False


def discard(path: str) -> None:
    """Remove an entry found bad after it was first read (a segment that fails its checks):
    the next run rebuilds it instead of meeting the same segment again."""
    if re.fullmatch(_ENTRY_NAME, os.path.basename(path)):
        _remove(path)


def load_or_build_segments(
    kind: str,
    root: str,
    build: Callable[[], T],
    inputs: Callable[[T], Iterable[str]],
    to_segments: Callable[[T], dict[str, Any]],
    from_segments: Callable[[Segments], T],
    *,
    key: Any = None,
    cache_dir: str | None = None,
    enabled: bool = True,
) -> T:
    """``load_or_build`` for a segmented entry: ``from_segments`` gets the entry read but
    not decoded, and decodes the segments it needs."""
    cache_dir = cache_dir or default_dir()
    if not enabled or not cache_dir:
        return build()
    path = cache_path(cache_dir, kind, root, key, SEGMENTED)
    return _stored_or_built(
        path, kind, read_segments(path, kind, root, key), from_segments, build, inputs,
        to_segments,
        lambda value_inputs, segments: save_segments(path, kind, root, key, value_inputs, segments))


class FileStore:
    """Facts about single files, each valid while its file is unchanged (by mtime, ctime and
    size): the import tables of the modules a linted file resolves names through, which the
    index would otherwise parse again in every flake8 run.  One JSON file per kind and root,
    read on first use, written back (atomically, merged with what other processes wrote) when
    the process exits.  The file has no inputs of its own: each entry carries its file's
    fingerprint, and is used only for a file under the root that still has it (the caller
    also checks the data names the path it asked for)."""

    def __init__(self, kind: str, root: str, key: Any, cache_dir: str):
        self.kind, self.root, self.key = kind, root, key
        self.path = cache_path(cache_dir, kind, root, key)
        self._entries: dict | None = None
        self._new: dict[str, list] = {}
        self._registered = False

    def _read(self) -> dict:
        stored = read_stored(self.path, self.kind, self.root, self.key)
        data = stored["data"] if stored is not None else None
        return data if isinstance(data, dict) else {}

    def _load(self) -> dict:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def get(self, name: str, path: str) -> Any | None:
        """The stored data for ``path`` (under ``name``) if the file is unchanged."""
        entry = self._load().get(_store_key(name, path))
        if not (isinstance(entry, list) and len(entry) == 2 and _is_file_fingerprint(entry[0])):
            return None
        if not _under(path, self.root) or not _unchanged(path, entry[0]):
            return None
        return entry[1]

    def put(self, name: str, path: str, recorded: list | None, data: Any) -> None:
        """Remember ``data``, read from ``path`` when it had the fingerprint ``recorded``
        (taken before reading: an edit after it makes the entry stale, never wrong)."""
        if recorded is None or recorded[0] != "f" or recorded[1] > time.time_ns() - _RACY_NS:
            return
        self._new[_store_key(name, path)] = [recorded, data]
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
        merged = self._read()
        merged.update(new)
        save(self.path, self.kind, self.root, self.key, {}, merged)

    def close(self) -> None:
        """Write what is new and let go of what was read (the owner is no longer used)."""
        self.flush()
        self._entries = None
        if self._registered:
            import atexit

            atexit.unregister(self.flush)  # nothing left to write: no hook per closed store
            self._registered = False


def _store_key(name: str, path: str) -> str:
    """An entry's key: printable (a NUL would be an escaped control character, which no
    cache file may hold); the entry's data names its module and path again, and the caller
    checks both, so keys need not be unambiguous."""
    return f"{name}|{path}"


def _is_file_fingerprint(recorded) -> bool:
    return (
        isinstance(recorded, list) and len(recorded) == 5 and recorded[0] == "f"
        and all(type(v) is int for v in recorded[1:4]) and type(recorded[4]) is str
    )
