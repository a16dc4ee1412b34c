"""Values that are files a client just uploaded (asked by DJI007).

A model ``FileField`` stores the name its ``upload_to`` and the storage's
``get_available_name()`` make of the file's name; an exact lookup on the field compares the
column with ``str()`` of the value, the file's name.  The name of a file just uploaded is what
the client sent (an ``UploadedFile`` keeps its base name only), not a stored one, so such a lookup
meets no row the field stored: ``get_or_create(file=upload)`` always inserts, and since the
storage never hands out a stored name again, no later lookup of this kind meets two rows.

An uploaded file here is, in the function of the call:

- ``<x>.FILES[...]``, ``<x>.FILES.get(...)``, ``<x>.FILES.getlist(...)[i]``, a loop variable
  over ``<x>.FILES.getlist(...)`` / ``<x>.FILES.values()``;
- ``<form>.cleaned_data[key]`` / ``.get(key)`` where the form's class declares ``key`` as a
  ``forms.FileField`` / ``forms.ImageField`` (or a subclass): the form is ``self`` in a method
  of that class, a local bound to ``FormClass(...)``, or the ``form`` a view's ``form_valid()`` is
  given when the view names its ``form_class``;
- ``UploadedFile`` / ``SimpleUploadedFile`` / ``InMemoryUploadedFile`` /
  ``TemporaryUploadedFile`` / ``ContentFile`` built there with a name (without one the name is
  empty, and an empty name does match the rows stored without a file);
- a local name every binding of which (before the call, in its function) is one of these.

A value only known at run time, a parameter, an attribute of another object (``other.file``,
a stored file whose name is a stored one) or a string is not an upload.
"""

from __future__ import annotations

import ast

from .context import FUNCTION_NODES, FileContext
from .orm import walk_scope
from .project.summary import dotted_name

_UPLOAD_CLASSES = frozenset({
    "django.core.files.uploadedfile.UploadedFile",
    "django.core.files.uploadedfile.SimpleUploadedFile",
    "django.core.files.uploadedfile.InMemoryUploadedFile",
    "django.core.files.uploadedfile.TemporaryUploadedFile",
    "django.core.files.base.ContentFile",
    "django.core.files.ContentFile",
})
# where each constructor takes the name: (position, keyword)
_NAME_ARGUMENT = {"UploadedFile": (1, "name"), "SimpleUploadedFile": (0, "name"),
                  "InMemoryUploadedFile": (2, "name"), "TemporaryUploadedFile": (0, "name"),
                  "ContentFile": (1, "name")}
_FORM_FILE_FIELDS = frozenset({"FileField", "ImageField"})
_MAX_DEPTH = 4
_MAX_BASES = 8


def is_uploaded_file(ctx: FileContext, expr: ast.expr, at: ast.AST) -> bool:
    """Is ``expr`` (a value used at ``at``) a file just uploaded (module docstring)?"""
    try:
        return _uploaded(ctx, expr, at, 0)
    except RecursionError:
        return False


def _uploaded(ctx: FileContext, expr: ast.expr, at: ast.AST, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, ast.Name):
        values = _bindings(ctx, expr, at)
        return bool(values) and all(
            _uploaded(ctx, v, at, depth + 1) if kind == "value" else _upload_items(v)
            for kind, v in values)
    if isinstance(expr, ast.Subscript):
        base = expr.value
        if _is_files(base) or (isinstance(base, ast.Call) and _files_call(base, "getlist")):
            return True
        key = _constant_str(expr.slice)
        return key is not None and _cleaned_data_upload(ctx, base, key, at)
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    if isinstance(func, ast.Attribute) and func.attr == "get" and expr.args:
        if _is_files(func.value):
            return True
        key = _constant_str(expr.args[0])
        return key is not None and _cleaned_data_upload(ctx, func.value, key, at)
    return _constructed_with_name(ctx, expr)


def _is_files(node: ast.expr) -> bool:
    """``request.FILES``, ``self.request.FILES``: a request's uploaded files."""
    return isinstance(node, ast.Attribute) and node.attr == "FILES"


def _files_call(node: ast.Call, *methods: str) -> bool:
    return isinstance(node.func, ast.Attribute) and node.func.attr in methods and _is_files(
        node.func.value)


def _upload_items(iterable: ast.expr) -> bool:
    """Each item of ``request.FILES.getlist(...)`` / ``request.FILES.values()`` is an upload."""
    return isinstance(iterable, ast.Call) and _files_call(iterable, "getlist", "values")


def _constant_str(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _constructed_with_name(ctx: FileContext, call: ast.Call) -> bool:
    target = ctx.resolve(call.func) if dotted_name(call.func) else None
    if target not in _UPLOAD_CLASSES:
        return False
    last = target.rpartition(".")[2]
    position, keyword = _NAME_ARGUMENT[last]
    named = [kw.value for kw in call.keywords if kw.arg == keyword]
    if len(call.args) > position:
        named.append(call.args[position])
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
            kw.arg is None for kw in call.keywords):
        return False
    return bool(named) and not any(
        isinstance(v, ast.Constant) and (v.value is None or v.value == "") for v in named)


