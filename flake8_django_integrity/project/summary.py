"""What a module binds at its top level: imports, classes and simple assignments.

The same summary is built for a module of the project (by the index, from disk) and for
the file flake8 is linting (from flake8's own tree), so that a name resolves the same way
in both.  Only the module's own statements are read; nothing is imported or executed.
"""

from __future__ import annotations

import ast
from collections import deque
from itertools import chain

from .files import read_source
from .records import Record
from .stored import is_str_map


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, ast.Name):  # the most frequent case, without building a list
        return node.id
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def is_true(node) -> bool:
    """The literal ``True`` (``unique=True``); an expression is not."""
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node) -> bool:
    """The literal ``False`` (``db_constraint=False``); an expression is not."""
    return isinstance(node, ast.Constant) and node.value is False


def absolute_module(current: str, is_package: bool, module: str | None, level: int) -> str:
    """Resolve a (possibly relative) ``from`` import to an absolute module name."""
    if level == 0:
        return module or ""
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if module:
        parts.append(module)
    return ".".join(p for p in parts if p)


class ClassSummary(Record):
    """A class statement at a module's top level: its name, node and bases as written."""

    name: str
    node: ast.ClassDef
    bases: list[str]  # dotted source text of each base, e.g. "models.Model"

    def __init__(self, name: str, node: ast.ClassDef, bases: list[str]):
        self.name = name
        self.node = node
        self.bases = bases


class ModuleSummary(Record):
    """What a module binds at its top level."""

    name: str  # dotted module name, "" when unknown
    is_package: bool
    # local name -> fully qualified target ("django.db.models" or "shop.models.Product")
    imports: dict[str, str]
    star_imports: list[str]
    # every dotted name an import statement of the module names, anywhere in it (inside
    # functions too), relative ones made absolute: ``import a.b`` gives ``a.b``, ``from a
    # import b`` gives ``a.b`` (a module or a name of ``a``), ``from . import *`` the package;
    # which of them are modules is the importer's question (project/functions.py)
    imported: dict[str, None]
    classes: dict[str, ClassSummary]
    # local name -> the value expression of a top-level ``name = value``
    assignments: dict[str, ast.expr]

    def __init__(self, name: str, is_package: bool, imports: dict[str, str] | None = None,
                 star_imports: list[str] | None = None, imported: dict[str, None] | None = None,
                 classes: dict[str, ClassSummary] | None = None,
                 assignments: dict[str, ast.expr] | None = None):
        self.name = name
        self.is_package = is_package
        self.imports = {} if imports is None else imports
        self.star_imports = [] if star_imports is None else star_imports
        self.imported = {} if imported is None else imported
        self.classes = {} if classes is None else classes
        self.assignments = {} if assignments is None else assignments


def _bind_import(summary: ModuleSummary, stmt: ast.stmt, fallback: bool = False) -> None:
    """Bind an import's names; a ``fallback`` (in an ``except ImportError:`` handler) binds
    only names the ``try`` did not: where the import works, the try's binding is the one."""
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            summary.imported[alias.name] = None
            if alias.asname:
                if not fallback or alias.asname not in summary.imports:
                    summary.imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                summary.imports.setdefault(top, top)
    elif isinstance(stmt, ast.ImportFrom):
        base = absolute_module(summary.name, summary.is_package, stmt.module, stmt.level)
        for alias in stmt.names:
            text = base if alias.name == "*" else (f"{base}.{alias.name}" if base else alias.name)
            if text:
                summary.imported[text] = None
            if alias.name == "*":
                summary.star_imports.append(base)
            elif not fallback or (alias.asname or alias.name) not in summary.imports:
                summary.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError"})


def is_import_fallback(handler: ast.ExceptHandler) -> bool:
    """``except ImportError:`` (or ModuleNotFoundError / AttributeError): the branch that runs
    only where an import of the ``try`` is missing (old Django, an optional package)."""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is not None and all(
        (dotted_name(k) or "").rpartition(".")[2] in _IMPORT_ERRORS for k in kinds)


def _fallback_statements(body: list[ast.stmt]) -> set[int]:
    """ids of the top-level statements in ``except ImportError:`` handlers and in branches
    that run only where ``transaction.atomic`` is missing (``atomic_missing``)."""
    found: set[int] = set()
    # a stack, not recursion: an ``elif`` chain nests as deep as it is long
    stack = [body]
    while stack:
        for stmt in stack.pop():
            if isinstance(stmt, ast.Try):
                for handler in stmt.handlers:
                    if is_import_fallback(handler):
                        found.update(id(s) for s in top_level_statements(handler.body))
                stack += [stmt.body, stmt.orelse]
            elif isinstance(stmt, ast.If):
                missing = atomic_missing(stmt.test)
                if missing is not None:
                    branch = stmt.body if missing else stmt.orelse
                    found.update(id(s) for s in top_level_statements(branch))
                stack += [stmt.body, stmt.orelse]
    return found


