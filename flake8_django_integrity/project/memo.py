"""Process-wide memo tables that stay small when one process lints many project roots.

flake8 lints one project per process, but a host that stays up (an editor's language
server, a test runner, a service that lints repository after repository) would keep every
project's index, migration state and parsed files forever.  A ``RecentMemo`` keeps the
entries most recently added and drops the oldest beyond its size; it is a plain ``dict``
otherwise, so a lookup costs what a dict lookup costs and one root never evicts anything.
"""

from __future__ import annotations

# How many project roots (with their option sets) a process keeps the facts of.
RECENT_ROOTS = 8


class RecentMemo(dict):
    """A dict holding at most ``size`` keys: adding a new key beyond that drops the oldest
    one (first added).  Only ``memo[key] = value`` adds keys (no ``setdefault``/``update``)."""

    def __init__(self, size: int, on_evict=None):
        super().__init__()
        self.size = size
        self._on_evict = on_evict

    def __setitem__(self, key, value) -> None:
        if key not in self:
            while len(self) >= self.size:
                oldest = next(iter(self))
                dropped = self.pop(oldest)
                if self._on_evict is not None:
                    try:
                        self._on_evict(dropped)
                    except Exception:  # a clean-up hook never breaks the lookup that evicted
                        pass
        super().__setitem__(key, value)

    def setdefault(self, key, default=None):  # keep the bound on every way of adding
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value
