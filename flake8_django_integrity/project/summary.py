"""What a module binds at its top level: imports, classes and simple assignments.

The same summary is built for a module of the project (by the index, from disk) and for
the file flake8 is linting (from flake8's own tree), so that a name resolves the same way
in both.  Only the module's own statements are read; nothing is imported or executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


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


@dataclass
class ClassSummary:
    name: str
    node: ast.ClassDef
    bases: list[str]  # dotted source text of each base, e.g. "models.Model"


@dataclass
class ModuleSummary:
    name: str  # dotted module name, "" when unknown
    is_package: bool
    # local name -> fully qualified target ("django.db.models" or "shop.models.Product")
    imports: dict[str, str] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    # local name -> the value expression of a top-level ``name = value``
    assignments: dict[str, ast.expr] = field(default_factory=dict)


def _bind_import(summary: ModuleSummary, stmt: ast.stmt) -> None:
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                summary.imports[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                summary.imports.setdefault(top, top)
    elif isinstance(stmt, ast.ImportFrom):
        base = absolute_module(summary.name, summary.is_package, stmt.module, stmt.level)
        for alias in stmt.names:
            if alias.name == "*":
                summary.star_imports.append(base)
            else:
                summary.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name


def summarize(tree: ast.Module, name: str, is_package: bool) -> ModuleSummary:
    """Summarise a module's top-level bindings.

    Imports inside functions are bound too (a view that does ``from .models import Tag``
    inside the function still means shop.models.Tag); top-level bindings win.
    """
    summary = ModuleSummary(name=name, is_package=is_package)
    top_level = set()
    for stmt in _top_level_statements(tree.body):
        top_level.add(id(stmt))
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            _bind_import(summary, stmt)
        elif isinstance(stmt, ast.ClassDef):
            bases = [b for b in (dotted_name(base) for base in stmt.bases) if b]
            summary.classes[stmt.name] = ClassSummary(stmt.name, stmt, bases)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                summary.assignments[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            summary.assignments[stmt.target.id] = stmt.value
    # function-local imports, without overriding top-level ones
    local = ModuleSummary(name=name, is_package=is_package)
    for node in _all_statements(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top_level:
            _bind_import(local, node)
    for key, value in local.imports.items():
        summary.imports.setdefault(key, value)
    return summary


def _top_level_statements(body: list[ast.stmt]):
    """Statements at module level, descending into if/try blocks (``try: import x``)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_level_statements(stmt.body)
            yield from _top_level_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _top_level_statements(stmt.body)
            for handler in stmt.handlers:
                yield from _top_level_statements(handler.body)
            yield from _top_level_statements(stmt.orelse)


def _all_statements(body: list[ast.stmt]):
    """Every statement, nested ones included, without visiting expressions (an import is a
    statement; walking every expression node cost as much as the rest of the summary)."""
    stack = list(reversed(body))
    while stack:
        stmt = stack.pop()
        yield stmt
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(stmt, name, None)
            if isinstance(children, list):
                for child in reversed(children):
                    if isinstance(child, ast.stmt):
                        stack.append(child)
                    elif isinstance(child, (ast.ExceptHandler, getattr(ast, "match_case", ast.ExceptHandler))):
                        stack.extend(reversed(child.body))
