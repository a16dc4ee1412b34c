"""Where the project's code runs: entry points, reachability, transactions, the `where` command.

The fixture projects where_runs, where_runs_single_run, dji006_transactions and
dji006_integrity_without_savepoint show the findings; these tests show the facts behind them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time

import pytest

from flake8_django_integrity.checker import check
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project import function_store
from flake8_django_integrity.project import functions as functions_mod
from flake8_django_integrity.project.function_index import FunctionIndex
from flake8_django_integrity.project.function_scan import summarize_module
from flake8_django_integrity.project.functions import get_functions, read_modules
from flake8_django_integrity.project.index import atomic_request_aliases
from flake8_django_integrity.project.reach import reach, transaction
from flake8_django_integrity.rules import load_rules

from harness import FIXTURES, expected, findings, run_flake8

WHERE_RUNS = FIXTURES / "where_runs"
TRANSACTIONS = FIXTURES / "dji006_transactions"


def _index(root) -> FunctionIndex:
    return FunctionIndex(read_modules(str(root), set(), set()))


@pytest.fixture(scope="module")
def where_runs():
    return _index(WHERE_RUNS)


@pytest.fixture(scope="module")
def transactions():
    return _index(TRANSACTIONS)


# ---------------------------------------------------------------------- entry points
@pytest.mark.parametrize("qual, kinds", [
    ("counters.views.counter_view", {"request", "command"}),  # routed in urls.py
    ("counters.views.CounterView.post", {"request", "command"}),  # View subclass, as_view()
    ("counters.tasks.celery_shared", {"task", "command"}),
    ("counters.tasks.celery_app", {"task", "command"}),
    ("counters.tasks.rq_job", {"task", "command"}),
    ("counters.tasks.dramatiq_actor", {"task", "command"}),
    ("counters.tasks.huey_db_task", {"task", "command"}),
    ("counters.receivers.on_save", {"signal", "command"}),
    ("counters.receivers.after_migrate", {"post_migrate"}),
    ("counters.services.defaults_after_migrate", {"post_migrate"}),  # post_migrate.connect
    ("counters.services.defaults_after_save", {"signal"}),  # post_save.connect
    ("counters.admin.reset_labels", {"staff", "command"}),  # @admin.action
    ("counters.apps.CountersConfig.ready", {"ready"}),
    ("counters.services.defaults_at_startup", {"ready"}),
    ("counters.management.commands.seed.Command.handle", {"command"}),
    ("counters.management.commands.seed.Command.step", {"command"}),  # self.step()
    ("counters.migrations.0002_defaults.forwards", {"migration"}),
    ("counters.services.fill_defaults", {"migration"}),  # called from RunPython code
    ("counters.services.only_from_the_command", {"command"}),
    ("counters.services._private_from_the_command", {"command"}),
    ("counters.services.from_a_view_and_the_command", {"command", "request"}),
    ("counters.services.public_without_callers", {"unknown"}),
    ("counters.services._private_without_callers", {"unknown"}),
    # call_command("rebuild") from a view: that command's handle() runs from a request too
    ("counters.management.commands.rebuild.Command.handle", {"command", "request"}),
    ("counters.tasks.not_a_task", {"unknown"}),
])
def test_each_entry_point_kind_reaches_its_functions(where_runs, qual, kinds):
    assert set(reach(where_runs, qual).kinds) == kinds


@pytest.mark.parametrize("qual, single", [
    ("counters.services.only_from_the_command", True),
    ("counters.services.fill_defaults", True),
    ("counters.services.defaults_at_startup", True),
    ("counters.receivers.after_migrate", True),
    ("counters.services.from_a_view_and_the_command", False),  # mixed: concurrent
    ("counters.tasks.celery_shared", False),  # a task the command also calls
    ("counters.services.public_without_callers", False),
])
def test_single_run_only_when_every_entry_is_single_run(where_runs, qual, single):
    assert reach(where_runs, qual).single_run_only is single


def test_the_chain_runs_from_the_entry_point_to_the_function(where_runs):
    chain = reach(where_runs, "counters.services.fill_defaults").kinds["migration"]
    assert chain == ["counters.migrations.0002_defaults.forwards", "counters.services.fill_defaults"]


def _summaries(source: str, name: str = "app.mod", rel: str = "app/mod.py") -> dict:
    is_package = rel.endswith("__init__.py")
    return {name: summarize_module(ast.parse(source), name, is_package, rel, rel)}


def test_drf_viewsets_and_serializers_are_request_handlers_and_model_admin_staff():
    index = FunctionIndex(_summaries(
        "from rest_framework import serializers, viewsets\n"
        "from django.contrib import admin\n"
        "class LabelViewSet(viewsets.ModelViewSet):\n"
        "    def perform_create(self, serializer): pass\n"
        "class LabelSerializer(serializers.ModelSerializer):\n"
        "    def create(self, data): pass\n"
        "class LabelAdmin(admin.ModelAdmin):\n"
        "    def save_model(self, request, obj, form, change): pass\n"
        "class Helper:\n"
        "    def create(self, data): pass\n"
    ))
    for qual in ("LabelViewSet.perform_create", "LabelSerializer.create"):
        assert "request" in index.units[f"app.mod.{qual}"].kinds, qual
    assert index.units["app.mod.LabelAdmin.save_model"].kinds == {"staff"}
    assert index.units["app.mod.Helper.create"].kinds == set()
    assert index.units["app.mod.LabelAdmin.save_model"].admin_atomic


def test_a_base_class_of_the_project_carries_the_kind():
    modules = _summaries("from django.views.generic import FormView\n"
                         "class BaseForm(FormView):\n    pass\n", "app.base", "app/base.py")
    modules.update(_summaries("from app.base import BaseForm\n"
                              "class Edit(BaseForm):\n    def form_valid(self, form): pass\n"))
    index = FunctionIndex(modules)
    assert index.units["app.mod.Edit.form_valid"].kinds == {"request"}


def test_a_call_through_a_reexport_and_self_and_a_subclass_override():
    modules = _summaries("from .impl import work\n", "app", "app/__init__.py")
    modules.update(_summaries("def work(): pass\n", "app.impl", "app/impl.py"))
    modules.update(_summaries(
        "import app\n"
        "from django.core.management.base import BaseCommand\n"
        "class Base:\n"
        "    def run(self):\n        self.step()\n"
        "    def step(self): pass\n"
        "class Special(Base):\n"
        "    def step(self): app.work()\n"
        "class Command(BaseCommand):\n"
        "    def handle(self):\n        Special().run()\n"
    ))
    index = FunctionIndex(modules)
    # Special().run(): Base.run, whose self.step() runs Special's override
    assert set(reach(index, "app.mod.Special.step").kinds) == {"command"}
    assert set(reach(index, "app.impl.work").kinds) == {"command"}


# ---------------------------------------------------------------------- transactions
@pytest.mark.parametrize("qual, expected", [
    ("tags.services.save_row", "the atomic() of `import_rows`"),
    ("tags.services.save_row_in_autocommit", None),
    ("tags.services.save_after_commit", None),  # on_commit(partial(...)): a reference
    ("tags.services.Importer._one", "the atomic() of `Importer.run`"),
    ("tags.services.AutocommitImporter._one", None),
    ("tags.services.public_api_without_callers", None),
    ("tags.tasks.sync_tags", "the atomic() of `sync_tags`"),
    ("tags.tasks.sync_tags_in_autocommit", None),
    ("tags.views.tag_view", None),  # ATOMIC_REQUESTS is False in conf/settings.py
    ("tags.admin.merge_tags", None),
    # tag.rename_uniquely() on an object of unknown type: the only method of that name
    ("tags.models.Tag.rename_uniquely", "the atomic() of `rename_all`"),
    ("tags.models.Tag.rename_in_autocommit", None),
    ("tags.admin.TagAdmin.save_model",
     "the atomic() of the admin's change form (ModelAdmin.changeform_view)"),
])
def test_the_transaction_around_a_function(transactions, qual, expected):
    found = transaction(transactions, qual)
    assert (found.description if found else None) == expected


def test_atomic_requests_wraps_views_and_what_they_call():
    index = FunctionIndex(read_modules(str(TRANSACTIONS), set(), set()), ["default"])
    request = "the request transaction (ATOMIC_REQUESTS)"
    assert transaction(index, "tags.views.tag_view").description == request
    # save_row_in_autocommit is called only from import_view's callee: a request path
    assert transaction(index, "tags.services.save_row_in_autocommit").description == request
    assert transaction(index, "tags.services.public_api_without_callers") is None


def test_non_atomic_requests_leaves_the_view_out():
    index = FunctionIndex(_summaries(
        "from django.db import transaction\n"
        "from django.contrib.auth.decorators import login_required\n"
        "@login_required\n@transaction.non_atomic_requests\ndef v(request): pass\n"
        "@login_required\ndef w(request): pass\n"), ["default"])
    assert transaction(index, "app.mod.v") is None
    assert transaction(index, "app.mod.w") is not None


# ---------------------------------------------------------------------- settings
@pytest.mark.parametrize("source, aliases", [
    ('DATABASES = {"default": {"ENGINE": "x", "ATOMIC_REQUESTS": True}}', {"default"}),
    ('DATABASES = {"default": {"ENGINE": "x", "ATOMIC_REQUESTS": False}}', set()),
    ('DATABASES = {"default": {"ENGINE": "x"}}', set()),
    ('DATABASES = {"default": {"ATOMIC_REQUESTS": env.bool("ATOMIC", False)}}', {"default"}),
    ('DATABASES = {"default": {}, "replica": dict(ATOMIC_REQUESTS=True)}', {"replica"}),
    ('DATABASES = {"default": db()}\nDATABASES["default"]["ATOMIC_REQUESTS"] = True', {"default"}),
    ('DATABASES["other"]["ATOMIC_REQUESTS"] = False', set()),
])
def test_atomic_requests_per_database_alias(source, aliases):
    assert atomic_request_aliases(ast.parse(source)) == aliases


# ---------------------------------------------------------------------- laziness and cache
def test_a_file_without_a_candidate_builds_no_function_index(monkeypatch):
    built = []
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    real = functions_mod.read_modules
    monkeypatch.setattr(functions_mod, "read_modules", lambda *a, **k: built.append(1) or real(*a, **k))
    settings = Settings(use_cache=False)
    quiet = WHERE_RUNS / "counters" / "models.py"
    check(ast.parse(quiet.read_text()), str(quiet), settings, load_rules(), quiet.read_text())
    assert built == []
    loud = WHERE_RUNS / "counters" / "services.py"
    found = check(ast.parse(loud.read_text()), str(loud), settings, load_rules(), loud.read_text())
    assert built == [1] and found


def _where_facts(index: FunctionIndex) -> dict:
    """What the where-questions read of an index: every unit's linked facts, its callers
    (resolved and by method name), and the reach and transaction answers for every unit."""
    units = {
        q: (u.module, u.path, u.line, u.end_line, sorted(u.kinds), u.atomic,
            u.non_atomic_requests, u.admin_atomic, u.delete_atomic, u.atomic_in,
            sorted(u.guarded), u.name, u.is_method)
        for q, u in index.units.items()}
    found_reach = {q: reach(index, q).kinds for q in index.units}
    found_transaction = {q: transaction(index, q) for q in index.units}
    return {"units": units, "unit order": list(index.units),
            "callers": {q: list(c) for q, c in index.callers.items()},
            "by name": {n: list(c) for n, c in index.callers_by_name.items()},
            "callers_of": {q: (index.callers_of(q), index.callers_of(q, by_name=False))
                           for q in index.units},
            "handled": {q: index.every_caller_handles(q) for q in index.units},
            "named": index.named_in_strings, "reach": found_reach,
            "transaction": found_transaction, "support": index.support_candidates}


@pytest.mark.parametrize("project", [TRANSACTIONS, WHERE_RUNS, FIXTURES / "dji006_reusable_app",
                                     FIXTURES / "where_test_support",
                                     FIXTURES / "where_runs_staff"],
                         ids=lambda p: p.name)
def test_the_cached_summaries_answer_like_fresh_ones(tmp_path, monkeypatch, project):
    """A run that reads the index from the cache decodes only what it is asked about and
    answers exactly as the run that built it.  The first run that asks a where-question of
    a stored entry links it and adds the call graph to the entry; later runs read that
    graph instead of linking.  Forward edges (``Unit.calls``) are linking's own and are not
    stored; everything a where-question reads is compared."""
    def load():
        monkeypatch.setattr(functions_mod, "_INDEXES", {})
        return get_functions(str(project), ["default"], cache_dir=str(tmp_path), use_cache=True)

    fresh = load()
    assert fresh._stored is None  # built
    want = _where_facts(fresh)
    first = load()
    assert first is not fresh and first._stored is not None
    assert first._stored.segments.decoded == 0 and function_store.GRAPH_SEGMENT not in \
        first._stored.segments
    assert _where_facts(first) == want
    assert first._stored is None and first._graph is None  # every summary loaded and linked
    later = load()
    assert later._stored.segments.decoded == 0 and function_store.GRAPH_SEGMENT in \
        later._stored.segments  # added by the first
    assert _where_facts(later) == want
    assert later._graph is not None and later._stored is not None  # read, not linked
    # the graph (and a module a test caller reads); where_test_support also asks whether
    # functions only the tests call are test code, which reads their modules' summaries (how
    # many depends on the process's memo of parsed test modules): never half of its modules
    bound = len(list(project.rglob("*.py"))) // 2 if project.name == "where_test_support" else 2
    assert later._stored.segments.decoded <= bound
    assert fresh.modules == later.modules == first.modules


@pytest.mark.parametrize("damage", [
    lambda m: m.update(units="x"),
    lambda m: m["units"][0].update(l="1"),
    lambda m: m["units"][0].update(c=[["f", "0"]]),
    lambda m: m.update(imports={"a": 1}),
    lambda m: m.update(registrations=[["request", 1, None]]),
])
def test_a_hostile_cache_entry_is_rebuilt(tmp_path, monkeypatch, damage):
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    fresh = get_functions(str(TRANSACTIONS), cache_dir=str(tmp_path), use_cache=True)
    want = _where_facts(fresh)
    edited = edit_segments(tmp_path, "functions", lambda segments: damage(segments["tags.services"]))
    assert edited == 1
    for path in tmp_path.glob("function-summaries-*.json"):
        path.unlink()
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    again = get_functions(str(TRANSACTIONS), cache_dir=str(tmp_path), use_cache=True)
    assert again.modules == fresh.modules  # the bad segment met: rebuilt from the files
    assert again._stored is None and not list(tmp_path.glob("functions-*.jsonl"))  # discarded
    assert _where_facts(again) == want


@pytest.mark.parametrize("damage", [
    lambda g: g.__setitem__(3, [*g[3][:-1], "a\nforged"]),  # a unit name no message may print
    lambda g: g.__setitem__(4, [len(g[1])] * len(g[4])),  # a module id out of range
    lambda g: g.__setitem__(10, [[len(g[3]) * 3]] * len(g[10])),  # a caller id out of range
    lambda g: g.__setitem__(7, [True] * len(g[7])),  # entry kinds of the wrong type
    lambda g: g.__setitem__(8, [[0, 99, "", []]]),  # transaction bits out of range
    lambda g: g.pop(),
    lambda g: g.__setitem__(14, [[len(g[1]), []]]),  # a test-support module id out of range
    lambda g: g.__setitem__(14, [[0, ["x"]]]),  # an importer that is no id
])
def test_a_hostile_call_graph_is_rebuilt(tmp_path, monkeypatch, damage):
    """The stored call graph is checked like every stored fact: one that fails is a miss
    (the entry discarded, the answers those of a fresh build), never a crash or a forged name."""
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    fresh = get_functions(str(TRANSACTIONS), ["default"], cache_dir=str(tmp_path), use_cache=True)
    want = _where_facts(fresh)
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    linked = get_functions(str(TRANSACTIONS), ["default"], cache_dir=str(tmp_path), use_cache=True)
    assert _where_facts(linked) == want  # links the stored summaries, adds the graph
    assert edit_segments(tmp_path, "functions",
                         lambda segments: damage(segments[function_store.GRAPH_SEGMENT])) == 1
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    again = get_functions(str(TRANSACTIONS), ["default"], cache_dir=str(tmp_path), use_cache=True)
    assert _where_facts(again) == want
    assert again._graph is None and not list(tmp_path.glob("functions-*.jsonl"))


def test_a_truncated_segmented_entry_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    fresh = get_functions(str(TRANSACTIONS), cache_dir=str(tmp_path), use_cache=True)
    [path] = tmp_path.glob("functions-*.jsonl")
    path.write_bytes(path.read_bytes()[:-10])
    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    again = get_functions(str(TRANSACTIONS), cache_dir=str(tmp_path), use_cache=True)
    assert again._stored is None  # the segment table points past the end: not read at all
    assert again.modules == fresh.modules


def test_a_segment_is_added_only_to_the_entry_that_was_read(tmp_path, monkeypatch):
    """The call graph a later run adds goes into the file it read, never over an entry
    another process wrote meanwhile."""
    from flake8_django_integrity.project import cache

    monkeypatch.setattr(functions_mod, "_INDEXES", {})
    get_functions(str(TRANSACTIONS), cache_dir=str(tmp_path), use_cache=True)
    [path] = tmp_path.glob("functions-*.jsonl")
    header = json.loads(path.read_bytes().split(b"\n", 1)[0])
    read = cache.read_segments(str(path), "functions", header["root"], header["key"])
    assert read is not None and "extra" not in read
    replaced = path.read_bytes() + b" "  # another process's entry
    path.write_bytes(replaced)
    assert cache.add_segment(read, "extra", [1]) is False and path.read_bytes() == replaced
    path.write_bytes(replaced[:-1])
    assert cache.add_segment(read, "extra", [1]) is True
    again = cache.read_segments(str(path), "functions", header["root"], header["key"])
    assert again.get("extra") == [1] and again.names == [*read.names, "extra"]
    assert all(again.get(name) == read.get(name) for name in read.names)


def edit_segments(cache_dir, kind: str, change) -> int:
    """Rewrite each segmented entry of ``kind``: ``change`` gets its segments decoded (a
    dict, name -> value) and edits them in place; the header (inputs and all) is kept."""
    count = 0
    for path in cache_dir.glob(f"{kind}-*.jsonl"):
        raw = path.read_bytes()
        end = raw.index(b"\n")
        header = json.loads(raw[:end])
        body = raw[end + 1:]
        segments = {name: json.loads(body[offset:offset + length])
                    for name, offset, length in header["segments"]}
        change(segments)
        # written as save_segments() lays it out, without its refusal of unclean text: what
        # an attacker who can write the cache folder plants
        texts, table, offset = [], [], 0
        for name, value in segments.items():
            text = json.dumps(value, separators=(",", ":")).encode()
            texts.append(text)
            table.append([name, offset, len(text)])
            offset += len(text) + 1
        header["segments"] = table
        path.write_bytes(json.dumps(header, separators=(",", ":")).encode() + b"\n"
                         + b"\n".join(texts))
        count += 1
    return count


# ---------------------------------------------------------------------- the where command
def _where(cwd, *args):
    return subprocess.run([sys.executable, "-m", "flake8_django_integrity", "where", *args,
                           "--dji-no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_where_names_the_entry_points_and_says_single_run():
    result = _where(WHERE_RUNS, "counters/services.py:6")
    assert result.returncode == 0, result.stderr
    assert "counters.services.only_from_the_command" in result.stdout
    assert "a management command: Command.handle -> only_from_the_command" in result.stdout
    assert "single-run only" in result.stdout


def test_where_names_the_transaction():
    result = _where(TRANSACTIONS, "tags.services:save_row")
    assert result.returncode == 0, result.stderr
    assert "transaction: the atomic() of `import_rows`" in result.stdout
    assert "runs: concurrently" in result.stdout
    result = _where(TRANSACTIONS, "tags/views.py:9")
    assert "transaction: none can surround it" in result.stdout


def test_where_on_a_line_outside_any_function():
    result = _where(TRANSACTIONS, f"{os.path.join('tags', 'views.py')}:1")
    assert result.returncode == 1 and "no function" in result.stderr


@pytest.mark.parametrize("project, aliases", [
    ("dji006_integrity_without_savepoint", ["default"]),
    ("dji006_transactions", []),  # "ATOMIC_REQUESTS": False
    ("dji006_reusable_app", ["?"]),  # no settings module: its users' settings decide
])
def test_the_index_reads_atomic_requests_from_the_settings(project, aliases):
    from flake8_django_integrity.project.index import ProjectIndex

    assert ProjectIndex(str(FIXTURES / project)).build().atomic_requests == aliases


def test_star_import_chains_are_resolved_once_per_module(tmp_path):
    """``from a import *`` re-exported through more star imports fans out: each module is
    asked once per name (the cost is counted, not timed; 0.2's first cut asked 2**N times
    and took minutes on a large project)."""
    from flake8_django_integrity.project import functions as functions_module

    (tmp_path / "manage.py").write_text("")
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    count = 18
    for i in range(count):
        stars = "".join(f"from pkg.m{j} import *\n" for j in range(i))
        (pkg / f"m{i}.py").write_text(stars + f"\n\ndef f{i}():\n    return {i}\n")
    index = functions_module.get_functions(str(tmp_path))
    asked = []
    inner = index._resolve
    index._resolve = lambda mod, dotted, depth: asked.append(mod) or inner(mod, dotted, depth)
    assert index.resolve(f"pkg.m{count - 1}", "f0") == "pkg.m0.f0"
    assert index.resolve(f"pkg.m{count - 1}", "missing") is None
    assert len(asked) <= 2 * count, len(asked)


# ---------------------------------------------------------------------- classes of where code runs
BY_CLASS = FIXTURES / "where_runs_by_class"
WITH_OPTION = re.compile(r"#\s*with (--dji-lint-[a-z-]+):\s*(DJI\d{3})")


@pytest.fixture(scope="module")
def by_class():
    return get_functions(str(BY_CLASS))


@pytest.mark.parametrize("qual, kinds", [
    ("ledger.seeding.seed_notes", {"test"}),  # only a test module calls it
    ("ledger.seeding.seed_entries_in_one_block", {"test"}),
    ("ledger.seeding.seed_and_serve", {"request"}),  # tests are asked only about roots
    ("ledger.seeding.hook_named_in_settings", {"unknown"}),  # a setting names it
    ("ledger.seeding.Seeder.seed", {"unknown"}),  # a method: tests call it through an object
    ("ledger.seeding.never_called", {"unknown"}),
    ("ledger.jobs.hourly.refresh.Job.execute", {"job"}),  # cursor.execute() is no caller
    ("ledger.services.refresh_notes", {"job"}),
    ("ledger.services.refresh_from_job_and_view", {"job", "request"}),
    ("ledger.dump.__main__", {"script"}),
    ("ledger.dump.dump_defaults", {"script"}),
    ("ledger.dump.dump_and_serve", {"script", "request"}),
    # subprocess.Popen([sys.executable, "manage.py", "rebuild_notes"]) in a view
    ("ledger.management.commands.rebuild_notes.Command.handle", {"command", "request"}),
    ("ledger.management.commands.tidy_notes.Command.handle", {"command"}),
])
def test_each_class_of_caller_reaches_its_functions(by_class, qual, kinds):
    assert set(reach(by_class, qual).kinds) == kinds


@pytest.mark.parametrize("qual, single, test_only", [
    ("ledger.seeding.seed_notes", False, True),
    ("ledger.seeding.seed_and_serve", False, False),
    ("ledger.services.refresh_notes", True, False),
    ("ledger.dump.dump_defaults", True, False),
    ("ledger.dump.dump_and_serve", False, False),
])
def test_test_code_and_single_run_code_are_told_apart(by_class, qual, single, test_only):
    found = reach(by_class, qual)
    assert (found.single_run_only, found.test_only) == (single, test_only)


def test_a_helper_called_by_tests_and_by_a_command_is_single_run(tmp_path):
    (tmp_path / "manage.py").write_text("")
    for folder in ("app", "app/tests", "app/management", "app/management/commands"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "app/helpers.py").write_text("def make():\n    return 1\n")
    (tmp_path / "app/tests/test_make.py").write_text(
        "from app.helpers import make\n\n\ndef test_make():\n    make()\n")
    (tmp_path / "app/management/commands/fill.py").write_text(
        "from django.core.management.base import BaseCommand\nfrom app import helpers\n\n\n"
        "class Command(BaseCommand):\n    def handle(self, **options):\n        helpers.make()\n")
    index = get_functions(str(tmp_path))
    found = reach(index, "app.helpers.make")
    # the command calls it, so it is not a root: its only other callers are the tests, which
    # the production index does not read
    assert set(found.kinds) == {"command"} and found.single_run_only and not found.test_only


@pytest.mark.parametrize("qual, description, ends", [
    ("ledger.services.add_entry", "the atomic() of `Account.save`", False),
    ("ledger.services.add_entry_for_branch", "the atomic() of `Audited.save`", False),
    ("ledger.services.add_entry_in_own_block", "the atomic() of `Account.save`", False),
    ("ledger.services.add_entry_for_drawer", None, None),
    ("ledger.services.log_removal",
     "the atomic() Django's delete() opens around its signals (Collector.delete)", False),
])
def test_a_save_signal_receiver_runs_inside_its_senders_save(by_class, qual, description, ends):
    found = transaction(by_class, qual)
    if description is None:
        assert found is None
    else:
        assert (found.description, found.ends_with_function) == (description, ends)


@pytest.mark.parametrize("qual, ends", [
    ("tags.services.import_rows", True),  # @transaction.atomic on itself
    ("tags.services.save_row", False),  # import_rows's atomic(): the caller carries on
    ("tags.admin.TagAdmin.save_model", False),  # changeform_view carries on after it
])
def test_a_transaction_of_the_function_itself_ends_with_it(transactions, qual, ends):
    found = transaction(transactions, qual)
    assert found is not None and found.ends_with_function is ends


@pytest.mark.parametrize("option", ["--dji-lint-tests", "--dji-lint-single-run"])
def test_the_option_reports_what_the_default_leaves_out(option):
    want = set(expected(BY_CLASS))
    for path in sorted(BY_CLASS.rglob("*.py")):
        rel = path.relative_to(BY_CLASS).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = WITH_OPTION.search(line)
            if match and match.group(1) == option:
                want.add((rel, lineno, match.group(2)))
    assert len(want) > len(expected(BY_CLASS))
    got = findings(run_flake8(BY_CLASS, "-j1", option, "."), BY_CLASS)
    assert got == want, f"missing: {sorted(want - got)}\nunexpected: {sorted(got - want)}"


def test_where_says_a_helper_runs_from_test_code_only():
    result = subprocess.run(
        [sys.executable, "-m", "flake8_django_integrity", "where", "ledger/seeding.py:10"],
        cwd=BY_CLASS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "test code (a test module, not linted by default): seed_notes" in result.stdout
    assert "runs: from test code only" in result.stdout


@pytest.mark.parametrize("call, command", [
    ('subprocess.Popen([sys.executable, "manage.py", "sync", "--all"])', "sync"),
    ('Process(target=main, kwargs={"argv": ["prog", "sync"]})', "sync"),
    ('execute_from_command_line(["./manage.py", "sync"])', "sync"),
    ('subprocess.run(["python", "-m", "sync"])', None),  # "-m" is no command name
    ('log.info("%s %s", ["sync"])', None),  # one string: no argv
])
def test_an_argv_list_handed_to_a_call_runs_that_command(call, command):
    modules = _summaries(f"def start():\n    {call}\n")
    texts = {text for text, _flag in modules["app.mod"]["units"][0]["c"]}
    commands = {t for t in texts if t.startswith("command:")}
    assert commands == ({f"command:{command}"} if command else set())


# ---------------------------------------------------------------------- one-row reads (DJI003)
def test_the_index_records_the_lookups_one_row_is_read_by():
    modules = _summaries("from django.db import models\n"
                         "class Book(models.Model):\n    pass\n", "shop.models", "shop/models.py")
    modules.update(_summaries(
        "from django.shortcuts import get_object_or_404\n"
        "from shop.models import Book\n"
        "from django.db import IntegrityError\n"
        "def show(request, a, b):\n"
        "    Book.objects.filter(author_id=a).select_related('x').get(title__iexact=b)\n"
        "    get_object_or_404(Book, isbn=a)\n"
        "    get_object_or_404(Book.objects.filter(shelf=a), slot=b)\n"
        "    Book.objects.get_or_create(code=a, defaults={'title': b})\n"
        "    request.user.books.get(code=a)\n"
        "    try:\n"
        "        Book.objects.get(serial=a)\n"
        "    except IntegrityError:\n"
        "        pass\n"
        "def unknown_keys(a, q, kw):\n"
        "    Book.objects.get(q)\n"
        "    Book.objects.get(**kw)\n"
        "    Book.objects.filter(q).get(a=a)\n"
        "    get_object_or_404(Book, **kw)\n"
        "def not_reads(a, q, kw):\n"
        "    Book.objects.values('x').get(a=a)\n"
        "    Book.objects.filter(a=a).first()\n"
        "    Book.objects.get()\n"
    ))
    by_class, by_accessor = FunctionIndex(modules).one_row_reads()
    found = sorted((r.fields, r.unit, r.line) for r in by_class["shop.models.Book"])
    assert found == [
        # a lookup that cannot be read whole: its keys are unknown
        (("**",), "app.mod.unknown_keys", 15),
        (("**",), "app.mod.unknown_keys", 16),
        (("**",), "app.mod.unknown_keys", 17),
        (("**",), "app.mod.unknown_keys", 18),
        (("author_id", "title"), "app.mod.show", 5),
        (("code",), "app.mod.show", 8),
        (("isbn",), "app.mod.show", 6),
        (("serial",), "app.mod.show", 11),  # once, though the try is read twice
        (("shelf", "slot"), "app.mod.show", 7),
    ]
    assert [(r.fields, r.manager) for r in by_accessor["books"]] == [(("code",), "books")]
    assert set(by_accessor) == {"books"}


@pytest.mark.parametrize("read", [
    ["f", "app.Book", "objects", ["a"], "1"],
    ["f", "app.Book", "objects", "a", 1],
    ["f\napp/x.py:1:1: DJI003 forged", "app.Book", "objects", ["a"], 1],
    ["f", "app.Book", "objects", ["a"]],
])
def test_a_malformed_stored_read_is_rejected(read):
    data = _summaries("def f():\n    pass\n")
    data["app.mod"]["reads"] = [read]
    with pytest.raises(ValueError):
        function_store._checked_modules(json.loads(json.dumps(data)))
    data["app.mod"]["reads"] = [["f", "app.Book", "objects", ["a"], 1]]
    assert function_store._checked_modules(json.loads(json.dumps(data)))


# ---------------------------------------------------------------------- migration-only helpers
MIGRATION_HELPERS = FIXTURES / "migration_helpers"


def test_where_says_a_helper_runs_from_migrations_only():
    result = _where(MIGRATION_HELPERS, "library/utils/migrations.py:19")
    assert result.returncode == 0, result.stderr
    assert "a migration: " in result.stdout and "copy_isbns -> _save_isbn" in result.stdout
    assert "from migrations only: migration code" in result.stdout
    shared = _where(MIGRATION_HELPERS, "library/utils/shared.py:9")
    assert shared.returncode == 0, shared.stderr
    assert "from migrations only" not in shared.stdout
    assert "a request handler: new_shelf -> add_shelf" in shared.stdout


# ---------------------------------------------------------------------- test support modules
TEST_SUPPORT = FIXTURES / "where_test_support"


@pytest.fixture(scope="module")
def test_support_index():
    return get_functions(str(TEST_SUPPORT))


@pytest.mark.parametrize("qual, kinds", [
    # only test modules import these modules: every function of theirs is test code
    ("shop.populate_test_data.populate", {"test"}),  # from shop import populate_test_data
    ("shop.populate_test_data.__main__", {"test"}),  # its script block too
    ("shop.factories.ItemFactory.create", {"test"}),  # import shop.factories (a method)
    ("shop.testutils.make_item", {"test"}),  # from ..testutils import, inside a test function
    ("shop.rowbuilder.build_rows", {"test"}),  # imported only by testutils
    # neighbours
    ("shop.samples.add_sample", {"request"}),  # a view imports it too: production
    # a view calls it through the package (import shop; shop.seeds.seed_one()): production
    # (its name does not mark it as test support either, so only the view's call counts)
    ("shop.seeds.seed_one", {"request"}),
    ("shop.orphan.add_orphan", {"unknown"}),  # nobody imports it
    # only the tests import it, but its name does not say it serves them (an app's hook):
    # not test support as a module; its function, only the tests call, is (for DJI003/6/7)
    ("shop.pipeline.create_item", {"test"}),
    ("shop.unused_helpers.add_unused", {"unknown"}),  # imported by a module nobody imports
])
def test_a_module_only_tests_import_is_test_code(test_support_index, qual, kinds):
    assert set(reach(test_support_index, qual).kinds) == kinds


def test_the_import_chain_from_the_test_module(test_support_index):
    from flake8_django_integrity.project.reach import test_support

    chain = test_support(test_support_index, "shop.rowbuilder")
    assert chain is not None
    assert os.path.relpath(chain[0], TEST_SUPPORT) == os.path.join("shop", "tests", "test_rows.py")
    assert chain[1:] == ["shop.testutils", "shop.rowbuilder"]
    for module in ("shop.samples", "shop.orphan", "shop.unused_helpers", "shop.views",
                   "shop.models", "shop.pipeline"):
        assert test_support(test_support_index, module) is None, module


def test_a_module_django_loads_by_name_or_a_setting_names_is_no_candidate(tmp_path):
    (tmp_path / "manage.py").write_text("")
    for folder in ("app", "app/tests"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "app/tasks.py").write_text("def work():\n    return 1\n")
    (tmp_path / "app/hooks.py").write_text("def on_close():\n    return 1\n")
    (tmp_path / "app/factories.py").write_text("def build():\n    return 1\n")
    (tmp_path / "app/settings_conf.py").write_text('CLOSE_HOOK = "app.hooks.on_close"\n')
    (tmp_path / "app/site_hooks.py").write_text("def register():\n    return 1\n")
    (tmp_path / "app/jobs.py").write_text("def nightly():\n    return 1\n")
    (tmp_path / "app/discovery.py").write_text(
        "from django.utils.module_loading import autodiscover_modules\n\n\n"
        "def discover(apps):\n    autodiscover_modules('site_hooks')\n"
        "    return ['%s.jobs' % app for app in apps]\n")
    (tmp_path / "app/tests/test_all.py").write_text(
        "from app import factories, hooks, jobs, site_hooks, tasks\n\n\n"
        "def test_it():\n    tasks.work()\n")
    from flake8_django_integrity.project.reach import test_support

    index = get_functions(str(tmp_path))
    assert {"app.factories", "app.discovery"} <= set(index.support_candidates)  # nobody imports
    for module in ("app.tasks", "app.hooks", "app.site_hooks", "app.jobs", "app.settings_conf"):
        assert module not in index.support_candidates, module
    assert {m for m in index.support_candidates if test_support(index, m)} == {"app.factories"}
    assert set(reach(index, "app.factories.build").kinds) == {"test"}
    assert set(reach(index, "app.hooks.on_close").kinds) == {"unknown"}


def test_test_support_modules_are_reported_with_the_option():
    want = set(expected(TEST_SUPPORT))
    for path in sorted(TEST_SUPPORT.rglob("*.py")):
        rel = path.relative_to(TEST_SUPPORT).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = WITH_OPTION.search(line)
            if match and match.group(1) == "--dji-lint-tests":
                want.add((rel, lineno, match.group(2)))
    assert len(want) >= len(expected(TEST_SUPPORT)) + 9
    got = findings(run_flake8(TEST_SUPPORT, "-j1", "--dji-lint-tests", "."), TEST_SUPPORT)
    assert got == want, f"missing: {sorted(want - got)}\nunexpected: {sorted(got - want)}"


def test_where_says_a_module_is_test_support_code():
    result = subprocess.run(
        [sys.executable, "-m", "flake8_django_integrity", "where", "shop/rowbuilder.py:6"],
        cwd=TEST_SUPPORT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "runs: from test code only" in result.stdout
    assert ("module: test support code, imported only from tests: "
            "shop/tests/test_rows.py -> shop.testutils -> shop.rowbuilder") in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "flake8_django_integrity", "where", "shop/samples.py:6"],
        cwd=TEST_SUPPORT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "module: test support" not in result.stdout and "runs: concurrently" in result.stdout


# ---------------------------------------------------------------------- project context managers
@pytest.mark.parametrize("qual, bits", [
    ("shop.contexts.language", 3),  # no query before or after its yield
    ("shop.contexts.counted", 1),  # writes after its yield
    ("shop.contexts.recorded", 2),  # writes before its yield
    ("shop.contexts.Quiet", 3),  # __enter__ and __exit__ make no query
    ("shop.contexts.Audited", 1),  # its __exit__ saves
    ("shop.contexts.notify_admins", 0),  # no context manager
    ("shop.deletion.language", 3),  # through the import of the module that uses it
])
def test_a_project_context_manager_says_whether_entering_and_leaving_query(qual, bits):
    index = _index(FIXTURES / "dji006_integrity_without_savepoint")
    assert index.context_quiet(qual) == bits


@pytest.mark.parametrize("body, bits", [
    ("    for x in range(2):\n        yield x\n", 0),  # a yield in a loop: not judged
    ("    yield\n    yield\n", 0),  # two yields
    ("    with lock():\n        yield\n", 0),  # another with's exit runs after it
    # the except clause runs only when the with body raises; counted as entry code (unknown)
    ("    try:\n        yield\n    except ValueError:\n        Tag.objects.create()\n", 2),
    ("    Tag.objects.filter(a=1).exists()\n    yield\n", 3),  # a read on entering: no write
    ("    Tag.objects.create()\n    yield\n", 2),  # a write on entering
    ("    refresh()\n    yield\n", 2),  # an unknown call on entering may write
    ("    try:\n        yield\n    except ValueError:\n        raise\n    else:\n"
     "        Tag.objects.get()\n", 1),  # the else clause runs on leaving normally
    ("    value = yield\n    log.info(value)\n", 3),
])
def test_where_a_context_manager_yields_decides_what_runs_on_leaving(body, bits):
    source = ("from contextlib import contextmanager\nimport logging\n"
              "log = logging.getLogger(__name__)\n\n\n@contextmanager\ndef managed():\n" + body)
    modules = _summaries(source)
    unit = next(u for u in modules["app.mod"]["units"] if u["q"] == "managed")
    assert unit.get("x", 0) == bits


def test_stored_one_row_reads_decode_only_the_summaries_that_hold_reads(tmp_path, monkeypatch):
    """DJI003's harm check asks for every one-row read of the project: read from the cache,
    only the summaries whose stored text holds reads are decoded (and the modules their
    owners resolve through), and the answer is the fresh build's."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(
        "from django.db import models\n"
        "class Book(models.Model):\n"
        "    code = models.CharField(max_length=9)\n")
    (root / "app" / "views.py").write_text(
        "from .models import Book\n"
        "def show(request, a):\n"
        "    Book.objects.get(code=a)\n"
        "    request.user.books.get(code=a)\n")
    (root / "app" / "helpers.py").write_text(
        "def plain(a):\n"
        "    return {'x': a}.get('x')\n")
    (root / "app" / "more.py").write_text(
        "from app.models import Book\n"
        "def again(a, b):\n"
        "    return Book.objects.filter(shelf=b).get(code=a)\n")

    past = time.time() - 60  # a checkout not edited a moment ago: the cache trusts it
    for directory, _, files in os.walk(root):
        for name in [*files, "."]:
            os.utime(os.path.join(directory, name), (past, past))

    def load():
        monkeypatch.setattr(functions_mod, "_INDEXES", {})
        return get_functions(str(root), cache_dir=str(tmp_path / "cache"), use_cache=True)

    def reads(index):
        by_class, by_accessor = index.one_row_reads()
        return ({k: sorted((r.fields, r.unit, r.line, r.manager) for r in v)
                 for k, v in by_class.items()},
                {k: sorted((r.fields, r.unit, r.line) for r in v) for k, v in by_accessor.items()})

    fresh = load()
    assert fresh._stored is None
    want = reads(fresh)
    assert want == ({"app.models.Book": [(("code",), "app.views.show", 3, "objects"),
                                         (("code", "shelf"), "app.more.again", 3, "objects")]},
                    {"books": [(("code",), "app.views.show", 4)]})
    stored = load()
    assert stored._stored is not None
    assert reads(stored) == want
    loaded = set(stored.modules._loaded)
    assert {"app.views", "app.more"} <= loaded  # they hold the reads
    assert "app.helpers" not in loaded  # no read: its summary never decoded
