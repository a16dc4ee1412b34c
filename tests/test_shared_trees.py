"""The function index takes the trees the model index and the migration state parsed instead
of reading those files again (project/shared_trees.py), and its summaries are the same."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from flake8_django_integrity.project import functions, index, migrations, shared_trees
from harness import FIXTURES


@pytest.fixture
def project(tmp_path):
    dest = tmp_path / "where_runs"
    shutil.copytree(FIXTURES / "where_runs", dest)
    (dest / "counters" / "migrations").mkdir(exist_ok=True)
    (dest / "counters" / "migrations" / "__init__.py").write_text("")
    (dest / "counters" / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations\n\n"
        "class Migration(migrations.Migration):\n    operations = []\n")
    (dest / "counters" / "migrations" / "0002_fill.py").write_text(
        "from django.db import migrations\n\n"
        "def fill(apps, schema_editor):\n    pass\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunPython(fill)]\n")
    # module constants the cache cannot store as text (a control and a format character):
    # they name no app or model, so they must not keep the whole index out of the cache
    (dest / "counters" / "text.py").write_text(
        'DELIMITER = "\\x1f"\nJOINER = "\\u200b"\nAPP = "counters"\n')
    return dest


def _fresh_memos():
    functions._INDEXES.clear()
    index._INDEXES.clear()
    migrations._PARSED.clear()
    shared_trees._KEPT.clear()
    shared_trees._CLOSED.clear()


def test_trees_parsed_for_the_index_are_handed_to_the_function_index(project, monkeypatch):
    root = str(project)
    _fresh_memos()
    reread = []
    original = functions.read_source
    monkeypatch.setattr(functions, "read_source", lambda path: reread.append(path) or original(path))
    idx = index.get_index(root, index.IndexOptions())
    migrations.get_migration_state(idx)
    kept = set(shared_trees._KEPT)
    models = str(project / "counters" / "models.py")
    run_python = str(project / "counters" / "migrations" / "0002_fill.py")
    no_run_python = str(project / "counters" / "migrations" / "0001_initial.py")
    assert models in kept and run_python in kept and no_run_python not in kept
    shared = functions.get_functions(root, idx.atomic_requests)
    assert models not in reread and run_python not in reread  # taken, not read again
    assert not shared_trees._KEPT  # handed over or dropped once the index is built

    # the same summaries as a function index that read every file itself
    _fresh_memos()
    alone = functions.get_functions(root, idx.atomic_requests)
    assert shared.modules == alone.modules
    assert "counters.migrations.0002_fill" in alone.modules


def test_no_tree_is_kept_once_the_function_index_is_built(project):
    _fresh_memos()
    root = str(project)
    functions.get_functions(root, [])
    index.parse_file(str(project / "counters" / "models.py"))
    assert not shared_trees._KEPT


def test_the_function_index_of_a_project_with_migrations_is_loaded_from_the_cache(
        project, tmp_path, monkeypatch):
    """A migration module's name (``counters.migrations.0002_fill``) is no identifier, and a
    module may bind strings the cache refuses to store (``"\\x1f"``); the stored summaries must
    still be written and pass the cache's shape check, or every run rebuilds them."""
    root = str(project)
    cache_dir = str(tmp_path / "cache")
    old = time.time() - 3600  # files written just now are "racy" (cache.py): never a hit
    for path in [project, *project.rglob("*")]:
        os.utime(path, (old, old))
    _fresh_memos()
    first = functions.get_functions(root, cache_dir=cache_dir, use_cache=True)
    assert "counters.migrations.0002_fill" in first.modules
    assert first.modules["counters.text"]["consts"] == {"APP": "=counters"}
    _fresh_memos()
    summarized = []
    original = functions.summarize_module
    monkeypatch.setattr(functions, "summarize_module",
                        lambda *a, **k: summarized.append(a) or original(*a, **k))
    second = functions.get_functions(root, cache_dir=cache_dir, use_cache=True)
    assert summarized == []  # a hit: nothing read or summarised again
    assert second.modules == first.modules
