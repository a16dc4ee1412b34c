"""Building the project's facts without Python's cyclic garbage collector running meanwhile.

A build parses hundreds of modules in a row and keeps plain data from each: millions of new
objects, each allocation counted towards the next collection.  Inside flake8 the heap already
holds flake8's and the other plugins' objects, and each full collection walks all of them:
profiled on pretix at -j1, the collections triggered while the function index was built cost
about as much CPU as the parsing itself.  Syntax trees hold no reference cycles, so pausing
the collector frees nothing later than reference counting does; it is switched back on (if
it was on) as soon as the build ends.

The facts then stay for the whole run, and every later full collection (triggered by
flake8's and the other plugins' own allocations, file after file) walked them again: on
pretix at -j1, 23 full collections over the facts cost about 5 s CPU of a 51 s run.  So when
the build ends, ``gc.freeze()`` moves every object alive then into the collector's permanent
generation: later collections skip them.  Reference counting still frees them when they are
dropped; only a reference cycle among them would outlive its last use (kept until the
process ends), and the facts are kept for the process's life anyway.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    """Run the body with the cyclic collector off, then freeze what is alive (the facts
    built) out of later collections; nested uses, or a host that turned the collector off,
    change nothing."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
