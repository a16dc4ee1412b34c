"""How the linted code talks to the database: query chains, instances, guards.

Shared by the runtime rules so that each one reads ``Tag.objects.filter(...).exists()``,
``obj.save()`` or ``except IntegrityError`` the same way.
"""

from __future__ import annotations

import ast
import logging

from .context import FUNCTION_NODES, FileContext
from .project import queries
from .project.facts import ModelFact, UniqueSet
from .project.nodes import CHILD_FIELDS, child_fields
from .project.records import Record
from .project.summary import LABEL_REF, model_label_call
from .project.summary import dotted_name

# Methods that return another queryset of the same model: a chain passes through them.
PASSTHROUGH = frozenset(
    {
        "all", "filter", "exclude", "select_for_update", "using", "select_related",
        "prefetch_related", "order_by", "only", "defer", "annotate", "alias", "distinct",
        "get_queryset", "none", "reverse", "extra", "complex_filter", "db_manager",
    }
)
CREATE_METHODS = frozenset({"create", "create_user", "create_superuser"})
WRITE_METHODS = CREATE_METHODS | {"bulk_create", "get_or_create", "update_or_create", "save"}
# Calls that read one row or answer "is there one?"
CHECK_METHODS = frozenset({"exists", "count", "first", "last", "get", "earliest", "latest"})
INTEGRITY_ERROR = frozenset(
    {"django.db.IntegrityError", "django.db.utils.IntegrityError", "psycopg2.IntegrityError",
     "psycopg2.errors.UniqueViolation", "psycopg.errors.UniqueViolation", "sqlite3.IntegrityError"}
)
INTEGRITY_PARENTS = frozenset(
    {"django.db.DatabaseError", "django.db.utils.DatabaseError", "django.db.Error",
     "django.db.utils.Error", "Exception", "BaseException", "builtins.Exception",
     "builtins.BaseException"}
)
FRESH_FUNCTIONS = frozenset(
    {"uuid.uuid1", "uuid.uuid4", "uuid.uuid7", "secrets.token_hex", "secrets.token_urlsafe",
     "secrets.token_bytes", "django.utils.crypto.get_random_string", "uuid4", "uuid1",
     "get_random_string", "token_hex", "token_urlsafe"}
)


class Query(Record):
    """``<manager>.<call>(...).<call>(...)``: a query or write through a manager."""

    model: ModelFact | None
    receiver: str  # the manager as written, normalised ("Tag.objects", "self")
    manager: ast.expr
    calls: list[tuple[str, ast.Call]]
    related_to: tuple[ModelFact, str] | None = None  # via obj.<accessor>: (owner model, fk field)

    def __init__(self, model: ModelFact | None, receiver: str, manager: ast.expr,
                 calls: list[tuple[str, ast.Call]] | None = None,
                 related_to: tuple[ModelFact, str] | None = None):
        self.model = model
        self.receiver = receiver
        self.manager = manager
        self.calls = [] if calls is None else calls
        self.related_to = related_to

    @property
    def method(self) -> str:
        return self.calls[-1][0] if self.calls else ""

    @property
    def last_call(self) -> ast.Call | None:
        return self.calls[-1][1] if self.calls else None

    def calls_named(self, *names: str):
        return [c for n, c in self.calls if n in names]

    def lookup_keywords(self) -> dict[str, ast.expr]:
        """Keyword lookups of every filter()/get()/exclude()-free call in the chain."""
        found = {}
        for name, call in self.calls:
            if name in ("exclude",):
                continue
            for kw in call.keywords:
                if kw.arg and kw.arg not in ("defaults", "create_defaults"):
                    found[kw.arg] = kw.value
        return found

    @property
    def locked(self) -> bool:
        return any(n == "select_for_update" for n, _ in self.calls)


def _call_chain(node: ast.expr) -> tuple[ast.expr, list[tuple[str, ast.Call]]]:
    calls = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append((node.func.attr, node))
        node = node.func.value
    calls.reverse()
    return node, calls


def query_of(ctx: FileContext, node: ast.expr) -> Query | None:
    """The query a call expression makes, if it goes through a model manager."""
    if not isinstance(node, ast.Call):
        return None
    key = ("query", id(node))
    return ctx.memo(key, lambda: _query_of(ctx, node))


# How deep the reading of chains and local bindings may nest (``qs = qs.filter()`` read back
# through each earlier binding, ``a.b().c.d()``...): past it the answer is "unknown".  Each
# level costs ~8 Python frames; without a bound, code nested deeper than the interpreter's
# stack lost every finding of its file.
_MAX_NESTING = 60
# A name bound more often than this in one function has its bindings read in line order
# first, so that each reads the one before it from the memo instead of recursing into it.
_LONG_CHAIN = 8


def _query_of(ctx: FileContext, node: ast.Call) -> Query | None:
    if ctx.nesting > _MAX_NESTING:
        return None
    ctx.nesting += 1
    try:
        return _read_query(ctx, node)
    finally:
        ctx.nesting -= 1


def _read_query(ctx: FileContext, node: ast.Call) -> Query | None:
    base, calls = _call_chain(node)
    if not calls:
        return None
    # queryset variables: qs = Tag.objects.filter(...); qs.exists()
    if isinstance(base, ast.Name) and base.id != "self":
        bound = local_binding(ctx, base, node)
        if isinstance(bound, Query):
            return Query(bound.model, bound.receiver, bound.manager, bound.calls + calls, bound.related_to)
    if not all(name in PASSTHROUGH or i == len(calls) - 1 for i, (name, _) in enumerate(calls)):
        # a call in the middle that is not a queryset method: not an ORM chain we follow
        if not (calls[-1][0] in ("exists", "count", "first", "last") and all(
                n in PASSTHROUGH or n in ("get",) for n, _ in calls[:-1])):
            return None
    manager = manager_model(ctx, base, node)
    if manager is None:
        return None
    model, receiver, related = manager
    return Query(model, receiver, base, calls, related)


def manager_model(ctx: FileContext, base: ast.expr, at: ast.AST):
    """(model or None, receiver text, related) when ``base`` is a manager; else None."""
    cls = ctx.enclosing_class(at)
    if isinstance(base, ast.Name) and base.id == "self" and cls is not None:
        # a method of a custom manager or queryset: self is the manager
        models = manager_class_models(ctx, cls)
        if models is not None:
            return (models[0] if len(models) == 1 else None), "self", None
        return None
    if not isinstance(base, ast.Attribute):
        return None
    owner, attr = base.value, base.attr
    # self.model.objects / self.model._default_manager in managers
    model = class_expr_model(ctx, owner, at)
    if model is not None:
        if attr in ctx.index.manager_names(model):
            return model, _text(base), None
        return None
    if isinstance(owner, ast.Name) and owner.id == "self" and attr == "model" and cls is not None:
        return None
    # related managers: author.books / author.book_set
    inst = instance_model(ctx, owner, at)
    if inst is not None:
        rel = ctx.index.reverse.get(inst.qualname, {}).get(attr)
        if rel is not None:
            target = ctx.index.model(rel[0])
            return target, _text(base), (inst, rel[1])
        f = inst.fields.get(attr)
        if f is not None and f.relation == "m2m":
            return ctx.index.related_model(inst, attr), _text(base), None
        return None
    # an unresolved class (third-party): Foo.objects -- kept for same-receiver checks
    if attr == "objects" and isinstance(owner, (ast.Name, ast.Attribute)) and dotted_name(owner):
        head = dotted_name(owner).rpartition(".")[2]
        if head[:1].isupper():
            return None, _text(base), None
    # a model held in a parameter, a local or an attribute that no name resolves statically
    # (``model._default_manager``): a check and a write through the same handle concern the
    # same model, matched by the handle as written
    if attr in MANAGER_ATTRS and is_model_handle(ctx, owner, at):
        return None, _text(base), None
    return None


MANAGER_ATTRS = ("objects", "_default_manager", "_base_manager")
_HANDLE_ATTRS = frozenset({*MANAGER_ATTRS, "DoesNotExist"})


def is_model_handle(ctx: FileContext, node: ast.expr, at: ast.AST) -> bool:
    """Does ``node`` hold a model class the index cannot name: a parameter or local of the
    function (``def add(model, ...)``), or ``self.<attr>`` / ``cls.<attr>``, that the function
    uses as a model (``<handle>.objects``, ``<handle>._default_manager``,
    ``<handle>.DoesNotExist``)?"""
    func = ctx.enclosing_function(at)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    text = dotted_name(node)
    if not text:
        return False
    if isinstance(node, ast.Name):
        if node.id in ("self", "cls"):
            return False
        args = func.args
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        sites = ctx.memo(("binding-sites", id(func)), lambda: _binding_sites(func))
        if node.id not in params and node.id not in sites:
            return False
    elif not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id in ("self", "cls")):
        return False
    uses = ctx.memo(("handle-uses", id(func)), lambda: _handle_uses(func))
    return text in uses


def _handle_uses(func: ast.AST) -> frozenset:
    """Names and ``self.<attr>`` a function uses as a model class."""
    found = set()
    for node in _walk_scope(func):
        if isinstance(node, ast.Attribute) and node.attr in _HANDLE_ATTRS:
            text = dotted_name(node.value)
            if text and (isinstance(node.value, ast.Name) or text.count(".") == 1):
                found.add(text)
    return frozenset(found)


def manager_class_models(ctx: FileContext, cls: ast.ClassDef) -> list[ModelFact] | None:
    """Models served by a manager/queryset class defined in this file; None if not a manager."""
    qualname = f"{ctx.module}.{cls.name}" if ctx.module else cls.name
    # a class defined in this file is its own canonical name: look it up directly (the
    # index's canonical() would parse this file again from disk)
    quals = ctx.index.manager_models.get(qualname, ())
    models = [ctx.index.models[q] for q in quals if q in ctx.index.models]
    if len(models) > 1:
        # proxies and multi-table children inherit their parent's manager: the manager's
        # code is written for the model that declares it
        quals = {m.qualname for m in models}
        models = [m for m in models if not quals.intersection(m.bases)] or models
    if models:
        return models
    for base in cls.bases:
        name = (dotted_name(base) or "").rpartition(".")[2]
        if name.endswith(("Manager", "QuerySet")):
            return []
    return None


def class_expr_model(ctx: FileContext, node: ast.expr, at: ast.AST) -> ModelFact | None:
    """The model a class-valued expression names: ``Tag``, ``m.Tag``, ``self.model``, ``cls``."""
    cls = ctx.enclosing_class(at)
    if isinstance(node, ast.Attribute) and node.attr == "model" and isinstance(node.value, ast.Name) \
            and node.value.id == "self" and cls is not None:
        models = manager_class_models(ctx, cls)
        if models is not None:  # a manager or queryset: self.model is the model it serves
            return models[0] if len(models) == 1 else None
    if cls is not None:
        if (isinstance(node, ast.Name) and node.id == "cls") or (
            isinstance(node, ast.Attribute) and node.attr == "__class__"
            and isinstance(node.value, ast.Name) and node.value.id == "self"
        ) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id == "self"
        ):
            return method_class_model(ctx, cls)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in ("self", "cls"):
            return attribute_model(ctx, cls, node.attr)
    if isinstance(node, ast.Name):
        bound = local_binding(ctx, node, at)
        if isinstance(bound, ModelClass):
            return bound.model
    if isinstance(node, ast.Call) and not node.args and not node.keywords \
            and isinstance(node.func, (ast.Name, ast.Attribute)):
        found = ctx.model_named(node)  # get_user_model()
        return found if found is not None else returned_model(ctx, node.func)
    found = ctx.model_named(node)
    if found is None and isinstance(node, ast.Name) and node.id[:1].isupper():
        return loaded_model(ctx, node)
    return found


