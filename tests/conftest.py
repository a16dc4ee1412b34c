import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The fixture projects hold test modules of their own (linted, never run).
collect_ignore_glob = ["fixtures/*"]

# The plugin's on-disk cache goes to $XDG_CACHE_HOME: keep the tests' (and the flake8 processes
# they start) out of the user's cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="dji-test-cache-")
