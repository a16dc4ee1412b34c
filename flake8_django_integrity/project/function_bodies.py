"""What a function's body holds, read from its statement lists: its own ``return``
statements, whether every one returns what a creating call made, its one ``yield`` as a
context manager's split between entering and leaving, and every statement or call nested in it.

The scan of a module (project/function_scan.py) asks these per function; they read only the
fields of a node that hold statements (or, for the calls of an expression, nodes:
project/nodes.py), never parse or import anything.
"""

from __future__ import annotations

import ast

from . import queries
from .nodes import CHILD_FIELDS, child_fields

_TRY_KINDS = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# The fields of statements (and of except handlers and match cases) that hold statements.
_BODY_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


_BODY_FIELDS_OF: dict[type, tuple[str, ...]] = {}


def _body_fields(kind: type) -> tuple[str, ...]:
    """The fields of ``_BODY_FIELDS`` a node class has, in that order (a simple statement:
    none), so a walk of statement lists asks only those."""
    fields = _BODY_FIELDS_OF.get(kind)
    if fields is None:
        own = getattr(kind, "_fields", ())
        fields = _BODY_FIELDS_OF[kind] = tuple(f for f in _BODY_FIELDS if f in own)
    return fields


def _own_returns(func):
    """The ``return`` statements of ``func`` itself (a nested function's or class's are not
    its own).  A return is a statement: only the statement lists of compound statements (their
    bodies, handlers, match cases) can hold one, never an expression."""
    stack = list(func.body)
    pop, extend = stack.pop, stack.extend
    skip, ret = (*_FUNCTIONS, ast.ClassDef), ast.Return
    fields_of = _BODY_FIELDS_OF.get
    while stack:
        node = pop()
        kind = type(node)
        if kind is ret:
            yield node
            continue
        if kind in skip:
            continue
        fields = fields_of(kind)
        if fields is None:
            fields = _body_fields(kind)
        for name in fields:
            extend(getattr(node, name, ()))


def _calls_in(expr: ast.expr) -> list[ast.Call]:
    """Every call inside ``expr`` (itself included, lambdas and comprehensions too): the nodes
    ``ast.walk`` would give, read through the fields that can hold nodes (project/nodes.py);
    in no particular order."""
    found = []
    stack = [expr]
    pop, push = stack.pop, stack.append
    node_type, call = ast.AST, ast.Call
    known = CHILD_FIELDS.get
    while stack:
        node = pop()
        kind = type(node)
        if kind is call:
            found.append(node)
        fields = known(kind)
        for name in fields if fields is not None else child_fields(kind):
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return found


def _returns_created(func, own: list) -> bool:
    """Every ``return`` of ``func`` (``own``: one at least; nested scopes' are not its own)
    returns the result of a creating call (project/queries.creating_call_name: ``create()``,
    ``create_issue()``, ``createbug()``), directly or through a local name every assignment of
    which is one.  A ``yield`` makes it a generator: not one."""
    # the return statements alone settle most functions: a walk of the whole body (for the
    # assignments of a returned name and for a yield) only when each returns a name or a
    # creating call
    if not own or not all(isinstance(r.value, ast.Name) or _creating_call(r.value) for r in own):
        return False
    names = {r.value.id for r in own if isinstance(r.value, ast.Name)}
    if names:
        # a returned name needs a plain assignment of a creating call (a statement) before
        # its other bindings, which only a walk of the whole body finds, are worth reading
        created = {t.id for stmt in _nested_statements(func) if isinstance(stmt, ast.Assign)
                   and _creating_call(stmt.value) for t in stmt.targets if isinstance(t, ast.Name)}
        if not names <= created:
            return False
    returns, assigned, stack = [], {}, list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Return):
            returns.append(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in _bound_names(t):
                    plain = isinstance(node, ast.Assign) and t is sub
                    assigned.setdefault(sub.id, []).append(node.value if plain else None)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.ExceptHandler)):
            bound = [node.target] if isinstance(node, (ast.For, ast.AsyncFor)) else \
                [i.optional_vars for i in node.items if i.optional_vars is not None] \
                if isinstance(node, (ast.With, ast.AsyncWith)) else []
            for t in bound:
                for sub in _bound_names(t):
                    assigned.setdefault(sub.id, []).append(None)
            if isinstance(node, ast.ExceptHandler) and node.name:
                assigned.setdefault(node.name, []).append(None)
        stack.extend(ast.iter_child_nodes(node))
    if not returns:
        return False
    params = {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs,
                              func.args.vararg, func.args.kwarg) if a is not None}

    for value in returns:
        if isinstance(value, ast.Name):
            sites = assigned.get(value.id)
            if value.id in params or not sites or not all(_creating_call(v) for v in sites):
                return False
        elif not _creating_call(value):
            return False
    return True


