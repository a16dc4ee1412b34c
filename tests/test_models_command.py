"""``python -m flake8_django_integrity models [PATH]``: the project as the plugin sees it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent
SHOP = HERE / "projects" / "shop"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "flake8_django_integrity", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def test_models_lists_unique_sets_and_foreign_keys(tmp_path):
    out = run("models", str(SHOP), "--dji-no-cache", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "auth user model: accounts.Member" in text
    assert "app store" in text  # the label from shop/apps.py, not the package name
    block = text.split("  store.Product ", 1)[1].split("\n  store.", 1)[0]
    assert "unique (sku)  [unique]" in block
    assert "unique (reference)  [unique]" in block  # inherited from an abstract base
    assert "unique (owner, sku)  [constraint; name=one_sku_per_owner]" in block
    assert "unique (name)  [constraint; name=live_name; conditional: not a lookup guard]" in block
    assert "owner -> accounts.member  [fk, on_delete=CASCADE]" in block
    assert "unique (name, code)" not in block  # own Meta without Meta inheritance drops it
    assert "bin -> store.shelf  [o2o, on_delete=CASCADE]" in text
    assert "auth.User " not in text  # Django's own models only with --all
    assert "migrations drift" in text


def test_models_from_a_subdirectory_and_a_file_agree(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    from_root = run("models", "--dji-no-cache", cwd=project).stdout
    assert from_root == run("models", "../..", "--dji-no-cache", cwd=project / "orders" / "api").stdout
    assert from_root == run("models", "orders/services.py", cwd=project).stdout  # cached this time


def test_models_reads_the_flake8_config(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / "setup.cfg").write_text("[flake8]\nselect = DJI\ndji-cache-dir = ./.dji-cache\n")
    assert run("models", cwd=project).returncode == 0
    assert list((project / ".dji-cache").glob("index-*.json"))  # relative to the config file
    (project / "setup.cfg").write_text("[flake8]\ndji-cache-dir = ./other\ndji-no-cache = true\n")
    assert run("models", cwd=project / "orders").returncode == 0
    assert not (project / "other").exists()


def test_models_outside_any_project(tmp_path):
    out = run("models", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 2 and "not inside a project" in out.stderr


def test_models_of_a_folder_holding_packages_without_marker(tmp_path):
    """An unpacked wheel has no manage.py or setup.cfg: the folder named is the project."""
    shutil.copytree(SHOP / "shop", tmp_path / "shop")
    for name in ("core", "accounts", "catalog"):
        shutil.copytree(SHOP / name, tmp_path / name)
    out = run("models", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "store.Product" in out.stdout
