"""The on-disk cache of project facts: a cached index answers exactly like a fresh one, is
rebuilt when what it was read from changes, and a bad cache file is never an error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flake8_django_integrity.project import cache, index as index_module
from flake8_django_integrity.project.facts import FieldFact
from flake8_django_integrity.project.index import IndexOptions, ProjectIndex, get_index
from harness import FIXTURES, fixture_projects
from index_answers import answers

HERE = Path(__file__).parent
SHOP = HERE / "projects" / "shop"
REPO = HERE.parent


def all_projects() -> list[Path]:
    return [SHOP] + [FIXTURES / name for name in fixture_projects()]


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    age(dest)
    return dest


def age(root: Path, seconds: float = 60) -> None:
    """Date every file and folder back, as a checkout that was not edited a moment ago."""
    past = time.time() - seconds
    for directory, dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(directory, name), (past, past))
        os.utime(directory, (past, past))


def load(root: Path, cache_dir: Path, options: IndexOptions | None = None) -> ProjectIndex:
    """The index as a new flake8 process gets it (the per-process memo cleared)."""
    index_module._INDEXES.clear()
    return get_index(str(root), options, cache_dir=str(cache_dir), use_cache=True)


def fresh(root: Path, options: IndexOptions | None = None) -> ProjectIndex:
    return ProjectIndex(str(root), options).build()


@pytest.fixture
def shop(tmp_path):
    return copy_project(SHOP, tmp_path / "shop")


@pytest.mark.parametrize("project", all_projects(), ids=lambda p: p.name)
def test_cached_index_answers_like_a_fresh_one(project, tmp_path):
    root = copy_project(project, tmp_path / project.name)
    cold = load(root, tmp_path / "cache")
    assert cold.files_read > 0  # built
    warm = load(root, tmp_path / "cache")
    assert warm.files_read == 0  # loaded: not a single file parsed
    assert answers(warm, str(root)) == answers(fresh(root), str(root)) == answers(cold, str(root))


@pytest.mark.parametrize("project", all_projects(), ids=lambda p: p.name)
def test_stored_module_summaries_answer_like_parsed_ones(project, tmp_path):
    root = copy_project(project, tmp_path / project.name)
    first = load(root, tmp_path / "cache")
    want = answers(first, str(root))  # resolves every name: reads modules after the build
    first.summary_store.flush()  # as at the end of that flake8 process
    later = load(root, tmp_path / "cache")
    assert answers(later, str(root)) == want == answers(fresh(root), str(root))
    assert later.files_read == 0  # every module came from the index cache or the per-file store


def test_the_test_project_exercises_resolution(shop, tmp_path):
    """The comparison above is not vacuous: names resolve through re-exports, star imports,
    aliases, get_user_model() and settings.AUTH_USER_MODEL, and bases in a non-models module."""
    got = answers(load(shop, tmp_path / "cache"), str(shop))
    files = got["files"]
    assert files["orders/services.py"]["Item"] == ["shop.models.product.Product", "store.Product"]
    assert files["orders/services.py"]["StockLine"][1] == "store.StockLine"  # star import
    assert files["orders/models.py"]["shop_models.Shelf"][1] == "store.Shelf"
    assert files["catalog/models.py"]["User"][1] == "accounts.Member"
    assert got["models"]["shop.models.product.Product"]["fields"]["reference"]["unique"] is True
    assert "lines" in got["reverse"]["shop.models.stock.Shelf"]


def test_cache_file_is_plain_json_in_xdg_cache_home(shop, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    index_module._INDEXES.clear()
    get_index(str(shop), use_cache=True)
    written = list((tmp_path / "xdg" / "flake8-django-integrity").iterdir())
    assert len(written) == 1 and written[0].suffix == ".json"
    stored = json.loads(written[0].read_text())
    assert stored["kind"] == "index" and stored["root"] == str(shop)
    assert str(shop / "shop" / "models" / "product.py") in stored["inputs"]
    assert str(shop / "core" / "mixins.py") in stored["inputs"]  # a base read from a non-models module


def test_no_cache_writes_nothing(shop, tmp_path):
    index_module._INDEXES.clear()
    get_index(str(shop), cache_dir=str(tmp_path / "cache"), use_cache=False)
    assert not (tmp_path / "cache").exists()


def test_options_get_their_own_cache_entry(shop, tmp_path):
    load(shop, tmp_path / "cache")
    other = load(shop, tmp_path / "cache", IndexOptions(extra_managers=("live",)))
    assert other.files_read > 0
    assert len(list((tmp_path / "cache").glob("index-*.json"))) == 2


def _edit(path: Path, text: str) -> None:
    path.write_text(text)
    past = time.time() - 30  # not "racy" (as if edited a while ago), and only this file
    os.utime(path, (past, past))


@pytest.mark.parametrize("change", ["models file", "base in another module", "apps.py", "settings",
                                    "new models module", "removed models module"])
def test_a_change_to_an_input_rebuilds(shop, tmp_path, change):
    load(shop, tmp_path / "cache")
    if change == "models file":
        p = shop / "orders" / "models.py"
        _edit(p, p.read_text().replace("number = models.IntegerField()",
                                       "number = models.IntegerField(unique=True)"))
    elif change == "base in another module":
        p = shop / "core" / "mixins.py"
        _edit(p, p.read_text().replace("unique=True", "unique=False"))
    elif change == "apps.py":
        p = shop / "shop" / "apps.py"
        _edit(p, p.read_text().replace('"store"', '"market"'))
    elif change == "settings":
        p = shop / "config" / "settings.py"
        _edit(p, p.read_text().replace("accounts.Member", "auth.User"))
    elif change == "new models module":
        (shop / "reviews").mkdir()
        (shop / "reviews" / "__init__.py").write_text("")
        _edit(shop / "reviews" / "models.py",
              "from django.db import models\n\n\nclass Review(models.Model):\n"
              "    code = models.CharField(max_length=5, unique=True)\n")
    elif change == "removed models module":
        (shop / "shop" / "models" / "stock.py").unlink()
    again = load(shop, tmp_path / "cache")
    assert again.files_read > 0, "the cache was used although an input changed"
    assert answers(again, str(shop)) == answers(fresh(shop), str(shop))


def test_saving_a_file_by_rename_in_a_watched_folder_keeps_the_cache(shop, tmp_path):
    load(shop, tmp_path / "cache")
    views = shop / "orders" / "api" / "views.py"
    tmp = views.with_name(".views.py.swp")  # an editor's save: write a temporary, rename over
    tmp.write_text(views.read_text() + "\n# edited\n")
    os.replace(tmp, views)
    assert load(shop, tmp_path / "cache").files_read == 0


def test_the_same_files_checked_out_again_keep_the_cache(shop, tmp_path):
    """CI restores the cache into a fresh checkout: every file has new times, none has new
    content.  The entry still holds (each file's content is hashed and compared)."""
    load(shop, tmp_path / "cache")
    for path in shop.rglob("*.py"):
        path.write_bytes(path.read_bytes())  # new mtime and ctime, same content
    age(shop, seconds=3600)
    cache._DIGESTS.clear()  # a new process
    again = load(shop, tmp_path / "cache")
    assert again.files_read == 0
    assert answers(again, str(shop)) == answers(fresh(shop), str(shop))


def test_new_content_of_the_same_size_rebuilds(shop, tmp_path):
    load(shop, tmp_path / "cache")
    p = shop / "orders" / "models.py"
    text = p.read_text()
    assert "number = models.IntegerField()" in text
    edited = text.replace("number = models.IntegerField()", "number = models.TextField(   )")
    assert len(edited) == len(text) and edited != text
    p.write_text(edited)
    age(shop, seconds=3600)
    cache._DIGESTS.clear()
    again = load(shop, tmp_path / "cache")
    assert again.files_read > 0, "the cache was used although the content changed"
    assert answers(again, str(shop)) == answers(fresh(shop), str(shop))


def test_an_edit_during_the_build_is_not_trusted(shop, tmp_path):
    p = shop / "orders" / "models.py"
    p.write_text(p.read_text() + "\n")  # mtime now: as racy as an edit during the build
    load(shop, tmp_path / "cache")
    assert load(shop, tmp_path / "cache").files_read > 0


def _cache_file(cache_dir: Path) -> Path:
    (found,) = list(cache_dir.glob("index-*.json"))
    return found


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "not an object", "other format",
                                    "other plugin version", "other root", "wrong type",
                                    "missing key", "unknown field", "bad reference", "unreadable",
                                    "short row", "field as an object", "bool for a line"])
