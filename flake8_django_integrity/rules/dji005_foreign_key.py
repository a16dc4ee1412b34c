"""DJI005: foreign key violations.

Two places leave or create a reference to a missing parent row:

* the field declaration (model code, migrations excluded: they are the history, not the
  model): a ``ForeignKey`` / ``OneToOneField`` without ``on_delete``; ``DO_NOTHING`` while the
  database constraint is on; ``SET_NULL`` / ``DB_SET_NULL`` on a field that cannot be null;
  ``SET_DEFAULT`` without ``default`` (``DB_SET_DEFAULT`` without ``db_default``);
* a write (runtime code: not tests or migrations unless --dji-lint-tests): a create or save
  that sets a raw parent id taken from request data, with no sign in the view that the parent
  exists and no IntegrityError handler.

The two parts read different files, so the rule's scope is ANY and each callback checks the
file kind itself.
"""

from __future__ import annotations

import ast
from functools import cached_property

from .. import orm
from ..context import FileContext
from ..messages import DJI005_DETAILS
from ..project.facts import FieldFact, ModelFact
from ..project.index import USER_MODEL
from ..project.records import FrozenRecord
from ..project.summary import dotted_name, is_true
from . import _where, declared

# ``form_valid``: a model form's instance saved by ``super().form_valid(form)``, no "save"
# written; the project's own relation classes by name (``ShopFK``): ``relation_fields``.
rule = declared(__name__)

# The on_delete handlers django.db.models (and .deletion) define, by name.
ON_DELETE_NAMES = frozenset(
    {"CASCADE", "PROTECT", "RESTRICT", "SET", "SET_NULL", "SET_DEFAULT", "DO_NOTHING",
     "DB_CASCADE", "DB_SET_NULL", "DB_SET_DEFAULT"}
)
# Relation classes outside Django whose source we know: the keywords they fill in themselves
# (modelcluster's ParentalKey defaults on_delete to CASCADE; mptt's tree keys add nothing).
KNOWN_RELATIONS = {
    "modelcluster.fields.ParentalKey": frozenset({"on_delete"}),
    "mptt.fields.TreeForeignKey": frozenset(),
    "mptt.fields.TreeOneToOneField": frozenset(),
}


def _report(ctx: FileContext, node: ast.AST, message: str, **kw) -> None:
    ctx.report(node, "DJI005", detail=DJI005_DETAILS[message].format(**kw),
               model=kw.get("model"), field=kw.get("field"))


# ====================================================================== field declarations
@rule.register(ast.ClassDef)
def field_declarations(ctx: FileContext, cls: ast.ClassDef) -> None:
    if ctx.is_migration or not cls.bases:
        return
    relations = []
    for name, call in _class_body_calls(cls):  # the relations first: few classes declare one
        fact = ctx.index.field_from_call(call, ctx.summary, name, f"{ctx.module}.{cls.name}")
        if fact is not None and fact.relation in ("fk", "o2o"):
            relations.append((fact, call))
    if not relations or not _is_model_class(ctx, cls):
        return
    managed = _meta_value(cls, "managed") in (None, True)  # False or unknown: not Django's table
    for fact, call in relations:
        _check_field(ctx, cls, cls.name, managed, fact, call)


def _class_body_calls(cls: ast.ClassDef):
    for stmt in cls.body:
        target, value = _assigned_name(stmt)
        if isinstance(value, ast.Call) and not isinstance(value.func, ast.Call):
            yield target, value