def _bindings(ctx: FileContext, name: ast.Name, at: ast.AST) -> list[tuple[str, ast.expr]]:
    """Every binding of a plain local of ``at``'s function before ``at``: ("value", expr) for
    ``name = expr``, ("item", iterable) for ``for name in iterable``; empty when the name is a
    parameter or bound any other way (a tuple target, ``with``, ``+=``, a walrus...)."""
    func = ctx.enclosing_function(at)
    if not isinstance(func, FUNCTION_NODES) or isinstance(func, ast.Lambda):
        return []
    args = func.args
    params = args.posonlyargs + args.args + args.kwonlyargs + [
        a for a in (args.vararg, args.kwarg) if a]
    if any(a.arg == name.id for a in params):
        return []
    line = getattr(at, "lineno", 0)
    out: list[tuple[str, ast.expr]] = []
    for node in walk_scope(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name.id:
                    if node.lineno > line:
                        continue  # bound after the call: not the value it used
                    out.append(("value", node.value))
                elif _binds(target, name.id):
                    return []
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            if isinstance(node.target, ast.Name) and node.target.id == name.id:
                out.append(("item", node.iter))
            elif _binds(node.target, name.id):
                return []
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            if _binds(node.target, name.id):
                return []
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            if any(i.optional_vars is not None and _binds(i.optional_vars, name.id)
                   for i in node.items):
                return []
        elif isinstance(node, (ast.comprehension, ast.ExceptHandler, ast.Import, ast.ImportFrom,
                               ast.Global, ast.Nonlocal, ast.Delete)):
            if _binds_any(node, name.id):
                return []
    return out


def _binds(target: ast.AST, name: str) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id == name for sub in ast.walk(target))


def _binds_any(node: ast.AST, name: str) -> bool:
    if isinstance(node, ast.comprehension):
        return _binds(node.target, name)
    if isinstance(node, ast.ExceptHandler):
        return node.name == name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name.partition(".")[0]) == name for a in node.names)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return name in node.names
    return isinstance(node, ast.Delete) and any(_binds(t, name) for t in node.targets)


# ---------------------------------------------------------------------- forms
def _cleaned_data_upload(ctx: FileContext, node: ast.expr, key: str, at: ast.AST) -> bool:
    """``<form>.cleaned_data`` whose form class declares ``key`` as an upload field."""
    if not (isinstance(node, ast.Attribute) and node.attr == "cleaned_data"):
        return False
    form = node.value
    if not isinstance(form, ast.Name):
        return False
    if form.id == "self":
        cls = ctx.enclosing_class(at)
        return cls is not None and _declares_upload(ctx, _Local(cls), key, 0)
    classes = _form_classes(ctx, form, at)
    return bool(classes) and all(_declares_upload(ctx, cls, key, 0) for cls in classes)


class _Local:
    """A class statement of the linted file (its names resolve through this file)."""

    def __init__(self, node: ast.ClassDef):
        self.node = node


def _form_classes(ctx: FileContext, form: ast.Name, at: ast.AST) -> list:
    """The classes a form local is built from: every binding ``form = FormClass(...)``; for a
    ``form_valid(self, form)`` of a view, the class its ``form_class`` names."""
    func = ctx.enclosing_function(at)
    if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and func.name == "form_valid" \
            and any(a.arg == form.id for a in func.args.args[1:]):
        view = ctx.enclosing_class(at)
        value = _class_attribute(view, "form_class") if view is not None else None
        found = _class_named(ctx, value) if value is not None else None
        return [found] if found is not None else []
    out = []
    for kind, value in _bindings(ctx, form, at):
        if kind != "value" or not isinstance(value, ast.Call):
            return []
        found = _class_named(ctx, value.func)
        if found is None:
            return []
        out.append(found)
    return out


def _class_attribute(cls: ast.ClassDef, name: str) -> ast.expr | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return stmt.value
    return None


def _class_named(ctx: FileContext, node: ast.expr):
    """The class statement ``node`` names: one of the linted file (``_Local``), or the index's
    summary of a project class (project/index.py ``class_info``); None when neither."""
    if isinstance(node, ast.Name):
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == node.id:
                return _Local(stmt)
    target = ctx.resolve(node) if dotted_name(node) else None
    return _project_class(ctx, target) if target else None


def _project_class(ctx: FileContext, qualname: str):
    if qualname.startswith("django."):
        return None
    info = ctx.index.class_info(qualname)
    return info if info.cls is not None and info.summary is not None else None


def _declares_upload(ctx: FileContext, cls, key: str, depth: int) -> bool:
    """Does the form class (or a base of it the plugin can read) declare ``key`` as an upload
    field?  The nearest declaration decides: ``key = forms.CharField()`` in the class hides
    its bases' ``key``."""
    if depth > _MAX_BASES:
        return False
    node = cls.node if isinstance(cls, _Local) else cls.cls.node
    value = _class_attribute(node, key)
    if value is not None:
        return isinstance(value, ast.Call) and _is_upload_field(ctx, cls, value.func, 0)
    if isinstance(cls, _Local):
        bases = [_class_named(ctx, b) for b in node.bases]
    else:
        bases = [_project_class(ctx, b) for b in cls.bases]
    return any(b is not None and _declares_upload(ctx, b, key, depth + 1) for b in bases)


def _is_upload_field(ctx: FileContext, cls, func: ast.expr, depth: int) -> bool:
    """``forms.FileField`` / ``forms.ImageField`` or a project subclass of one, named in the
    module of ``cls``."""
    dotted = dotted_name(func)
    if not dotted or depth > _MAX_BASES:
        return False
    if isinstance(cls, _Local):
        target = ctx.resolve(func)
    else:
        target = ctx.index.resolve_dotted(cls.summary, dotted, deep=True)
    return _upload_field_class(ctx, target, depth)


def _upload_field_class(ctx: FileContext, target: str | None, depth: int) -> bool:
    if not target or depth > _MAX_BASES:
        return False
    if target.startswith("django.forms."):
        return target.rpartition(".")[2] in _FORM_FILE_FIELDS
    info = _project_class(ctx, target)
    return info is not None and any(_upload_field_class(ctx, b, depth + 1) for b in info.bases)
