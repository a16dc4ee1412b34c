"""``python -m flake8_django_integrity models [PATH]``: the project as the plugin sees it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent
SHOP = HERE / "projects" / "shop"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "flake8_django_integrity", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


def test_models_lists_unique_sets_and_foreign_keys(tmp_path):
    out = run("models", str(SHOP), "--dji-no-cache", cwd=tmp_path)
    assert out.returncode == 1, out.stderr  # catalog's Entry.item drifts (DJI004): see below
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
    assert run("models", cwd=project).returncode == 1  # 1: catalog drifts
    assert list((project / ".dji-cache").glob("index-*.json"))  # relative to the config file
    (project / "setup.cfg").write_text("[flake8]\ndji-cache-dir = ./other\ndji-no-cache = true\n")
    assert run("models", cwd=project / "orders").returncode == 1
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
    assert out.returncode == 1, out.stderr  # catalog (copied) drifts
    assert "store.Product" in out.stdout


# The shop's catalog app: its model Entry has `item = OneToOneField(...)` (catalog/models.py,
# line 14), NOT NULL without a default, and catalog/migrations/0001_initial.py creates Entry
# without it: the one drift of the project.  Adding the field in a migration ends it.
ADD_ITEM = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="entry",
            name="item",
            field=models.OneToOneField(on_delete=models.CASCADE, to="store.product"),
        ),
    ]
"""


