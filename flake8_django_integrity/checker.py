"""The flake8 entry point: one object per linted file."""

from __future__ import annotations

import ast
import logging
from collections import deque

from . import __version__
from .context import FileContext
from .messages import SUPERSEDES
from .options import Settings, add_options, from_flake8

LOG = logging.getLogger("flake8_django_integrity")


class Plugin:
    name = "flake8-django-integrity"
    version = __version__

    settings = Settings()
    _rules = None

    def __init__(self, tree: ast.AST, filename: str = "(none)"):
        self.tree = tree
        self.filename = filename

    @classmethod
    def add_options(cls, manager) -> None:
        add_options(manager)

    @classmethod
    def parse_options(cls, options) -> None:
        cls.settings = from_flake8(options)

    @classmethod
    def rules(cls):
        if cls._rules is None:
            from .rules import load_rules

            cls._rules = load_rules()
        return cls._rules

    def run(self):
        try:
            findings = check(self.tree, self.filename, self.settings, self.rules())
        except Exception:  # never let an analysis error abort the user's flake8 run
            LOG.debug("flake8-django-integrity failed on %s", self.filename, exc_info=True)
            return
        for f in findings:
            yield f.line, f.col, f.message, type(self)


def check(tree, filename, settings, rules):
    """Every finding of ``rules`` in one file, one code per problem, in line order."""
    if not isinstance(tree, ast.Module):
        return []
    ctx = FileContext(tree, filename, settings)
    active = [r for r in rules if r.applies_to(ctx)]
    if not active:
        return []
    dispatch: dict[type, list] = {}
    for rule in active:
        for node_type, callbacks in rule.callbacks.items():
            dispatch.setdefault(node_type, []).extend(callbacks)
    parents = ctx.parents
    todo = []
    queue = deque([tree])  # ast.walk's order (breadth first), recording parents on the way
    while queue:
        node = queue.popleft()
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            queue.append(child)
        callbacks = dispatch.get(type(node))
        if callbacks:
            todo.append((node, callbacks))
    for node, callbacks in todo:
        for callback in callbacks:
            callback(ctx, node)
    return _one_code_per_problem(ctx.findings)


def _one_code_per_problem(findings):
    silenced = set()
    for f in findings:
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
