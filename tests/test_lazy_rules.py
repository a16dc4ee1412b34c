"""A rule module is imported only when the linted file can trigger its rule (rules/__init__.py,
``DECLARED`` and ``Rule.load``), and the function index's code only when a rule asks where a
line runs (rules/_where.py): an editor lints one file per process, and the imports were a
large part of what the plugin cost there.  What is imported, not how long it takes, is tested.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_django_integrity import rules
from flake8_django_integrity.checker import Plugin, check
from flake8_django_integrity.options import Settings

HERE = Path(__file__).parent
EXAMPLES = HERE.parent / "examples"

# Runs flake8 on the arguments, then prints the plugin's modules this process imported.
MODULES_AFTER_FLAKE8 = """
import json, sys
from flake8.main.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
prefix = "flake8_django_integrity."
print("MODULES " + json.dumps(sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix))))
"""


def test_every_rule_module_is_declared_and_registers_on_its_declaration():
    """A module under rules/ that DECLARED lacks would never run (and the other way round)."""
    declared = {rule.module: rule for rule in rules.DECLARED}
    folder = Path(rules.__file__).parent
    assert sorted(declared) == sorted(p.stem for p in folder.glob("dji*.py"))
    assert len({rule.code for rule in rules.DECLARED}) == len(rules.DECLARED)
    for name, rule in declared.items():
        assert rule.code == "DJI" + re.match(r"dji(\d{3})_", name).group(1)
        module = importlib.import_module(f"flake8_django_integrity.rules.{name}")
        assert module.rule is rule
        assert rule.load() is rule and rule.callbacks, f"{name} registers no callback"


def test_declared_for_a_module_that_declares_no_rule_raises():
    with pytest.raises(LookupError):
        rules.declared("flake8_django_integrity.rules.dji999_nothing")


def test_loaded_rules_before_the_fork_are_every_rule_with_its_callbacks():
    loaded = Plugin.loaded_rules()
    assert [r.code for r in loaded] == [r.code for r in rules.DECLARED]
    assert all(r.callbacks for r in loaded)


def test_check_with_the_declared_rules_finds_what_the_loaded_rules_find(tmp_path):
    """Plugin.rules() hands check() rules whose modules may not be imported yet: check() loads
    the ones the file can trigger, and finds what it finds with every module loaded."""
    project = tmp_path / "site"
    shutil.copytree(EXAMPLES, project)
    settings = Settings(use_cache=False)
    found = {}
    for path in sorted(project.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        lazy = check(tree, str(path), settings, rules.declared_rules(), source)
        loaded = check(tree, str(path), settings, rules.load_rules(), source)
        assert lazy == loaded, path
        found[path.name] = lazy
    assert any(found.values()), "the example project has findings"


def _modules_after_flake8(project: Path, *args: str) -> list[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(project.parent / "cache")}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", MODULES_AFTER_FLAKE8, "--isolated", "--select=DJI", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=120)
    line = [x for x in result.stdout.splitlines() if x.startswith("MODULES ")]
    assert line, result.stdout + result.stderr
    return json.loads(line[-1][len("MODULES "):])


@pytest.fixture
def project(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES, site)
    return site


def test_a_file_that_triggers_no_rule_imports_no_rule_module_but_the_migration_rules(project):
    """DJI002 and DJI004 read every file (a models file's drift, a migration's operations);
    no other rule's trigger word is in this file, so no other rule module is imported, nor
    the function index's code."""
    (project / "library" / "text.py").write_text(
        "def shout(words):\n    return words.upper()\n", encoding="utf-8")
    modules = _modules_after_flake8(project, "library/text.py")
    loaded = {m for m in modules if m.startswith("rules.dji")}
    assert loaded == {"rules.dji002_unique_migration", "rules.dji004_not_null_migration"}
    assert "rules._where" not in modules
    assert not {"project.functions", "project.function_index", "project.function_scan",
                "project.function_store", "project.function_units", "project.function_bodies",
                "project.reach"} & set(modules)


def test_a_file_imports_the_modules_of_the_rules_it_can_trigger_only(project):
    """``save`` is a trigger word of DJI001, DJI003 and DJI005; the file names none of the
    other rules' words (IntegrityError, _or_create, unique, Field(, post_save), and it has no
    write a rule would ask the function index about."""
    (project / "library" / "touch.py").write_text(
        "def touch(thing):\n    thing.save()\n", encoding="utf-8")
    modules = _modules_after_flake8(project, "library/touch.py")
    loaded = {m for m in modules if m.startswith("rules.dji")}
    assert loaded == {"rules.dji001_unique_write", "rules.dji002_unique_migration",
                      "rules.dji003_check_then_insert", "rules.dji004_not_null_migration",
                      "rules.dji005_foreign_key"}
    assert not {"project.functions", "project.function_index", "project.function_scan",
                "project.function_store", "project.function_units", "project.function_bodies",
                "project.reach", "project.entrypoints"} & set(modules)


def test_a_directory_linted_with_jobs_imports_every_rule_before_the_fork(project):
    """With -jN, parse_options imports every rule module in flake8's main process (prefork.py):
    the forked workers share them."""
    modules = _modules_after_flake8(project, "-j2", ".")
    assert {m for m in modules if m.startswith("rules.dji")} == {
        f"rules.{r.module}" for r in rules.DECLARED}


@pytest.mark.parametrize("source", [
    "x = 1\n",
    "Book.objects.create(title=t)\n",
    "book.save()\n",
    "class A(Model):\n    b = ForeignKey(B, on_delete=CASCADE)\n",
    "try:\n    pass\nexcept IntegrityError:\n    pass\n",
    "Tag.objects.get_or_create(name=n)\n",
    "post_save.connect(f)\n",
])
def test_trigger_words_shared_between_rules_give_each_rule_its_own_answer(source):
    # the checker looks each trigger word up once per file for every rule (``seen``): each
    # rule must still answer as if it had searched alone, in any order of the rules
    alone = {r.code: r.may_fire(source) for r in rules.DECLARED}
    assert alone["DJI001"] == ("create" in source or "save" in source)
    assert alone["DJI002"]  # no trigger words: every file
    for order in (list(rules.DECLARED), list(reversed(rules.DECLARED))):
        seen: dict[str, bool] = {}
        assert {r.code: r.may_fire(source, seen) for r in order} == alone
        assert all(found == (word in source) for word, found in seen.items())