def test_models_exit_status_says_whether_migrations_drift(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    drifting = run("models", "--dji-no-cache", cwd=project)
    assert drifting.returncode == 1, drifting.stderr
    assert ("DJI004 Entry(item): NOT NULL field no migration adds  [catalog/models.py:14]"
            in drifting.stdout)
    (project / "catalog" / "migrations" / "0002_entry_item.py").write_text(ADD_ITEM)
    agreeing = run("models", "--dji-no-cache", cwd=project)
    assert agreeing.returncode == 0, agreeing.stdout + agreeing.stderr
    assert "catalog: models and migrations agree" in agreeing.stdout
    assert "DJI004" not in agreeing.stdout


def test_models_json_holds_the_same_facts(tmp_path):
    out = run("models", str(SHOP), "--dji-no-cache", "--json", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["project_root"] == str(SHOP)
    assert data["auth_user_model"] == "accounts.Member"
    models = {m["label"]: m for m in data["models"]}
    text = run("models", str(SHOP), "--dji-no-cache", cwd=tmp_path).stdout
    assert f"{len(models)} models" in text
    assert all(f"  {label}  (" in text for label in models)
    product = models["store.Product"]
    assert product["path"] == "shop/models/product.py" and product["name"] == "Product"
    uniques = {tuple(u["fields"]): u for u in product["unique_sets"]}
    assert uniques[("sku",)]["source"] == "unique"
    assert uniques[("owner", "sku")]["name"] == "one_sku_per_owner"
    assert uniques[("name",)]["conditional"] is True
    assert ("name", "code") not in uniques
    (owner,) = [r for r in product["relations"] if r["field"] == "owner"]
    assert owner == {"field": "owner", "relation": "fk", "to": "accounts.member",
                     "on_delete": "CASCADE", "null": False, "db_constraint": True}
    assert not any(m["builtin"] for m in data["models"])
    assert data["drift"] == {"error": None, "apps": {"catalog": [
        {"code": "DJI004", "reason": "not_null_missing", "model": "Entry", "fields": ["item"],
         "path": "catalog/models.py", "line": 14}]}}


def _labels(stdout: str) -> set[str]:
    return {m["label"] for m in json.loads(stdout)["models"]}


@pytest.mark.long
def test_models_filters_by_app_and_model(tmp_path):
    everything = _labels(run("models", str(SHOP), "--dji-no-cache", "--json",
                             cwd=tmp_path).stdout)
    assert {"store.Product", "catalog.Entry"} <= everything and len(everything) > 3
    catalog = run("models", str(SHOP), "--dji-no-cache", "--json", "--app", "catalog", cwd=tmp_path)
    assert _labels(catalog.stdout) == {"catalog.Entry"} and catalog.returncode == 1
    store = run("models", str(SHOP), "--dji-no-cache", "--json", "--app", "store", cwd=tmp_path)
    assert _labels(store.stdout) == {m for m in everything if m.startswith("store.")}
    assert json.loads(store.stdout)["drift"]["apps"] == {}  # store has no migrations
    assert store.returncode == 0  # catalog's drift is not store's
    for name in ("Product", "store.product"):
        one = run("models", str(SHOP), "--dji-no-cache", "--json", "--model", name, cwd=tmp_path)
        assert _labels(one.stdout) == {"store.Product"} and one.returncode == 0
    entry = run("models", str(SHOP), "--dji-no-cache", "--model", "Entry", cwd=tmp_path)
    assert "1 models" in entry.stdout and "  catalog.Entry  (" in entry.stdout
    assert entry.returncode == 1
    both = run("models", str(SHOP), "--dji-no-cache", "--json", "--model", "Entry",
               "--model", "Product", cwd=tmp_path)
    assert _labels(both.stdout) == {"store.Product", "catalog.Entry"}
    nothing = run("models", str(SHOP), "--dji-no-cache", "--json", "--app", "nosuchapp",
                  cwd=tmp_path)
    assert _labels(nothing.stdout) == set() and nothing.returncode == 0


@pytest.mark.parametrize("config", ["setup.cfg", "tox.ini", ".flake8", "pyproject.toml"])
def test_models_reads_each_flake8_config_file(tmp_path, config):
    from flake8_django_integrity import config_files

    if config == "pyproject.toml" and config_files._toml is None:
        pytest.skip("Python 3.10 has no tomllib: pyproject.toml is skipped")
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / "setup.cfg").unlink()  # the shop's own [flake8] would come first
    if config == "pyproject.toml":
        (project / "setup.cfg").write_text("[flake8]\ndji-cache-dir = ./ini-cache\n")
        (project / config).write_text('[tool.flake8]\nselect = ["DJI"]\n'
                                      'dji-cache-dir = "./chosen-cache"\n')
    else:
        (project / config).write_text("[flake8]\ndji-cache-dir = ./chosen-cache\n")
    assert run("models", cwd=project).returncode == 1
    assert list((project / "chosen-cache").glob("index-*.json"))
    assert not (project / "ini-cache").exists()  # [tool.flake8] wins, as with Flake8-pyproject


def test_models_reads_list_options_from_pyproject(tmp_path):
    from flake8_django_integrity import config_files

    if config_files._toml is None:
        pytest.skip("Python 3.10 has no tomllib: pyproject.toml is skipped")
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(
        "from vendor.bases import VendorBase\n\n\n"
        "class Thing(VendorBase):\n    code = CharField(unique=True)\n")
    plain = run("models", "--dji-no-cache", "--json", cwd=tmp_path)
    assert _labels(plain.stdout) == set()  # VendorBase is unknown: not a model
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flake8]\ndji-model-bases = ["vendor.bases.VendorBase", "other.Base"]\n')
    configured = run("models", "--dji-no-cache", "--json", cwd=tmp_path)
    assert _labels(configured.stdout) == {"app.Thing"}, configured.stdout + configured.stderr


def test_models_piped_into_head_ends_quietly(tmp_path):
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "__init__.py").write_text("")
    classes = "".join(f"\n\nclass Thing{n}(models.Model):\n    code = models.CharField("
                      f"max_length=9, unique=True)\n" for n in range(1500))
    (tmp_path / "big" / "models.py").write_text("from django.db import models\n" + classes)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "flake8_django_integrity", "models",
                             "--dji-no-cache"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("project root: ")
    proc.stdout.close()  # what head does after its lines: the output is far over a pipe's buffer
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert stderr == ""
