"""What a module's source says about staff-only code: the checks that let only staff members
(or superusers, or a CMS's editors) through, read from one module's syntax tree.

project/function_scan.py records these facts in each module summary; which function or class
they land on, and what an imported test or permission class is, is settled when the
project's summaries are linked (FunctionIndex).  The kinds themselves are named in
project/entrypoints.py.

- a staff test: an expression true only for staff members or superusers (``u.is_staff``,
  ``request.user.is_superuser``, ``u.is_active and u.is_staff``, ``bool(...)``,
  ``getattr(u, "is_staff", False)``); a function is one when it only returns such an
  expression (a ``user_passes_test`` test, a ``test_func``, a DRF ``has_permission``);
- a staff gate: a decorator (or ``method_decorator(...)`` of one, or a wrapper around a view
  in a URL pattern) that lets only staff through: ``@staff_member_required``,
  ``@user_passes_test(<staff test>)``, ``@admin.action``, ``admin_site.admin_view(v)``;
- DRF ``permission_classes``: kept as conjuncts (every one must allow the request), each a
  list of alternatives (``A | B``); staff-only when one conjunct's alternatives all are.
"""

from __future__ import annotations

import ast
from typing import Callable

from . import entrypoints as ep
from .summary import dotted_name

GATE = "="  # a gate settled by the module itself
TEST_PREFIX = "ut:"  # user_passes_test(name): staff-only when ``name`` is a staff test
UNREADABLE = "?"


def staff_test(expr: ast.expr) -> bool:
    """``expr`` is true only for a staff member or a superuser."""
    if isinstance(expr, ast.Attribute):
        return expr.attr in ep.STAFF_FLAGS
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and not expr.keywords:
        if expr.func.id == "bool" and len(expr.args) == 1:
            return staff_test(expr.args[0])
        if expr.func.id == "getattr" and len(expr.args) >= 2:
            name = expr.args[1]
            return isinstance(name, ast.Constant) and name.value in ep.STAFF_FLAGS and (
                len(expr.args) == 2 or isinstance(expr.args[2], ast.Constant)
                and expr.args[2].value in (False, None))
        return False
    if isinstance(expr, ast.BoolOp):
        if isinstance(expr.op, ast.And):  # one staff test among the terms: narrower still
            return any(staff_test(v) for v in expr.values)
        return all(staff_test(v) for v in expr.values)
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 \
            and isinstance(expr.ops[0], (ast.Is, ast.Eq)):
        right = expr.comparators[0]
        return isinstance(right, ast.Constant) and right.value is True and staff_test(expr.left)
    return False


