"""The rules, one module each.  A rule registers callbacks on node types; the checker walks
each file once and calls them (django-upgrade's shape).

Adding a rule: a new module here named ``djiNNN_<what>.py`` that builds ``rule = Rule(...)``
and decorates its callbacks with ``@rule.register(ast.Call)``; it is found by its name.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from ..context import FileContext

# Which files a rule reads.
RUNTIME = "runtime"  # production code paths: not tests, not migrations (unless --dji-lint-tests)
MODELS = "models"  # model declarations, wherever a class is a model
MIGRATIONS = "migrations"  # migration files
ANY = "any"

Callback = Callable[[FileContext, ast.AST], None]


@dataclass
class Rule:
    code: str
    scope: str
    # Words one of which the file's source must contain for the rule to have anything to say
    # (a file with no "create" and no "save" has no write to judge); empty: every file.
    triggers: tuple[str, ...] = ()
    # The rule reads relation field declarations in model code: a file that names one of the
    # project's own ForeignKey / OneToOneField subclasses (``ShopFK(...)``, which the index
    # knows) may hold one, whatever its trigger words.
    relation_fields: bool = False
    callbacks: dict[type, list[Callback]] = field(default_factory=dict)

    def register(self, *node_types: type):
        def decorate(func: Callback) -> Callback:
            for node_type in node_types:
                self.callbacks.setdefault(node_type, []).append(func)
            return func

        return decorate

    def may_fire(self, source: str | None) -> bool:
        return source is None or not self.triggers or any(t in source for t in self.triggers)

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


def rule_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("dji")
    )


def load_rules() -> list[Rule]:
    return [importlib.import_module(f"{__name__}.{name}").rule for name in rule_modules()]
