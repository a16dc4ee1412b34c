"""Reach of a branch: which entry points can run one statement of a function, not the whole.

``if not self.dry_run: Row.objects.create(...)`` runs only for the callers that built the
object with a false ``dry_run``; ``if options["operation"] == "import_mapping":
self.import_mapping()`` in a command's ``handle()`` runs ``import_mapping`` only where the
caller (``call_command("x", operation=...)``, or the command line) passes that operation.
When the callers that can enter a branch are all single-run (a management command, a
migration), the branch is single-run too, even if the function has concurrent callers.

The function index (project/functions.py) knows who calls whom, not with what: this module
reads the call sites when a rule asks, and only then.  The runtime rules ask only for a
finding they are about to report whose function is reached both from single-run entry points
and from concurrent ones (or, for a test on ``self.x``, from anything concurrent), so a lint
of a project parses a handful of caller modules at most, each once per process; the index and
its cache stay as they are.

A *condition* is ``(selector, test, constant)``.  Selectors name what a test may read:

- ``("arg", name)``: a parameter the function never rebinds;
- ``("self", attr)``: an attribute of the instance that only ``__init__`` sets, from one of
  its parameters, that no other method of the class or of a subclass sets, that no class body
  defines, and no subclass ``__init__`` may set otherwise (a subclass with an ``__init__`` of
  its own makes it unknown);
- ``("opt", key)``: ``options["key"]`` / ``options.get("key")`` of the ``**options`` the
  function takes (a command's ``handle``), as ``call_command("x", key=...)`` passes it.

A local name bound once to one of those (``operation = options["operation"]``) reads as it.
A call site passes a constant (the test is applied to it), a selector of its own function
(followed to that function's callers), or anything else (the branch may run).  What this module
cannot read (no call site found, a function passed as a value, ``*args`` / ``**kwargs`` spread
into the call, a walk beyond its bounds) counts as "may run": it can only keep a finding.
"""

from __future__ import annotations

import ast
import os

from . import entrypoints as ep
from .files import read_source
from .function_index import FunctionIndex
from .function_scan import REFERENCE
from .memo import RecentMemo
from .reach import Reach, reach
from .summary import dotted_name

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (*_FUNCTIONS, ast.Lambda, ast.ClassDef)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_COMPARE = {ast.Eq: "eq", ast.NotEq: "ne", ast.Is: "is", ast.IsNot: "isnot",
            ast.In: "in", ast.NotIn: "notin"}
_NEGATED = {"truthy": "falsy", "falsy": "truthy", "eq": "ne", "ne": "eq", "is": "isnot",
            "isnot": "is", "in": "notin", "notin": "in"}
_MAX_CONDITIONS = 8
_MAX_DEPTH = 8  # callers followed up from the function asked about
_MAX_STEPS = 300  # (function, conditions) pairs one question may visit
_MAX_PARSES = 60  # caller modules one question may read
_PARSED: dict[tuple, "_Module | None"] = RecentMemo(64)  # (path, mtime, size) -> functions

_UNKNOWN = object()


# ---------------------------------------------------------------------- conditions
def conditions(path: list[ast.AST], func: ast.AST, cls: ast.ClassDef | None,
               selectors: "_Selectors | None" = None) -> list[tuple]:
    """The conditions under which the last node of ``path`` runs, read from the statements of
    ``func`` around it (``path``: ``func`` first, each node the parent of the next).  A node
    inside a nested function or lambda has none (it may run later, elsewhere)."""
    if not path or path[0] is not func or not isinstance(func, _FUNCTIONS):
        return []
    if any(isinstance(n, (*_FUNCTIONS, ast.Lambda)) for n in path[1:-1]):
        return []
    selectors = selectors or _Selectors(func, cls)
    found: list[tuple] = []
    for parent, child in zip(path, path[1:]):
        for name in ("body", "orelse"):
            block = getattr(parent, name, None)
            if not isinstance(block, list) or not any(s is child for s in block):
                continue
            if isinstance(parent, ast.If):
                found.extend(_tests(parent.test, name == "body", selectors))
            for stmt in block:
                if stmt is child:
                    break
                if isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], _EXITS) \
                        and not stmt.orelse:
                    # if dry_run: return (or raise; continue / break in the same loop body)
                    found.extend(_tests(stmt.test, False, selectors))
    return list(dict.fromkeys(found))[:_MAX_CONDITIONS]