def loaded_model(ctx: FileContext, name: ast.Name) -> ModelFact | None:
    """The model a module-level ``Book = load_model("Book")`` binds, where ``load_model`` is a
    project function returning ``swapper.load_model("app", name)`` / ``apps.get_model("app",
    name)``: in this module, or imported from a project module that binds it so."""
    def compute():
        if name.id in ctx.summary.assignments:
            mod, attr = ctx.module, name.id
        elif name.id in ctx.summary.imports:
            mod, _, attr = ctx.summary.imports[name.id].rpartition(".")
            if not mod or ctx.index.find_module(mod) is None:
                return None
        else:
            return None
        index = function_index(ctx)
        ref = index.module_model(mod, attr) if index is not None else None
        if not ref or not ref.startswith(LABEL_REF):
            return None
        return ctx.index.model_by_label(ref[len(LABEL_REF):])
    return ctx.memo(("loaded-model", name.id), compute)


def returned_model(ctx: FileContext, func: ast.expr) -> ModelFact | None:
    """The model a project function returns (``def enrollment_model(): return
    apps.get_model("app", "Enrollment")``), from its summary in the function index; called
    as ``enrollment_model().objects...``."""
    dotted = dotted_name(func)
    if not dotted or not ctx.module:
        return None

    def compute():
        defined = {s.name for s in ctx.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        qual = f"{ctx.module}.{dotted}" if dotted in defined else ctx.resolve(func)
        index = function_index(ctx)
        if not qual or index is None:
            return None
        ref = index.returned_model(qual)
        if not ref:
            return None
        if ref.startswith(LABEL_REF):
            return ctx.index.model_by_label(ref[len(LABEL_REF):])
        return ctx.index.model(ref) or ctx.index.model(ctx.index.canonical(ref) or ref)
    return ctx.memo(("returned-model", dotted), compute)


def fresh_names(ctx: FileContext) -> frozenset[str]:
    """The functions whose result is unique by construction: FRESH_FUNCTIONS and the
    project's ``dji-fresh-functions``."""
    return FRESH_FUNCTIONS | frozenset(ctx.settings.fresh_functions)


def returns_fresh(ctx: FileContext, call: ast.Call) -> bool:
    """``call`` is of a project function or method whose every ``return`` makes a value
    unique by construction (``def get_username(self): return str(uuid4())[:30]``), read from
    its summary in the function index (one level: not through the functions it calls)."""
    dotted = dotted_name(call.func)
    if not dotted or not ctx.module:
        return False

    def compute():
        qual = project_callee(ctx, call, function_index(ctx))
        if not qual:
            return False
        fresh = fresh_names(ctx)
        made = function_index(ctx).returned_calls(qual)
        return bool(made) and all(
            any(n in fresh or n.rpartition(".")[2] in fresh for n in names) for names in made)
    try:
        return ctx.memo(("returns-fresh", dotted, id(ctx.enclosing_class(call))), compute)
    except Exception:  # an odd project: the callee is unknown, never a crash
        return False


def form_write_model(ctx: FileContext, call: ast.Call) -> ModelFact | None:
    """The model a ``form.save()`` / ``serializer.save()`` / ``serializer.create(data)`` inserts
    a row of: the receiver is a local bound (last, before the call) to ``C(...)`` of a project
    ModelForm / ModelSerializer class, or to ``self.get_form(...)`` /
    ``self.get_serializer(...)`` of a view whose ``form_class`` / ``serializer_class`` is one;
    built without an instance (``instance=`` or, for a serializer, a positional first
    argument, makes it an update).  Read from the class summaries of project/functions.py."""
    func = call.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
        return None
    if func.attr == "save" and (call.args or call.keywords):
        return None
    if func.attr not in ("save", "create"):
        return None
    built = _last_call_binding(ctx, func.value, call)
    if built is None or any(kw.arg == "instance" for kw in built.keywords):
        return None
    callee = dotted_name(built.func) or ""
    if callee not in ("self.get_form", "self.get_serializer") and not callee.rpartition(".")[2][:1].isupper():
        return None  # a function's result, not a class built here: no need for the index
    index = function_index(ctx)
    if index is None:
        return None
    cls = _built_class(ctx, index, built, call)
    if cls is None:
        return None
    serializer = index.model_saver(cls) == "serializer"
    if func.attr == "create" and not serializer:
        return None  # create(data) is a serializer's; on anything else it is another method
    if serializer and built.args:
        return None  # Serializer(instance, data=...): save() updates that instance
    ref = index.saved_model(cls)
    if not ref:
        return None
    if ref.startswith(LABEL_REF):
        return ctx.index.model_by_label(ref[len(LABEL_REF):])
    return ctx.index.model(ref) or ctx.index.model(ctx.index.canonical(ref))


def _last_call_binding(ctx: FileContext, name: ast.Name, at: ast.AST) -> ast.Call | None:
    scope = ctx.enclosing_function(at)
    if scope is None:
        return None
    sites = ctx.memo(("binding-sites", id(scope)), lambda: _binding_sites(scope))
    line = getattr(at, "lineno", 0)
    for lineno, site in reversed(sites.get(name.id, ())):
        if lineno <= line:
            if isinstance(site, ast.Assign) and len(site.targets) == 1 \
                    and isinstance(site.targets[0], ast.Name) and isinstance(site.value, ast.Call):
                return site.value
            return None
    return None


def _built_class(ctx: FileContext, index, built: ast.Call, at: ast.AST) -> str | None:
    """The project class a constructor call builds: ``C(...)`` or ``self.get_form()`` /
    ``self.get_serializer()`` of a view class of this file."""
    callee = built.func
    if isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name) \
            and callee.value.id == "self" and callee.attr in ("get_form", "get_serializer"):
        if callee.attr == "get_form" and built.args:
            return None  # get_form(form_class): another class than the attribute's
        cls = ctx.enclosing_class(at)
        if cls is None or not ctx.module:
            return None
        attr = "form_class" if callee.attr == "get_form" else "serializer_class"
        return index.built_class(f"{ctx.module}.{cls.name}", attr)
    dotted = dotted_name(callee)
    if not dotted or not dotted.rpartition(".")[2][:1].isupper():
        return None
    defined = {s.name for s in ctx.tree.body if isinstance(s, ast.ClassDef)}
    qual = f"{ctx.module}.{dotted}" if dotted in defined else ctx.resolve(callee)
    if not qual:
        return None
    found = qual if qual in index.classes else index.qualified(qual)
    return found if found in index.classes else None


def function_index(ctx: FileContext):
    """The project's function summaries (project/functions.py), built once per file context
    and shared with rules/_where.py (same memo key); None without a project root."""
    def build():
        if not ctx.root or not ctx.module:
            return None
        from .project.functions import get_functions

        try:
            return get_functions(ctx.root, ctx.index.atomic_requests,
                                 cache_dir=ctx.settings.cache_dir, use_cache=ctx.settings.use_cache,
                                 exclude=ctx.settings.exclude)
        except Exception:  # an odd project: its functions are unknown, never a crash
            logging.getLogger("flake8_django_integrity").debug(
                "flake8-django-integrity: no function index for %s", ctx.root, exc_info=True)
            return None

    return ctx.memo(("where", "functions"), build)


def method_class_model(ctx: FileContext, cls: ast.ClassDef) -> ModelFact | None:
    """The model ``cls`` / ``self`` / ``type(self)`` stand for in a method of ``cls``: the
    model itself; for an abstract model or a plain mixin, the one concrete model the index
    knows to inherit it (several: the abstract model, or none for a mixin)."""
    def compute():
        fact = ctx.class_model(cls)
        if fact is not None and not fact.abstract:
            return fact
        if not ctx.module:
            return fact
        inheritors = ctx.index.concrete_inheritors(f"{ctx.module}.{cls.name}")
        return inheritors[0] if len(inheritors) == 1 else fact
    return ctx.memo(("method-class-model", id(cls)), compute)


def attribute_model(ctx: FileContext, cls: ast.ClassDef, attr: str) -> ModelFact | None:
    """The model ``self.<attr>`` / ``cls.<attr>`` holds, given elsewhere in the class: a class
    attribute (``model = Tag``) or an assignment in a method (``self.model = Tag``,
    ``self.user_model = get_user_model()``); None when the class gives it none, or models that
    differ."""
    def compute():
        values = ctx.memo(("class-attribute-values", id(cls)), lambda: _class_attribute_values(cls))
        values = values.get(attr, ())
        if not values and cls.bases:
            return _inherited_attribute_model(ctx, cls, attr)
        models = set()
        found = None
        for value in values:
            if not isinstance(value, (ast.Name, ast.Attribute, ast.Call)):
                return None  # also set from something else: not one model
            model = ctx.model_named(value)
            if model is None:
                return None
            models.add(model.qualname)
            found = model
        return found if len(models) == 1 else None
    return ctx.memo(("attribute-model", id(cls), attr), compute)


def _inherited_attribute_model(ctx: FileContext, cls: ast.ClassDef, attr: str) -> ModelFact | None:
    """The model a base class of the project gives ``self.<attr>`` (``self.user_model =
    get_user_model()`` in a base's ``__init__``), from the function index's class facts."""
    index = function_index(ctx)
    if index is None or any(isinstance(a, _SCOPE_BOUNDARIES) for a in ctx.ancestors(cls)):
        return None  # a nested class: not named by its module and name
    from .project.function_scan import HELD_USER_MODEL

    try:
        held = index.held_class(f"{ctx.module}.{cls.name}", attr)
    except Exception:  # an odd project: what the attribute holds is unknown, never a crash
        return None
    if held == HELD_USER_MODEL:
        return ctx.index.user_model()
    return ctx.index.model(held) if held else None


def _class_attribute_values(cls: ast.ClassDef) -> dict[str, list[ast.expr]]:
    """attr -> the values a class gives it: ``attr = value`` in its body, ``self.attr = value``
    / ``cls.attr = value`` in its methods (one walk of the class)."""
    out: dict[str, list[ast.expr]] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    out.setdefault(t.id, []).append(stmt.value)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in _walk_scope(stmt):
                if isinstance(sub, ast.Assign):
                    for t in sub.targets:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                                and t.value.id in ("self", "cls"):
                            out.setdefault(t.attr, []).append(sub.value)
    return out


class ModelClass(Record):
    """A local variable bound to a model class: ``Model = apps.get_model(...)``."""

    model: ModelFact

    def __init__(self, model: ModelFact):
        self.model = model


class Instance(Record):
    """A local variable bound to a model instance."""

    model: ModelFact | None
    origin: str  # "new" (built, unsaved), "fetched", "created"
    node: ast.AST
    receiver: str = ""

    def __init__(self, model: ModelFact | None, origin: str, node: ast.AST, receiver: str = ""):
        self.model = model
        self.origin = origin
        self.node = node
        self.receiver = receiver


def instance_model(ctx: FileContext, node: ast.expr, at: ast.AST) -> ModelFact | None:
    inst = instance_of(ctx, node, at)
    return inst.model if inst else None


