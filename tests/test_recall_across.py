"""Facts the cross-function recall work reads: where a project's root is when a file sits in
a folder without __init__.py, and what a project function returns (project/functions.py)."""

from __future__ import annotations

import ast

from harness import FIXTURES

from flake8_django_integrity.project import layout
from flake8_django_integrity.project.function_scan import summarize_module
from flake8_django_integrity.project.functions import get_functions


def test_root_of_file_in_namespace_folder_inside_package(tmp_path):
    package = tmp_path / "pkg"
    (package / "plays").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    target = package / "plays" / "run.py"
    target.write_text("")
    layout._root_of_directory.cache_clear()
    assert layout.find_project_root(str(target)) == str(tmp_path)
    assert layout.module_name(str(target), str(tmp_path))[0] == "pkg.plays.run"


def test_loose_folder_without_package_above_has_no_root(tmp_path):
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    target = folder / "script.py"
    target.write_text("")
    layout._root_of_directory.cache_clear()
    assert layout.find_project_root(str(target)) is None


def _units(source: str) -> dict[str, dict]:
    tree = ast.parse(source)
    data = summarize_module(tree, "app.helpers", False, "app/helpers.py", "app/helpers.py")
    return {u["q"]: u for u in data["units"]}


def test_returned_model_is_summarised():
    units = _units(
        "from django.apps import apps\n"
        "from app.models import Book\n"
        "class Local: pass\n"
        "def by_label():\n    return apps.get_model('app', 'Book')\n"
        "def by_name():\n    return Book\n"
        "def local():\n    return Local\n"
        "def two(flag):\n    if flag:\n        return apps.get_model('app', 'Book')\n"
        "    return apps.get_model('app', 'Author')\n"
        "def nested():\n    def inner():\n        return Book\n    return inner\n"
        "def bare():\n    return\n"
    )
    assert units["by_label"]["r"] == "<label>app.Book"
    assert units["by_name"]["r"] == "app.models.Book"
    assert units["local"]["r"] == "app.helpers.Local"
    for name in ("two", "nested", "bare"):
        assert "r" not in units[name], name


def test_returned_model_through_the_index():
    index = get_functions(str(FIXTURES / "recall_across"))
    assert index.returned_model("shop.loaders.licence_model") == "<label>shop.Licence"
    assert index.returned_model("shop.loaders.either_model") is None
    assert index.returned_model("shop.views.reenroll") is None


def test_model_loaded_through_a_project_loader():
    index = get_functions(str(FIXTURES / "recall_across"))
    assert index.returned_model("shop.swap.load_model") == "<label>shop.$0"
    assert index.returned_model("shop.swap.load_any") is None
    assert index.module_model("shop.tasks", "Policy") == "<label>shop.Policy"
    assert index.module_model("shop.tasks", "OtherPolicy") is None
    assert index.saved_model("subs.serializers.StrictItemSerializer") == "subs.models.Item"
    assert index.saved_model("subs.serializers.NoteSerializer") is None
    assert index.built_class("subs.api.ItemView", "serializer_class") == \
        "subs.serializers.StrictItemSerializer"


def test_loader_label_read_through_constants_and_the_app_config():
    index = get_functions(str(FIXTURES / "null_keys"))
    # the AppConfig's label (not the module's name), through an import alias and a constant
    assert index.returned_model("prefs.swap.load_model") == "<label>user_prefs.$0"
    assert index.returned_model("prefs.swap.load_by_constant") == "<label>user_prefs.$0"
    assert index.module_model("prefs.views", "Setting") == "<label>user_prefs.Setting"
    assert index.module_model("prefs.views", "DirectSetting") == "<label>user_prefs.Setting"
    # the app is the caller's argument: not read
    assert index.returned_model("prefs.swap.load_anywhere") is None
    assert index.module_model("prefs.views", "AnySetting") is None
