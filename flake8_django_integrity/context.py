"""Facts about the file being linted, computed once and shared by every rule."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import cached_property

from .messages import format_message
from .options import Settings
from .project import layout
from .project.facts import ModelFact
from .project.index import USER_MODEL, IndexOptions, ProjectIndex, get_index
from .project.summary import (
    ModuleSummary, atomic_missing as _atomic_missing, dotted_name, is_import_fallback,
    mentions_atomic as _mentions_atomic, summarize,
)

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
# Codes about production code paths (RULES.md, "Scope by file kind").
RUNTIME_CODES = frozenset({"DJI001", "DJI003", "DJI006", "DJI007", "DJI009"})


@dataclass(frozen=True)
class Finding:
    line: int
    col: int
    code: str
    message: str
    # the model (and field or unique set) the finding is about, where it has one: part of
    # its baseline entry (baseline.py), which survives a change of the message's wording
    subject: str = ""


class FileContext:
    """One linted file: its path, tree, kind, imports and the project it belongs to."""

    def __init__(self, tree: ast.Module, filename: str, settings: Settings, source: str | None = None):
        self.tree = tree
        self.source = source  # the text flake8 handed over (an unsaved buffer, maybe): the truth
        self.filename = os.path.abspath(filename) if filename not in ("-", "stdin") else filename
        self.settings = settings
        self.findings: list[Finding] = []
        # problems a rule found and leaves unreported (a race in single-run code): no finding,
        # but the codes it supersedes stay silent on that line as if it were reported
        self.unreported: list[Finding] = []
        self.parents: dict[int, ast.AST] = {}
        self._cache: dict = {}
        self.nesting = 0  # how deep orm.py's reading of chains and bindings has recursed
        self._functions: dict[int, ast.AST | None] = {}  # node id -> enclosing function

    # ---------------------------------------------------------------- the file
    @cached_property
    def root(self) -> str | None:
        if self.settings.project_root:
            return self.settings.project_root
        if self.filename in ("-", "stdin"):
            return None
        return layout.find_project_root(self.filename)

    @cached_property
    def module(self) -> str:
        if self.filename in ("-", "stdin"):
            return ""
        return layout.module_name(self.filename, self.root or os.path.dirname(self.filename))[0]

    @cached_property
    def project_path(self) -> str:
        """The file's path relative to the project root (folders above the root say nothing
        about the file: a project checked out under ``~/tests/`` is not a test module)."""
        if self.root and self.filename not in ("-", "stdin"):
            rel = os.path.relpath(self.filename, self.root)
            if not rel.startswith(os.pardir):
                return rel
        return self.filename

    @cached_property
    def is_test(self) -> bool:
        return layout.is_test_path(self.project_path)

    @cached_property
    def is_migration(self) -> bool:
        return layout.is_migration_path(self.project_path)

    @cached_property
    def is_models(self) -> bool:
        return layout.is_models_path(self.project_path)

    @cached_property
    def summary(self) -> ModuleSummary:
        is_package = os.path.basename(self.filename) == "__init__.py"
        return summarize(self.tree, self.module, is_package)

    @cached_property
    def index(self) -> ProjectIndex:
        """The project's model index (built or loaded on first use, once per process)."""
        options = IndexOptions(self.settings.model_bases, self.settings.managers, self.settings.exclude)
        if self.root is None:
            index = ProjectIndex("", options)
            from .project import contrib

            for fact in contrib.builtin_models():
                index._add_model(fact)
        else:
            index = get_index(self.root, options, cache_dir=self.settings.cache_dir,
                              use_cache=self.settings.use_cache)
            if (self.source is not None and self.filename not in ("-", "stdin")
                    and not self.is_migration and index.declares_models(self.filename)
                    and not index.read_from(self.filename, self.source)):
                # the text being linted is not the one the facts were read from: its own
                # models come from this text, the rest of the project from the index
                index = index.overlay(self.filename, self.tree, self.source)
        return index

    # ---------------------------------------------------------------- reporting
    def report(self, node: ast.AST, code: str, **kwargs) -> None:
        if code in RUNTIME_CODES and self.in_compat_branch(node):
            return  # runs only where transaction.atomic is missing: not the code path
        subject = ".".join(str(kwargs[k]) for k in ("model", "field", "unique") if kwargs.get(k))
        self.findings.append(
            Finding(node.lineno, node.col_offset, code, format_message(code, **kwargs), subject)
        )

    def in_compat_branch(self, node: ast.AST) -> bool:
        """Does ``node`` run only where ``transaction.atomic`` is missing (Django before 1.6)?
        The body of ``if atomic is None:`` / ``if not hasattr(transaction, "atomic"):`` /
        ``if django.VERSION < (1, 6):``, the ``else`` of the opposite test, and an ``except
        ImportError:`` handler whose ``try`` imports ``atomic``."""
        child = node
        for anc in self.ancestors(node):
            if isinstance(anc, ast.If):
                missing = _atomic_missing(anc.test)
                if missing is True and any(child is s for s in anc.body):
                    return True
                if missing is False and any(child is s for s in anc.orelse):
                    return True
            elif isinstance(anc, ast.Try) and isinstance(child, ast.ExceptHandler):
                if is_import_fallback(child) and any(_mentions_atomic(s) for s in anc.body):
                    return True
            child = anc
        return False

    def leave_unreported(self, node: ast.AST, code: str) -> None:
        self.unreported.append(Finding(node.lineno, node.col_offset, code, ""))

    # ---------------------------------------------------------------- tree navigation
    def _parent_map(self) -> dict[int, ast.AST]:
        if not self.parents:  # the checker's walk fills it; a module-level rule may not have walked
            from .checker import walk

            walk(self.tree, {}, self.parents)
        return self.parents

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parent_map().get(id(node))

    def ancestors(self, node: ast.AST):
        parents = self._parent_map()
        parent = parents.get(id(node))
        while parent is not None:
            yield parent
            parent = parents.get(id(parent))

    def enclosing_function(self, node: ast.AST):
        """The innermost function around ``node``.  Remembered for every node passed on the
        way up, so that asking about each name of a deep expression costs linear time."""
        parents = self._parent_map()
        known = self._functions
        key = id(node)
        if key in known:
            return known[key]
        passed = [key] if key in parents else []  # nodes of the tree only: ids stay theirs
        found = None
        parent = parents.get(key)
        while parent is not None:
            if isinstance(parent, FUNCTION_NODES):
                found = parent
                break
            key = id(parent)
            if key in known:
                found = known[key]
                break
            passed.append(key)
            parent = parents.get(key)
        for key in passed:
            known[key] = found
        return found

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        """The class whose method contains ``node`` (through one function level)."""
        seen_function = False
        for anc in self.ancestors(node):
            if isinstance(anc, ast.ClassDef):
                return anc if seen_function else None
            if isinstance(anc, FUNCTION_NODES):
                if seen_function:
                    return None
                seen_function = True
        return None

    # ---------------------------------------------------------------- names
    def resolve(self, node: ast.expr) -> str | None:
        """The qualified name a Name/Attribute of this file refers to."""
        dotted = dotted_name(node)
        if not dotted:
            return None
        key = ("resolve", dotted)
        if key not in self._cache:
            try:
                self._cache[key] = self.index.resolve_dotted(self.summary, dotted)
            except RecursionError:
                self._cache[key] = None
        return self._cache[key]

    def resolves_to(self, node: ast.expr, *qualnames: str) -> bool:
        target = self.resolve(node)
        if target is None:
            return False
        return target in qualnames

    def model_named(self, node: ast.expr) -> ModelFact | None:
        """The model a class expression (``Product``, ``m.Product``, ``get_user_model()``) names."""
        if isinstance(node, ast.Call) and not node.args and not node.keywords:
            name = dotted_name(node.func)
            if name and name.rpartition(".")[2] == "get_user_model":
                return self.index.user_model()
            return None
        if not self._may_name_model(node):
            return None
        target = self.resolve(node)
        if target is None:
            return None
        if target == USER_MODEL:
            return self.index.user_model()
        return self.index.model(target)

    def _may_name_model(self, node: ast.expr) -> bool:
        """Cheap test before resolving: can this expression name a model at all?

        Resolving a name can parse the modules it is imported from; most names a rule asks
        about (forms, helpers, exceptions) are not models.  A model is reached by its own
        class name, through an import whose target ends in one, or through a module-level
        assignment (``Book = get_model(...)``, ``User = get_user_model()``).
        """
        dotted = dotted_name(node)
        if not dotted:
            return False
        names = self.index.by_name
        head, _, rest = dotted.partition(".")
        last = dotted.rpartition(".")[2]
        if last in names or last == "AUTH_USER_MODEL":
            return True
        if head in self.summary.imports:
            # an imported name may be a re-export under another name (``Item = Product`` in a
            # models package); following it reads only packages' __init__ and models modules
            return True
        return head in self.summary.assignments

    def class_model(self, cls: ast.ClassDef) -> ModelFact | None:
        """The model a class statement of this file declares, if it is one."""
        if not self.module:
            return None
        return self.index.model(f"{self.module}.{cls.name}")

    def memo(self, key, compute):
        """Per-file memo for rule helpers (``compute`` runs once per key)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]