def _creating_call(value) -> bool:
    """``value`` is a (possibly awaited) call of a creating name (queries.creating_call_name)."""
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return False
    f = value.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
    return bool(name) and queries.creating_call_name(name)


def _bound_names(target: ast.expr) -> list[ast.Name]:
    """The names an assignment target binds (``a``, ``a, *b``; not ``a.x`` nor ``a[i]``)."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _bound_names(e)]
    return []


def _yield_split(func) -> tuple[list, list] | None:
    """A generator context manager's code split at its one ``yield`` statement: (what runs
    before it, what runs after it when the ``with`` body ends normally: the statements after
    the yield in each enclosing block, the ``else`` and ``finally`` of an enclosing ``try``).
    None when the generator has no single top-level-statement ``yield`` (a yield in a loop,
    several yields, a yield inside an expression): then nothing is known about it."""
    yields = [n for n in ast.walk(func) if isinstance(n, (ast.Yield, ast.YieldFrom))]
    if len(yields) != 1:
        return None
    path = _statement_path(func, yields[0])
    if path is None:
        return None
    after: list = []
    child = path[-1]
    for anc in reversed(path[:-1]):
        if isinstance(anc, (ast.For, ast.AsyncFor, ast.While)):
            return None
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(anc, name, None)
            if isinstance(stmts, list) and any(s is child for s in stmts):
                after += stmts[[id(s) for s in stmts].index(id(child)) + 1:]
                if isinstance(anc, _TRY_KINDS) and name == "body":
                    after += anc.orelse
                if isinstance(anc, _TRY_KINDS) and name in ("body", "orelse"):
                    after += anc.finalbody
        if isinstance(anc, (ast.ExceptHandler, ast.With, ast.AsyncWith)):
            # the yield of an except clause (leaving it is not the normal path), or inside a
            # ``with`` whose own exit runs after it (what that exit does is not known here)
            return None
        child = anc
    seen = {id(n) for s in after for n in ast.walk(s)} | {id(path[-1])}
    before = [n for n in ast.walk(func) if n is not func and id(n) not in seen
              and isinstance(n, ast.Call)]
    return before, after


def _statement_path(func, target) -> list | None:
    """The statements from ``func`` down to the statement holding ``target`` (an expression
    statement or assignment whose value is the yield), or None when it is deeper."""
    stack = [(func, [func])]
    while stack:
        node, path = stack.pop()
        for name in _BODY_FIELDS:
            for stmt in getattr(node, name, None) or ():
                value = getattr(stmt, "value", None)
                if value is target and isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)):
                    return [*path, stmt]
                if isinstance(stmt, (ast.stmt, ast.ExceptHandler)) and not isinstance(
                        stmt, (*_FUNCTIONS, ast.ClassDef)):
                    stack.append((stmt, [*path, stmt]))
    return None


def _nested_statements(node):
    """Every statement inside ``node``, at any depth (nested functions and classes included):
    an assignment is a statement, so only statement lists need reading, never expressions."""
    stack = [node]
    fields_of = _BODY_FIELDS_OF.get
    while stack:
        current = stack.pop()
        fields = fields_of(type(current))
        if fields is None:
            fields = _body_fields(type(current))
        for name in fields:
            for child in getattr(current, name, ()):
                yield child
                stack.append(child)