def instance_of(ctx: FileContext, node: ast.expr, at: ast.AST) -> Instance | None:
    """What model instance an expression is: ``Tag(...)``, a local bound to one, ``self``."""
    if isinstance(node, ast.Call):
        model = class_expr_model(ctx, node.func, at) if not isinstance(node.func, ast.Call) else None
        if model is not None:
            return Instance(model, "new", node, _text(node.func))
        q = query_of(ctx, node)
        if q is not None and q.method in ("get", "first", "last", "earliest", "latest", "create"):
            return Instance(q.model, "created" if q.method == "create" else "fetched", node, q.receiver)
        return None
    if isinstance(node, ast.Name):
        if node.id == "self":
            cls = ctx.enclosing_class(at)
            if cls is not None:
                model = method_class_model(ctx, cls)
                if model is not None:
                    return Instance(model, "self", node, "self")
            return None
        bound = local_binding(ctx, node, at)
        return bound if isinstance(bound, Instance) else None
    return None


# ---------------------------------------------------------------------- local bindings
def local_binding(ctx: FileContext, name: ast.Name, at: ast.AST):
    """What a local name was last bound to before ``at`` in its function (Query/Instance/ModelClass).

    Only the statements that bind ``name`` are read, and each once: resolving every
    assignment of a function up front made a rule that asks about one name pay for all of
    them (and parse the modules their callables come from).
    """
    func = ctx.enclosing_function(at)
    scope = func if func is not None else ctx.tree
    sites = ctx.memo(("binding-sites", id(scope)), lambda: _binding_sites(scope))
    candidates = sites.get(name.id)
    if not candidates:
        return None
    if len(candidates) > _LONG_CHAIN:
        chain_key = ("binding-chain", id(scope), name.id)
        if chain_key not in ctx._cache:  # first question about this name: see _LONG_CHAIN
            ctx._cache[chain_key] = True
            for _, site in candidates:
                _resolve_site(ctx, scope, name.id, site)
    line = getattr(at, "lineno", 10**9)
    for lineno, site in reversed(candidates):
        if lineno > line:
            continue
        value = _resolve_site(ctx, scope, name.id, site)
        if value is not None:
            return value
    return None


def _binding_sites(scope: ast.AST) -> dict[str, list]:
    """name -> [(line, statement or argument)] for every statement of ``scope`` that binds it."""
    sites: dict[str, list] = {}
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in scope.args.args + scope.args.kwonlyargs + scope.args.posonlyargs:
            if arg.annotation is not None:
                sites.setdefault(arg.arg, []).append((scope.lineno, arg))
    for node in _walk_scope(scope):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets = [node.target] if isinstance(node.target, ast.Name) else []
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                sites.setdefault(target.id, []).append((node.lineno, node))
            elif isinstance(target, (ast.Tuple, ast.List)) and target.elts and isinstance(target.elts[0], ast.Name):
                sites.setdefault(target.elts[0].id, []).append((node.lineno, node))
    for entries in sites.values():
        entries.sort(key=lambda e: (e[0], getattr(e[1], "col_offset", 0)))
    return sites


_IN_PROGRESS = object()


def _resolve_site(ctx: FileContext, scope: ast.AST, name: str, site: ast.AST):
    key = ("binding", id(site), name)
    cached = ctx._cache.get(key)
    if cached is _IN_PROGRESS:
        return None  # a binding that depends on itself
    if cached is not None or key in ctx._cache:
        return cached
    if ctx.nesting > _MAX_NESTING:
        ctx._cache[key] = None  # unknown, and remembered: a retry at every level costs O(n^2)
        return None
    ctx._cache[key] = _IN_PROGRESS
    ctx.nesting += 1
    value = None
    try:
        value = _site_value(ctx, scope, name, site)
    finally:
        ctx.nesting -= 1
        ctx._cache[key] = value
    return value


def _site_value(ctx: FileContext, scope: ast.AST, name: str, site: ast.AST):
    if isinstance(site, ast.arg):
        annotation = site.annotation
        if isinstance(annotation, ast.Subscript) and (dotted_name(annotation.value) or "").rpartition(
                ".")[2] in ("type", "Type") and isinstance(annotation.slice, (ast.Name, ast.Attribute)):
            model = ctx.model_named(annotation.slice)  # model: type[Tag]: the class itself
            return ModelClass(model) if model is not None else None
        model = ctx.model_named(annotation) if isinstance(annotation, (ast.Name, ast.Attribute)) else None
        return Instance(model, "param", site) if model is not None else None
    if isinstance(site, (ast.For, ast.AsyncFor)):
        q = query_of(ctx, site.iter) if isinstance(site.iter, ast.Call) else None
        if q is None and isinstance(site.iter, ast.Attribute):
            manager = manager_model(ctx, site.iter, site)
            if manager is not None:
                q = Query(manager[0], manager[1], site.iter, [], manager[2])
        return Instance(q.model, "fetched", site, q.receiver) if q is not None else None
    targets = site.targets if isinstance(site, ast.Assign) else [site.target]
    for target in targets:
        for bound_name, val in _bound_value(ctx, target, site.value, site):
            if bound_name == name:
                return val
    return None


def _bindings(ctx: FileContext, scope: ast.AST, table: dict[str, list] | None = None) -> dict[str, list]:
    """Every resolved binding of ``scope``: name -> [(line, value)] (for callers that want all)."""
    table = {} if table is None else table
    for name, entries in _binding_sites(scope).items():
        for lineno, site in entries:
            value = _resolve_site(ctx, scope, name, site)
            if value is not None:
                table.setdefault(name, []).append((lineno, value))
    return table


def _bound_value(ctx: FileContext, target: ast.expr, value: ast.expr, stmt: ast.stmt):
    if isinstance(target, ast.Name):
        if isinstance(value, ast.Call):
            func_name = dotted_name(value.func) or ""
            if func_name.rpartition(".")[2] == "get_object_or_404" and value.args:
                model = class_expr_model(ctx, value.args[0], stmt)
                return [(target.id, Instance(model, "fetched", value))] if model else []
            if func_name.rpartition(".")[2] == "get_user_model":
                model = ctx.index.user_model()
                return [(target.id, ModelClass(model))] if model else []
            label = model_label_call(value)
            if label is not None:
                model = ctx.index.model_by_label(label)
                return [(target.id, ModelClass(model))] if model else []
            q = query_of(ctx, value)
            if q is not None:
                if q.method in PASSTHROUGH or q.method in ("select_for_update",):
                    return [(target.id, q)]
                if q.method in ("get", "first", "last", "earliest", "latest", "create"):
                    origin = "created" if q.method == "create" else "fetched"
                    return [(target.id, Instance(q.model, origin, value, q.receiver))]
                return []
            model = class_expr_model(ctx, value.func, stmt) if not isinstance(value.func, ast.Call) else None
            if model is not None:
                return [(target.id, Instance(model, "new", value, _text(value.func)))]
            return []
        if isinstance(value, (ast.Attribute,)):
            manager = manager_model(ctx, value, stmt)
            if manager is not None:
                return [(target.id, Query(manager[0], manager[1], value, [], manager[2]))]
        if isinstance(value, (ast.Name, ast.Attribute)):
            model = ctx.model_named(value)
            if model is not None:
                return [(target.id, ModelClass(model))]
        return []
    if isinstance(target, (ast.Tuple, ast.List)) and target.elts and isinstance(target.elts[0], ast.Name):
        q = query_of(ctx, value) if isinstance(value, ast.Call) else None
        if q is not None and q.method in ("get_or_create", "update_or_create"):
            return [(target.elts[0].id, Instance(q.model, "fetched", value, q.receiver))]
    return []


_SCOPE_BOUNDARIES = (*FUNCTION_NODES, ast.ClassDef)


def _walk_scope(scope: ast.AST):
    """Nodes of a function body (or module, or statement), not descending into nested
    functions or classes.  Rules walk the same scopes many times, so the list is kept on the
    scope node (a private attribute; ast's own functions only read ``_fields``)."""
    nodes = getattr(scope, "_dji_scope_nodes", None)
    if nodes is None:
        nodes = []
        stack = _children(scope)
        append, node_type = nodes.append, ast.AST
        fields_of, known = child_fields, CHILD_FIELDS.get
        while stack:
            node = stack.pop()
            append(node)
            if isinstance(node, _SCOPE_BOUNDARIES):
                continue
            kind = type(node)
            fields = known(kind)
            if fields is None:
                fields = fields_of(kind)
            for name in fields:  # the fields that can hold a node: the same nodes, in order
                value = getattr(node, name, None)
                if type(value) is list:
                    stack.extend(item for item in value if isinstance(item, node_type))
                elif isinstance(value, node_type):
                    stack.append(value)
        try:
            scope._dji_scope_nodes = nodes
        except AttributeError:  # pragma: no cover - a node type without a __dict__
            pass
    return nodes


_REBINDING = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.With,
              ast.AsyncWith, ast.NamedExpr)


def rebound_between(ctx: FileContext, name: str, after: ast.AST, before: ast.AST) -> bool:
    """The local ``name`` is bound again on a line after ``after`` and before ``before`` (both
    in one function): an assignment, augmented assignment, loop target, ``with ... as`` or
    ``:=``, on any branch.  A value read at ``after`` may then not be the one used at
    ``before``."""
    func = ctx.enclosing_function(after)
    if func is not ctx.enclosing_function(before):
        return False
    start = getattr(after, "end_lineno", None) or after.lineno
    end = before.lineno
    for node in _walk_scope(func if func is not None else ctx.tree):
        if not isinstance(node, _REBINDING) or not start < node.lineno < end:
            continue
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            continue
        else:
            targets = [node.target]
        for target in targets:
            if any(isinstance(sub, ast.Name) and sub.id == name for sub in ast.walk(target)):
                return True
    return False


def _children(node: ast.AST) -> list:
    return [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]


walk_scope = _walk_scope


# ---------------------------------------------------------------------- keyword arguments
def spread_keywords(ctx: FileContext, call: ast.Call) -> list[tuple[str, ast.expr]]:
    """The keyword arguments of a call, with ``**{"email": e}`` spread into them, and for
    ``create_user()`` / ``create_superuser()`` also ``**data`` (a local bound to a dict literal
    or ``dict(...)`` before the call in its function; following a name costs a walk of the
    function, paid only for those calls).  A spread that cannot be read adds nothing."""
    out = []
    follow = isinstance(call.func, ast.Attribute) and call.func.attr in ("create_user", "create_superuser")
    for kw in call.keywords:
        if kw.arg:
            out.append((kw.arg, kw.value))
            continue
        value = kw.value
        if isinstance(value, ast.Name):
            value = _last_dict_binding(ctx, value, call) if follow else None
        out.extend(_dict_items(value))
    return out


