"""What the runtime rules ask about where a line of the linted file runs.

The rules call these only for a finding they are about to report, so the project's function
index (project/functions.py, a parse of every production module) is built, or loaded from
the cache, only in a run that has such a candidate; the modules that answer (functions.py
and the function_*.py beside it, reach.py, entrypoints.py) are imported then too, not when
a rule module is.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .. import orm
from ..context import FileContext
from ..project.summary import dotted_name

if TYPE_CHECKING:
    from ..project.function_index import FunctionIndex
    from ..project.reach import Reach

_UNIT_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# Test modules and migrations are linted only with --dji-lint-tests; their code runs inside a
# transaction of its own.
TEST_TRANSACTION = "the transaction each test runs in (django.test.TestCase, pytest-django's db)"
MIGRATION_TRANSACTION = "the migration's transaction (Migration.atomic, on PostgreSQL)"


def functions(ctx: FileContext) -> FunctionIndex | None:
    """The project's function index (orm.function_index: one build per file context)."""
    return orm.function_index(ctx)


def unit_qualname(ctx: FileContext, node: ast.AST) -> str | None:
    """The qualified name of the function or method (or ``<module>``) ``node`` runs in, as
    project/functions.py names it: the outermost function whose scopes are only classes."""
    if not ctx.module:
        return None
    from ..project.function_scan import MAIN_UNIT, MODULE_UNIT, is_main_guard

    names = []
    path = [*reversed(list(ctx.ancestors(node))), node]  # outermost first
    for anc, child in zip(path, path[1:]):
        if isinstance(anc, ast.If) and isinstance(path[0], ast.Module) and all(
                isinstance(a, (ast.Module, ast.If, ast.Try)) for a in path[:path.index(anc)]) \
                and is_main_guard(anc.test) and any(child is s for s in anc.body):
            return f"{ctx.module}.{MAIN_UNIT}"  # the script's block (project/functions.py)
        if isinstance(anc, ast.ClassDef):
            names.append(anc.name)
        elif isinstance(anc, _UNIT_NODES):
            return ".".join([ctx.module, *names, anc.name])
        elif isinstance(anc, ast.Lambda):
            break
    return f"{ctx.module}.{MODULE_UNIT}"


def no_concurrent_reach(ctx: FileContext, node: ast.AST, per_user: bool = False) -> bool:
    """``node`` runs from nothing concurrent (single-run entry points, staff-only requests,
    test code) and the user did not ask for those (``--dji-lint-single-run``,
    ``--dji-lint-staff``, ``--dji-lint-tests``).

    ``per_user``: the row is one per user (DJI007's lookup by the user): the user's own
    parallel requests race on it, so staff-only reach does not leave it out.

    Test modules and migrations are linted only when the user asked (``--dji-lint-tests``):
    there nothing is left out."""
    if ctx.is_test or ctx.is_migration:
        return False
    found = _reach(ctx, node)
    if _left_out(ctx, found, per_user):
        return True
    # the branch ``node`` sits in may run only for some callers' constants (``if not
    # self.dry_run:``, ``if options["operation"] == "import_mapping":`` up the callers)
    branch = branch_reach(ctx, node)
    return branch is not None and _left_out(ctx, branch[1], per_user)


def _left_out(ctx: FileContext, found: Reach | None, per_user: bool = False) -> bool:
    from ..project import entrypoints as ep

    kinds = set(found.kinds) if found else set()
    if not kinds or kinds & ep.CONCURRENT:
        return False
    if ctx.settings.lint_single_run and kinds & ep.SINGLE_RUN:
        return False
    if (ctx.settings.lint_staff or per_user) and ep.STAFF in kinds:
        return False
    return not (ctx.settings.lint_tests and ep.TEST in kinds)


def branch_reach(ctx: FileContext, node: ast.AST):
    """(the conditions ``node`` runs under in its function, the entry points whose calls
    can make them and the callers' own tests hold) from project/branches.py, or None when
    that cannot leave anything out.  Read only for a finding about to be reported."""
    index = functions(ctx)
    qual = unit_qualname(ctx, node)
    if index is None or qual is None or qual not in index.units:
        return None
    path = [*reversed(list(ctx.ancestors(node))), node]
    try:
        from ..project import branches

        return branches.branch_reach(index, qual, path)
    except Exception:  # an odd caller's source: the finding stays, never a crash
        import logging

        logging.getLogger("flake8_django_integrity").debug(
            "flake8-django-integrity: reach of a branch not read", exc_info=True)
        return None