def staff_test_function(func) -> bool:
    """A function (or lambda) that only returns a staff test."""
    if isinstance(func, ast.Lambda):
        return staff_test(func.body)
    body = list(func.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    return len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None \
        and staff_test(body[0].value)


def gate(deco: ast.expr, full: Callable[[str], str], local_tests: set[str]) -> str | None:
    """What a decorator (or a view wrapper) says: GATE when it lets only staff through,
    ``ut:<dotted>`` when that depends on an imported test function, None otherwise.
    ``full`` expands a dotted name by the module's imports; ``local_tests`` are the module's
    own top-level staff test functions."""
    func = deco.func if isinstance(deco, ast.Call) else deco
    dotted = dotted_name(func)
    if not dotted:
        return None
    expanded = full(dotted)
    last = expanded.rpartition(".")[2]
    if last == "method_decorator" and isinstance(deco, ast.Call) and deco.args:
        return gate(deco.args[0], full, local_tests)
    if last in ep.STAFF_DECORATORS or expanded in ep.ADMIN_ACTION_DECORATORS \
            or dotted in ep.ADMIN_ACTION_DECORATORS:
        return GATE
    if last == "user_passes_test" and isinstance(deco, ast.Call) and deco.args:
        test = deco.args[0]
        if isinstance(test, ast.Lambda):
            return GATE if staff_test_function(test) else None
        name = dotted_name(test)
        if name and name in local_tests:
            return GATE
        if name:
            return TEST_PREFIX + name  # resolved when the project is linked
    return None


def wrapped_view(node: ast.expr, full: Callable[[str], str], local_tests: set[str]) -> bool:
    """A URL pattern's view argument wrapped in a staff check: ``staff_member_required(v)``,
    ``admin.site.admin_view(v)``, ``user_passes_test(<staff test>)(v)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Call):  # user_passes_test(test)(view)
        return gate(func, full, local_tests) == GATE
    dotted = dotted_name(func) or ""
    last = full(dotted).rpartition(".")[2] if dotted else ""
    return last in ep.ADMIN_VIEW_WRAPPERS or last in ep.STAFF_DECORATORS


def permission_conjuncts(value: ast.expr) -> list[list[str]]:
    """DRF ``permission_classes`` as written: a list of conjuncts, each a list of alternative
    dotted names (``[IsAuthenticated, IsAdminUser | IsOwner]`` ->
    ``[["IsAuthenticated"], ["IsAdminUser", "IsOwner"]]``); ``[["?"]]`` when unreadable."""
    if not isinstance(value, (ast.List, ast.Tuple)):
        return [[UNREADABLE]]
    out: list[list[str]] = []
    for elt in value.elts:
        out.extend(_conjuncts(elt))
    return out or [[UNREADABLE]]


def _conjuncts(node: ast.expr) -> list[list[str]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [_alternatives(node)]


def _alternatives(node: ast.expr) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _alternatives(node.left) + _alternatives(node.right)
    return [dotted_name(node) or UNREADABLE]


def class_permissions(cls: ast.ClassDef) -> list[list[str]] | None:
    """The ``permission_classes`` a class body sets, or None when it sets none."""
    found = None
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "permission_classes" for t in stmt.targets):
            found = permission_conjuncts(stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and stmt.target.id == "permission_classes" and stmt.value is not None:
            found = permission_conjuncts(stmt.value)
    return found


def decorator_permissions(deco: ast.expr, full: Callable[[str], str]) -> list[list[str]] | None:
    """``@permission_classes([...])`` (a DRF function view) or ``@action(...,
    permission_classes=[...])`` (a viewset's extra route): the permissions that decide for
    this function, or None."""
    if not isinstance(deco, ast.Call):
        return None
    last = full(dotted_name(deco.func) or "").rpartition(".")[2]
    if last == "permission_classes" and deco.args:
        return permission_conjuncts(deco.args[0])
    if last == "action":
        for kw in deco.keywords:
            if kw.arg == "permission_classes":
                return permission_conjuncts(kw.value)
    return None


def admin_registration(call: ast.Call, dotted: str) -> bool:
    """``admin.site.register(Model, SomeAdmin)`` (any admin site: ``site``, ``admin_site``,
    ``custom_site``): a model first, where a router's ``register("prefix", ViewSet)`` takes a
    string."""
    receiver = dotted.rpartition(".")[0].rpartition(".")[2]
    return bool(call.args) and not isinstance(call.args[0], ast.Constant) \
        and "site" in receiver.lower()


def admin_register_decorator(deco: ast.expr, full: Callable[[str], str]) -> bool:
    """``@admin.register(Model, ...)`` on a class: the class is that model's admin."""
    if not isinstance(deco, ast.Call):
        return False
    dotted = dotted_name(deco.func) or ""
    return dotted == "admin.register" or full(dotted) in (
        "django.contrib.admin.register", "django.contrib.admin.decorators.register")


def wagtail_hook(deco: ast.expr, full: Callable[[str], str]) -> str | None:
    """The hook name of ``@hooks.register("name")`` (Wagtail's hook registry), or None."""
    if not (isinstance(deco, ast.Call) and deco.args and isinstance(deco.args[0], ast.Constant)
            and isinstance(deco.args[0].value, str)):
        return None
    expanded = full(dotted_name(deco.func) or "")
    if not (expanded.startswith("wagtail.") and expanded.endswith("hooks.register")):
        return None
    return deco.args[0].value


def admin_action_hook(name: str) -> bool:
    """A Wagtail hook its admin views run around an editor's action (``before_edit_page``,
    ``after_create_page``, ``after_bulk_action``): not the hooks that serve public pages
    (``before_serve_page``, ``before_serve_document``)."""
    return name.startswith(("before_", "after_")) and "serve" not in name
