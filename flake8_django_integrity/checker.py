"""The flake8 entry point: one object per linted file."""

from __future__ import annotations

import ast
import logging

from . import __version__, prefork
from .context import FileContext
from .messages import SUPERSEDES
from .project.gc_pause import settle
from .project.nodes import child_fields
from .options import Settings, add_options, from_flake8
from .unchecked import RunFiles, is_anchor, may_be_schema_anchor, problems, schema_problems

LOG = logging.getLogger("flake8_django_integrity")


class Plugin:
    name = "flake8-django-integrity"
    version = __version__

    settings = Settings()
    run_files = RunFiles()  # what flake8 lints in this run: one of its files carries DJI000
    _rules = None

    def __init__(self, tree: ast.AST, filename: str = "(none)", lines=None):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager) -> None:
        add_options(manager)

    @classmethod
    def parse_options(cls, options) -> None:
        cls.settings = from_flake8(options)
        cls.run_files = RunFiles.from_options(options)
        prefork.prepare(options, cls.settings, cls.loaded_rules)  # -jN: once, before the fork

    @classmethod
    def rules(cls):
        """The rules, their modules imported only when a file can trigger them (check)."""
        if cls._rules is None:
            from .rules import declared_rules

            cls._rules = declared_rules()
        return cls._rules

    @classmethod
    def loaded_rules(cls):
        """The rules, every module imported (before flake8 forks: the workers share them)."""
        return [rule.load() for rule in cls.rules()]

    def run(self):
        try:
            source = "".join(self.lines) if self.lines is not None else None
            findings = check(self.tree, self.filename, self.settings, self.rules(), source)
            if findings:  # the baseline's code is imported only for a file with findings
                from .baseline import filter_findings

                findings = filter_findings(findings, self.tree, self.filename, source, self.settings)
        except Exception:  # never let an analysis error abort the user's flake8 run
            LOG.debug("flake8-django-integrity failed on %s", self.filename, exc_info=True)
            findings = []
        try:
            findings = [*self.unchecked(), *findings]
        except Exception:
            LOG.debug("flake8-django-integrity: DJI000 failed on %s", self.filename, exc_info=True)
        settle()  # the facts this file's questions built: out of later collections
        for f in findings:
            yield f.line, f.col, f.message, type(self)

    def unchecked(self) -> list:
        """DJI000 (unchecked.py), on the one file of the run that carries it."""
        if not isinstance(self.tree, ast.Module):
            return []
        found = []
        # the project's facts as read (no overlay): this file's text parsed, flake8 ran us
        ctx = FileContext(self.tree, self.filename, self.settings)
        # the problems first: the run's files are listed (a walk of the linted tree) only
        # when there is something to say and one file of the run must say it
        project = problems(ctx)
        if project and is_anchor(self.filename, self.settings, self.run_files):
            found += project
        if may_be_schema_anchor(self.filename, self.settings):
            schema = schema_problems(ctx)
            if schema and is_anchor(self.filename, self.settings, self.run_files, schema=True):
                found += schema
        return found


def check(tree, filename, settings, rules, source=None):
    """Every finding of ``rules`` in one file, one code per problem, in line order.

    ``source`` (the file's text) lets rules whose trigger words it lacks skip the file without
    a walk of its tree, and without the import of their modules (``Rule.load``: only the
    rules active in the file are loaded).
    """
    if not isinstance(tree, ast.Module):
        return []
    seen: dict[str, bool] = {}
    fires = [r.may_fire(source, seen) for r in rules]
    if not any(fire or r.relation_fields for r, fire in zip(rules, fires)):
        return []
    ctx = FileContext(tree, filename, settings, source)
    active = [r for r, fire in zip(rules, fires)
              if (fire or r.relation_fields) and r.applies_to(ctx)
              and (fire or r.may_fire_in_project(source, ctx))]
    if not active:
        return []
    dispatch: dict[type, list] = {}
    methods: dict = {}
    for rule in active:
        for node_type, callbacks in rule.load().callbacks.items():
            dispatch.setdefault(node_type, []).extend(callbacks)
        methods.update(rule.call_methods)
    # Rules that read the whole module (the migration rules) need no walk of the tree.
    for callback in dispatch.pop(ast.Module, ()):
        _run(callback, ctx, tree)
    calls = _calls_by_method(dispatch, methods)
    if dispatch or calls:
        for node, callbacks in walk(tree, dispatch, ctx.parents, calls):
            for callback in callbacks:
                _run(callback, ctx, node)
    return _one_code_per_problem(ctx.findings, ctx.unreported)


