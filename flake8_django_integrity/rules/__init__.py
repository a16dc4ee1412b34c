"""The rules, one module each.  A rule registers callbacks on node types; the checker walks
each file once and calls them (django-upgrade's shape).

Adding a rule: declare it in ``DECLARED`` below (its code, scope, trigger words and module
name), then write the module ``djiNNN_<what>.py`` here: it takes its rule with
``rule = declared(__name__)`` and decorates its callbacks with ``@rule.register(ast.Call)``.

Every rule is declared here, apart from its module, so that the checker can tell which rules a
file may trigger before importing any rule module: a module is imported the first time a file
can trigger its rule (``Rule.load``).  An editor lints one file per process, and importing
every rule module, with what they import (the function index's code among it), was a large
part of the plugin's cost there.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable

from ..context import FileContext
from ..project.records import Record

# Which files a rule reads.
RUNTIME = "runtime"  # production code paths: not tests, not migrations (unless --dji-lint-tests)
MODELS = "models"  # model declarations, wherever a class is a model
MIGRATIONS = "migrations"  # migration files
ANY = "any"

Callback = Callable[[FileContext, ast.AST], None]


class Rule(Record):
    """A code, which files it reads, the words that may trigger it, and its callbacks."""

    code: str
    scope: str
    # Words one of which the file's source must contain for the rule to have anything to say
    # (a file with no "create" and no "save" has no write to judge); empty: every file.
    triggers: tuple[str, ...] = ()
    # The rule reads relation field declarations in model code: a file that names one of the
    # project's own ForeignKey / OneToOneField subclasses (``ShopFK(...)``, which the index
    # knows) may hold one, whatever its trigger words.
    relation_fields: bool = False
    callbacks: dict[type, list[Callback]]
    # The module of this package that registers the callbacks, imported by ``load`` (a rule
    # declared in DECLARED); empty: the callbacks are registered already (a rule built
    # elsewhere, such as the tests' probe).
    module: str = ""

    def __init__(self, code: str, scope: str, triggers: tuple[str, ...] = (),
                 relation_fields: bool = False, callbacks: dict[type, list[Callback]] | None = None,
                 module: str = ""):
        self.code = code
        self.scope = scope
        self.triggers = triggers
        self.relation_fields = relation_fields
        self.callbacks = {} if callbacks is None else callbacks
        self.module = module
        self._loaded = False  # not a field: neither compared nor shown
        # callback -> the method names of the calls it reads (``register(methods=...)``)
        self.call_methods: dict[Callback, frozenset[str]] = {}

    def load(self) -> Rule:
        """The rule with its callbacks: its module imported on first use."""
        if self.module and not self._loaded:
            importlib.import_module(f"{__name__}.{self.module}")
            self._loaded = True
        return self

    def register(self, *node_types: type, methods: frozenset[str] | None = None):
        """Call the decorated function on every node of ``node_types``; with ``methods``
        (for ``ast.Call``), only on the calls ``<expr>.<method>(...)`` of those names: the
        checker's walk then hands it no other call (most calls of a file are not the few
        methods a rule reads, and a call to each callback per call node adds up)."""
        def decorate(func: Callback) -> Callback:
            for node_type in node_types:
                self.callbacks.setdefault(node_type, []).append(func)
            if methods is not None:
                self.call_methods[func] = frozenset(methods)
            return func

        return decorate

    def may_fire(self, source: str | None, seen: dict[str, bool] | None = None) -> bool:
        """Does ``source`` hold one of the trigger words?  ``seen``: the words already looked
        for in this source, shared by the rules (several share "create" and "save": each
        search reads the whole file)."""
        if source is None or not self.triggers:
            return True
        if seen is None:
            return any(t in source for t in self.triggers)
        for word in self.triggers:
            found = seen.get(word)
            if found is None:
                found = seen[word] = word in source
            if found:
                return True
        return False

    def may_fire_in_project(self, source: str, ctx: FileContext) -> bool:
        """For a file without the trigger words: does it name a relation field class of the
        project (asked of the index, once built; migrations declare no model fields)?"""
        if not self.relation_fields or ctx.is_migration:
            return False
        return any(name in source for name in ctx.index.relation_field_names)

    def applies_to(self, ctx: FileContext) -> bool:
        if self.scope == RUNTIME:
            if ctx.is_migration or ctx.is_test:
                return ctx.settings.lint_tests
            return True
        if self.scope == MIGRATIONS:
            return ctx.is_migration
        if self.scope == MODELS:
            return not ctx.is_migration
        return True


DECLARED = (
    Rule("DJI001", RUNTIME, triggers=("create", "save"), module="dji001_unique_write"),
    Rule("DJI002", ANY, module="dji002_unique_migration"),
    Rule("DJI003", RUNTIME, triggers=("create", "save"), module="dji003_check_then_insert"),
    Rule("DJI004", ANY, module="dji004_not_null_migration"),
    Rule("DJI005", ANY, triggers=("Key", "OneToOne", "create", "save", "form_valid"),
         relation_fields=True, module="dji005_foreign_key"),
    Rule("DJI006", RUNTIME, triggers=("IntegrityError",),
         module="dji006_integrity_without_savepoint"),
    Rule("DJI007", RUNTIME, triggers=("_or_create",), module="dji007_get_or_create_lookup"),
    Rule("DJI008", MODELS, triggers=("unique", "Field("), module="dji008_blank_unique_string"),
    Rule("DJI009", RUNTIME, triggers=("post_save",), module="dji009_post_save_create"),
)


def declared(module_name: str) -> Rule:
    """The rule a module of this package registers its callbacks on (``__name__``)."""
    name = module_name.rpartition(".")[2]
    for rule in DECLARED:
        if rule.module == name:
            return rule
    raise LookupError(f"no rule declared for module {name!r} (rules/__init__.py, DECLARED)")


def declared_rules() -> list[Rule]:
    """Every rule, in code order, its module not imported yet (``Rule.load``)."""
    return list(DECLARED)


def load_rules() -> list[Rule]:
    """Every rule with its callbacks (every rule module imported)."""
    return [rule.load() for rule in DECLARED]
