"""Every fixture project, linted whole by the real flake8: exactly the expected findings."""

from __future__ import annotations

import pytest

from harness import FIXTURES, expected, findings, fixture_projects, run_flake8


@pytest.mark.parametrize("name", fixture_projects())
def test_fixture_project(name):
    project = FIXTURES / name
    want = expected(project)
    got = findings(run_flake8(project, "-j1", "."), project)
    missing = sorted(want - got)
    unexpected = sorted(got - want)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
