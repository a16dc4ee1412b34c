"""DJI009: a ``post_save`` receiver that creates the instance's one-to-one row on every save.

``post_save`` fires after *every* save, not only the first.  A receiver that creates a row
whose unique field (typically a ``OneToOneField``) points at the saved instance succeeds on
the first save and raises IntegrityError on the next one, unless it checks ``created`` or
uses ``get_or_create()``.
"""

from __future__ import annotations

import ast

from .. import orm
from ..project.summary import dotted_name
from . import declared

rule = declared(__name__)

POST_SAVE = frozenset({"django.db.models.signals.post_save", "django.db.models.post_save"})
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@rule.register(ast.FunctionDef, ast.AsyncFunctionDef)
def post_save_creates(ctx, func) -> None:
    sender = _post_save_sender(ctx, func)
    if sender is None:
        return
    instance, created = _receiver_params(func)
    if instance is None:
        return
    sender_model = _sender_model(ctx, func)
    for node in orm.walk_scope(func):
        if not isinstance(node, ast.Call):
            continue
        write = _instance_row_write(ctx, node, instance, sender_model)
        if write is None:
            continue
        model, unique = write
        if _checked(ctx, node, func, created) or orm.guarded_by_integrity_handler(ctx, node):
            continue
        sender = sender or (sender_model.name if sender_model else "instance")
        ctx.report(node, "DJI009", receiver=func.name, model=model.name, sender=sender,
                   unique=unique)


# ---------------------------------------------------------------------- receivers
def receiver_instance(ctx, func) -> str | None:
    """The saved-instance parameter's name when ``func`` is a post_save receiver (for DJI001)."""
    if _post_save_sender(ctx, func) is None:
        return None
    return _receiver_params(func)[0]


def _is_post_save(ctx, node: ast.expr) -> bool:
    dotted = dotted_name(node)
    if not dotted:
        return False
    target = ctx.resolve(node)
    if target is not None and target.startswith("django."):
        return target in POST_SAVE or target.endswith("signals.post_save")
    return dotted.rpartition(".")[2] == "post_save"


def _post_save_sender(ctx, func) -> str | None:
    """The sender's name ("" when unknown) if ``func`` receives post_save; else None."""
    for deco in func.decorator_list:
        if not (isinstance(deco, ast.Call) and (dotted_name(deco.func) or "").rpartition(".")[2] == "receiver"):
            continue
        if not deco.args:
            continue
        signal = deco.args[0]
        signals = signal.elts if isinstance(signal, (ast.List, ast.Tuple)) else [signal]
        if any(_is_post_save(ctx, s) for s in signals):
            ctx.memo(("dji009", "sender", id(func)), lambda: _sender_expr(deco))
            return _sender_name(deco)
    if not ctx.memo(("dji009", "imports-signals"), lambda: _imports_signals(ctx)):
        return None
    connected = ctx.memo(("dji009", "connected"), lambda: _connected(ctx))
    if func.name in connected and ctx.enclosing_class(func) is None:
        return connected[func.name]
    return None


def _imports_signals(ctx) -> bool:
    """Does the file import post_save (or a signals module) at all?  Cheap test before a walk."""
    return any(target.endswith(("post_save", "signals")) or target in ("django", "django.db.models")
               for target in ctx.summary.imports.values()) or bool(ctx.summary.star_imports)


def _connected(ctx) -> dict[str, str]:
    """Functions connected with ``post_save.connect(handler, sender=...)`` in this file."""
    found = {}
    senders = ctx.memo(("dji009", "connected-senders"), dict)
    for node in ast.walk(ctx.tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "connect" and _is_post_save(ctx, node.func.value)):
            continue
        handler = node.args[0] if node.args else next(
            (kw.value for kw in node.keywords if kw.arg == "receiver"), None)
        name = dotted_name(handler) if handler is not None else None
        if name:
            found[name.rpartition(".")[2]] = _sender_name(node)
            senders[name.rpartition(".")[2]] = _sender_expr(node)
    return found


def _sender_expr(call: ast.Call) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == "sender":
            return kw.value
    return None


def _sender_name(call: ast.Call) -> str:
    for kw in call.keywords:
        if kw.arg == "sender":
            if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                return kw.value.value.rpartition(".")[2]
            return (dotted_name(kw.value) or "").rpartition(".")[2]
    return ""


