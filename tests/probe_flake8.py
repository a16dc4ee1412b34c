"""``python tests/probe_flake8.py ARGS``: flake8 with the plugin's rules plus the test probe
(tests/probe.py), started like ``python -m flake8``.  Forked -jN workers inherit the probe."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flake8.main.cli import main  # noqa: E402

import probe  # noqa: E402
from flake8_django_integrity.checker import Plugin  # noqa: E402

# DJI_PROBE=light: only the rule-like light probe (benchmarks); default: the full probe (tests)
Plugin._rules = list(Plugin.rules()) + [
    probe.light_rule if os.environ.get("DJI_PROBE") == "light" else probe.rule
]

if __name__ == "__main__":
    sys.exit(main())
