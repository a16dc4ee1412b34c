"""The README's first command lints examples/: its output must show every shipped code."""

from __future__ import annotations

from pathlib import Path

from flake8_django_integrity.messages import MESSAGES

from harness import run_flake8

REPO = Path(__file__).resolve().parent.parent


def test_example_project_shows_every_code():
    result = run_flake8(REPO, "--isolated", "--select=DJI", "examples/")
    assert result.returncode == 1, result.stderr
    codes = {line.split("\t")[2] for line in result.stdout.splitlines() if line.strip()}
    assert codes == set(MESSAGES) - {"DJI000"}  # DJI000: the plugin could check everything
    # one finding per commented line of the example, no more
    assert len(result.stdout.splitlines()) == 11