def test_only(ctx: FileContext, node: ast.AST) -> bool:
    """``node`` is in a production module but only test code calls it (a test helper whose
    module name does not say so), and the user did not ask for tests (``--dji-lint-tests``)."""
    if ctx.settings.lint_tests or ctx.is_test or ctx.is_migration:
        return False
    found = _reach(ctx, node)
    return found is not None and found.test_only


def in_test_support(ctx: FileContext) -> bool:
    """The linted module is test support code as a whole (project/reach.py's
    ``test_support``: only test code imports it and its name says it serves the tests), and
    the user did not ask for tests.  Narrower than ``test_only``: a function only the tests
    call may still be the API a reusable app offers (DJI001 and DJI005 ask only this)."""
    if ctx.settings.lint_tests or ctx.is_test or ctx.is_migration or not ctx.module:
        return False
    index = functions(ctx)
    if index is None:
        return False
    from ..project import reach as reach_mod

    return reach_mod.test_support(index, ctx.module) is not None


def migration_only(ctx: FileContext, node: ast.AST) -> bool:
    """``node`` is in a production module but only migrations' ``RunPython`` code reaches it
    (perhaps tests too): a data migration's helper (``app/utils/migrations.py``) is migration
    code, left out like the migration files themselves unless the user asked for them
    (``--dji-lint-tests``, which lints migrations)."""
    if ctx.settings.lint_tests or ctx.is_test or ctx.is_migration:
        return False
    from ..project import entrypoints as ep

    found = _reach(ctx, node)
    kinds = set(found.kinds) if found else set()
    return ep.MIGRATION in kinds and kinds <= {ep.MIGRATION, ep.TEST}


def _reach(ctx: FileContext, node: ast.AST) -> Reach | None:
    index = functions(ctx)
    qual = unit_qualname(ctx, node)
    if index is None or qual is None or qual not in index.units:
        return None
    from ..project import reach as reach_mod

    return reach_mod.reach(index, qual)


