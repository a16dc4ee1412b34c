"""Reach of a branch (project/branches.py): a statement that runs only for some callers'
constants is reached only from those callers.

The fixture where_runs_branch shows the findings (``# expect:`` by default; ``# single-run:``
only with --dji-lint-single-run); these tests show the facts behind them.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from flake8_django_integrity.project import branches
from flake8_django_integrity.project.function_index import FunctionIndex
from flake8_django_integrity.project.functions import read_modules

from harness import FIXTURES, expected, findings, run_flake8

BRANCH = FIXTURES / "where_runs_branch"
SINGLE_RUN = re.compile(r"#\s*single-run:\s*(DJI\d{3})")


def _single_run_marks(project) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = SINGLE_RUN.search(line)
            if match:
                found.add((rel, lineno, match.group(1)))
    return found


def test_the_option_reports_the_branches_only_single_run_callers_enter():
    marks = _single_run_marks(BRANCH)
    assert len(marks) == 4  # the constructor's dry_run (2), call_command's operation (2)
    got = findings(run_flake8(BRANCH, "-j1", "--dji-lint-single-run", "."), BRANCH)
    assert got == expected(BRANCH) | marks


def test_by_default_the_single_run_branches_stay_silent():
    got = findings(run_flake8(BRANCH, "-j1", "."), BRANCH)
    assert not got & _single_run_marks(BRANCH)
    assert got == expected(BRANCH)


def _conditions(source: str, line: int) -> list[tuple]:
    tree = ast.parse(source)
    parents = {id(c): n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.stmt) and n.lineno == line
                and not isinstance(n, (ast.If, ast.FunctionDef, ast.ClassDef)))
    path = [node]
    while id(path[-1]) in parents:
        path.append(parents[id(path[-1])])
    path.reverse()
    func = next(n for n in path if isinstance(n, ast.FunctionDef))
    cls = next((n for n in path if isinstance(n, ast.ClassDef)), None)
    return branches.conditions(path[path.index(func):], func, cls)


@pytest.mark.parametrize("source, line, want", [
    ("def f(dry_run):\n    if not dry_run:\n        w()\n", 3,
     [(("arg", "dry_run"), "falsy", None)]),
    ("def f(dry_run):\n    if dry_run:\n        return\n    w()\n", 4,
     [(("arg", "dry_run"), "falsy", None)]),
    ("def f(rows, dry_run):\n    for r in rows:\n        if dry_run:\n            continue\n"
     "        w()\n", 5, [(("arg", "dry_run"), "falsy", None)]),
    ("def f(mode):\n    if mode == 'a':\n        x()\n    elif mode in ('b', 'c'):\n"
     "        w()\n", 5,
     [(("arg", "mode"), "ne", "a"), (("arg", "mode"), "in", ("b", "c"))]),
    ("class C:\n    def m(self):\n        if self.live and ok():\n            w()\n", 4,
     [(("self", "live"), "truthy", None)]),
    ("class C:\n    def handle(self, *a, **options):\n        if options['op'] == 'x':\n"
     "            w()\n", 4, [(("opt", "op"), "eq", "x")]),
    ("class C:\n    def handle(self, *a, **options):\n        if 'x' == options.get('op'):\n"
     "            w()\n", 4, [(("opt", "op"), "eq", "x")]),
    ("class C:\n    def handle(self, *a, **kw):\n        op = kw.get('op')\n        if op != 'x':\n"
     "            w()\n", 5, [(("opt", "op"), "ne", "x")]),
    # a rebound parameter, a name bound twice, a test with or: nothing certain
    ("def f(dry_run):\n    dry_run = g()\n    if not dry_run:\n        w()\n", 4, []),
    ("def f(kw):\n    op = 1\n    op = 2\n    if op == 1:\n        w()\n", 5, []),
    ("def f(a, b):\n    if a or b:\n        w()\n", 3, []),
    # inside a nested function: it may run later, elsewhere
    ("def f(dry_run):\n    if not dry_run:\n        def g():\n            w()\n", 4, []),
])
def test_the_conditions_a_statement_runs_under(source, line, want):
    assert _conditions(source, line) == want


@pytest.mark.parametrize("test, value, constant, result", [
    ("falsy", False, None, True), ("falsy", True, None, False), ("truthy", "x", None, True),
    ("eq", "import_data", "import_mapping", False), ("eq", "a", "a", True),
    ("ne", "a", "a", False), ("eq", 1, True, False),  # 1 is not True for a test on a flag
    ("in", "b", ("b", "c"), True), ("notin", "b", ("b", "c"), False),
    ("is", None, None, True), ("isnot", False, None, True),
])
def test_a_constant_passes_a_test(test, value, constant, result):
    assert branches.passes(test, value, constant) is result


def _index() -> FunctionIndex:
    return FunctionIndex(read_modules(str(BRANCH), set(), set()))


@pytest.mark.parametrize("qual, line, kinds", [
    # self.dry_run: only the command builds an Importer with dry_run=False
    ("imports.importers.Importer.do_row", 26, {"command"}),
    # the view leaves dry_run out: the default (True) holds there
    ("imports.importers.TagImporter.tag_row", 42, {"command"}),
    ("imports.importers.LiveImporter.do_row", 59, {"command", "request"}),
    ("imports.importers.AskingImporter.do_row", 76, {"command", "request"}),
    # handle()'s options: the task asks for import_data only
    ("imports.services.load_mapping", 10, {"command"}),
    ("imports.management.commands.packages.Command.import_data", 24, {"command", "task"}),
])
def test_the_entry_points_that_reach_a_branch(qual, line, kinds):
    found = branches.branch_at_line(_index(), qual, line)
    assert found is not None
    assert set(found[1].kinds) == kinds


@pytest.mark.parametrize("qual, line", [
    # a subclass sets the attribute in its own __init__; another method reassigns it: the
    # constructor's argument says nothing, so the function's whole reach counts
    ("imports.importers.BaseImporter.do_row", 93),
    ("imports.importers.CommittingImporter.do_row", 119),
])
def test_an_attribute_set_elsewhere_tells_nothing(qual, line):
    conds, found = branches.branch_at_line(_index(), qual, line)
    assert conds == [(("self", "dry_run"), "falsy", None)]
    assert "request" in found.kinds


def _where(target: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flake8_django_integrity", "where", target,
                             "--dji-no-cache"], cwd=BRANCH, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_where_explains_the_branch():
    out = _where("imports/importers.py:26")
    assert "runs: concurrently" in out  # the function, as a whole
    assert "line 26 runs only when not self.dry_run, and only for the callers" in out
    assert "a management command: Command.handle -> Importer.__init__" in out
    assert "runs (line 26): single-run only" in out
    out = _where("imports/services.py:17")  # the task passes a variable: nothing to add
    assert "line 17" not in out


def _project(tmp_path, view_call: str):
    app = tmp_path / "app"
    (app / "management" / "commands").mkdir(parents=True)
    (tmp_path / "manage.py").write_text("")
    for init in (app, app / "management", app / "management" / "commands"):
        (init / "__init__.py").write_text("")
    (app / "importer.py").write_text(
        "class Importer:\n"
        "    def __init__(self, user, obj, dry_run=True):\n"
        "        self.dry_run = dry_run\n"
        "\n"
        "    def run(self, rows):\n"
        "        for r in rows:\n"
        "            if self.dry_run:\n"
        "                continue\n"
        "            write(r)\n")
    (app / "views.py").write_text(
        "from .importer import Importer\n\n\n"
        f"def preview(request, *args):\n    imp = {view_call}\n    imp.run([])\n")
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\n"
        "urlpatterns = [path('p/', views.preview)]\n")
    (app / "management" / "commands" / "load.py").write_text(
        "from django.core.management.base import BaseCommand\n\n"
        "from app.importer import Importer\n\n\n"
        "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
        "        Importer(None, None, False).run([])\n")
    return FunctionIndex(read_modules(str(tmp_path), set(), set()))


@pytest.mark.parametrize("view_call, kinds", [
    ("Importer(request.user, None, True)", {"command"}),  # by position
    ("Importer(request.user, None)", {"command"}),  # left out: the default
    ("Importer(request.user, None, False)", {"command", "request"}),
    ("Importer(request.user, *args)", {"command", "request"}),  # spread: may be anything
    ("Importer(request.user, None, dry_run=not request.GET)", {"command", "request"}),
    # the class handed on as a value: built where the plugin cannot read the arguments
    ("{'csv': Importer}['csv'](request.user, None, False) or Importer(None, None, True)",
     {"command", "request"}),
])
def test_the_constructors_arguments_decide(tmp_path, view_call, kinds):
    index = _project(tmp_path, view_call)
    conds, found = branches.branch_at_line(index, "app.importer.Importer.run", 9)
    assert conds == [(("self", "dry_run"), "falsy", None)]
    assert set(found.kinds) == kinds


def test_a_caller_whose_source_is_gone_may_run(tmp_path):
    index = _project(tmp_path, "Importer(request.user, None, True)")
    branches.branch_at_line(index, "app.importer.Importer.run", 9)  # read once
    (tmp_path / "app" / "views.py").write_text("def preview(:\n")  # no longer parses
    conds, found = branches.branch_at_line(index, "app.importer.Importer.run", 9)
    assert set(found.kinds) == {"command", "request"}


def test_where_on_a_function_entered_only_under_a_callers_test():
    out = _where("imports.management.commands.packages:Command.import_mapping")
    assert "a task-queue task: sync_packages -> Command.handle -> Command.import_mapping" in out
    assert "runs: concurrently" in out  # by its call edges alone
    after = out.split("the function runs only for the callers", 1)[1]
    assert "a management command: Command.import_mapping" in after
    assert "task" not in after.split("runs (the function): single-run only")[0]
    assert "runs (the function): single-run only" in after
    out = _where("imports.management.commands.packages:Command.import_data")
    assert "the function runs only" not in out  # the task asks for import_data
