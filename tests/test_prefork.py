"""With --jobs N, the project's facts are built once in flake8's main process, before it forks
its workers (flake8_django_integrity/prefork.py), and never again in a worker.

That the findings of -j2 are those of -j1 is test_same_answer.py's test_j1_equals_j2.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flake8.main.options import JobsArgument

from flake8_django_integrity import prefork
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project import functions, index, migrations
from harness import FIXTURES

HERE = Path(__file__).parent
REPO = HERE.parent

# Reports, on stderr, each build of a fact with the process it ran in, then runs flake8.
WATCH = """
import os, sys
from flake8_django_integrity.project import functions, index, migrations

def watch(owner, name, label):
    original = getattr(owner, name)
    def watched(*args, **kwargs):
        print(f"BUILT {label} {os.getpid()}", file=sys.stderr, flush=True)
        return original(*args, **kwargs)
    setattr(owner, name, watched)

watch(functions, "read_modules", "functions")
watch(migrations, "build_migration_state", "migrations")
watch(index.ProjectIndex, "build", "index")
print(f"MAIN {os.getpid()}", file=sys.stderr, flush=True)
from flake8.main.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _options(filenames, jobs="2"):
    return argparse.Namespace(filenames=[str(f) for f in filenames], jobs=JobsArgument(jobs))


@pytest.fixture
def project(tmp_path):
    dest = tmp_path / "where_runs"
    shutil.copytree(FIXTURES / "where_runs", dest)
    return dest


def test_a_j2_run_builds_each_fact_once_in_the_main_process(project):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", WATCH, "-j2", "--dji-no-cache", "--select=DJI", "."],
        cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip(), "the fixture has findings: the workers ran the rules"
    main = next(line.split()[1] for line in result.stderr.splitlines() if line.startswith("MAIN"))
    built = sorted(tuple(line.split()[1:]) for line in result.stderr.splitlines()
                   if line.startswith("BUILT"))
    assert built == [("functions", main), ("index", main), ("migrations", main)]


def test_a_j1_run_builds_the_facts_while_it_lints(project):
    """The serial run is left as it was: facts are built on first use (one process)."""
    assert prefork.will_fork(_options([project], "1")) is False


@pytest.mark.parametrize("filenames", [["-"], ["models.py"], []])
def test_no_fork_no_facts_before_it(project, filenames):
    paths = [project / "counters" / f if f != "-" else "-" for f in filenames]
    assert prefork.will_fork(_options(paths)) is False


def test_prepare_builds_the_facts_under_the_keys_the_rules_ask(project):
    settings = Settings(use_cache=False)
    loaded = []
    try:
        roots = prefork.prepare(_options([project]), settings, lambda: loaded.append(1))
    finally:
        gc.unfreeze()
    assert roots == [str(project)] and loaded == [1]
    idx = index.get_index(str(project), index.IndexOptions())
    assert any(key[0] == str(project) and found is idx for key, found in index._INDEXES.items())
    assert any(key[0] == str(project) for key in functions._INDEXES)
    assert migrations._STATES.get(id(idx), (None,))[0] is idx


def test_project_root_option_names_the_root(tmp_path, project):
    settings = Settings(project_root=str(tmp_path))
    assert prefork.project_roots(_options([project]), settings) == [str(tmp_path)]


def test_a_few_files_get_the_model_index_only(project):
    """pre-commit passes the changed files with --jobs left at one per core: they may need no
    migration state and no function index, so only the index is built before the fork."""
    root = str(project)
    functions._INDEXES.clear()
    index._INDEXES.clear()
    files = [project / "counters" / "models.py", project / "counters" / "services.py"]
    try:
        roots = prefork.prepare(_options(files), Settings(use_cache=False), lambda: None)
    finally:
        gc.unfreeze()
    assert roots == [root]
    assert any(key[0] == root for key in index._INDEXES)
    assert not any(key[0] == root for key in functions._INDEXES)
