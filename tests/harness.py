"""Run the real flake8 (plugin loaded through its entry point) and read fixture expectations.

A fixture project is a folder under tests/fixtures/ with a ``manage.py`` (its root marker) and
a ``setup.cfg`` whose ``[flake8]`` section selects DJI (and sets any option the case needs).
Every line that must be reported ends with an expectation comment::

    Tag.objects.create(name=name)  # expect: DJI003
    obj.save()  # expect: DJI001, DJI005

A line without one must not be reported.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(DJI\d{3}(?:\s*,\s*DJI\d{3})*)")
FORMAT = "%(path)s\t%(row)d\t%(code)s"


def fixture_projects() -> list[str]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "manage.py").exists())


def expected(project: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    found.add((rel, lineno, code.strip()))
    return found


def run_flake8(cwd: Path, *args: str, stdin: str | None = None, env=None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.setdefault("FLAKE8_DJI_TESTING", "1")
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "flake8", f"--format={FORMAT}", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, env=full_env, timeout=600,
    )


def findings(result: subprocess.CompletedProcess, project: Path) -> set[tuple[str, int, str]]:
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise AssertionError(f"flake8 failed ({result.returncode}):\n{result.stderr}")
    out = set()
    for line in result.stdout.splitlines():
        if not line.strip():
            continue
        path, row, code = line.split("\t")
        rel = Path(os.path.normpath(project / path) if not os.path.isabs(path) else path)
        try:
            rel_s = rel.resolve().relative_to(project.resolve()).as_posix()
        except ValueError:
            rel_s = path
        if code.startswith("DJI"):
            out.add((rel_s, int(row), code))
    return out