def _dict_items(node) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.Dict):
        return [(k.value, v) for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and not node.args:
        return [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
    return []


def dict_literal_items(node) -> list[tuple[str, ast.expr]] | None:
    """The items of ``{"a": x}`` / ``dict(a=x)`` when every key is a constant string; None
    for anything else (a spread inside, a computed key, another expression)."""
    if isinstance(node, ast.Dict):
        if not all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
            return None  # a None key is a ``**spread`` inside the literal
        return [(k.value, v) for k, v in zip(node.keys, node.values)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and not node.args and all(kw.arg for kw in node.keywords):
        return [(kw.arg, kw.value) for kw in node.keywords]
    return None


def dict_bindings(ctx: FileContext, name: ast.Name, at: ast.AST) -> list[ast.expr] | None:
    """Every value the function around ``at`` binds ``name`` to, when the name is a plain
    local: not a parameter, bound only by ``name = ...`` statements, never changed in place
    (``name[k] = v``, ``name.update()``, ``del name[k]``, ``name |= ...``).  None otherwise.
    A name the function (and the functions around it) never binds is the module's: its one
    value when the module binds it once, at its top level, and nothing in the module binds
    it again or changes it in place (a constant such as ``KEY_KWARGS = dict(module="m")``)."""
    values = _function_dict_bindings(ctx, name, at)
    if values == [] and not any(_binds(outer, name.id) for outer in ctx.ancestors(at)
                                if isinstance(outer, FUNCTION_NODES)):
        constant = _module_constant(ctx, name.id)
        return [constant] if constant is not None else []
    return values


def reaching_bindings(ctx: FileContext, values: list[ast.expr], at: ast.AST) -> list[ast.expr]:
    """Of ``values`` (the values ``name = value`` statements of ``at``'s function bind, as
    ``dict_bindings`` gives them), those that can be the name's value at ``at``: going out
    from ``at`` through the statement lists around it, the last plain binding before it in
    the same list, and the bindings nested in the statements between that one and ``at``
    (an ``if`` that rebinds the name); with no plain binding in a list, every binding nested
    in the statements before ``at`` there, and on outwards.  A binding in a ``try`` body is
    not reached by the rebinding in its ``except`` clause (``LOOKUP = {...}`` in both: the
    clause's own is the value there).  A loop that rebinds the name after ``at`` is not
    followed round."""
    ids = {id(v) for v in values}
    found: list[ast.expr] = []
    child = at
    for anc in ctx.ancestors(at):
        if isinstance(child, (ast.stmt, ast.ExceptHandler)):
            body = next((b for b in statement_lists(anc) if child in b), None)
            if body is not None:
                before = body[:body.index(child)]
                plain = [i for i, stmt in enumerate(before)
                         if isinstance(stmt, ast.Assign) and id(stmt.value) in ids]
                start = plain[-1] if plain else 0
                for stmt in before[start:]:
                    found.extend(n.value for n in _walk_scope(stmt)
                                 if isinstance(n, ast.Assign) and id(n.value) in ids)
                    if isinstance(stmt, ast.Assign) and id(stmt.value) in ids \
                            and stmt.value not in found:
                        found.append(stmt.value)
                if plain:
                    break
        if isinstance(anc, (ast.Try, getattr(ast, "TryStar", ast.Try))) and child not in anc.body:
            # an except / else / finally clause: the try body ran, perhaps only in part
            found.extend(n.value for stmt in anc.body for n in (stmt, *_walk_scope(stmt))
                         if isinstance(n, ast.Assign) and id(n.value) in ids)
        if isinstance(anc, FUNCTION_NODES):
            break
        child = anc
    return sorted(set(found), key=lambda v: (v.lineno, v.col_offset))


def _binds(func: ast.AST, name: str) -> bool:
    """Does the function make ``name`` one of its own (a parameter, any binding)?"""
    args = func.args
    if any(a.arg == name for a in args.posonlyargs + args.args + args.kwonlyargs
           + [a for a in (args.vararg, args.kwarg) if a]):
        return True
    return any(isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)
               or isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names
               for node in _walk_scope(func))


def _module_constant(ctx: FileContext, name: str) -> ast.expr | None:
    """The value a module binds ``name`` to once at its top level, never rebound or changed
    in place anywhere in the module; None otherwise."""
    def compute():
        value = None
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                if value is not None:
                    return None
                value = stmt.value
        if value is None:
            return None
        binds = 0
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
                binds += 1  # an assignment, a loop target, a ``with ... as``, a ``del``
            elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return None
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                    (a.asname or a.name.partition(".")[0]) == name for a in node.names):
                return None
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and node.name == name:
                return None
            elif isinstance(node, (ast.Subscript, ast.Attribute)) and not isinstance(node.ctx, ast.Load) \
                    and isinstance(node.value, ast.Name) and node.value.id == name:
                return None  # NAME[k] = v, del NAME[k]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == name \
                    and node.func.attr in ("update", "setdefault", "pop", "popitem", "clear", "__setitem__"):
                return None
        return value if binds == 1 else None

    return ctx.memo(("module-constant", name), compute)


def _function_dict_bindings(ctx: FileContext, name: ast.Name, at: ast.AST) -> list[ast.expr] | None:
    func = ctx.enclosing_function(at)
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = func.args
    params = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    if any(a.arg == name.id for a in params):
        return None
    values = []
    for node in _walk_scope(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name.id:
                    values.append(node.value)
                elif _names_in_target(target, name.id):
                    return None
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.With,
                               ast.AsyncWith, ast.NamedExpr, ast.Delete)):
            targets = ([node.target] if hasattr(node, "target") else []) + list(
                getattr(node, "targets", [])) + [i.optional_vars for i in getattr(node, "items", [])
                                                 if i.optional_vars is not None]
            if any(_names_in_target(t, name.id) for t in targets):
                return None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name.id \
                and node.func.attr in ("update", "setdefault", "pop", "popitem", "clear", "__setitem__"):
            return None
    return sorted(values, key=lambda v: (v.lineno, v.col_offset))


def _names_in_target(target: ast.AST, name: str) -> bool:
    """Does an assignment target bind or change ``name`` (``name``, ``name[k]``, a tuple)?"""
    for sub in ast.walk(target):
        if isinstance(sub, ast.Name) and sub.id == name:
            return True
    return False


def _last_dict_binding(ctx: FileContext, name: ast.Name, at: ast.AST):
    func = ctx.enclosing_function(at)
    scope = func if func is not None else ctx.tree
    sites = ctx.memo(("binding-sites", id(scope)), lambda: _binding_sites(scope))
    line = getattr(at, "lineno", 0)
    for lineno, site in reversed(sites.get(name.id, ())):
        if lineno <= line and isinstance(site, ast.Assign):
            return site.value
    return None