class _Selectors:
    """What a test in ``func`` may name (see the module's docstring)."""

    def __init__(self, func, cls: ast.ClassDef | None):
        self.func, self.cls = func, cls
        args = func.args
        positional = [*args.posonlyargs, *args.args]
        static = any(isinstance(d, ast.Name) and d.id == "staticmethod"
                     for d in func.decorator_list)
        self.me = positional[0].arg if cls is not None and positional and not static else None
        self.params = {a.arg for a in [*positional, *args.kwonlyargs]} - {self.me}
        self.options = args.kwarg.arg if args.kwarg is not None else None
        self._bound: dict[str, list] | None = None

    def bound(self) -> dict[str, list]:
        """Each name the function binds, with the values bound to it (None: not a plain
        ``name = value``)."""
        if self._bound is None:
            self._bound = {}
            plain: set[int] = set()  # the targets of plain assignments, read with their value
            for stmt in self.func.body:
                for node in ast.walk(stmt):
                    if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                            and isinstance(node.targets[0], ast.Name):
                        self._bound.setdefault(node.targets[0].id, []).append(node.value)
                        plain.add(id(node.targets[0]))
                    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) \
                            and id(node) not in plain:
                        self._bound.setdefault(node.id, []).append(None)
                    elif isinstance(node, ast.arg):
                        self._bound.setdefault(node.arg, []).append(None)
                    elif isinstance(node, (ast.Global, ast.Nonlocal)):
                        for name in node.names:
                            self._bound.setdefault(name, []).append(None)
        return self._bound

    def of(self, node: ast.expr, depth: int = 0) -> tuple | None:
        if isinstance(node, ast.Name):
            values = self.bound().get(node.id)
            if values is None:
                return ("arg", node.id) if node.id in self.params else None
            if node.id in self.params or node.id == self.options or len(values) != 1 \
                    or values[0] is None or depth:
                return None
            return self.of(values[0], depth + 1)  # operation = options["operation"]
        if self.me and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == self.me and self.me not in self.bound():
            return ("self", node.attr)
        if self.options and self.options not in self.bound():
            key = None
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                    and node.value.id == self.options:
                key = _constant(node.slice)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "get" and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == self.options and len(node.args) == 1 \
                    and not node.keywords:
                key = _constant(node.args[0])
            if isinstance(key, str):
                return ("opt", key)
        return None