def _assigned_name(stmt: ast.AST):
    """(name, value) of ``name = value`` / ``name: T = value``; (None, None) otherwise."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        if isinstance(stmt.targets[0], ast.Name):
            return stmt.targets[0].id, stmt.value
        return None, None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
        return stmt.target.id, stmt.value
    return None, None


def _is_model_class(ctx: FileContext, cls: ast.ClassDef) -> bool:
    index = ctx.index
    index.use_summary(ctx.summary)  # this file's own tree: not parsed again from disk
    known = ctx.summary.classes.get(cls.name)
    # at module level, or in a top-level if/try: the index's own judgement
    if ctx.module and known is not None and known.node is cls:
        return index.class_info(f"{ctx.module}.{cls.name}").kind == "model"
    # a class nested in a function (test-local models): its bases decide
    kinds = set()
    for base in cls.bases:
        target = ctx.resolve(base)
        if target:
            kinds.add(index.class_info(target).kind)
    # a third-party base in a models module, like the index judges module-level classes
    return bool(kinds & {"model", "root"}) or ("external" in kinds and ctx.is_models)


def _meta_value(cls: ast.ClassDef, key: str):
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            for item in stmt.body:
                if (
                    isinstance(item, ast.Assign) and len(item.targets) == 1
                    and isinstance(item.targets[0], ast.Name) and item.targets[0].id == key
                ):
                    return item.value.value if isinstance(item.value, ast.Constant) else ...
    return None


def _check_field(ctx, cls, model_name: str, managed: bool, fact: FieldFact, call: ast.Call) -> None:
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    opaque = any(kw.arg is None for kw in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    )  # **options / *args: what they pass is unknown
    supplied = _class_supplies(ctx, call.func)
    if supplied is None:
        return  # a third-party field class we cannot read: it may set anything
    target = _target_name(ctx, fact, call, model_name)
    where = dict(model=model_name, field=fact.name, target=target)
    on_delete = kwargs.get("on_delete", call.args[1] if len(call.args) > 1 else None)
    if on_delete is None:
        if not opaque and "on_delete" not in supplied:
            kind = "OneToOneField" if fact.relation == "o2o" else "ForeignKey"
            _report(ctx, call, "no_on_delete", kind=kind, **where)
        return
    handler = _on_delete_name(ctx, on_delete)
    if handler is None:
        return
    if handler == "DO_NOTHING":
        constraint = kwargs.get("db_constraint")
        if constraint is None and (opaque or "db_constraint" in supplied):
            return
        if constraint is not None and not is_true(constraint):
            return  # db_constraint=False (or a value we cannot read)
        if managed:
            _report(ctx, call, "do_nothing", **where)
    # null / default as the field's class makes them (the index reads its __init__ chain):
    # only a known False is reported
    elif handler in ("SET_NULL", "DB_SET_NULL"):
        if fact.null is False:
            _report(ctx, call, "set_null", on_delete=handler, **where)
    elif handler == "SET_DEFAULT":
        if fact.has_default is False:
            _report(ctx, call, "set_default", **where)
    elif handler == "DB_SET_DEFAULT":
        if fact.has_db_default is False:
            _report(ctx, call, "db_set_default", **where)


def _on_delete_name(ctx: FileContext, node: ast.expr) -> str | None:
    """``models.DO_NOTHING``, ``deletion.DO_NOTHING``, ``DO_NOTHING``... -> "DO_NOTHING"."""
    dotted = dotted_name(node)
    if not dotted:
        return None  # SET(...), a conditional, a call: a decision we do not judge
    last = dotted.rpartition(".")[2]
    target = ctx.resolve(node)
    if target is not None:
        module, _, name = target.rpartition(".")
        if module in ("django.db.models", "django.db.models.deletion") and name in ON_DELETE_NAMES:
            return name
        return None  # the project's own handler or alias to something else
    # unresolved: a star import of django.db.models, or models imported in an odd way
    spelled = dotted == last or dotted.endswith(("models." + last, "deletion." + last))
    if last in ON_DELETE_NAMES and spelled:
        head = dotted.partition(".")[0]
        summary = ctx.summary
        if dotted == last and (head in summary.classes or head in summary.assignments):
            return None
        return last
    return None


def _class_supplies(ctx: FileContext, func: ast.expr) -> frozenset | None:
    """Keyword names a field class may fill in itself: empty for Django's own and the known
    third-party relations; names its source mentions for a project subclass; None if unknown."""
    dotted = dotted_name(func)
    if not dotted:
        return None
    qualname = ctx.resolve(func) or dotted
    return ctx.memo(("dji005-supplies", qualname), lambda: _supplies(ctx, qualname, 0))


def _supplies(ctx: FileContext, qualname: str, depth: int) -> frozenset | None:
    if qualname.startswith("django."):
        return frozenset()
    last = qualname.rpartition(".")[2]
    info = ctx.index.class_info(qualname)
    if info.cls is None:
        if qualname in KNOWN_RELATIONS:
            return KNOWN_RELATIONS[qualname]
        if qualname == last and last in ("ForeignKey", "OneToOneField"):
            return frozenset()  # a bare name from a star import we could not follow
        return None  # a third-party class we cannot read: it may fill in anything
    if depth > 10:
        return None
    names = set()
    for node in ast.walk(info.cls.node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    for base in info.bases:
        sub = _supplies(ctx, base, depth + 1)
        if sub is None:
            return None
        names |= sub
    return frozenset(names)


def _target_name(ctx: FileContext, fact: FieldFact, call: ast.Call, model_name: str) -> str:
    """The parent model's name for the message (``fact.to`` is read but not yet linked)."""
    to = fact.to or ""
    if to == "self":
        return model_name
    if to == USER_MODEL:
        user = ctx.index.user_model()
        return user.name if user else "user"
    if to.startswith("="):
        target = ctx.index.model(to[1:])
        return target.name if target else to.rpartition(".")[2]
    if to.startswith("?"):
        return to[1:]
    if to:
        target = ctx.index.model_by_label(to)
        return target.name if target else to.rpartition(".")[2]
    return "parent"


