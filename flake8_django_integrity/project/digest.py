"""BLAKE2b digests (what identifies a module's text, a cache entry's file name), from the
standard library's BLAKE2 module itself rather than through ``hashlib``: importing hashlib
loads OpenSSL, a few milliseconds of every one-file run (an editor's), which needs no other
hash.  The digests are the same either way."""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it: hashlib's BLAKE2b
    from .. import import_stdlib

    blake2b = import_stdlib("hashlib").blake2b


def hex_digest(data: bytes, size: int) -> str:
    """The BLAKE2b digest of ``data``, ``size`` bytes long, as hex."""
    return blake2b(data, digest_size=size).hexdigest()