def test_a_bad_cache_file_is_ignored_and_rebuilt(shop, tmp_path, damage):
    load(shop, tmp_path / "cache")
    path = _cache_file(tmp_path / "cache")
    text = path.read_text()
    stored = json.loads(text)
    data = stored["data"]
    if damage == "garbage":
        path.write_bytes(b"\x80\x81not json at all\xff")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    elif damage == "empty":
        path.write_text("")
    elif damage == "not an object":
        path.write_text("[1, 2, 3]")
    else:
        if damage == "other format":
            stored["format"] = cache.FORMAT + 1
        elif damage == "other plugin version":
            stored["plugin"] = "0.0.0-other"
        elif damage == "other root":
            stored["root"] = "/elsewhere"
        elif damage == "wrong type":
            data["fields"][0][FieldFact.FIELDS.index("unique")] = "yes"
        elif damage == "missing key":
            del data["summaries"]
        elif damage == "unknown field":
            data["fields"][0].append("os.system")
        elif damage == "short row":  # the missing values must not take their defaults
            data["fields"][0] = data["fields"][0][:4]
        elif damage == "field as an object":
            data["fields"][0] = dict(zip(FieldFact.FIELDS, data["fields"][0]))
        elif damage == "bool for a line":
            data["fields"][0][FieldFact.FIELDS.index("line")] = True
        elif damage == "bad reference":
            first = next(iter(data["models"].values()))
            first["unique_sets"] = [10**6]
        path.write_text(json.dumps(stored))
    if damage == "unreadable":  # (chmod 0 does not stop root): a folder where the file should be
        path.unlink()
        path.mkdir()
    again = load(shop, tmp_path / "cache")
    assert again.files_read > 0
    assert answers(again, str(shop)) == answers(fresh(shop), str(shop))
    if damage != "unreadable":
        json.loads(_cache_file(tmp_path / "cache").read_text())  # rewritten whole