def _receiver_params(func) -> tuple[str | None, str | None]:
    """(name of the saved-instance parameter, name of the ``created`` parameter)."""
    names = [a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    instance = "instance" if "instance" in names else (names[1] if len(names) > 1 else None)
    created = "created" if "created" in names else None
    return instance, created


# ---------------------------------------------------------------------- the write
def _points_at(value: ast.expr, instance: str, keyword: str) -> bool:
    if isinstance(value, ast.Name):
        return value.id == instance
    return (isinstance(value, ast.Attribute) and value.attr in ("pk", "id")
            and isinstance(value.value, ast.Name) and value.value.id == instance
            and keyword.endswith("_id"))


def _sender_model(ctx, func):
    sender = ctx.memo(("dji009", "sender", id(func)), lambda: None)
    if sender is None:
        sender = ctx.memo(("dji009", "connected-senders"), dict).get(func.name)
    if sender is None:
        return None
    if isinstance(sender, ast.Constant) and isinstance(sender.value, str):
        return ctx.index.model_by_label(sender.value)
    return orm.class_expr_model(ctx, sender, func)


def _related_create(ctx, call: ast.Call, instance: str, sender):
    """``instance.<reverse accessor>.create(...)``: (model, field pointing at the instance)."""
    manager = call.func.value
    if sender is None or not (isinstance(manager, ast.Attribute) and isinstance(manager.value, ast.Name)
                              and manager.value.id == instance):
        return None
    rel = ctx.index.reverse.get(sender.qualname, {}).get(manager.attr)
    if rel is None or rel[2] == "m2m":
        return None
    model = ctx.index.model(rel[0])
    return (model, rel[1]) if model is not None else None


def _instance_row_write(ctx, call: ast.Call, instance: str, sender=None):
    """(model, unique text) when ``call`` inserts a row whose unique set includes a field
    pointing at the saved instance."""
    if not isinstance(call.func, ast.Attribute):
        return None
    keywords: dict[str, ast.expr] = {}
    implicit = None
    if call.func.attr == "create":
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        related = _related_create(ctx, call, instance, sender)
        query = orm.query_of(ctx, call) if related is None else None
        if related is not None:
            model, implicit = related
        elif query is None or query.model is None or len(query.calls) != 1:
            return None
        else:
            model = query.model
        if query is not None and query.related_to is not None:
            owner = query.manager.value if isinstance(query.manager, ast.Attribute) else None
            if isinstance(owner, ast.Name) and owner.id == instance:
                implicit = query.related_to[1]
    elif call.func.attr == "save":
        built = orm.instance_of(ctx, call.func.value, call)
        if built is None or built.origin != "new" or built.model is None or not isinstance(built.node, ast.Call):
            return None
        model = built.model
        keywords = {kw.arg: kw.value for kw in built.node.keywords if kw.arg}
    else:
        return None
    pointing = {orm.normalise_field(model, k) for k, v in keywords.items() if _points_at(v, instance, k)}
    if implicit:
        pointing.add(implicit)
    pointing.discard(None)
    if not pointing:
        return None
    supplied = set(keywords) | ({implicit} if implicit else set())
    for unique in orm.unique_sets_covered(model, supplied):
        if any(f in pointing for f in unique.fields):
            return model, ", ".join(unique.fields)
    return None


# ---------------------------------------------------------------------- the created check
def _mentions_created(test: ast.expr, created: str | None) -> bool:
    for sub in ast.walk(test):
        if isinstance(sub, ast.Name) and sub.id in ("created", created):
            return True
        if isinstance(sub, ast.Constant) and sub.value == "created":
            return True
    return False


def _is_check(test: ast.expr, created: str | None) -> bool:
    """A condition that decides whether the row is needed: ``created``, or a look-up
    (``hasattr(instance, "profile")``, ``Profile.objects.filter(...).exists()``)."""
    return _mentions_created(test, created) or any(isinstance(s, ast.Call) for s in ast.walk(test))


def _checked(ctx, call: ast.Call, func, created: str | None) -> bool:
    for anc in ctx.ancestors(call):
        if anc is func:
            break
        if isinstance(anc, (ast.If, ast.IfExp, ast.While)) and _is_check(anc.test, created):
            return True
        if isinstance(anc, ast.ExceptHandler):  # try: instance.profile / except DoesNotExist: create
            return True
    # an early exit before the write: ``if not created: return``
    for stmt in orm.walk_scope(func):
        if (isinstance(stmt, ast.If) and stmt.lineno < call.lineno and stmt.body
                and isinstance(stmt.body[-1], (ast.Return, ast.Raise))
                and _mentions_created(stmt.test, created)):
            return True
    return False