# ---------------------------------------------------------------------- guards
def handler_catches_integrity(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """Does the handler catch IntegrityError (or a parent of it), under any name?"""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        if exception_is(ctx, t, INTEGRITY_ERROR | INTEGRITY_PARENTS):
            return True
    return False


def handler_recovers_duplicate(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """A handler that deals with a duplicate insert: it catches IntegrityError by name, or
    catches a parent of it (``DatabaseError``, ``Exception``, bare ``except``) and does not end
    by raising.  A catch-all that logs and raises another error reports the failure (the
    caller still gets an error for a row a concurrent request inserted); it does not handle
    the duplicate."""
    if not handler_catches_integrity(ctx, handler):
        return False
    types = [] if handler.type is None else (
        handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
    if any(exception_is(ctx, t, INTEGRITY_ERROR) for t in types):
        return True
    return not (handler.body and isinstance(handler.body[-1], ast.Raise))


def guarded_against_duplicate(ctx: FileContext, node: ast.AST) -> bool:
    """``node`` sits in a ``try`` one of whose handlers recovers from a duplicate insert."""
    return any(handler_recovers_duplicate(ctx, h)
               for try_node in enclosing_trys(ctx, node) for h in try_node.handlers)


def exception_is(ctx: FileContext, node: ast.expr, qualnames: frozenset) -> bool:
    dotted = dotted_name(node)
    if not dotted:
        return False
    if dotted in ("Exception", "BaseException") and "Exception" in qualnames:
        return dotted not in ctx.summary.imports and dotted not in ctx.summary.classes
    target = ctx.resolve(node) or dotted
    if target in qualnames:
        return True
    # the model's own exceptions are not IntegrityError; a bare name matches by last part
    last = target.rpartition(".")[2]
    return last == "IntegrityError" and "django.db.IntegrityError" in qualnames and \
        not target.startswith(("builtins.",))


def enclosing_trys(ctx: FileContext, node: ast.AST):
    """(try, part) for each try statement whose body (not handler/else/finally) holds ``node``,
    innermost first, within the node's function."""
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, FUNCTION_NODES) or isinstance(anc, ast.ClassDef):
            return
        if isinstance(anc, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            if any(child is s for s in anc.body):
                yield anc
        child = anc


def guarded_by_integrity_handler(ctx: FileContext, node: ast.AST) -> bool:
    for try_node in enclosing_trys(ctx, node):
        if any(handler_catches_integrity(ctx, h) for h in try_node.handlers):
            return True
    return False


# ---------------------------------------------------------------------- duplicates tolerated
# Queryset methods a guard's chain may pass through without narrowing the rows it counts.
_COUNT_PASSTHROUGH = frozenset(
    {"all", "filter", "using", "select_related", "prefetch_related", "order_by", "only", "defer"})
_JUMPS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_MAX_GUARD_DEPTH = 8


def duplicates_tolerated(ctx: FileContext, call: ast.Call, q: Query,
                         lookups: list[list[ast.keyword]]) -> bool:
    """The ``get_or_create()`` / ``update_or_create()`` ``call`` (query ``q``, made with each of
    ``lookups``) runs only where fewer than two rows match its lookup, so it cannot raise
    MultipleObjectsReturned: the code tolerates duplicates of the lookup instead of relying on
    their absence.  Recognised, in the call's function, on the way to the call:

    - an ``if`` around it whose test, on the branch the call is in, bounds a count of the same
      lookup to at most one row: ``qs.count() < 2``, ``<= 1``, ``== 1``, ``== 0``,
      ``not qs.count() > 1``, ``not qs.exists()``, the ``else`` of ``qs.count() > 1`` (also
      through ``and`` / ``or`` where the branch implies it, ``len(qs)``, a local the count was
      stored in);
    - an earlier statement that leaves when more rows match (``if qs.count() > 1: return``);
    - an earlier ``qs.delete()`` of the same lookup, not inside a branch.

    "The same lookup": a queryset of the same model (or the same related manager) filtered by
    exact keyword lookups only, each a key of the call's lookup with the same value as written.
    The guard may use fewer keys than the call: it then counts (or deletes) a superset of the
    rows the call matches, so it bounds those too.  A guard with more keys, a transform
    (``name__iexact``), ``exclude()``, a ``Q`` argument or a value rebound between the guard and
    the call bounds nothing.
    """
    if q.model is None or not lookups:
        return False
    wanted = []
    for keywords in lookups:
        found = _exact_lookup(q, [(kw.arg, kw.value) for kw in keywords
                                  if kw.arg and kw.arg not in ("defaults", "create_defaults")])
        if found is None:
            return False
        wanted.append(found)
    func = ctx.enclosing_function(call)
    if func is None:
        return False
    return ctx.memo(("dup-tolerated", id(call)), lambda: _tolerated(ctx, func, call, q, wanted))


def _exact_lookup(q: Query, items: list[tuple[str, ast.expr]]) -> dict[str, str] | None:
    """field -> the value as written, for exact keyword lookups (and the foreign key of a
    related manager); None when a key is a transform or a field the model does not have."""
    out: dict[str, str] = {}
    if q.related_to is not None:
        if not isinstance(q.manager, ast.Attribute):
            return None
        out[q.related_to[1]] = _text(q.manager.value)
    for key, value in items:
        name = normalise_field(q.model, key) if q.model is not None else None
        if name is None:
            return None
        fact = q.model.fields.get(name)
        if fact is not None and fact.relation in ("fk", "o2o") and isinstance(
                value, ast.Attribute) and value.attr in ("pk", "id"):
            value = value.value  # user_id=user.pk is user=user
        text = _text(value)
        if out.get(name, text) != text:
            return None
        out[name] = text
    return out


def _tolerated(ctx: FileContext, func: ast.AST, call: ast.Call, q: Query,
               wanted: list[dict[str, str]]) -> bool:
    line = call.lineno
    child: ast.AST = call
    for anc in ctx.ancestors(call):
        if anc is func:
            break
        if isinstance(anc, (*FUNCTION_NODES, ast.ClassDef, ast.Lambda)):
            return False  # a nested scope: when it runs is not known here
        if isinstance(anc, ast.If):
            if any(child is s for s in anc.body) and _bounds(ctx, func, anc.test, q, wanted,
                                                              True, line):
                return True
            if any(child is s for s in anc.orelse) and _bounds(ctx, func, anc.test, q, wanted,
                                                                False, line):
                return True
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(anc, name, None)
            if not isinstance(stmts, list) or not any(child is s for s in stmts):
                continue
            for stmt in stmts[:[id(s) for s in stmts].index(id(child))]:
                if _guard_statement(ctx, func, stmt, q, wanted, line):
                    return True
        child = anc
    if isinstance(func, FUNCTION_NODES) and any(child is s for s in func.body):
        for stmt in func.body[:[id(s) for s in func.body].index(id(child))]:
            if _guard_statement(ctx, func, stmt, q, wanted, line):
                return True
    return False


def _guard_statement(ctx, func, stmt: ast.stmt, q: Query, wanted, line: int) -> bool:
    """An earlier statement after which at most one row matches: ``if <many>: return`` or a
    delete of the same lookup."""
    if isinstance(stmt, ast.If) and stmt.body and isinstance(stmt.body[-1], _JUMPS):
        return _bounds(ctx, func, stmt.test, q, wanted, False, line)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
            and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "delete" \
            and not stmt.value.args and not stmt.value.keywords:
        return _same_rows(ctx, func, stmt.value, q, wanted, line)
    return False


def _bounds(ctx, func, test: ast.expr, q: Query, wanted, branch: bool, line: int,
            depth: int = 0) -> bool:
    """On the ``branch`` (True: the test holds) of ``test``, at most one row matches."""
    if depth > _MAX_GUARD_DEPTH:
        return False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _bounds(ctx, func, test.operand, q, wanted, not branch, line, depth + 1)
    if isinstance(test, ast.BoolOp):
        # ``a and b`` true: both hold; ``a or b`` false: neither holds
        if isinstance(test.op, ast.And) == branch:
            return any(_bounds(ctx, func, v, q, wanted, branch, line, depth + 1)
                       for v in test.values)
        return False
    if isinstance(test, ast.Call):  # qs.exists(): false means no row
        return not branch and _counted(ctx, func, test, "exists", q, wanted, line)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if _int_constant(left) is not None:  # 2 > qs.count(): read as qs.count() < 2
        left, right = right, left
        op = {ast.Lt: ast.Gt(), ast.Gt: ast.Lt(), ast.LtE: ast.GtE(), ast.GtE: ast.LtE()}.get(
            type(op), op)
    n = _int_constant(right)
    if n is None or not _counted(ctx, func, left, "count", q, wanted, line):
        return False
    # the highest count the branch allows, when it has one
    if branch:
        most = {ast.Lt: n - 1, ast.LtE: n, ast.Eq: n}.get(type(op))
    else:
        most = {ast.Gt: n, ast.GtE: n - 1, ast.NotEq: n}.get(type(op))
    return most is not None and most <= 1


def _int_constant(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _counted(ctx, func, expr: ast.expr, method: str, q: Query, wanted, line: int) -> bool:
    """``expr`` is ``<same rows>.count()`` (``method``), or a local last bound to it."""
    if isinstance(expr, ast.Name):
        site = _last_assignment(ctx, func, expr.id, line)
        if site is None or not isinstance(site[1], ast.Call):
            return False
        expr = site[1]
    if method == "count" and isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) \
            and expr.func.id == "len" and len(expr.args) == 1 and not expr.keywords \
            and "len" not in ctx.summary.imports and isinstance(expr.args[0], ast.Call):
        return _same_rows(ctx, func, expr.args[0], q, wanted, line, whole=True)  # len(qs)
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == method and not expr.args and not expr.keywords):
        return False
    return _same_rows(ctx, func, expr, q, wanted, line)


def _same_rows(ctx, func, last: ast.Call, q: Query, wanted, line: int,
               whole: bool = False) -> bool:
    """``last`` (a ``count()`` / ``exists()`` / ``delete()``, or with ``whole`` the queryset
    itself) ends a queryset of the call's model whose exact lookups are a subset of each of
    the call's, with no value rebound between it and the call."""
    guard = query_of(ctx, last)
    if guard is None or guard.model is None or guard.model.qualname != q.model.qualname:
        return False
    items = []
    for name, c in (guard.calls if whole else guard.calls[:-1]):
        if name not in _COUNT_PASSTHROUGH:
            return False
        if name == "filter":
            if c.args or any(kw.arg is None for kw in c.keywords):
                return False  # Q objects or a spread: rows the guard may not count
            items.extend((kw.arg, kw.value) for kw in c.keywords)
    found = _exact_lookup(guard, items)
    if found is None:
        return False
    if not all(all(want.get(k) == v for k, v in found.items()) for want in wanted):
        return False
    names = {n.id for n in ast.walk(guard.manager) if isinstance(n, ast.Name)}
    for _, c in guard.calls:
        names.update(n.id for kw in c.keywords for n in ast.walk(kw.value)
                     if isinstance(n, ast.Name))
    table = _assignments_in(ctx, func)
    start = last.lineno
    return not any(start < at < line for name in names for at, _ in table.get(name, ()))


# ---------------------------------------------------------------------- code that runs no query
# project/queries.py says which calls never touch the database (Django's messages, reverse,
# redirect, HTTP responses, translation, logging, a few builtins); names as this file resolves them.
NO_QUERY_PREFIXES = queries.NO_QUERY_PREFIXES
NO_QUERY_BUILTINS = queries.NO_QUERY_BUILTINS


def runs_no_query(ctx: FileContext, nodes: list[ast.AST]) -> bool:
    """None of ``nodes`` (statements, their nested functions left out) can run a query: every
    call is one of the non-database helpers of project/queries.py, a logger's method, a method
    of a string literal, or builds the exception a ``raise`` raises.  Any other call (an ORM
    method, a project function, an unknown callable, ``render()`` whose template may query)
    may query."""
    return queries.runs_no_query(nodes, lambda call: _no_query_call(ctx, call))


def _no_query_call(ctx: FileContext, call: ast.Call) -> bool:
    summary = ctx.summary
    return queries.no_query_call(
        call, ctx.resolve, lambda name: name in summary.classes or name in summary.imports)


def is_fresh_value(ctx: FileContext, node: ast.expr) -> bool:
    """A value unique by construction: uuid4(), secrets.token_*(), get_random_string(...)."""
    fresh = fresh_names(ctx)
    return any(isinstance(sub, ast.Call) and _random_token_call(ctx, sub, fresh)
               for sub in ast.walk(node))


def _random_token_call(ctx: FileContext, call: ast.Call, fresh) -> bool:
    """``call`` itself makes a random token (its arguments not looked at)."""
    dotted = dotted_name(call.func)
    if not dotted:
        # a method of a built object (``faker.Faker().uuid4()``): by its name
        return isinstance(call.func, ast.Attribute) and any(
            call.func.attr == name.rpartition(".")[2] for name in fresh)
    target = ctx.resolve(call.func) or dotted
    return target in fresh or dotted in fresh or target.rpartition(".")[2] in fresh


def unique_sets_covered(model: ModelFact, names: set[str], plain_only: bool = True,
                        nulls: set[str] = frozenset()) -> list[UniqueSet]:
    """The unique sets of ``model`` whose every field is among ``names`` (lookup/field names)
    and that reject a second row with those values.

    NULLs never collide: a set whose NULLs are distinct (a unique field, ``unique_together``,
    a ``UniqueConstraint`` without ``nulls_distinct=False``; Django's documentation of
    ``UniqueConstraint.nulls_distinct``) covers nothing when one of its fields is in
    ``nulls``, the fields the write or lookup gives NULL (``null_fields()``)."""
    normal = {normalise_field(model, n) for n in names}
    normal.discard(None)
    out = []
    for u in model.unique_sets:
        if plain_only and not u.plain:
            continue
        if u.fields and all(f in normal for f in u.fields) and not (
                u.nulls_distinct and nulls and not nulls.isdisjoint(u.fields)):
            out.append(u)
    return out


def with_filled_fields(model: ModelFact | None, values: dict) -> dict:
    """The fields a write sets, ``{field: value}``, with those that writing one of them fills
    (an ImageField's ``width_field`` / ``height_field``: the dimensions of the image written,
    so their value comes from the image's); a field the write names itself keeps its value."""
    if model is None:
        return values
    out = dict(values)
    for name, value in values.items():
        fact = model.fields.get(name)
        for filled in (fact.fills.split() if fact is not None and fact.fills else ()):
            if filled in model.fields:
                out.setdefault(filled, value)
    return out


def null_fields(model: ModelFact, keywords) -> set[str]:
    """The fields of ``model`` that keyword arguments of a write or a lookup give NULL:
    ``f=None``, ``f_id=None``, ``f__exact=None``, ``f__isnull=True``.  ``keywords`` is
    ``ast.keyword`` nodes or (name, value node) pairs; a ``**`` spread is skipped."""
    out = set()
    for kw in keywords:
        name, value = (kw.arg, kw.value) if isinstance(kw, ast.keyword) else kw
        if not name or name in ("defaults", "create_defaults"):
            continue
        head, _, rest = name.partition("__")
        if rest == "isnull":
            if not (isinstance(value, ast.Constant) and value.value is True):
                continue
        elif rest and rest != "exact" or not (isinstance(value, ast.Constant) and value.value is None):
            continue
        field = normalise_field(model, head)
        if field is not None:
            out.add(field)
    return out


def row_fields(model: ModelFact, given: set[str], supplied: set[str] = frozenset()) -> set[str]:
    """What a row inserted with the fields ``given`` (normalised names) holds besides them,
    the same in every such row: fields it leaves to a literal default (``default="global"``),
    and fields its model's ``save()`` computes from ``given`` alone (project/index.py's
    ``save_derived``).  ``supplied``: fields the insert sets to values not known here
    (``get_or_create``'s ``defaults``): those are neither."""
    out = set()
    for name, f in model.fields.items():
        if name in given or name in supplied or not f.has_column:
            continue
        if f.constant_default and f.has_db_default is False and f.auto_now is False \
                and f.fills_on_save is False and not f.generated:
            out.add(name)
    out.update(derived_fields(model, given, supplied))
    return out


def derived_fields(model: ModelFact, given: set[str], supplied: set[str] = frozenset()) -> set[str]:
    """The fields the model's ``save()`` or a ``pre_save`` receiver computes from the fields
    ``given`` alone (project/derived.py), in a row that does not set them itself (neither in
    ``given`` nor in ``supplied``): rows equal on ``given`` are equal on them too."""
    return {name for name, sources in model.save_derived.items()
            if name not in given and name not in supplied and set(sources.split()) <= given}


def normalise_field(model: ModelFact, lookup: str) -> str | None:
    """``pk`` -> pk field, ``author_id`` -> author, ``name__exact`` -> name; transforms -> None."""
    name, _, transform = lookup.partition("__")
    if transform and transform != "exact":
        return None
    if name == "pk":
        return model.pk_name
    if name in model.fields:
        return name
    if name.endswith("_id") and name[:-3] in model.fields:
        return name[:-3]
    return None


def _text(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse of odd trees
        return "?"


text = _text


def is_function(node: ast.AST) -> bool:
    return isinstance(node, FUNCTION_NODES)


def locked_before(ctx: FileContext, node: ast.AST, own: tuple = ()) -> bool:
    """Was a row lock (``select_for_update()``) taken in ``node``'s function on an earlier line?

    A parent row locked before a check-then-insert serialises the writers of its children.
    A lock in the same chain as ``node`` (same line) does not count, nor one among ``own``
    (the calls of the check's own query, however many lines or local names it spans:
    ``qs = M.objects.filter(...).select_for_update()`` then ``qs.get()``): it locks only rows
    that already exist, and the check is about one that does not.
    """
    func = ctx.enclosing_function(node)
    scope = func if func is not None else ctx.tree
    locks = ctx.memo(("lock-calls", id(scope)), lambda: sorted(
        (sub.lineno, id(sub)) for sub in _walk_scope(scope)
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
        and sub.func.attr == "select_for_update"
    ))
    line = getattr(node, "lineno", 0)
    skip = {id(call) for call in own}
    return any(at < line and key not in skip for at, key in locks)


# ---------------------------------------------------------------------- rows this call inserted
_ROW_KEYS = ("pk", "id")
_MAX_ROW_DEPTH = 4


def row_created_here(ctx: FileContext, expr: ast.expr, at: ast.AST, depth: int = 0) -> bool:
    """``expr`` is a row (or its ``.pk`` / ``.id``) that this function inserted before ``at``:
    ``M.objects.create(...)`` / ``create_user(...)``, ``form.save()`` of a form whose instance
    is new (no ``instance=``, or one built here), an instance built here (``M(...)``, or a copy
    whose primary key was cleared) and saved on an earlier line, or a local name bound to one.

    Nobody else knows such a row's key: a one-to-one or unique foreign key set to it cannot
    collide, and a lookup holding it cannot be raced by another caller."""
    if depth > _MAX_ROW_DEPTH or expr is None:
        return False
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Attribute) and expr.attr in _ROW_KEYS:
        return row_created_here(ctx, expr.value, at, depth + 1)
    if isinstance(expr, ast.Call):
        return _inserts_row(ctx, expr, depth)
    if not isinstance(expr, ast.Name):
        return False
    func = ctx.enclosing_function(at)
    if func is None:
        return False
    site = _last_assignment(ctx, func, expr.id, getattr(at, "lineno", 0))
    if site is None:
        return False
    line, value = site
    if isinstance(value, ast.Call) and _inserts_row(ctx, value, depth):
        return True
    if not _built_or_cloned(ctx, func, expr.id, value, line, at):
        return False
    return any(line < save_line < getattr(at, "lineno", 0)
               for save_line in _method_calls(ctx, func).get((expr.id, "save"), ()))


def inserted_before(ctx: FileContext, name: ast.Name, built: ast.AST, save: ast.Call) -> int | None:
    """The line of an earlier ``name.save()`` that inserted the instance ``name`` was bound to
    at ``built`` and that runs before ``save`` on every path (a statement of the same block or
    of a block around it, a ``with`` body included), when nothing since made it new again (no
    ``name.pk = None`` / ``name.id = None``, no ``force_insert=True``): then ``save`` is an
    UPDATE of that row, which cannot insert a duplicate.  None when there is no such save."""
    if _forces_insert(save):
        return None
    func = ctx.enclosing_function(save)
    scope = func if func is not None else ctx.tree
    start, end = getattr(built, "lineno", 0), save.lineno
    earlier = [node for node in _walk_scope(scope)
               if isinstance(node, ast.Call) and node is not save and isinstance(node.func, ast.Attribute)
               and node.func.attr in ("save", "asave") and isinstance(node.func.value, ast.Name)
               and node.func.value.id == name.id and start < node.lineno < end
               and not node.args and not _forces_update(node)]
    if not earlier:
        return None
    around = {id(anc) for anc in ctx.ancestors(save)}
    for call in sorted(earlier, key=lambda c: c.lineno, reverse=True):
        stmt = ctx.parent(call)
        if isinstance(stmt, ast.Await):
            stmt = ctx.parent(stmt)
        if not isinstance(stmt, ast.Expr):
            continue
        if not any(id(later) in around for body, at in _statement_blocks(ctx, stmt)
                   for later in body[at + 1:]):
            continue  # the earlier save may not run before this one
        for key in _ROW_KEYS:
            for line, value in _assignments_in(ctx, scope).get(f"{name.id}.{key}", ()):
                if call.lineno < line < end and isinstance(value, ast.Constant) and value.value is None:
                    return None  # a copy again: the later save inserts
        return call.lineno
    return None


def _statement_blocks(ctx: FileContext, node: ast.AST) -> list[tuple[list, int]]:
    """(block, position) of the statement ``node`` (or the one around it) in its block, then
    of the ``with`` statements around that one (a ``with`` body runs to its end whenever the
    statement does), up to the first other compound statement or the function: a statement
    after one of those positions runs only after ``node`` did."""
    found = []
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(child, ast.stmt):
            body = next((b for b in statement_lists(anc) if child in b), None)
            if body is not None:
                found.append((body, body.index(child)))
                if not isinstance(anc, (ast.With, ast.AsyncWith)):
                    break
        if isinstance(anc, FUNCTION_NODES):
            break
        child = anc
    return found


def statement_lists(node: ast.AST):
    """The statement lists ``node`` holds directly (``body``, ``orelse``, ``finalbody``; an
    except clause is a node of its own with its ``body``); never an expression's ``body``."""
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value


def _forces_insert(call: ast.Call) -> bool:
    return any(kw.arg == "force_insert" and not (isinstance(kw.value, ast.Constant) and not kw.value.value)
               for kw in call.keywords) or bool(call.args)


def _forces_update(call: ast.Call) -> bool:
    return any(kw.arg in ("force_update", "update_fields") for kw in call.keywords)


def _inserts_row(ctx: FileContext, call: ast.Call, depth: int) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    attr = call.func.attr
    if attr in ("create", "acreate", "create_user", "create_superuser"):
        return True
    if attr == "save" and isinstance(call.func.value, ast.Name):
        return _form_of_new_row(ctx, call.func.value, call, depth)
    return False


def _form_of_new_row(ctx: FileContext, name: ast.Name, at: ast.AST, depth: int) -> bool:
    """``name`` is a model form bound in this function to a new row: built as
    ``SomeForm(data)`` (a ModelForm without ``instance=`` makes a new one) or with
    ``instance=`` an instance built here.  A form of an existing row updates that row."""
    func = ctx.enclosing_function(at)
    if func is None:
        return False
    site = _last_assignment(ctx, func, name.id, at.lineno)
    if site is None or not isinstance(site[1], ast.Call):
        return False
    line, built = site
    callee = dotted_name(built.func) or ""
    if "form" not in callee.rpartition(".")[2].lower():
        return False  # not a form by its name: what its save() returns is unknown
    if class_expr_model(ctx, built.func, built) is not None:
        return False  # a model instance: save() returns None
    keywords = {kw.arg: kw.value for kw in built.keywords}
    if None in keywords or any(isinstance(a, ast.Starred) for a in built.args) or len(built.args) > 2:
        return False  # the instance may be passed where it cannot be read
    if "instance" not in keywords:
        return True
    return _new_instance(ctx, func, keywords["instance"], line, depth + 1)


def form_edits_chosen_row(ctx: FileContext, call: ast.Call) -> bool:
    """``form.save()`` of a form given, as ``instance=``, a row this function fetched (or was
    passed): the row it returns is one that may already be linked elsewhere.  A form without
    an instance, with one built here, or editing an object's own related row
    (``instance=obj.meta``) returns a new row or the one already linked there."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "save"
            and isinstance(call.func.value, ast.Name)):
        return False
    func = ctx.enclosing_function(call)
    if func is None:
        return False
    site = _last_assignment(ctx, func, call.func.value.id, call.lineno)
    if site is None or not isinstance(site[1], ast.Call):
        return False
    built = site[1]
    instance = next((kw.value for kw in built.keywords if kw.arg == "instance"), None)
    if isinstance(instance, ast.Name):
        inst = instance_of(ctx, instance, built)
        return inst is not None and inst.origin in ("fetched", "param")
    if isinstance(instance, ast.Call):
        inst = instance_of(ctx, instance, built)
        return inst is not None and inst.origin == "fetched"
    return False


def _new_instance(ctx: FileContext, func: ast.AST, expr: ast.expr, line: int, depth: int) -> bool:
    """``expr`` (read at ``line``) is an instance built unsaved in ``func``: ``M(...)`` without a
    primary key, or a local name / ``obj.attr`` last assigned one."""
    if depth > _MAX_ROW_DEPTH:
        return False
    if isinstance(expr, ast.Call):
        return (not isinstance(expr.func, ast.Call) and class_expr_model(ctx, expr.func, expr) is not None
                and not any(kw.arg in _ROW_KEYS for kw in expr.keywords))
    if isinstance(expr, ast.Name):
        site = _last_assignment(ctx, func, expr.id, line)
    elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        site = _last_assignment(ctx, func, f"{expr.value.id}.{expr.attr}", line)
    else:
        return False
    return site is not None and _new_instance(ctx, func, site[1], site[0], depth + 1)


def _built_or_cloned(ctx, func, name: str, value: ast.expr, line: int, at: ast.AST) -> bool:
    """The name was bound to a new instance, or its primary key was set to None after binding
    (a copy saved as a new row)."""
    if _new_instance(ctx, func, value, line, _MAX_ROW_DEPTH - 1):
        return True
    end = getattr(at, "lineno", 0)
    for key in _ROW_KEYS:
        for cleared_line, cleared in _assignments_in(ctx, func).get(f"{name}.{key}", ()):
            if line <= cleared_line < end and isinstance(cleared, ast.Constant) and cleared.value is None:
                return True
    return False


def _last_assignment(ctx: FileContext, func: ast.AST, target: str, before: int):
    """(line, value) of the last ``target = value`` (a name or ``name.attr``) before ``before``."""
    best = None
    for line, value in _assignments_in(ctx, func).get(target, ()):
        if line < before:
            best = (line, value)
    return best


def _assignments_in(ctx: FileContext, func: ast.AST) -> dict[str, list]:
    def compute():
        table: dict[str, list] = {}
        for node in _walk_scope(func):
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                targets = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                for t in targets:  # a = b = value; a.pk = a.id = None
                    key = dotted_name(t) if isinstance(t, (ast.Name, ast.Attribute)) else None
                    if key and key.count(".") <= 1:
                        value = node.value if t is target else None
                        table.setdefault(key, []).append((node.lineno, value))
        for entries in table.values():
            entries.sort(key=lambda e: e[0])
        return table

    return ctx.memo(("row-assignments", id(func)), compute)


def _method_calls(ctx: FileContext, func: ast.AST) -> dict[tuple, list]:
    def compute():
        table: dict[tuple, list] = {}
        for node in _walk_scope(func):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)):
                table.setdefault((node.func.value.id, node.func.attr), []).append(node.lineno)
        return table

    return ctx.memo(("row-method-calls", id(func)), compute)


# ---------------------------------------------------------------------- values fresh by construction
# A name that reads an object's own identity: ``[get_] [modifier...] identity`` (``id``,
# ``key``, ``html_url``, ``weburl``, ``get_absolute_url``).  A name with any other word before
# the identity (``project_id``, ``repository_url``) reads another object's.
_IDENTITY_WORDS = frozenset({"id", "pk", "key", "uuid", "guid", "url", "uri", "href", "permalink"})
_ADDRESS_MODIFIERS = frozenset({"full", "absolute", "html", "web", "public", "api", "self",
                                "canonical"})
_TOKEN_ATTRS = frozenset({"hex", "urn"})  # uuid4().hex: as random as the token


def fresh_by_construction(ctx: FileContext, expr: ast.expr, at: ast.AST, depth: int = 0) -> bool:
    """``expr`` (read at ``at``) is a value no concurrent caller of this function can present,
    because this function made it before ``at``:

    - a row it inserted, or its primary key (``row_created_here``);
    - a random token: ``uuid4()``, ``secrets.token_*()``, ``get_random_string()`` (and the
      names in ``fresh_functions``), its ``.hex``;
    - the identity of an object a *creating call* returned (``create()``, ``create_issue()``,
      ``createBug()``: a call whose name's first word is ``create``, without ``or`` / ``get`` /
      ``update`` / ... that say it may return an existing one): its ``id`` / ``pk`` / ``key`` /
      ``uuid`` / ``url`` (``html_url``, ``weburl``, ``get_absolute_url()``), read as an
      attribute, a no-argument method, a string subscript (``issue["id"]``) or a string
      subscript of one payload attribute (``issue.attributes["web_url"]``), unless the call
      was given that identity itself (``create(key=...)``);
    - a string built from one of these (``str()``, ``+``, ``%``, an f-string, ``.format()``),
      or a local name every assignment of which before ``at`` is one of these (and that is
      not a parameter).

    Not fresh: anything read (``M.objects.get()``, ``request.user``, ``get_issue()``), an
    attribute through another object (``issue.project.id``, ``issue.repository_url``)."""
    if depth > _MAX_ROW_DEPTH or expr is None:
        return False
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Name):
        return _name_fresh(ctx, expr, at, depth)
    if row_created_here(ctx, expr, at):
        return True
    if isinstance(expr, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) and fresh_by_construction(ctx, v.value, at, depth + 1)
                   for v in expr.values)
    if isinstance(expr, ast.BinOp):
        if isinstance(expr.op, ast.Add):
            parts = [expr.left, expr.right]
        elif isinstance(expr.op, ast.Mod) and isinstance(expr.left, ast.Constant):
            parts = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
        else:
            return False
        return any(fresh_by_construction(ctx, p, at, depth + 1) for p in parts)
    if isinstance(expr, ast.Call):
        if _random_token_call(ctx, expr, fresh_names(ctx)):
            return True
        func = expr.func
        if isinstance(func, ast.Name) and func.id == "str" and len(expr.args) == 1 and not expr.keywords:
            return fresh_by_construction(ctx, expr.args[0], at, depth + 1)
        if isinstance(func, ast.Attribute) and func.attr == "format" and isinstance(func.value, ast.Constant):
            return any(fresh_by_construction(ctx, a, at, depth + 1)
                       for a in [*expr.args, *(kw.value for kw in expr.keywords)])
    if isinstance(expr, ast.Attribute) and expr.attr in _TOKEN_ATTRS and isinstance(expr.value, ast.Call) \
            and _random_token_call(ctx, expr.value, fresh_names(ctx)):
        return True
    found = _identity_read(expr)
    return found is not None and _object_created_here(ctx, found[0], found[1], at, depth + 1)


def _name_fresh(ctx: FileContext, name: ast.Name, at: ast.AST, depth: int) -> bool:
    if row_created_here(ctx, name, at):
        return True
    func = ctx.enclosing_function(at)
    if func is None or not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if name.id in {a.arg for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs,
                                   func.args.vararg, func.args.kwarg) if a is not None}:
        return False  # the caller's value may reach it
    line = getattr(at, "lineno", 0)
    sites = [(n, v) for n, v in _assignments_in(ctx, func).get(name.id, ()) if n < line]
    if not sites or any(v is None or not fresh_by_construction(ctx, v, v, depth + 1) for _, v in sites):
        return False
    # a loop target, ``with ... as``, ``:=`` or ``+=`` in between may bind anything
    first = sites[0][1]
    return not _rebound_otherwise(ctx, func, name.id, first.lineno, line)


def _rebound_otherwise(ctx: FileContext, func: ast.AST, name: str, start: int, end: int) -> bool:
    for node in _walk_scope(func):
        if isinstance(node, ast.Assign) or not isinstance(node, _REBINDING) \
                or not start <= node.lineno <= end:
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        else:
            targets = [node.target]
        if any(isinstance(sub, ast.Name) and sub.id == name for t in targets for sub in ast.walk(t)):
            return True
    return False


def _identity_read(expr: ast.expr) -> tuple[ast.expr, str] | None:
    """(object, identity name) when ``expr`` reads an object's own identity: ``obj.id``,
    ``obj.get_absolute_url()``, ``obj["id"]``, ``obj.payload["web_url"]``."""
    if isinstance(expr, ast.Attribute) and _identity_name(expr.attr):
        return expr.value, expr.attr
    if isinstance(expr, ast.Call) and not expr.args and not expr.keywords \
            and isinstance(expr.func, ast.Attribute) and _identity_name(expr.func.attr):
        return expr.func.value, expr.func.attr
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) \
            and isinstance(expr.slice.value, str) and _identity_name(expr.slice.value):
        base = expr.value
        if isinstance(base, ast.Name):
            return base, expr.slice.value
        # one payload hop: obj.attributes["web_url"], obj.json()["id"]
        if isinstance(base, ast.Call) and not base.args and not base.keywords:
            base = base.func
        if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) \
                and not _identity_name(base.attr):
            return base.value, expr.slice.value
    return None


def _identity_name(name: str) -> bool:
    words = queries.name_words(name)
    if words[:1] == ["get"]:
        words = words[1:]
    if not words or not all(w in _ADDRESS_MODIFIERS for w in words[:-1]):
        return False
    last = words[-1]
    return last in _IDENTITY_WORDS or any(
        last == m + i for m in _ADDRESS_MODIFIERS for i in ("url", "uri"))


def _object_created_here(ctx: FileContext, obj: ast.expr, ident: str, at: ast.AST, depth: int) -> bool:
    """``obj`` is an object a creating call returned in this function, not given ``ident``."""
    if depth > _MAX_ROW_DEPTH:
        return False
    if isinstance(obj, ast.Await):
        obj = obj.value
    if isinstance(obj, ast.Call):
        return _creating_call(ctx, obj, ident) or (ident in _ROW_KEYS and _inserts_row(ctx, obj, depth))
    if not isinstance(obj, ast.Name):
        return False
    if ident in _ROW_KEYS and row_created_here(ctx, obj, at):
        return True  # (a row saved here or by form.save(): only its key is known to be new)
    func = ctx.enclosing_function(at)
    if func is None:
        return False
    site = _last_assignment(ctx, func, obj.id, getattr(at, "lineno", 0))
    if site is None or site[1] is None:
        return False
    value = site[1].value if isinstance(site[1], ast.Await) else site[1]
    return isinstance(value, ast.Call) and _creating_call(ctx, value, ident) \
        and not rebound_between(ctx, obj.id, site[1], at)


def _creating_call(ctx: FileContext, call: ast.Call, ident: str) -> bool:
    """A creating call by its name, or a call of the project's own function or method whose
    every return hands back what a creating call made (project/function_index.py's
    ``returns_created``; for ``self.m()``, every override of ``m`` too); not given ``ident``."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if not name:
        return False
    if not queries.creating_call_name(name) and not _project_returns_created(ctx, call):
        return False
    given = {kw.arg for kw in call.keywords}
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            given.update(k.value for k in arg.keys if isinstance(k, ast.Constant))
    return ident not in given  # create(key=k): the caller chose the key another may choose too


def _project_returns_created(ctx: FileContext, call: ast.Call) -> bool:
    index = function_index(ctx)
    if index is None or not ctx.module:
        return False
    dotted = dotted_name(call.func)
    head, _, rest = (dotted or "").partition(".")
    cls = ctx.enclosing_class(call)
    if head in ("self", "cls") and rest and "." not in rest and cls is not None:
        return index.self_call_returns_created(f"{ctx.module}.{cls.name}", rest)
    qual = project_callee(ctx, call, index)
    return qual is not None and index.returns_created(qual)


def project_callee(ctx: FileContext, call: ast.Call, index, classes: bool = False) -> str | None:
    """The qualified name of the project's function or method (a unit of the function
    index ``index``), or with ``classes`` class, that ``call`` calls; None when it calls
    something else (``self.m()`` resolves through the enclosing class's chain)."""
    if index is None or not ctx.module:
        return None
    dotted = dotted_name(call.func)
    if not dotted:
        return None
    head, _, rest = dotted.partition(".")
    cls = ctx.enclosing_class(call)
    if head in ("self", "cls") and rest and "." not in rest and cls is not None:
        return index.method(f"{ctx.module}.{cls.name}", rest)
    defined = {s.name for s in ctx.tree.body
               if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    qual = f"{ctx.module}.{dotted}" if dotted in defined else ctx.resolve(call.func)
    if not qual:
        return None
    found = qual if qual in index.units else index.qualified(qual)
    return found if found is not None and (
        found in index.units or (classes and found in index.classes)) else None


# ---------------------------------------------------------------------- constant keys
# A lookup whose every value is the same on each run identifies one fixed row (``name=
# "editors"``, ``pk=1``, the only row of a singleton table): once the first insert has made
# it, every later check finds it, so two callers can race only on the first use after an
# install.  ``_("Bank")`` is not constant (it follows the request's language), nor is any
# value read from a parameter, an instance, a call (``now()``) or a loop over anything but a
# literal collection.
_NOT_KEY = frozenset({"defaults", "create_defaults"})
_CONSTANT_BUILTINS = frozenset({"str", "int", "float", "bool", "tuple", "list", "set", "frozenset",
                                "sorted", "reversed", "enumerate", "zip", "dict"})
_CONSTANT_METHODS = frozenset({"lower", "upper", "strip", "title", "casefold", "format", "join",
                               "items", "keys", "values"})
_SETTINGS = "django.conf.settings"  # one value per install
_MAX_CONSTANT_DEPTH = 8


def constant_key(ctx: FileContext, q: Query, at: ast.AST,
                 last: list[ast.keyword] | None = None) -> bool:
    """Does the query identify the same rows on every run: its manager is a model class named
    statically (not a related manager, which adds its owner's key, nor ``self`` in a manager
    or a model held in a parameter), and every argument of every call of its chain but
    ``defaults`` / ``create_defaults`` is constant (``constant_value``)?  An empty lookup (the
    singleton read ``Settings.objects.exists()``) is constant.  ``last`` replaces the keywords
    of the chain's last call (a ``**lookup`` spread read as one of the dicts it is bound to)."""
    if q.model is None or q.related_to is not None or not isinstance(q.manager, ast.Attribute):
        return False
    owner = q.manager.value
    if _local_head(ctx, owner, at) or ctx.model_named(owner) is None:
        return False
    for i, (_, call) in enumerate(q.calls):
        keywords = last if last is not None and i == len(q.calls) - 1 else call.keywords
        if any(isinstance(a, ast.Starred) or not constant_value(ctx, a, at) for a in call.args):
            return False
        for kw in keywords:
            if kw.arg in _NOT_KEY:
                continue
            if kw.arg is None or not constant_value(ctx, kw.value, at):
                return False  # a ``**spread`` not read here may hold anything
    return True


def constant_value(ctx: FileContext, node: ast.expr, at: ast.AST, depth: int = 0) -> bool:
    """``node`` has the same value on every run of the code at ``at``: a literal (or a
    container, an operation, an f-string of constants), a module constant bound once to a
    constant (in this module; an imported name spelled as a constant, ``NAME`` or
    ``Class.NAME``, by that convention), a class attribute (``Model.CHOICE``, an enum member,
    ``settings.X``), a local bound only to constants or by loops over a literal collection.
    A parameter, an instance's attribute (``self.x``, ``request.user``), a call (``now()``,
    ``_("x")``) or a loop over a queryset is not."""
    if depth > _MAX_CONSTANT_DEPTH:
        return False
    again = depth + 1
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(not isinstance(e, ast.Starred) and constant_value(ctx, e, at, again)
                   for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and constant_value(ctx, k, at, again) for k in node.keys) and all(
            constant_value(ctx, v, at, again) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        return constant_value(ctx, node.operand, at, again)
    if isinstance(node, ast.BinOp):
        return constant_value(ctx, node.left, at, again) and constant_value(ctx, node.right, at, again)
    if isinstance(node, ast.JoinedStr):
        return all(constant_value(ctx, v, at, again) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return constant_value(ctx, node.value, at, again)
    if isinstance(node, ast.Subscript):
        return constant_value(ctx, node.value, at, again) and constant_value(ctx, node.slice, at, again)
    if isinstance(node, ast.Call):
        return _constant_call(ctx, node, at, again)
    if isinstance(node, ast.Name):
        return _constant_name(ctx, node, at, again)
    if isinstance(node, ast.Attribute):
        return _class_attribute(ctx, node, at)
    return False


def _constant_call(ctx: FileContext, node: ast.Call, at: ast.AST, depth: int) -> bool:
    """``str(CONST)``, ``sorted(CHOICES)``, ``"x".lower()``, ``MAP.items()``: a builtin or a
    string / dict method applied to constants."""
    args = [*node.args, *(kw.value for kw in node.keywords)]
    if any(isinstance(a, ast.Starred) for a in node.args) or any(kw.arg is None for kw in node.keywords):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in _CONSTANT_BUILTINS or _local_head(ctx, func, at) or \
                func.id in ctx.summary.imports or _module_binds(ctx, func.id):
            return False
    elif isinstance(func, ast.Attribute):
        if func.attr not in _CONSTANT_METHODS or not constant_value(ctx, func.value, at, depth):
            return False
    else:
        return False
    return all(constant_value(ctx, a, at, depth) for a in args)


def _constant_name(ctx: FileContext, node: ast.Name, at: ast.AST, depth: int) -> bool:
    name = node.id
    for func in [a for a in ctx.ancestors(at) if isinstance(a, FUNCTION_NODES)]:
        sites = _name_sites(func, name)
        if sites is None:
            return False  # a parameter, or bound some way this does not read
        if sites:
            return all(constant_value(ctx, value, at, depth) for value in sites)
    # the module's: bound once at its top level, or imported under a constant's name
    value = _module_constant(ctx, name)
    if value is not None:
        return constant_value(ctx, value, at, depth)
    if name in ctx.summary.imports and not _module_binds(ctx, name):
        return _constant_spelling(name)
    return False


def _module_binds(ctx: FileContext, name: str) -> bool:
    """Does the module bind ``name`` anywhere but an import (an assignment, a def, a loop)?"""
    def compute():
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
                return True
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                return True
            if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return True
        return False

    return ctx.memo(("module-binds", name), compute)


def _constant_spelling(name: str) -> bool:
    """``NAME`` / ``SPECIAL_NAMES``: PEP 8's spelling of a constant."""
    return name.isupper() and any(c.isalpha() for c in name)


def _name_sites(func: ast.AST, name: str) -> list[ast.expr] | None:
    """The values a function binds ``name`` to (for a loop target: the collection looped
    over, each of whose items it takes); [] when it does not bind it; None when it is a
    parameter or bound by anything else (``with``, ``except``, ``+=``, ``global``, an item
    or attribute assignment, a tuple unpacked from a non-collection)."""
    args = func.args
    if any(a.arg == name for a in args.posonlyargs + args.args + args.kwonlyargs
           + [a for a in (args.vararg, args.kwarg) if a]):
        return None
    if isinstance(func, ast.Lambda):
        return []
    values: list[ast.expr] = []
    for node in _walk_scope(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    if target.id == name:
                        values.append(node.value)
                elif _names_in_target(target, name):
                    if not isinstance(target, (ast.Tuple, ast.List)) or not all(
                            isinstance(e, ast.Name) for e in target.elts):
                        return None  # NAME[k] = v, NAME.x = v
                    values.append(node.value)  # a, b = CONSTANT_PAIR: constant when it is
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == name:
            if node.value is not None:
                values.append(node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            if _names_in_target(node.target, name):
                values.append(node.iter)
        elif isinstance(node, ast.NamedExpr) and node.target.id == name:
            values.append(node.value)
        elif isinstance(node, (ast.AugAssign, ast.With, ast.AsyncWith, ast.Delete)):
            targets = ([node.target] if isinstance(node, ast.AugAssign) else
                       node.targets if isinstance(node, ast.Delete) else
                       [i.optional_vars for i in node.items if i.optional_vars is not None])
            if any(_names_in_target(t, name) for t in targets):
                return None
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            return None
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                (a.asname or a.name.partition(".")[0]) == name for a in node.names):
            return None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name \
                and node.func.attr in ("append", "extend", "add", "update", "insert", "setdefault"):
            return None  # a collection filled at run time
    return values


def _local_head(ctx: FileContext, node: ast.expr, at: ast.AST) -> bool:
    """Is the name an attribute chain starts from a parameter or local of a function around
    ``at`` (``self``, ``request``, ``obj``)?"""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    if not isinstance(node, ast.Name):
        return True  # a call's result, ``(a or b).x``: an object made at run time
    return any(_name_sites(func, node.id) != [] for func in ctx.ancestors(at)
               if isinstance(func, FUNCTION_NODES))


def _class_attribute(ctx: FileContext, node: ast.Attribute, at: ast.AST) -> bool:
    """``Model.CHOICE``, ``Status.ACTIVE``, ``Model.Kind.DRAFT``, ``constants.NAME``,
    ``settings.SITE_ID``: an attribute read from a class or a module, not from an object made
    at run time.  The chain starts from a class this module defines or a name it imports (not
    a local, not a module-level object such as ``threading.local()``); some part of it before
    the last is a class (its spelling: ``CamelCase``), or the last is spelled as a constant."""
    dotted = dotted_name(node)
    if not dotted or _local_head(ctx, node, at):
        return False
    parts = dotted.split(".")
    head = parts[0]
    defined = ctx.memo("module-classes", lambda: {
        s.name for s in ctx.tree.body if isinstance(s, ast.ClassDef)})
    if any(p in MANAGER_ATTRS or p in ctx.settings.managers for p in parts[1:]):
        return False  # Model.objects: a manager, not a value
    if head in defined:
        return True
    if head not in ctx.summary.imports or _module_binds(ctx, head):
        return False
    if (ctx.resolve(node.value) or "") == _SETTINGS or ctx.summary.imports.get(head) == _SETTINGS:
        return True  # django.conf.settings: read once per process from the install's settings
    if _constant_spelling(parts[-1]):
        return True
    return any(p[:1].isupper() and not p.isupper() for p in parts[:-1])


def deletes_rows_of(ctx: FileContext, q: Query, at: ast.AST,
                    last: list[ast.keyword] | None = None) -> bool:
    """Can the linted file delete the row ``q`` looks up: a delete through a query of its
    model (``Lock.objects.filter(name="x").delete()``) or an instance of it (``lock.delete()``)?
    A row made with a constant key and deleted again (a lock, a marker, a reset) is made again,
    and its first insert can race each time.  A query delete whose lookup gives some field a
    literal other than the one ``q`` gives it (``filter(key="opt_out").delete()`` against
    ``get(key="install")``) cannot delete that row."""
    model = q.model
    if model is None:
        return True

    def compute():
        found = []
        for node in ast.walk(ctx.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("delete", "adelete")):
                continue
            try:
                dq = query_of(ctx, node)
                if dq is not None:
                    target, lookup = dq.model, _literal_lookup(ctx, dq, node)
                else:
                    target, lookup = instance_model(ctx, node.func.value, node), {}
            except Exception:  # an odd expression: read as a delete of an unknown model
                logging.getLogger("flake8_django_integrity").debug(
                    "flake8-django-integrity: delete not read", exc_info=True)
                target, lookup = None, {}
            found.append((target.qualname if target is not None else None, lookup))
        return found

    mine = _literal_lookup(ctx, q, at, last)
    for qualname, lookup in ctx.memo("rows-deleted", compute):
        if qualname != model.qualname:
            continue
        if not any(f in mine and mine[f] != v for f, v in lookup.items()):
            return True
    return False


_NO_LITERAL = object()


def _literal_lookup(ctx: FileContext, q: Query, at: ast.AST,
                    last: list[ast.keyword] | None = None) -> dict[str, object]:
    """field -> the literal an exact lookup of the chain gives it (a ``**name`` of a dict
    literal the function or module binds once read as its items; a module constant read as its
    value); fields given anything else are left out."""
    out: dict[str, object] = {}
    for i, (name, call) in enumerate(q.calls):
        if name == "exclude":
            continue
        keywords = last if last is not None and i == len(q.calls) - 1 else call.keywords
        items = []
        for kw in keywords:
            if kw.arg is not None:
                items.append((kw.arg, kw.value))
                continue
            value = kw.value
            if isinstance(value, ast.Name):
                bound = dict_bindings(ctx, value, at)
                value = bound[0] if bound and len(bound) == 1 else None
            items.extend(dict_literal_items(value) or ())
        for key, value in items:
            if key in _NOT_KEY:
                continue
            field, _, rest = key.partition("__")
            if rest not in ("", "exact"):
                continue
            literal = _literal(ctx, value)
            if literal is not _NO_LITERAL:
                out["pk" if field in ("pk", "id") else field.removesuffix("_id")] = literal
    return out


def _literal(ctx: FileContext, node: ast.expr):
    if isinstance(node, ast.Name):
        node = _module_constant(ctx, node.id) or node
    if isinstance(node, ast.Constant):
        return node.value
    return _NO_LITERAL
