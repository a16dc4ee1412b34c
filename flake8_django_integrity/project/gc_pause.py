"""Building the project's facts without Python's cyclic garbage collector running meanwhile.

A build parses hundreds of modules in a row and keeps plain data from each: millions of new
objects, each allocation counted towards the next collection.  Inside flake8 the heap already
holds flake8's and the other plugins' objects, and each full collection walks all of them:
profiled on pretix at -j1, the collections triggered while the function index was built cost
about as much CPU as the parsing itself.  Syntax trees hold no reference cycles, so pausing
the collector frees nothing later than reference counting does; it is switched back on (if
it was on) as soon as the build ends, and whatever cycles the build left are collected then.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    """Run the body with the cyclic collector off; nested uses are no-ops."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