# ====================================================================== writes
_WRITES = frozenset({"create", "get_or_create", "update_or_create", "save"})
_DATA_ATTRS = frozenset({"POST", "GET", "data", "query_params", "body"})
_VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "dispatch"})
_ID_WRAPPERS = frozenset({"int", "str", "UUID"})
# How deep an expression is read for request data (``data["a"]["b"]``, ``int(...)``): past
# it the answer is "unknown"; a chain of 1,500 subscripts overflowed Python's stack.
_MAX_NESTING = 50


@rule.register(ast.Call, methods=_WRITES | {"form_valid"})
def raw_parent_id_write(ctx: FileContext, call: ast.Call) -> None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _WRITES | {"form_valid"}:
        return
    if (ctx.is_test or ctx.is_migration) and not ctx.settings.lint_tests:
        return
    scope = ctx.enclosing_function(call)
    if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    if not ctx.memo(("dji005-sets-ids", id(scope)), lambda: _sets_ids(scope)):
        return  # cheap: the function never sets an id
    taint = _taint(ctx, scope)
    if not taint.sets_raw_id:
        return  # the function never puts request data into an id
    if func.attr == "form_valid":
        found = _form_save_assignments(ctx, call, scope)
    elif func.attr == "save":
        found = _save_assignments(ctx, call, scope) or _form_save_assignments(ctx, call, scope)
    else:
        found = _create_keywords(ctx, call)
    if found is None:
        return
    model, pairs = found
    if model is None or not pairs:
        return
    for name, value in pairs:
        field, raw = _raw_parent(ctx, model, name, value, taint, call)
        if field is None:
            continue
        target = ctx.index.related_model(model, field.name)
        if target is not None:
            target_name = target.name
        else:
            target_name = (field.to or "parent").rpartition(".")[2]
        if _parent_checked(ctx, scope, target, target_name, raw):
            continue
        if orm.guarded_by_integrity_handler(ctx, call):
            return
        if _where.in_test_support(ctx):
            return  # test support code, left out as test modules are (--dji-lint-tests)
        source = orm.text(value)
        if not ("request" in source or "kwargs" in source) or len(source) > 60:
            source = raw.description
        _report(ctx, call, "raw_parent_id", write=f"{orm.text(func)}()", model=model.name,
                field=field.name, target=target_name, source=source)
        return


