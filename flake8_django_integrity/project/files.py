"""Reading a file of the linted project or of the cache: untrusted input, read defensively.

Every byte the plugin reads from disk comes through here.  A path is read only when it is a
regular file (a FIFO would block, ``/dev/zero`` would never end), only up to a size cap, and,
for the cache, never through a symbolic link.  Source is decoded the way Python decodes it
(a UTF-8 byte-order mark, a PEP 263 coding line), so an odd but valid file is not dropped.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize

# A Python module larger than this is not a hand-written models, settings or migrations file;
# reading it costs more than anything it could tell.  (The largest .py file of the fifteen
# corpus projects is under 1 MiB.)
MAX_SOURCE_BYTES = 4 * 1024 * 1024
# A cache file larger than this was not written by us for any project we could lint quickly.
MAX_CACHE_BYTES = 64 * 1024 * 1024

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_regular(path: str, limit: int, *, follow_links: bool = True) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else None.

    Opened without blocking (a FIFO opens at once and is then refused by its type), checked
    with ``fstat`` on the open descriptor (no race between the check and the read), and read
    to at most ``limit + 1`` bytes (a file that grows while read is still refused).  With
    ``follow_links=False`` a symbolic link is refused too.
    """
    flags = os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= _NOFOLLOW
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError, TypeError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def decode_source(data: bytes) -> str | None:
    """Python source bytes as text, decoded as the interpreter would (BOM, PEP 263 coding
    line, UTF-8 by default); None when they cannot be decoded."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError, ValueError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def read_source(path: str, limit: int = MAX_SOURCE_BYTES) -> str | None:
    """The text of a project's Python file; None if it is not a regular file within the size
    cap or cannot be decoded."""
    data = read_regular(path, limit)
    return decode_source(data) if data is not None else None
