"""``python -m flake8_django_integrity rule [CODE]``: the doc pages at the terminal, read from
the installed package."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent
PAGES = REPO / "flake8_django_integrity" / "docs" / "rules"
CODES = [f"DJI00{n}" for n in range(0, 10)]
ADDED = {"DJI000": "0.2.0"}  # every other code: 0.1.0


def run(*args: str, cwd: Path, pythonpath: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([sys.executable, "-m", "flake8_django_integrity", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def test_every_code_has_a_page_with_name_version_and_known_limits():
    from flake8_django_integrity.messages import MESSAGES

    assert sorted(p.stem for p in PAGES.glob("*.md")) == sorted(MESSAGES) == CODES
    names = set()
    for code in CODES:
        text = (PAGES / f"{code}.md").read_text(encoding="utf-8")
        assert text.startswith(f"# {code}: ")
        header = re.search(r"^Name: `([a-z0-9]+(?:-[a-z0-9]+)+)` · Added in: (\S+)$", text, re.M)
        assert header and header.group(2) == ADDED.get(code, "0.1.0"), code
        names.add(header.group(1))
        limits = text.split("\n## Known limits\n", 1)
        assert len(limits) == 2, f"{code} has no Known limits section"
        section = limits[1].split("\n## ", 1)[0]
        assert re.search(r"^- \S", section, re.M), f"{code}: Known limits lists nothing"
    assert len(names) == len(CODES)  # short names are distinct


def test_rule_prints_the_page(tmp_path):
    out = run("rule", "DJI003", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == (PAGES / "DJI003.md").read_text(encoding="utf-8")
    assert run("rule", "dji003", cwd=tmp_path).stdout == out.stdout  # codes as users type them


@pytest.mark.parametrize("code", ["DJI010", "E501", "../DJI003", "DJI00"])
def test_rule_with_an_unknown_code_fails_with_one_line(tmp_path, code):
    out = run("rule", code, cwd=tmp_path)
    assert out.returncode != 0
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "unknown code" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("args", [("rule",), ("rule", "--all")])
def test_rule_without_a_code_lists_codes_with_short_names(tmp_path, args):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == CODES
    assert lines[CODES.index("DJI003")].split()[1] == "check-then-insert"
    for line in lines:
        code, name = line.split()[:2]
        assert f"Name: `{name}`" in (PAGES / f"{code}.md").read_text(encoding="utf-8")


def test_pages_ship_in_a_non_editable_install(tmp_path):
    """Build the wheel as ``pip install .`` would, install it into a folder away from the
    checkout, and read a page through the installed package."""
    source = tmp_path / "source"  # a clean copy: no stale build/ of the checkout gets in
    shutil.copytree(REPO / "flake8_django_integrity", source / "flake8_django_integrity",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(source)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.startswith("flake8_django_integrity/docs/")}
        assert shipped == {f"flake8_django_integrity/docs/rules/{c}.md" for c in CODES}
        archive.extractall(tmp_path / "site")
    out = run("rule", "DJI007", cwd=tmp_path, pythonpath=tmp_path / "site")
    assert out.returncode == 0, out.stderr
    assert out.stdout == (PAGES / "DJI007.md").read_text(encoding="utf-8")
    listed = run("rule", cwd=tmp_path, pythonpath=tmp_path / "site")
    assert len(listed.stdout.splitlines()) == len(CODES)