def _sets_ids(scope) -> bool:
    """Does a function set any ``x_id`` (keyword, dict key, attribute) or build ``X(pk=...)``?"""
    for node in orm.walk_scope(scope):
        if isinstance(node, ast.keyword):
            if node.arg and node.arg.endswith("_id") or node.arg in ("pk", "id"):
                return True
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Attribute) and t.attr.endswith("_id") for t in node.targets):
                return True
        elif isinstance(node, ast.Dict):
            if any(_str_key(k).endswith("_id") for k in node.keys):
                return True
    return False


def _create_keywords(ctx: FileContext, call: ast.Call):
    """(model, [(keyword, value)]) of ``Model.objects.create(...)`` and friends."""
    pairs = _keyword_pairs(call)
    if not pairs:
        return None
    q = orm.query_of(ctx, call)
    if q is None or q.model is None:
        return None
    return q.model, pairs


def _keyword_pairs(call: ast.Call):
    pairs = []
    for kw in call.keywords:
        if kw.arg in ("defaults", "create_defaults") and isinstance(kw.value, ast.Dict):
            for key, value in zip(kw.value.keys, kw.value.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    pairs.append((key.value, value))
        elif kw.arg:
            pairs.append((kw.arg, kw.value))
    return [(k, v) for k, v in pairs if k.endswith("_id") or isinstance(v, ast.Call)]


def _save_assignments(ctx: FileContext, call: ast.Call, scope: ast.AST):
    """(model, [(attribute, value)]) set on the saved instance: by its constructor or by
    ``obj.parent_id = ...`` before the save in the same function."""
    receiver = call.func.value
    inst = orm.instance_of(ctx, receiver, call)
    if inst is None or inst.model is None or inst.origin == "self":
        return None
    pairs = []
    if inst.origin == "new" and isinstance(inst.node, ast.Call):
        pairs.extend(_keyword_pairs(inst.node))
    if isinstance(receiver, ast.Name):
        for node in orm.walk_scope(scope):
            if not isinstance(node, ast.Assign) or node.lineno > call.lineno:
                continue
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == receiver.id and target.attr.endswith("_id")
                ):
                    pairs.append((target.attr, node.value))
    pairs.sort(key=lambda p: (p[1].lineno, p[1].col_offset))
    return inst.model, pairs


def _form_save_assignments(ctx: FileContext, call: ast.Call, scope: ast.AST):
    """(model, [(attribute, value)]) of a model form saved in a create/update view whose
    ``model = Comment`` names the model: ``form.instance.post_id = ...`` then ``form.save()``
    or ``super().form_valid(form)``; ``obj = form.save(commit=False)``, ``obj.post_id = ...``,
    ``obj.save()``."""
    cls = ctx.parent(scope)
    if not isinstance(cls, ast.ClassDef):
        return None
    func = call.func
    if func.attr == "form_valid":
        if not (isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                and func.value.func.id == "super" and call.args
                and isinstance(call.args[0], ast.Name)):
            return None
        form, instance = call.args[0].id, None
        if any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "save"
            and isinstance(n.func.value, ast.Name) and n.func.value.id == form
            for n in orm.walk_scope(scope)
        ):
            return None  # the form's own save() is the write reported
    elif isinstance(func.value, ast.Name):
        form, instance = func.value.id, None
        for node in orm.walk_scope(scope):  # obj = form.save(commit=False)
            if (
                isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == form
                and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "save" and isinstance(node.value.func.value, ast.Name)
            ):
                instance, form = form, node.value.func.value.id
    else:
        return None
    model = _view_model(ctx, cls)
    if model is None:
        return None
    pairs = []
    for node in orm.walk_scope(scope):
        if not isinstance(node, ast.Assign) or node.lineno > call.lineno:
            continue
        for target in node.targets:
            if not (isinstance(target, ast.Attribute) and target.attr.endswith("_id")):
                continue
            owner = target.value
            if (
                isinstance(owner, ast.Attribute) and owner.attr == "instance"
                and isinstance(owner.value, ast.Name) and owner.value.id == form
            ) or (instance is not None and isinstance(owner, ast.Name) and owner.id == instance):
                pairs.append((target.attr, node.value))
    pairs.sort(key=lambda p: (p[1].lineno, p[1].col_offset))
    return model, pairs


