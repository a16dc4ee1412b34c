import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The fixture projects hold test modules of their own (linted, never run).
collect_ignore_glob = ["fixtures/*"]