def _tests(test: ast.expr, holds: bool, selectors: _Selectors) -> list[tuple]:
    """The conditions ``test`` being ``holds`` (True or False) implies."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _tests(test.operand, not holds, selectors)
    if isinstance(test, ast.BoolOp):
        # a and b true: both hold; a or b false: neither holds; otherwise nothing certain
        if isinstance(test.op, ast.And) == holds:
            return [c for value in test.values for c in _tests(value, holds, selectors)]
        return []
    selector = selectors.of(test)
    if selector is not None:
        return [(selector, "truthy" if holds else "falsy", None)]
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op = _COMPARE.get(type(test.ops[0]))
        left, right = test.left, test.comparators[0]
        selector = selectors.of(left)
        if selector is None and op in ("eq", "ne", "is", "isnot"):
            selector, right = selectors.of(right), left
        constant = _constants(right) if op in ("in", "notin") else _constant(right)
        if op is None or selector is None or constant is _UNKNOWN:
            return []
        return [(selector, op if holds else _NEGATED[op], constant)]
    return []


def _constant(node: ast.expr):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) in (int, float):
        return -node.operand.value
    return _UNKNOWN


def _constants(node: ast.expr):
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return _UNKNOWN
    values = tuple(_constant(e) for e in node.elts)
    return _UNKNOWN if any(v is _UNKNOWN for v in values) else values


def passes(test: str, value, constant) -> bool:
    """Whether the test holds for the constant ``value`` a caller passed."""
    if test == "truthy":
        return bool(value)
    if test == "falsy":
        return not value
    if test in ("eq", "ne"):
        same = value == constant and isinstance(value, bool) == isinstance(constant, bool)
        return same == (test == "eq")
    if test in ("is", "isnot"):
        same = type(value) is type(constant) and value == constant
        return same == (test == "is")
    if test in ("in", "notin") and isinstance(constant, tuple):
        inside = any(value == c for c in constant)
        return inside == (test == "in")
    return True  # a test this module does not know: the branch may run


def describe(condition: tuple) -> str:
    """``not self.dry_run``, ``options["operation"] == 'import_mapping'``: for ``where``."""
    (where, name), test, constant = condition
    text = {"arg": name, "self": f"self.{name}", "opt": f"options[{name!r}]"}[where]
    if test == "truthy":
        return text
    if test == "falsy":
        return f"not {text}"
    op = {"eq": "==", "ne": "!=", "is": "is", "isnot": "is not", "in": "in",
          "notin": "not in"}[test]
    return f"{text} {op} {constant!r}"


# ---------------------------------------------------------------------- the source read
class _Module:
    """The unit-level functions of one module, by their first line."""

    def __init__(self, tree: ast.Module):
        self.functions: dict[int, tuple[ast.AST, ast.ClassDef | None, list[ast.ClassDef]]] = {}
        self.classes: dict[str, ast.ClassDef] = {}  # local qualname -> class
        self.tree = tree
        self._collect(tree.body, [], None)

    def _collect(self, stmts, classes: list[ast.ClassDef], cls) -> None:
        for stmt in stmts:
            if isinstance(stmt, _FUNCTIONS):
                self.functions.setdefault(stmt.lineno, (stmt, cls, classes))
            elif isinstance(stmt, ast.ClassDef):
                self.classes[".".join([*(c.name for c in classes), stmt.name])] = stmt
                self._collect(stmt.body, [*classes, stmt], stmt)
            elif isinstance(stmt, (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try))) \
                    and cls is None:
                for name in ("body", "orelse", "finalbody"):
                    self._collect(getattr(stmt, name, []), classes, cls)
                for handler in getattr(stmt, "handlers", ()):
                    self._collect(handler.body, classes, cls)


class Concurrent(Exception):
    """A walk met a concurrent entry point: the code may run twice at once."""


class _Walk:
    """One question: the files read and the pairs visited, within bounds."""

    def __init__(self, index: FunctionIndex):
        self.index = index
        self.steps = 0
        self.parses = 0
        self.memo: dict[tuple, Reach] = {}
        self.open: set[tuple] = set()
        self._selectors: dict[int, _Selectors] = {}

    def selectors(self, func, cls) -> _Selectors:
        """One reader of a function's names per function (its bindings read once)."""
        found = self._selectors.get(id(func))
        if found is None:
            found = self._selectors[id(func)] = _Selectors(func, cls)
        return found

    def module(self, path: str) -> _Module | None:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        key = (path, st.st_mtime_ns, st.st_size)  # an edited file is read again
        if key in _PARSED:
            return _PARSED[key]
        if self.parses >= _MAX_PARSES:
            return None
        self.parses += 1
        found = None
        source = read_source(path)
        if source is not None:
            try:
                found = _Module(ast.parse(source, filename=path))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                found = None
        _PARSED[key] = found
        return found

    def function(self, qual: str):
        """(function node, its class or None) of unit ``qual``, read from its file."""
        unit = self.index.units.get(qual)
        if unit is None or not unit.path:
            return None
        module = self.module(unit.path)
        found = module.functions.get(unit.line) if module else None
        if found is None or found[0].name != unit.name:
            return None
        return found[0], found[1]

    # ------------------------------------------------------------------ the walk
    def reach_when(self, qual: str, conds: tuple, depth: int) -> Reach:
        """The entry points that reach the code of ``qual`` that runs when every condition
        of ``conds`` holds.  Raises ``Concurrent`` as soon as one of them is concurrent: the
        answers only grow as the walk goes on, so the question is then settled."""
        key = (qual, conds)
        if key in self.memo:
            return self.memo[key]
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise Concurrent  # beyond the bound: may run anywhere
        whole = reach(self.index, qual)
        kinds = set(whole.kinds)
        if key in self.open or depth > _MAX_DEPTH or (
                not conds and not (kinds & ep.CONCURRENT and kinds & (ep.SINGLE_RUN | {ep.TEST}))):
            found = whole  # a cycle, too deep, or nothing to tell apart above
        else:
            self.open.add(key)
            try:
                found = self._reach_when(qual, conds, depth, whole)
            finally:
                self.open.discard(key)
        if set(found.kinds) & ep.CONCURRENT:
            raise Concurrent
        self.memo[key] = found
        return found

    def _reach_when(self, qual: str, conds: tuple, depth: int, whole: Reach) -> Reach:
        own = [c for c in conds if c[0][0] == "self"]
        if own:
            through = self._through_constructor(qual, own, depth)
            if through is not None:
                return through
            conds = tuple(c for c in conds if c[0][0] != "self")
        index = self.index
        unit = index.units.get(qual)
        if unit is None:
            return whole
        result = Reach()
        for kind in unit.kinds:  # Django, a task queue or a signal calls it: values unknown
            result.kinds.setdefault(kind, [qual])
        callers = index.callers_of(qual)
        if not callers:
            return whole if not unit.kinds else result
        target = self.function(qual) if conds else None
        if conds and target is None:
            return whole
        for caller, flag in callers:
            sites = self._sites(caller, qual, target) if flag != REFERENCE else None
            for site_conds, values in sites or [((), None)]:
                passed = list(site_conds)
                for cond in conds:
                    value = values(cond[0]) if values else ("?",)
                    if value[0] == "c" and not passes(cond[1], value[1], cond[2]):
                        break
                    if value[0] == "p":
                        passed.append((value[1], cond[1], cond[2]))
                else:
                    found = self.reach_when(caller, tuple(dict.fromkeys(passed)), depth + 1)
                    for kind, chain in found.kinds.items():
                        result.kinds.setdefault(kind, [*chain, qual])
        return result

    def _through_constructor(self, qual: str, own: list[tuple], depth: int) -> Reach | None:
        """A test on ``self.x`` that only ``__init__`` sets from its parameter ``p``: the
        code runs where an instance is built with a ``p`` that passes (the object is used
        where it is made); None when the attribute may hold anything else."""
        index = self.index
        cls = qual.rpartition(".")[0]
        if cls not in index.classes:
            return None
        init = index.method(cls, "__init__")
        found = self.function(init) if init else None
        if found is None:
            return None
        init_node, _init_cls = found
        init_owner = init.rpartition(".")[0]
        family = self._family(init_owner)
        if family is None or not all(self._only_built_by_calls(c) for c in family[1]):
            return None
        family = family[0]
        params = _Selectors(init_node, _init_cls)
        translated = []
        for (where, attr), test, constant in own:
            source = _set_from(init_node, params, attr)
            if source is None or any(_assigns(node, attr, skip_init=(i == 0))
                                     for i, node in enumerate(family)):
                return None
            translated.append((("arg", source), test, constant))
        return self.reach_when(init, tuple(translated), depth + 1)

    def _family(self, cls: str):
        """(the class nodes of ``cls`` (first), its project bases and its subclasses; the
        qualnames of ``cls`` and its subclasses, whose calls build with its ``__init__``);
        None when a subclass has an ``__init__`` of its own or a class cannot be read."""
        index = self.index
        index._overrides(cls, "__init__")  # builds the subclass table
        subs, todo, seen = [], list(index._subclasses.get(cls, ())), {cls}
        while todo and len(seen) < 200:
            sub = todo.pop()
            if sub in seen:
                continue
            seen.add(sub)
            subs.append(sub)
            todo.extend(index._subclasses.get(sub, ()))
        out = []
        for name in [cls, *index.bases(cls), *subs]:
            info = index.classes.get(name)
            if info is None:
                continue
            if name in subs and "__init__" in info["methods"]:
                return None
            module = self.module(self._path_of(name))
            node = module.classes.get(info["local"]) if module else None
            if node is None:
                return None
            out.append(node)
        return out, [cls, *subs]

    def _only_built_by_calls(self, cls: str) -> bool:
        """Every instance of ``cls`` is built by a call the project writes: no framework
        builds it (a view, a form or serializer named by a view, an admin), and wherever the
        project names the class (its module, the modules importing it) it calls it, derives
        from it or tests an instance against it: a class handed on as a value (``{"csv":
        Importer}``, ``importer_class = Importer``) is built where the plugin cannot see."""
        index = self.index
        if ep.class_kind(index.chain_names(cls)) is not None:
            return False
        info = index.classes[cls]
        for method in info["methods"]:
            unit = index.units.get(f"{cls}.{method}")
            if unit is None or unit.kinds:
                return False
        own = info["module"]
        named = self._naming_modules(cls, own)
        if named is None:
            return False
        for mod, aliases in named.items():
            data = index.modules.get(mod)
            module = self.module(data["path"]) if data else None
            if module is None or not _only_called(module.tree, aliases, cls):
                return False
        return True

    def _naming_modules(self, cls: str, own: str) -> dict[str, dict[str, str]] | None:
        """Each module that may name ``cls``, with the names it may use (name -> the dotted
        path it stands for); None when more modules would have to be read than allowed."""
        index = self.index
        local_head = index.classes[cls]["local"].partition(".")[0]
        out = {own: {local_head: f"{own}.{local_head}"}}
        for mod in index.modules:
            data = index.modules.get(mod)
            if not data or mod == own:
                continue
            aliases = {name: target for name, target in data["imports"].items()
                       if target == cls or cls.startswith(target + ".")}
            if own in data.get("stars", ()):
                aliases[local_head] = f"{own}.{local_head}"
            if aliases:
                out[mod] = aliases
        return out if len(out) <= _MAX_PARSES // 2 else None

    def _path_of(self, cls: str) -> str:
        info = self.index.classes[cls]
        data = self.index.modules.get(info["module"])
        return data["path"] if data else ""

    def _sites(self, caller: str, callee: str, target) -> list[tuple] | None:
        """Each call of ``callee`` in ``caller``: (the conditions it runs under in the caller,
        a function giving what it passes for a selector of the callee); None when none is
        found (the edge is one the source does not show as a call: may run)."""
        found = self.function(caller)
        if found is None:
            return None
        func, cls = found
        index = self.index
        callee_unit = index.units.get(callee)
        if callee_unit is None:
            return None
        names, command = _call_names(index, callee)
        parents: dict[int, ast.AST] = {}
        calls = []
        stack = [func]
        while stack:
            node = stack.pop()
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
                stack.append(child)
            if isinstance(node, ast.Call) and _matches(node, names, command):
                calls.append(node)
        if not calls:
            return None
        selectors = self.selectors(func, cls)
        out = []
        for call in calls:
            path = [call]
            while path[-1] is not func and id(path[-1]) in parents:
                path.append(parents[id(path[-1])])
            path.reverse()
            here = conditions(path, func, cls, selectors)
            out.append((tuple(here), _Values(call, target, selectors, command)))
        return out