def _view_model(ctx: FileContext, cls: ast.ClassDef) -> ModelFact | None:
    """The model a generic view's ``model = Comment`` names."""
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == "model"
        ):
            if isinstance(stmt.value, (ast.Name, ast.Attribute)):
                return ctx.model_named(stmt.value)
            return None
    return None


def _raw_parent(ctx, model: ModelFact, name: str, value: ast.expr, taint: "_Taint", at: ast.AST):
    """(the FK field, the raw id) when ``name=value`` sets a parent from request data."""
    if name.endswith("_id"):
        field = model.fields.get(name[:-3])
        raw = taint.raw(value)
    else:
        field = model.fields.get(name)
        raw = None
        # parent=Parent(pk=raw): an unsaved parent built from the id, never fetched
        if isinstance(value, ast.Call) and len(value.keywords) == 1 and not value.args:
            parent = orm.class_expr_model(ctx, value.func, at)
            kw = value.keywords[0]
            if parent is not None and kw.arg in ("pk", "id", parent.pk_name):
                raw = taint.raw(kw.value)
    if field is None or raw is None:
        return None, None
    if field.relation not in ("fk", "o2o") or not field.db_constraint:
        return None, None
    return field, raw


class _Raw(FrozenRecord):
    """An id read from request data: where from, under which keys, from the URL or not."""

    description: str
    keys: frozenset
    from_url: bool

    def __init__(self, description: str, keys: frozenset, from_url: bool):
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "from_url", from_url)


def _taint(ctx: FileContext, func) -> "_Taint":
    return ctx.memo(("dji005-taint", id(func)), lambda: _Taint(ctx, func))