def _calls_by_method(dispatch: dict, methods: dict):
    """The callbacks on ``ast.Call``, taken out of ``dispatch``: (by method name, the
    callbacks of every other call).  A callback registered with ``methods``
    (``Rule.register``) is listed only under those names; one without, everywhere; each list
    in the rules' order.  None when no callback reads calls."""
    callbacks = dispatch.pop(ast.Call, None)
    if not callbacks:
        return None
    every = [c for c in callbacks if c not in methods]
    names = set().union(*(methods[c] for c in callbacks if c in methods))
    by_name = {name: [c for c in callbacks if c not in methods or name in methods[c]]
               for name in sorted(names)}
    return by_name, every


def _run(callback, ctx: FileContext, node) -> None:
    """One rule callback on one node; a failure costs only its findings there (_failed)."""
    findings = ctx.findings
    mark = len(findings)
    try:
        callback(ctx, node)
    except Exception:  # RecursionError, an odd tree: this callback, this node only
        _failed(callback, node, ctx.filename, findings, mark)


def _failed(callback, node, filename, findings, mark) -> None:
    """A rule's callback raised on one node: drop what it reported there (it may be half a
    judgement) and carry on with the other callbacks and nodes."""
    del findings[mark:]
    LOG.debug("flake8-django-integrity: %s.%s failed on %s line %s", callback.__module__,
              callback.__qualname__, filename, getattr(node, "lineno", 0), exc_info=True)


def walk(tree, dispatch, parents, calls=None):
    """One pass over the tree, in source order (pre-order): record every node's parent and
    collect the nodes whose type ``dispatch`` names, and the calls with the callbacks
    ``calls`` gives them (``_calls_by_method``: by the method of ``x.<method>(...)``, else
    the callbacks of every call).  Only the fields that can hold a node are
    read (project/nodes.py), last first: pushed on the stack that way, the first child comes
    off it first."""
    todo = []
    stack = [tree]
    pop, push, wanted = stack.pop, stack.append, dispatch.get
    node_type, call_type, attribute_type = ast.AST, ast.Call, ast.Attribute
    by_method, every_call = (calls[0].get, calls[1]) if calls else (None, None)
    known = _REVERSED_FIELDS.get
    while stack:
        node = pop()
        kind = type(node)
        callbacks = wanted(kind)
        if callbacks:
            todo.append((node, callbacks))
        elif kind is call_type and by_method is not None:
            func = node.func
            callbacks = by_method(func.attr, every_call) if type(func) is attribute_type \
                else every_call
            if callbacks:
                todo.append((node, callbacks))
        fields = known(kind)
        if fields is None:
            fields = _REVERSED_FIELDS[kind] = child_fields(kind)[::-1]
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, node_type):
                        parents[id(item)] = node
                        push(item)
            elif isinstance(value, node_type):
                parents[id(value)] = node
                push(value)
    return todo


_REVERSED_FIELDS: dict[type, tuple[str, ...]] = {}  # node class -> child_fields(), reversed


def _one_code_per_problem(findings, unreported=()):
    silenced = set()
    for f in [*findings, *unreported]:
        for other in SUPERSEDES.get(f.code, ()):
            silenced.add((f.line, other))
    seen = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.line, f.col, f.code)):
        key = (f.line, f.col, f.code)
        if (f.line, f.code) in silenced or key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
