"""How the suite stays short (the README's ``pytest`` runs on two cores in a few minutes).

Most of the suite's time is flake8 runs on fixture projects.  When you add a test:

- Run flake8 through ``harness.run_flake8`` (or ``forked_python.run`` for another command):
  the run is forked from a warm interpreter that has imported flake8 and the plugin and
  found flake8's plugins once, and a run selecting only DJI codes skips pyflakes and
  pycodestyle (tests/forked_python.py says exactly what is shared).  Use ``subprocess``
  itself only where a new interpreter is the point (resource limits, the installed
  entry points of another package, pre-commit); test_harness.py proves forked runs answer
  as new interpreters do.
- ``run_flake8`` shares a run between the tests that make the same one on a project of
  tests/fixtures/ or tests/projects/ (same folder, arguments, stdin, environment, files and
  cache): read-only tests of a fixture project get it for free.
- State that is expensive and only read (a project copy, a cache filled by a cold run, a
  whole-tree run to compare with) goes in a ``scope="session"`` fixture (one per test
  process), and a test that changes it gets a copy (see ``copies`` and ``filled_cache`` in
  test_same_answer.py, ``linted_once`` in test_hostile_cache.py).
- A single test that takes seconds of CPU (a corpus-sized walk, a fuzz budget, a fixture
  edited file by file) is marked ``@pytest.mark.long``: long tests run first, so that the
  other test process finishes the short ones meanwhile instead of waiting on a long one at
  the end (pytest-xdist cannot split one test).
- The fuzz tests draw a short budget by default; ``--fuzz-long`` (CI, .ci/run) the long one.

``pytest --durations=30`` shows what to look at first.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The fixture projects hold test modules of their own (linted, never run).
collect_ignore_glob = ["fixtures/*"]

# The plugin's on-disk cache goes to $XDG_CACHE_HOME: keep the tests' (and the flake8 processes
# they start) out of the user's cache.  Every test process (each pytest-xdist worker imports
# this file) gets a folder of its own, so a run that expects a cold default cache is not warmed
# by another process's tests; removed when the process ends.
_CACHE_HOME = tempfile.mkdtemp(prefix="dji-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME
atexit.register(shutil.rmtree, _CACHE_HOME, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="give the fuzz tests their long budget (CI runs it; minutes)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "long: a test that takes seconds of CPU on its own; run first (see above)")


def pytest_collection_modifyitems(config, items):
    """Long tests first, each group in the order collected (so a module's tests stay
    together and module fixtures are made once)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