class _Taint:
    """Which expressions of one function hold request data: sources (``request.POST``, a
    view's ``kwargs``, ``self.kwargs``, locals bound to them) and raw ids read from them."""

    def __init__(self, ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef):
        self.func = func
        self.request_names: set[str] = set()
        self.sources: dict[str, tuple[str, bool]] = {}  # local name -> (description, from URL)
        self.values: dict[str, _Raw] = {}  # local name holding a raw id
        args = [*func.args.posonlyargs, *func.args.args]
        is_method = isinstance(ctx.parent(func), ast.ClassDef)
        if is_method and args and args[0].arg in ("self", "cls"):
            args = args[1:]
        if args and args[0].arg == "request":
            self.request_names.add("request")
            # a view's other arguments come from the URL; a private helper's from its caller
            if (not is_method and not func.name.startswith("_")) or func.name in _VIEW_METHODS:
                for arg in [*args[1:], *func.args.kwonlyargs]:
                    self.values[arg.arg] = _Raw(
                        f"URL argument {arg.arg}", frozenset({arg.arg}), True
                    )
                if func.args.kwarg is not None:
                    self.sources[func.args.kwarg.arg] = (func.args.kwarg.arg, True)
        for _ in range(2):  # twice, so that a chain of locals settles
            for node in orm.walk_scope(func):
                name, value = _assigned_name(node)
                if name is None:
                    continue
                source = self.source(value)
                if source is not None:
                    self.sources.setdefault(name, source)
                    continue
                raw = self.raw(value)
                if raw is not None:
                    self.values.setdefault(name, raw)

    @cached_property
    def sets_raw_id(self) -> bool:
        """Does the function pass a raw id as ``x_id=`` / ``x=Parent(pk=...)`` or assign it to
        ``obj.x_id``?  Cheap, and false for nearly every function."""
        for node in orm.walk_scope(self.func):
            if isinstance(node, ast.keyword) and node.arg:
                if node.arg.endswith("_id") and self.raw(node.value) is not None:
                    return True
                if isinstance(node.value, ast.Call) and any(
                    kw.arg in ("pk", "id") and self.raw(kw.value) is not None
                    for kw in node.value.keywords
                ):
                    return True
            elif isinstance(node, ast.Dict):
                if any(
                    _str_key(k).endswith("_id") and self.raw(v) is not None
                    for k, v in zip(node.keys, node.values)
                ):
                    return True
            elif isinstance(node, ast.Assign):
                sets_id = any(
                    isinstance(t, ast.Attribute) and t.attr.endswith("_id") for t in node.targets
                )
                if sets_id and self.raw(node.value) is not None:
                    return True
        return False

    def is_request(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.request_names
        return (
            isinstance(node, ast.Attribute) and node.attr == "request"
            and isinstance(node.value, ast.Name) and node.value.id == "self"
        )

    def source(self, node: ast.expr, depth: int = 0) -> tuple[str, bool] | None:
        """(description, from URL) of a mapping of request data: ``request.POST``,
        ``self.kwargs``..."""
        if depth > _MAX_NESTING:
            return None
        if isinstance(node, ast.Attribute):
            if node.attr in _DATA_ATTRS and self.is_request(node.value):
                return orm.text(node), False
            if node.attr == "kwargs" and _is_name(node.value, "self"):
                return "self.kwargs", True
            return None
        if isinstance(node, ast.Name):
            return self.sources.get(node.id)
        if isinstance(node, ast.Call):  # json.loads(request.body)
            name = dotted_name(node.func) or ""
            if name.rpartition(".")[2] == "loads" and node.args and self.source(node.args[0], depth + 1):
                return orm.text(node), False
        return None

    def raw(self, node: ast.expr, depth: int = 0) -> _Raw | None:
        """The raw id an expression is, or None if it is not one (nor past ``_MAX_NESTING``
        levels of nesting: unknown)."""
        if depth > _MAX_NESTING:
            return None
        if isinstance(node, ast.Name):
            return self.values.get(node.id)
        if isinstance(node, ast.Subscript):
            key = _key_text(node.slice)
            source = self.source(node.value, depth + 1)
            if source is not None:
                return _Raw(f"{source[0]}[...]", frozenset({key}), source[1])
            return self.raw(node.value, depth + 1)  # data["book"]["id"]
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("get", "pop") and node.args:
                source = self.source(func.value, depth + 1)
                if source is not None:
                    key = _key_text(node.args[0])
                    return _Raw(f"{source[0]}.{func.attr}()", frozenset({key}), source[1])
                return None
            name = (dotted_name(func) or "").rpartition(".")[2]
            if name in _ID_WRAPPERS and len(node.args) == 1:
                return self.raw(node.args[0], depth + 1)
            return None
        if isinstance(node, ast.BoolOp):  # request.POST.get("head") or None
            for value in node.values:
                raw = self.raw(value, depth + 1)
                if raw is not None:
                    return raw
            return None
        if isinstance(node, ast.IfExp):
            return self.raw(node.body, depth + 1) or self.raw(node.orelse, depth + 1)
        return None

    def keys_in(self, node: ast.expr) -> frozenset:
        """The keys of every raw id an expression reads."""
        keys = set()
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Name, ast.Subscript, ast.Call)):
                raw = self.raw(sub)
                if raw is not None:
                    keys |= raw.keys
        return frozenset(keys)


