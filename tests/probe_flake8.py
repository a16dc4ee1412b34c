"""``python tests/probe_flake8.py ARGS``: flake8 with the plugin's rules plus the test probe
(tests/probe.py), started like ``python -m flake8``.  Forked -jN workers inherit the probe."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flake8.main.cli import main  # noqa: E402

import probe  # noqa: E402
from flake8_django_integrity.checker import Plugin  # noqa: E402

Plugin._rules = list(Plugin.rules()) + [probe.rule]

if __name__ == "__main__":
    sys.exit(main())