def surrounding_transaction(ctx: FileContext, node: ast.AST) -> str | None:
    """The transaction that can be open around ``node``: an ``atomic()`` block or decorator
    in its own function, else the nearest one up the callers (project/reach.py)."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.With, ast.AsyncWith)) and any(
                _is_atomic(ctx, item.context_expr) for item in anc.items):
            func = ctx.enclosing_function(anc)
            return f"the atomic() of `{func.name if isinstance(func, _UNIT_NODES) else ctx.module}`"
        if isinstance(anc, _UNIT_NODES):
            if any(_is_atomic(ctx, d) for d in anc.decorator_list):
                return f"the atomic() of `{anc.name}`"
    if ctx.is_test:
        return TEST_TRANSACTION
    if ctx.is_migration:
        return MIGRATION_TRANSACTION
    index = functions(ctx)
    qual = unit_qualname(ctx, node)
    if index is None or qual is None or qual not in index.units:
        return None
    from ..project import reach as reach_mod

    found = reach_mod.transaction(index, qual)
    return found.description if found else None


def own_transaction(ctx: FileContext, node: ast.AST) -> bool:
    """The transaction around ``node`` is its own function's: an ``atomic()`` block or
    decorator of the function, the class's ``method_decorator(atomic)``, the request
    transaction of a view: a ``return`` leaves that transaction."""
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.With, ast.AsyncWith)) and any(
                _is_atomic(ctx, item.context_expr) for item in anc.items):
            return True
        if isinstance(anc, _UNIT_NODES):
            if any(_is_atomic(ctx, d) for d in anc.decorator_list):
                return True
            break
    index = functions(ctx)
    qual = unit_qualname(ctx, node)
    if index is None or qual is None or qual not in index.units:
        return False
    from ..project import reach as reach_mod

    found = reach_mod.transaction(index, qual)
    return found is not None and found.ends_with_function


def _is_atomic(ctx: FileContext, expr: ast.expr) -> bool:
    func = expr.func if isinstance(expr, ast.Call) else expr
    dotted = dotted_name(func)
    if not dotted:
        return False
    if dotted.rpartition(".")[2] == "method_decorator" and isinstance(expr, ast.Call) and expr.args:
        return _is_atomic(ctx, expr.args[0])
    target = ctx.resolve(func) or dotted
    return target.rpartition(".")[2] == "atomic"


def callers_handle_duplicate(ctx: FileContext, node: ast.AST) -> bool:
    """Every caller the project has for the function around ``node`` calls it inside a
    ``try`` that catches IntegrityError (or a parent): a duplicate it inserts is handled
    there (project/function_scan.py's guarded calls).  A function with no caller the plugin can
    see is not: its callers are unknown."""
    from ..project.function_scan import MODULE_UNIT

    index = functions(ctx)
    qual = unit_qualname(ctx, node)
    if index is None or qual is None or qual not in index.units or qual.endswith(MODULE_UNIT):
        return False
    return index.every_caller_handles(qual) is not None


def callers_lock(ctx: FileContext, node: ast.AST, model, keys) -> bool:
    """Every caller the project has for the function around ``node`` runs it inside an
    ``atomic()`` region after a ``select_for_update()`` on the model itself or on a row its
    lookup ``keys`` point to (a foreign key's target, or a row that target points to in turn:
    the same parent row has the same grandparent), in the same transaction: two racing
    writers of the same lookup wait for each other there (project/function_index.py's
    ``callers_lock``).  A function with no caller the plugin can see is not: its callers are
    unknown.  The lock is matched by model, not by row: which row a caller locks is not read."""
    from ..project.function_scan import MODULE_UNIT

    index = functions(ctx)
    qual = unit_qualname(ctx, node)
    if index is None or qual is None or qual not in index.units or qual.endswith(MODULE_UNIT):
        return False
    try:
        paths = index.callers_lock(qual)
    except Exception:  # an odd caller's summary: the finding stays, never a crash
        import logging

        logging.getLogger("flake8_django_integrity").debug(
            "flake8-django-integrity: callers' locks not read", exc_info=True)
        return False
    if not paths:
        return False
    wanted = _lock_models(ctx, model, keys)
    return all(any(_model_qualname(ctx, owner) in wanted for owner in held) for held in paths)


def _lock_models(ctx: FileContext, model, keys) -> set[str]:
    """The models a lock serialises writers of ``model``'s lookup ``keys`` on: the model, the
    targets of the keys that are foreign keys, and the targets of those targets' own foreign
    keys (each with its multi-table parents)."""
    index = ctx.index
    out = {model.qualname, *model.concrete_parents}
    for key in keys:
        name = key.split("__")[0]
        field = model.fields.get(name) or (
            model.fields.get(name[:-3]) if name.endswith("_id") else None)
        if field is None or field.relation not in ("fk", "o2o"):
            continue
        parent = index.related_model(model, field.name)
        if parent is None:
            continue
        out.update((parent.qualname, *parent.concrete_parents))
        for grand_field in parent.fields.values():
            if grand_field.relation in ("fk", "o2o"):
                grand = index.related_model(parent, grand_field.name)
                if grand is not None:
                    out.update((grand.qualname, *grand.concrete_parents))
    return out


def _model_qualname(ctx: FileContext, text: str) -> str:
    fact = ctx.index.model(ctx.index.canonical(text))
    return fact.qualname if fact is not None else text


def once_per_install(ctx: FileContext, q: orm.Query, at: ast.AST,
                     last: list[ast.keyword] | None = None) -> bool:
    """The row a race rule is about to report is identified by a constant key (orm.constant_key:
    ``get_or_create(name="editors")``, ``Settings.objects.exists()``): it exists from its first
    insert on, so callers can race on it only at the first use after an install, and the user
    did not ask for those (``--dji-lint-install-once``).  A row the linted file may delete (a
    lock, a marker, a reset: orm.deletes_rows_of) is made again after each delete: reported."""
    if ctx.settings.lint_install_once or q.model is None:
        return False
    try:
        return orm.constant_key(ctx, q, at, last) and not orm.deletes_rows_of(ctx, q, at, last)
    except Exception:  # an odd expression: the finding stays, never a crash
        import logging

        logging.getLogger("flake8_django_integrity").debug(
            "flake8-django-integrity: constant key not read", exc_info=True)
        return False
