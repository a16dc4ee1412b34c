"""DJI008: a unique string field that accepts blank values but stores them as ``""``.

``blank=True`` lets forms and ``full_clean()`` accept an empty value; without ``null=True`` a
string field stores it as ``""``, and the second row with an empty value collides with the
first on the UNIQUE index.  ``NULL`` values never collide, so ``null=True`` (with the form
storing ``None`` for blank) is the fix.
"""

from __future__ import annotations

import ast

from ..project.summary import dotted_name
from . import declared

# "Field(": a project field class may make its fields unique and blank (the index reads it)
rule = declared(__name__)

# Django's string fields (and subclasses the index resolves to them) that store "" for blank.
BLANK_STRING_KINDS = frozenset(
    {"CharField", "SlugField", "EmailField", "URLField", "TextField", "CICharField",
     "CIEmailField", "CITextField"}
)


@rule.register(ast.ClassDef)
def blank_unique_string(ctx, node: ast.ClassDef) -> None:
    if not any(_unique_and_blank(stmt) for stmt in node.body):
        return  # cheap test first: most classes never reach the index
    model = ctx.class_model(node)
    if model is None:
        return
    filled = None  # read only when a field qualifies: the walk of every method is not free
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, call = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, call = stmt.target.id, stmt.value
        else:
            continue
        if not isinstance(call, ast.Call):
            continue
        field = model.fields.get(name)
        if field is None or field.declared_in != model.qualname or field.line != call.lineno:
            continue
        if field.kind not in BLANK_STRING_KINDS or field.unique is not True or field.primary_key:
            continue
        if field.blank is not True or field.null is not False:  # an unknown never fires
            continue
        if field.fills_on_save is not False:
            continue  # the class computes the value when the row is saved (an auto slug)
        if _generated_default(call):
            continue
        if filled is None:
            filled = _filled_by_methods(node)
        if name in filled:
            continue
        ctx.report(call, "DJI008", model=model.name, field=name)


def _generated_default(call: ast.Call) -> bool:
    """``default=make_code`` / ``default=uuid4``: a blank form value is replaced by a generated one
    only when the field is left out, but a callable default shows the column is filled by code,
    not typed by users; such fields are left alone."""
    for kw in call.keywords:
        if kw.arg == "default":
            value = kw.value
            return not (isinstance(value, ast.Constant) and value.value in ("", None))
    return False


def _filled_by_methods(cls: ast.ClassDef) -> set[str]:
    """Fields a method of the model assigns (``self.slug = slugify(...)`` in ``save()``): code
    fills them before the row is written, so a blank value does not reach the table."""
    names = set()
    for stmt in cls.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for sub in ast.walk(stmt):
            targets = sub.targets if isinstance(sub, ast.Assign) else (
                [sub.target] if isinstance(sub, (ast.AnnAssign, ast.AugAssign)) else [])
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    names.add(t.attr)
    return names


def _unique_and_blank(stmt: ast.stmt) -> bool:
    value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
    if not isinstance(value, ast.Call):
        return False
    flags = {kw.arg for kw in value.keywords
             if kw.arg in ("unique", "blank") and isinstance(kw.value, ast.Constant) and kw.value.value is True}
    if flags == {"unique", "blank"}:
        return True
    # a class not spelled models.<Field>: its __init__ may set them (the index's facts decide)
    func = value.func
    return (isinstance(func, ast.Name) or (
        isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id == "models")
    )) and (dotted_name(func) or "").endswith("Field")