def _str_key(node) -> str:
    """A dict key's text when it is a string constant, else ""."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _key_text(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return orm.text(node)


# ---------------------------------------------------------------------- evidence
class _Lookup(FrozenRecord):
    """A call in the view that looks a raw id up: a query, a ``*_or_404``, a helper."""

    kind: str  # "query", "or_404", "helper"
    model: str | None  # the model queried, when known
    receiver: str  # the manager or class as written ("Book.objects" -> "Book")
    keys: frozenset  # keys of the raw ids among its arguments
    by_pk: bool  # one of them under pk / id

    def __init__(self, kind: str, model: str | None, receiver: str, keys: frozenset, by_pk: bool):
        setattr_ = object.__setattr__
        setattr_(self, "kind", kind)
        setattr_(self, "model", model)
        setattr_(self, "receiver", receiver)
        setattr_(self, "keys", keys)
        setattr_(self, "by_pk", by_pk)


# Calls that look a value up or check it (a helper given the raw id looked at it).
_LOOKUP_PREFIXES = ("get", "check", "validate", "verify", "fetch", "load", "find", "lookup",
                    "ensure", "require", "in_bulk", "aget")
_QUERY_LOOKUPS = frozenset({"get", "filter", "exists", "first", "last", "in_bulk", "aget",
                            "afirst", "aexists", "select_for_update", "get_or_create"})
_OR_404 = frozenset(
    {"get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"}
)
_FORM_CHECKS = frozenset({"is_valid"})


def _parent_checked(ctx, scope, target: ModelFact | None, target_name: str, raw: _Raw) -> bool:
    """Is there a sign in the view that the parent of this raw id exists?"""
    ev = ctx.memo(("dji005-evidence", id(scope)), lambda: _evidence(ctx, scope))
    if ev["full_clean"]:
        return True  # Model.full_clean() checks that the parent exists
    if ev["form_checked"] and not raw.from_url:
        return True  # a form or serializer bound to the request data validated it
    if ev["get_object"] and raw.from_url:
        return True  # the detail view fetched its object from the URL
    for lookup in ev["lookups"]:
        if not lookup.keys & raw.keys:
            continue
        if lookup.kind == "helper":
            return True
        if target is not None and lookup.model == target.qualname:
            return True
        if lookup.model is None and (
            lookup.receiver == target_name or lookup.by_pk or lookup.kind == "or_404"
        ):
            return True
    return False


def _evidence(ctx: FileContext, scope) -> dict:
    """What the view (the function, and the other methods of its class) validates or looks up."""
    found = {"full_clean": False, "form_checked": False, "get_object": False, "lookups": []}
    cls = ctx.parent(scope)
    region = cls if isinstance(cls, ast.ClassDef) else scope
    for node in ast.walk(region):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            name = func.attr
        else:
            name = (dotted_name(func) or "").rpartition(".")[2]
        if name == "full_clean":
            found["full_clean"] = found["full_clean"] or ctx.enclosing_function(node) is scope
            continue
        if name in _FORM_CHECKS:
            found["form_checked"] = found["form_checked"] or ctx.enclosing_function(node) is scope
            continue
        if name in ("get_object", "aget_object"):
            found["get_object"] = True
            continue
        if name in _WRITES and name != "get_or_create" or name in _ID_WRAPPERS:
            continue
        owner = ctx.enclosing_function(node)
        if not isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        taint = _taint(ctx, owner)
        if isinstance(func, ast.Attribute) and (taint.source(func.value) or taint.raw(func.value)):
            continue  # request.POST.get("x"): the read itself
        keys, by_pk = set(), False
        for arg in node.args:
            keys |= taint.keys_in(arg)
        for kw in node.keywords:
            found_keys = taint.keys_in(kw.value)
            keys |= found_keys
            if found_keys and kw.arg and kw.arg.partition("__")[0] in ("pk", "id"):
                by_pk = True
        if not keys:
            continue
        if name in _OR_404 and node.args:
            model = orm.class_expr_model(ctx, node.args[0], node)
            if model is None:
                q = orm.query_of(ctx, node.args[0])
                model = q.model if q else None
            receiver = (dotted_name(node.args[0]) or "").rpartition(".")[2]
            found["lookups"].append(_Lookup("or_404", model.qualname if model else None, receiver,
                                            frozenset(keys), by_pk))
            continue
        q = orm.query_of(ctx, node) if name in _QUERY_LOOKUPS else None
        if q is not None:
            found["lookups"].append(_Lookup("query", q.model.qualname if q.model else None,
                                            q.receiver.partition(".")[0], frozenset(keys), by_pk))
        elif name in _QUERY_LOOKUPS and isinstance(func, ast.Attribute):
            # an unresolved queryset (self.get_queryset().filter(pk=...)): a lookup by pk counts
            found["lookups"].append(_Lookup("query", None, "", frozenset(keys), by_pk))
        elif name.startswith(_LOOKUP_PREFIXES) and name not in _QUERY_LOOKUPS:
            found["lookups"].append(_Lookup("helper", None, "", frozenset(keys), by_pk))
    return found