def _call_names(index: FunctionIndex, callee: str) -> tuple[set[str], str | None]:
    """The names a call of ``callee`` is written with, and the command name when it is a
    command's ``handle`` (``call_command("name", ...)``)."""
    owner, _, name = callee.rpartition(".")
    if name == "__init__" and owner in index.classes:
        names = {owner.rpartition(".")[2]}
        index._overrides(owner, "__init__")
        todo = list(index._subclasses.get(owner, ()))
        while todo and len(names) < 200:
            sub = todo.pop()
            short = sub.rpartition(".")[2]
            if short not in names:
                names.add(short)
                todo.extend(index._subclasses.get(sub, ()))
        return names, None
    module, _, cls = owner.rpartition(".")
    if name == "handle" and cls == "Command" and ".management.commands." in f".{module}":
        return {name}, module.rpartition(".")[2]
    return {name}, None


def _matches(call: ast.Call, names: set[str], command: str | None) -> bool:
    func = call.func
    last = func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else None
    if last is None:
        return False
    if command is not None and last == "call_command":
        return bool(call.args) and _constant(call.args[0]) == command
    return last in names


class _Values:
    """What one call site passes for the callee's selectors: ``("c", constant)``,
    ``("p", selector of the caller)`` or ``("?",)``."""

    def __init__(self, call: ast.Call, target, selectors: _Selectors, command: str | None):
        self.call, self.target, self.selectors, self.command = call, target, selectors, command

    def __call__(self, selector: tuple) -> tuple:
        where, name = selector
        call = self.call
        spread = any(k.arg is None for k in call.keywords)
        starred = any(isinstance(a, ast.Starred) for a in call.args)
        node = next((k.value for k in call.keywords if k.arg == name), None)
        if node is None and where == "arg" and self.target is not None and self.command is None:
            node = self._positional(name, starred)
            if node is _UNKNOWN:
                return ("?",)
            if node is None:
                return self._default(name) if not (spread or starred) else ("?",)
        if node is None:
            return ("?",)  # an option left out: argparse's default, not read here
        value = _constant(node)
        if value is not _UNKNOWN:
            return ("c", value)
        own = self.selectors.of(node)
        return ("p", own) if own is not None else ("?",)

    def _params(self):
        func, cls = self.target
        args = func.args
        positional = [*args.posonlyargs, *args.args]
        static = any(isinstance(d, ast.Name) and d.id == "staticmethod"
                     for d in func.decorator_list)
        if cls is not None and positional and not static:
            positional = positional[1:]  # self (a bound call, or a constructor)
        return args, positional

    def _positional(self, name: str, starred: bool):
        args, positional = self._params()
        names = [a.arg for a in positional]
        if name not in names:
            return None
        i = names.index(name)
        for j, arg in enumerate(self.call.args):
            if isinstance(arg, ast.Starred):
                return _UNKNOWN
            if j == i:
                return arg
        return None

    def _default(self, name: str) -> tuple:
        args, positional = self._params()
        names = [a.arg for a in positional]
        if name in names:
            defaults = args.defaults
            i = names.index(name) - (len(positional) - len(defaults))
            if i < 0:
                return ("?",)
            value = _constant(defaults[i])
        else:
            kw = [a.arg for a in args.kwonlyargs]
            if name not in kw or args.kw_defaults[kw.index(name)] is None:
                return ("?",)
            value = _constant(args.kw_defaults[kw.index(name)])
        return ("?",) if value is _UNKNOWN else ("c", value)