_ATOMIC_SINCE = (1, 6)  # the Django release that added transaction.atomic


def mentions_atomic(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and "atomic" in sub.id.lower():
            return True
        if isinstance(sub, ast.Attribute) and "atomic" in sub.attr.lower():
            return True
        if isinstance(sub, ast.alias) and "atomic" in (sub.asname or sub.name).lower():
            return True
        if isinstance(sub, ast.Constant) and sub.value == "atomic":
            return True
    return False


def atomic_missing(test: ast.expr) -> bool | None:
    """True: the test holds where ``atomic`` is missing; False: where it is present; None:
    a test about something else."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = atomic_missing(test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(right, ast.Constant) and right.value is None and mentions_atomic(left):
            if isinstance(op, (ast.Is, ast.Eq)):
                return True
            if isinstance(op, (ast.IsNot, ast.NotEq)):
                return False
            return None
        if (dotted_name(left) or "").upper().endswith("VERSION") and isinstance(right, ast.Tuple) \
                and all(isinstance(e, ast.Constant) and isinstance(e.value, int) for e in right.elts):
            bound = tuple(e.value for e in right.elts)
            if isinstance(op, ast.Lt) and bound <= _ATOMIC_SINCE:
                return True
            if isinstance(op, ast.GtE) and bound >= _ATOMIC_SINCE:
                return False
        return None
    if isinstance(test, ast.Call) and dotted_name(test.func) == "hasattr" and len(test.args) == 2:
        return False if mentions_atomic(test.args[1]) else None
    if isinstance(test, (ast.Name, ast.Attribute)) and mentions_atomic(test):
        return False
    return None


def summarize(tree: ast.Module, name: str, is_package: bool) -> ModuleSummary:
    """Summarise a module's top-level bindings.

    Imports inside functions are bound too (a view that does ``from .models import Tag``
    inside the function still means shop.models.Tag); top-level bindings win.
    """
    summary = ModuleSummary(name=name, is_package=is_package)
    top_level = set()
    fallbacks = _fallback_statements(tree.body)
    for stmt in top_level_statements(tree.body):
        top_level.add(id(stmt))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            _bind_import(summary, stmt, id(stmt) in fallbacks)
        elif isinstance(stmt, ast.ClassDef):
            bases = [b for b in (dotted_name(base) for base in stmt.bases) if b]
            summary.classes[stmt.name] = ClassSummary(stmt.name, stmt, bases)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and not (
                    id(stmt) in fallbacks and (target.id in summary.assignments or target.id in summary.imports)):
                summary.assignments[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            summary.assignments[stmt.target.id] = stmt.value
    # function-local imports, without overriding top-level ones
    local = ModuleSummary(name=name, is_package=is_package)
    for node in _walk_statements(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top_level:
            _bind_import(local, node)
    for key, value in local.imports.items():
        summary.imports.setdefault(key, value)
    summary.imported.update(local.imported)
    return summary


_STATEMENT_LISTS = frozenset({"body", "handlers", "orelse", "finalbody", "cases"})
# node class -> its fields among _STATEMENT_LISTS, in the class's field order
_LISTS_OF: dict[type, tuple[str, ...]] = {}


def _walk_statements(tree: ast.Module):
    """The statements of a module in ``ast.walk`` order (breadth first), without visiting
    expressions: an import is a statement and only statements (through except handlers and
    match cases) hold statements.  Several times faster than ``ast.walk`` on a large module;
    a simple statement (most of them) costs one table lookup."""
    todo = deque([tree])
    pop, extend, lists_of = todo.popleft, todo.extend, _LISTS_OF.get
    while todo:
        node = pop()
        kind = type(node)
        names = lists_of(kind)
        if names is None:
            names = _LISTS_OF[kind] = tuple(
                f for f in getattr(kind, "_fields", ()) if f in _STATEMENT_LISTS)
        for name in names:
            extend(getattr(node, name, None) or ())
        yield node


def top_level_statements(body: list[ast.stmt]):
    """The statements of a module or class body, descending into if/try blocks
    (``try: import x``, ``if settings.X: field = ...``)."""
    # a stack, not recursion: an ``elif`` chain nests its ``if`` statements as deep as it is
    # long (1,400 branches overflowed Python's stack and took the whole module's facts along)
    stack = [iter(body)]
    while stack:
        stmt = next(stack[-1], None)
        if stmt is None:
            stack.pop()
            continue
        yield stmt
        if isinstance(stmt, ast.If):
            stack.append(chain(stmt.body, stmt.orelse))
        elif isinstance(stmt, ast.Try):
            stack.append(chain(stmt.body, *(h.body for h in stmt.handlers), stmt.orelse))


# ---------------------------------------------------------------------- stored form
def assignment_ref(summary: ModuleSummary, name: str, is_user_model) -> str | None:
    """What a top-level ``name = value`` of ``summary`` refers to, as plain text.

    None: no such assignment; ``"<user>"``: the auth user model (``is_user_model(value)``);
    a dotted name (``"base.Product"``) other than ``name`` itself; ``""``: anything else.
    """
    refs = getattr(summary, "refs", None)
    if refs is not None:
        return refs.get(name)
    value = summary.assignments.get(name)
    if value is None:
        return None
    if is_user_model(value, summary):
        return USER_REF
    label = model_label_call(value)
    if label is not None:
        return LABEL_REF + label
    dotted = dotted_name(value)
    return dotted if dotted and dotted != name else ""


USER_REF = "<user>"
LABEL_REF = "<label>"


def model_label_call(node: ast.expr) -> str | None:
    """``"app.Model"`` for ``apps.get_model("app", "Model")`` / ``get_model("app.Model")``
    (the app registry, and helpers like django-oscar's that share its name)."""
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    name = dotted_name(node.func) or ""
    if name.rpartition(".")[2] != "get_model":
        return None
    args = node.args
    if not args or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
        return None
    if len(args) == 2:
        return f"{args[0].value}.{args[1].value}"
    if len(args) == 1 and args[0].value.count(".") == 1:
        return args[0].value
    return None


def summary_to_json(summary: ModuleSummary, path: str, is_user_model) -> dict:
    """The plain data name resolution needs from a summary (no syntax trees)."""
    return {
        "name": summary.name,
        "is_package": summary.is_package,
        "path": path,
        "imports": summary.imports,
        "star_imports": summary.star_imports,
        "classes": {name: cls.bases for name, cls in summary.classes.items()},
        "refs": {
            name: assignment_ref(summary, name, is_user_model) for name in summary.assignments
        },
    }


class StoredClassSummary(ClassSummary):
    """A class of a stored summary: its syntax tree is read from the module's file on first use."""

    def __init__(self, name: str, bases: list[str], owner: "StoredModuleSummary"):
        self.name = name
        self.bases = bases
        self._owner = owner

    @property
    def node(self) -> ast.ClassDef:  # type: ignore[override]
        live = self._owner.live()
        cls = live.classes.get(self.name) if live else None
        if cls is not None:
            return cls.node
        return ast.ClassDef(name=self.name, bases=[], keywords=[], body=[], decorator_list=[],
                            lineno=0, col_offset=0)  # the file went away: an empty class


class StoredModuleSummary(ModuleSummary):
    """A module summary loaded from the cache: the import table, class bases and what each
    top-level assignment refers to, as plain data.  ``assignments`` and class nodes (syntax
    trees) are read from the module's file only if some code asks for them.  That file's
    ``path`` is never taken from the cache alone: the index accepts a stored summary only
    when its path is the one its own walk found for the module."""

    def __init__(self, name: str, is_package: bool, path: str, imports: dict[str, str],
                 star_imports: list[str], classes: dict[str, list[str]], refs: dict[str, str]):
        self.name = name
        self.is_package = is_package
        self.path = path
        self.imports = imports
        self.star_imports = star_imports
        self.imported = {}  # not stored: the function index keeps its own (project/functions.py)
        self.classes = {n: StoredClassSummary(n, list(b), self) for n, b in classes.items()}
        self.refs = refs
        self._live: ModuleSummary | None | bool = False

    def live(self) -> ModuleSummary | None:
        """The summary parsed from the file now (once)."""
        if self._live is False:
            self._live = None
            if not self.path:  # no file of the project stands behind this summary
                return None
            try:
                source = read_source(self.path)
                if source is not None:
                    tree = ast.parse(source, filename=self.path)
                    self._live = summarize(tree, self.name, self.is_package)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
        return self._live  # type: ignore[return-value]

    @property
    def assignments(self) -> dict[str, ast.expr]:  # type: ignore[override]
        live = self.live()
        return live.assignments if live is not None else {}

    @classmethod
    def from_json(cls, data: dict) -> "StoredModuleSummary":
        name, path = data["name"], data["path"]
        imports, star, refs = data["imports"], data["star_imports"], data["refs"]
        classes = data["classes"]
        if not (
            isinstance(name, str) and isinstance(path, str)
            and isinstance(data["is_package"], bool)
            and is_str_map(imports) and is_str_map(refs)
            and isinstance(star, list) and all(isinstance(s, str) for s in star)
            and isinstance(classes, dict)
            and all(isinstance(b, list) and all(isinstance(x, str) for x in b)
                    for b in classes.values())
            # names bound by the module's statements are identifiers (the cache file's text
            # is already free of control characters: see cache.py)
            and all(map(str.isidentifier, imports)) and all(map(str.isidentifier, refs))
            and all(map(str.isidentifier, classes))
        ):
            raise ValueError("malformed stored summary")
        return cls(name, data["is_package"], path, imports, star, classes, refs)