def test_an_unwritable_cache_dir_is_not_an_error(shop, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    index_module._INDEXES.clear()
    index = get_index(str(shop), cache_dir=str(blocker / "sub"), use_cache=True)
    assert index.user_model().label == "accounts.Member"


def test_parallel_writers_leave_a_whole_file(shop, tmp_path):
    """Four processes building and writing the same cache at once (flake8 -j4 on a cold cache)."""
    code = (
        "import sys; from flake8_django_integrity.project.index import get_index; "
        "i = get_index(sys.argv[1], cache_dir=sys.argv[2], use_cache=True); print(len(i.models))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(shop), str(tmp_path / "cache")],
                              stdout=subprocess.PIPE, env=env, text=True) for _ in range(4)]
    outs = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs) and len(outs) == 1
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [_cache_file(tmp_path / "cache").name]
    assert load(shop, tmp_path / "cache").files_read == 0


def test_the_cached_path_does_not_import_astroid(shop, tmp_path):
    load(shop, tmp_path / "cache")
    code = (
        "import sys, ast\n"
        "from flake8_django_integrity.checker import check\n"
        "from flake8_django_integrity.options import Settings\n"
        "sys.path.insert(0, sys.argv[3]); import probe\n"
        "path = sys.argv[1] + '/orders/services.py'\n"
        "found = check(ast.parse(open(path).read()), path, Settings(cache_dir=sys.argv[2]), [probe.rule])\n"
        "assert len(found) > 5, found\n"
        "print('astroid' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(shop), str(tmp_path / "cache"), str(HERE)],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_without_a_home_nothing_is_cached(shop, tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "relative-home")
    monkeypatch.chdir(tmp_path)
    index_module._INDEXES.clear()
    assert get_index(str(shop), use_cache=True).user_model().label == "accounts.Member"
    assert list(tmp_path.iterdir()) == [shop]  # nothing written to the working directory


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", "rel/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.default_dir() == str(tmp_path / ".cache" / "flake8-django-integrity")