def _only_called(tree: ast.Module, aliases: dict[str, str], cls: str) -> bool:
    """Every expression of ``tree`` that names ``cls`` (through ``aliases``) is called, is a
    base of a class, or is tested against (``isinstance``, ``issubclass``)."""
    allowed: set[int] = set()
    names: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            allowed.add(id(node.func))
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("isinstance", "issubclass"):
                for arg in node.args[1:]:
                    elts = arg.elts if isinstance(arg, ast.Tuple) else [arg]
                    allowed.update(id(e) for e in elts)
        elif isinstance(node, ast.ClassDef):
            allowed.update(id(b) for b in node.bases)
        elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            text = dotted_name(node)
            head, _, rest = (text or "").partition(".")
            target = aliases.get(head)
            if target is not None and (f"{target}.{rest}" if rest else target) == cls:
                names.append(node)
    return all(id(n) in allowed for n in names)


def _set_from(init: ast.AST, params: _Selectors, attr: str) -> str | None:
    """The parameter ``__init__`` stores in ``self.<attr>`` by a top-level
    ``self.attr = param`` (its only assignment there), else None."""
    me = params.me
    if me is None:
        return None
    found = []
    for node in ast.walk(init):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                and node.attr == attr:
            found.append(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "setattr":
            return None
    if len(found) != 1:
        return None
    for stmt in init.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.targets[0] is found[0] \
                and isinstance(found[0].value, ast.Name) and found[0].value.id == me \
                and isinstance(stmt.value, ast.Name):
            source = params.of(stmt.value)
            return source[1] if source and source[0] == "arg" else None
    return None


def _assigns(cls: ast.ClassDef, attr: str, skip_init: bool) -> bool:
    """The class sets ``attr`` outside the ``__init__`` that is read (any method, a class
    attribute of the name, ``setattr``)."""
    for stmt in cls.body:
        if skip_init and isinstance(stmt, _FUNCTIONS) and stmt.name == "__init__":
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load) \
                    and node.attr == attr:
                return True
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) \
                    and node.id == attr and not isinstance(stmt, _FUNCTIONS):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "setattr":
                return True
    return False


