"""A file's findings are the same wherever and however flake8 is run on it: alone by path,
from stdin with --stdin-display-name, inside the whole-tree run, with -j1 or -j2, from the
project root or a subdirectory, with a cold cache, a warm one, a corrupt one or none.

Runs over every fixture project (tests/fixtures/, the rules' cases) and the test project
tests/projects/shop, through the real flake8 with the plugin's rules plus the test probe
(tests/probe.py), whose findings carry the index's facts, so that a difference in what the
project index answers shows even where no rule fires.

Each test process copies a project once; the whole-tree run every test compares with, and
the cache that the corrupt-cache tests damage, are made once per project and process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import forked_python
from harness import FIXTURES, fixture_projects

HERE = Path(__file__).parent
REPO = HERE.parent
PROBE = HERE / "probe_flake8.py"
FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"
PROJECTS = [HERE / "projects" / "shop"] + [FIXTURES / name for name in fixture_projects()]


def flake8(project: Path, cwd: Path, *args: str, cache: Path | None, stdin: str | None = None):
    """(file relative to the project, row, col, code, text) of every DJI finding."""
    options = ["--select=DJI", f"--format={FORMAT}"]
    options += [f"--dji-cache-dir={cache}"] if cache else ["--dji-no-cache"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = forked_python.run([str(PROBE), *options, *args], cwd=cwd, input=stdin, env=env,
                               timeout=600)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, col, code, text = line.split("\t", 4)
        rel = os.path.relpath(os.path.normpath(os.path.join(cwd, path)), project)
        found.add((Path(rel).as_posix(), int(row), int(col), code, text))
    return found


def python_files(project: Path) -> list[str]:
    return sorted(p.relative_to(project).as_posix() for p in project.rglob("*.py"))


def only(findings, rel: str):
    return {f for f in findings if f[0] == rel}


@pytest.fixture(scope="session")
def copies(tmp_path_factory):
    """One copy of each project per test process (the cache keys on its path), dated back a
    minute.  The tests below only read it, and each keeps its cache in a folder of its own."""
    from test_cache import age

    made = {}

    def copy(source: Path) -> Path:
        if source not in made:
            made[source] = tmp_path_factory.mktemp("project") / source.name
            shutil.copytree(source, made[source])
            age(made[source])
        return made[source]

    return copy


@pytest.fixture(params=PROJECTS, ids=lambda p: p.name)
def project(request, copies):
    return copies(request.param)


@pytest.fixture(scope="session")
def session_runs():
    """Runs made once per project and test process, shared by the tests that need them."""
    return {}


@pytest.fixture
def whole(project, session_runs, tmp_path_factory):
    """The whole-tree run (-j1, a cold cache of its own)."""
    if ("whole", project) not in session_runs:
        cache = tmp_path_factory.mktemp("whole-cache")
        session_runs["whole", project] = flake8(project, project, "-j1", ".", cache=cache)
    return session_runs["whole", project]


@pytest.fixture
def filled_cache(project, session_runs, tmp_path_factory, tmp_path):
    """A cache folder as a whole-tree run (default jobs) leaves it: filled once per project and
    test process, a copy for each test."""
    if ("filled", project) not in session_runs:
        filled = tmp_path_factory.mktemp("filled-cache")
        flake8(project, project, ".", cache=filled)
        session_runs["filled", project] = filled
    cache = tmp_path / "cache"
    shutil.copytree(session_runs["filled", project], cache)
    return cache


def test_the_probe_sees_cross_file_facts():
    """On the test project the comparisons below compare something."""
    shop = HERE / "projects" / "shop"
    got = flake8(shop, shop, "orders/services.py", cache=None)
    assert ("orders/services.py", 15, 5, "DJI991", "Item.objects -> store.Product ['create']") in got


def test_each_file_alone_by_path(project, whole, tmp_path):
    for rel in python_files(project):
        alone = flake8(project, project, rel, cache=tmp_path / "cache")
        assert alone == only(whole, rel), rel


def test_each_file_from_stdin(project, whole, tmp_path):
    for rel in python_files(project):
        source = (project / rel).read_text(encoding="utf-8")
        got = flake8(project, project, f"--stdin-display-name={rel}", "-", cache=tmp_path / "cache",
                     stdin=source)
        assert got == only(whole, rel), rel


def test_j1_equals_j2(project, whole, tmp_path):
    assert flake8(project, project, "-j2", ".", cache=tmp_path / "cache-j2") == whole


def test_from_a_subdirectory(project, whole, tmp_path):
    subdirs = sorted({Path(rel).parent for rel in python_files(project)} - {Path(".")})
    for sub in subdirs:
        cwd = project / sub
        inside = {f for f in whole if Path(f[0]).parent == sub or sub in Path(f[0]).parents}
        assert flake8(project, cwd, ".", cache=tmp_path / "cache") == inside, sub
        one = python_files(project)[0]  # a file outside the folder, by a relative path
        assert flake8(project, cwd, os.path.relpath(project / one, cwd), cache=tmp_path / "cache") \
            == only(whole, one), sub


def test_cold_warm_and_no_cache(project, whole, tmp_path):
    cache = tmp_path / "cache"
    cold = flake8(project, project, ".", cache=cache)
    assert list(cache.glob("index-*.json")), "the cold run wrote no cache"
    warm = flake8(project, project, ".", cache=cache)
    none = flake8(project, project, ".", cache=None)
    assert cold == warm == none == whole


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "data": []}', b"\x00" * 64])
def test_a_corrupt_cache_is_ignored(project, whole, filled_cache, damage):
    cache = filled_cache
    assert list(cache.glob("*.json")), "nothing to damage"
    for path in cache.glob("*.json"):
        path.write_bytes(damage)
    assert flake8(project, project, ".", cache=cache) == whole
    for rel in python_files(project)[:3]:
        for path in cache.glob("*.json"):
            path.write_bytes(damage)
        assert flake8(project, project, rel, cache=cache) == only(whole, rel)
