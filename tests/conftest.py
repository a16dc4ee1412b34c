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