# ---------------------------------------------------------------------- the question
def branch_reach(index: FunctionIndex, qual: str, path: list[ast.AST]) -> tuple[list, Reach] | None:
    """For the last node of ``path`` (the module first), in unit ``qual``: the conditions it
    runs under in its function, and the entry points whose calls can make them hold, up the
    callers (each caller's own tests at its call site count too).  None when the question
    does not apply (the node is in no function, or the function's reach has nothing a
    branch could leave out)."""
    start = next((i for i, n in enumerate(path) if isinstance(n, (*_FUNCTIONS, ast.Lambda))),
                 None)
    if start is None or not isinstance(path[start], _FUNCTIONS):
        return None
    owner = path[start - 1] if start else None
    cls = owner if isinstance(owner, ast.ClassDef) else None
    conds = conditions(path[start:], path[start], cls)
    kinds = set(reach(index, qual).kinds)
    if not kinds & ep.CONCURRENT:
        return None  # nothing concurrent to leave out
    if not kinds & (ep.SINGLE_RUN | {ep.TEST}) and not any(c[0][0] == "self" for c in conds):
        return None  # no single-run caller, and no test on what the constructor was given
    try:
        return conds, _Walk(index).reach_when(qual, tuple(conds), 0)
    except Concurrent:
        return conds, reach(index, qual)  # concurrent as a whole, and so is the branch


def branch_at_line(index: FunctionIndex, qual: str, line: int) -> tuple[list, Reach] | None:
    """``branch_reach`` for the first statement that starts on ``line`` in unit ``qual``
    (the ``where FILE:LINE`` command); None when no statement starts there."""
    walk = _Walk(index)
    found = walk.function(qual)
    if found is None:
        return None
    func, cls = found
    parents: dict[int, ast.AST] = {}
    stack, target = [func], None
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            stack.append(child)
        if isinstance(node, ast.stmt) and node is not func and node.lineno == line and (
                target is None or id(target) in _chain_ids(node, parents)):
            target = node
    if target is None:
        return None
    path = [target]
    while path[-1] is not func and id(path[-1]) in parents:
        path.append(parents[id(path[-1])])
    path.reverse()
    return branch_reach(index, qual, [cls, *path] if cls is not None else path)


def _chain_ids(node: ast.AST, parents: dict[int, ast.AST]) -> set[int]:
    out = set()
    while id(node) in parents:
        node = parents[id(node)]
        out.add(id(node))
    return out


def function_reach(index: FunctionIndex, qual: str) -> Reach:
    """The entry points that reach ``qual`` through its callers' constants and their own tests
    at the call sites (``where module:function``): ``import_mapping`` called under ``if
    options["operation"] == "import_mapping":`` is reached only where that can be asked."""
    try:
        return _Walk(index).reach_when(qual, (), 0)
    except Concurrent:
        return reach(index, qual)
