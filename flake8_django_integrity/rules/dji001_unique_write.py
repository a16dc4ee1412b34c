"""DJI001: a write that can insert a duplicate into a unique column, with nothing to handle it.

Reported at the write (``create(``, ``save(``, ``bulk_create(``, ``create_user(``) when

* the write supplies every field of one of the model's unique sets (a unique field, a
  one-to-one, ``unique_together`` or an unconditional ``UniqueConstraint`` over fields; for an
  update of a fetched instance: it assigns a field of such a set and saves),
* the value of at least one of those fields comes from outside the function's own making:
  request data, form / serializer cleaned data or a function argument (URL keyword arguments
  included) -- values the code does not control, so a duplicate is a matter of time,
* no value of the set is fresh by construction (``uuid4()``, ``secrets.token_*()``,
  ``get_random_string()``, a row created earlier in the same function), and
* no handler catches IntegrityError (or a parent) around the write.

Values computed from the program's own state (constants, other rows, ``self``'s fields) are
deliberately left alone: they are data-migration, copy and seeding code, where a duplicate is a
bug in the program rather than an input to handle, and flagging them floods real projects.
"""

from __future__ import annotations

import ast

from .. import orm
from ..context import FUNCTION_NODES
from ..project.memo import RECENT_ROOTS, RecentMemo
from ..project.summary import dotted_name
from . import _where, declared

rule = declared(__name__)

WRITE_METHODS = frozenset({"create", "create_user", "create_superuser", "save", "bulk_create"})
# Attributes of a request that carry what the client sent (``DATA`` / ``QUERY_PARAMS``: Django
# REST framework 2's names for ``data`` / ``query_params``, still in code written for it).
REQUEST_DATA = frozenset(
    {"POST", "GET", "data", "query_params", "FILES", "body", "META", "headers", "COOKIES", "user",
     "content_params", "DATA", "QUERY_PARAMS"}
)
FORM_DATA = frozenset({"cleaned_data", "validated_data", "initial_data"})
SOURCES = {
    "request": "request data",
    "form": "form or serializer data",
    "argument": "a function argument",
}
_ORDER = ("request", "form", "argument")
_MAX_DEPTH = 6


@rule.register(ast.Call, methods=WRITE_METHODS)
def unique_write(ctx, call: ast.Call) -> None:
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in WRITE_METHODS:
        return
    if not any(_provenance(ctx, e, call, 0, cheap=True) in _ORDER for e in _candidate_values(ctx, call)):
        return  # no value from outside: no need to ask the index what the write is
    write = _write(ctx, call)
    if write is None:
        return
    model, values, changed, kind = write
    names = set(values)
    # a unique column save() / a pre_save receiver computes from the written fields
    # (``slug = slugify(label)``) holds a duplicate whenever they do: its values are theirs
    derived = {} if changed is not None else {
        d: model.save_derived[d].split() for d in orm.derived_fields(model, names)}
    names |= set(derived)
    # a field written as None never collides (NULLs are distinct); a fetched row's fields the
    # update does not assign hold whatever the row had
    nulls = orm.null_fields(model, [(k, v) for k, v in values.items()
                                    if changed is None or k in changed])
    for unique in orm.unique_sets_covered(model, names, nulls=nulls):
        fields = unique.fields
        if changed is not None and not any(f in changed for f in fields):
            continue
        if kind in ("save_new", "save_update") and unique.source == "primary_key":
            continue  # save() with a primary key updates the row that has it
        sources = [_field_provenance(ctx, model, f, values[f], call) for f in fields
                   if f in values and (changed is None or f in changed)]
        sources += [_field_provenance(ctx, model, s, values[s], call)
                    for f in fields if f in derived for s in derived[f]]
        if "fresh" in sources:
            continue
        external = [s for s in _ORDER if s in sources]
        if not external:
            continue
        if orm.guarded_by_integrity_handler(ctx, call) or _validated_first(ctx, call):
            return
        if orm.locked_before(ctx, call):
            return  # writers serialised by a row lock taken earlier (DJI003's exemption too)
        if _where.callers_handle_duplicate(ctx, call):
            return  # every caller catches the IntegrityError around the call
        if _where.migration_only(ctx, call) or _where.in_test_support(ctx):
            return  # a data migration's helper, test support code (--dji-lint-tests)
        # the lookup that finds the row: the fields a derived one is computed from
        lookup = list(dict.fromkeys(s for f in fields for s in derived.get(f, [f])))
        ctx.report(call, "DJI001", unique=_unique_text(fields), model=model.name,
                   fix=_fix(model, lookup, kind, external[0]))
        return


LOOKUP_WRITES = frozenset({"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"})
NOT_LOOKUP = frozenset({"defaults", "create_defaults"})


@rule.register(ast.Call, methods=LOOKUP_WRITES)
def lookup_wider_than_key(ctx, call: ast.Call) -> None:
    """``get_or_create()`` / ``update_or_create()`` whose lookup holds every field of a unique
    set *and* other fields: an existing row with the same key but other values in those fields
    is not found, and the insert that follows collides with it on the key.  The values' origin
    does not matter here (the lookup, not the input, makes the duplicate); a key value that is
    fresh by construction (no row can have it yet), a handler of IntegrityError around the
    call, or other fields that are all relations (the parent the key's row belongs to anyway:
    ``get_or_create(rule=r, subevent=s, event=e)``) leave it alone."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in LOOKUP_WRITES:
        return
    if call.args or any(kw.arg is None for kw in call.keywords):
        return  # a lookup that cannot be read whole
    query = orm.query_of(ctx, call)
    if query is None or query.model is None or query.method != call.func.attr:
        return
    model = query.model
    if model.abstract:
        return
    lookup: dict[str, ast.expr | None] = {}
    for kw in call.keywords:
        if kw.arg in NOT_LOOKUP:
            continue
        name = orm.normalise_field(model, kw.arg)
        if name is None:
            return  # a transform or a field the index does not know: which row it finds is unclear
        lookup[name] = kw.value
    if query.related_to is not None and isinstance(query.manager, ast.Attribute):
        lookup.setdefault(query.related_to[1], query.manager.value)
    nulls = orm.null_fields(model, [(k, v) for k, v in lookup.items() if v is not None])
    sets = [(u, u.fields) for u in orm.unique_sets_covered(model, set(lookup), nulls=nulls)]
    # a unique column save() / a pre_save receiver computes from fields of the lookup: its key
    # is the fields it is computed from (``slug`` from ``label``: the row with that label)
    supplied = _defaults_fields(model, call)
    derived = {d: model.save_derived[d].split() for d in orm.derived_fields(
        model, set(lookup), supplied)} if supplied is not None else {}
    if derived:
        seen = {id(u) for u, _ in sets}
        sets += [(u, tuple(dict.fromkeys(s for f in u.fields for s in derived.get(f, [f]))))
                 for u in orm.unique_sets_covered(model, set(lookup) | set(derived), nulls=nulls)
                 if id(u) not in seen]
    for unique, key_fields in sets:
        extra = [f for f in lookup if f not in key_fields]
        if not extra or all(model.fields[f].relation is not None for f in extra):
            # only relations beside the key: most often the parent the key's row belongs to
            # anyway (``event=`` next to a rule that has one event), not state that changes
            continue
        if any(lookup.get(f) is not None and _provenance(ctx, lookup[f], call, 0) == "fresh"
               for f in key_fields):
            continue
        if orm.guarded_by_integrity_handler(ctx, call) or _where.callers_handle_duplicate(ctx, call):
            return
        if _where.migration_only(ctx, call) or _where.in_test_support(ctx):
            return  # a data migration's helper, test support code (--dji-lint-tests)
        key = _unique_text(key_fields)
        unique_text = _unique_text(unique.fields)
        on = "" if tuple(key_fields) == tuple(unique.fields) else (
            f" on {unique_text}, which {model.name} computes from {key} on save")
        others = ", ".join(extra)
        ctx.report(call, "DJI001", unique=unique_text, model=model.name,
                   fix=(f"{call.func.attr}() also looks up {others}, so a row with the same {key} "
                        f"and another {others} is not found and the insert collides with it{on}; "
                        f"look up by {key} alone and pass {others} in defaults"))
        return


def _defaults_fields(model, call: ast.Call) -> set[str] | None:
    """The fields ``defaults`` / ``create_defaults`` give the inserted row; None when they are
    not dict literals with string keys (they may give any)."""
    out: set[str] = set()
    for kw in call.keywords:
        if kw.arg not in NOT_LOOKUP:
            continue
        if not isinstance(kw.value, ast.Dict) or not all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) for k in kw.value.keys):
            return None
        out.update(f for f in (orm.normalise_field(model, k.value) for k in kw.value.keys) if f)
    return out


# ---------------------------------------------------------------------- what the write supplies
def _candidate_values(ctx, call: ast.Call) -> list[ast.expr]:
    """Every expression the write could take a unique value from, read from the file alone:
    values given to a name that is a unique field of some model of the project."""
    unique = _unique_field_names(ctx.index)

    def given(keywords):
        return [kw.value for kw in keywords if kw.arg in unique]

    out = list(call.args) if call.func.attr in ("create_user", "create_superuser") else []
    out += [v for k, v in orm.spread_keywords(ctx, call) if k in unique]
    if call.func.attr == "bulk_create" and call.args:
        objs = call.args[0]
        elts = objs.elts[:1] if isinstance(objs, (ast.List, ast.Tuple)) else (
            [objs.elt] if isinstance(objs, (ast.ListComp, ast.GeneratorExp)) else [])
        for elt in elts:
            if isinstance(elt, ast.Call):
                out += given(elt.keywords)
    if call.func.attr == "save":
        receiver = call.func.value
        if isinstance(receiver, ast.Call):
            out += given(receiver.keywords)
        elif isinstance(receiver, ast.Name):
            out += [v for k, v in _attribute_assignments(ctx, receiver, call).items() if k in unique]
            for lineno, kind, value in _bindings(ctx, call).get(receiver.id, ()):
                if kind == "assign" and lineno < call.lineno and isinstance(value, ast.Call):
                    out += given(value.keywords)
    return out


_UNIQUE_NAMES: dict[int, tuple] = RecentMemo(RECENT_ROOTS)


def _unique_field_names(index) -> frozenset[str]:
    """Names (and ``<fk>_id`` attnames) of every field in some unique set of any model."""
    cached = _UNIQUE_NAMES.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    names = set()
    for model in list(index.models.values()):
        for unique in model.unique_sets:
            for name in unique.fields:
                names.add(name)
                names.add(f"{name}_id")
        for field in model.fields.values():  # an image whose size fills a unique field
            if field.fills and any(n in u.fields for u in model.unique_sets for n in field.fills.split()):
                names.add(field.name)
        for name, sources in model.save_derived.items():  # what save() derives a unique field from
            if any(name in u.fields for u in model.unique_sets):
                names.update(sources.split())
                names.update(f"{s}_id" for s in sources.split())
    names.add("pk")
    result = frozenset(names)
    _UNIQUE_NAMES[id(index)] = (index, result)
    return result


def _write(ctx, call: ast.Call):
    """(model, {field: value expr}, changed fields or None for an insert, kind) of a write."""
    method = call.func.attr
    if method == "save":
        return _save(ctx, call)
    query = orm.query_of(ctx, call)
    if query is None or query.model is None:
        return None
    model = query.model
    values: dict[str, ast.expr] = {}
    if query.related_to is not None and isinstance(query.manager, ast.Attribute):
        values[query.related_to[1]] = query.manager.value
    if method == "bulk_create":
        if any((kw.arg in ("ignore_conflicts", "update_conflicts") and not _false(kw.value))
               or kw.arg is None for kw in call.keywords):
            return None  # conflicts ignored, or options passed as **kwargs that may say so
        built = _bulk_element(ctx, call, model)
        if built is None:
            return None
        values.update(_keywords(model, built))
        return model, values, None, "bulk_create"
    if method in ("create_user", "create_superuser") and call.args:
        username = _username_field(model)
        if username:
            values[username] = call.args[0]
    values.update(_keywords(model, call, ctx))
    return model, orm.with_filled_fields(model, values), None, "create" if method == "create" else method


def _keywords(model, call: ast.Call, ctx=None) -> dict[str, ast.expr]:
    out = {}
    items = orm.spread_keywords(ctx, call) if ctx is not None else [
        (kw.arg, kw.value) for kw in call.keywords if kw.arg]
    for arg, value in items:
        name = orm.normalise_field(model, arg)
        if name:
            out[name] = value
    return out


def _username_field(model) -> str | None:
    """The field ``create_user()``'s first argument sets: the model's USERNAME_FIELD when the
    index read it, else ``username`` / ``email`` when unique."""
    if model.username_field:
        f = model.fields.get(model.username_field)
        return model.username_field if f is not None and f.unique is True else None
    f = model.fields.get("username")
    if f is not None and f.unique:
        return "username"
    f = model.fields.get("email")
    if f is not None and f.unique:
        return "email"
    return None


def _bulk_element(ctx, call: ast.Call, model):
    """The ``M(...)`` call each element of ``bulk_create([...])`` is built by."""
    if not call.args:
        return None
    objs = call.args[0]
    if isinstance(objs, (ast.List, ast.Tuple)) and objs.elts:
        elt = objs.elts[0]
    elif isinstance(objs, (ast.ListComp, ast.GeneratorExp)):
        elt = objs.elt
    else:
        return None
    if isinstance(elt, ast.Call) and not isinstance(elt.func, ast.Call):
        built = orm.class_expr_model(ctx, elt.func, call)
        if built is not None and built.qualname == model.qualname:
            return elt
    return None


def _save(ctx, call: ast.Call):
    receiver = call.func.value
    inst = orm.instance_of(ctx, receiver, call)
    if inst is not None and inst.origin == "new" and isinstance(receiver, ast.Name):
        inst = _reaching_instance(ctx, receiver, call, inst)
    if inst is None or inst.model is None:
        return None
    model = inst.model
    origin = inst.origin
    saved_at = None
    if origin == "new" and isinstance(receiver, ast.Name):
        saved_at = orm.inserted_before(ctx, receiver, inst.node, call)
        if saved_at is not None:
            origin = "created"  # saved once already: this save() updates that row
    assigned = _attribute_assignments(ctx, receiver, call, saved_at) if isinstance(receiver, ast.Name) else {}
    update_fields = _update_fields(call)
    if origin == "new" and isinstance(inst.node, ast.Call):
        values = _keywords(model, inst.node)
        values.update(assigned)
        return model, orm.with_filled_fields(model, values), None, "save_new"
    if "pk" in assigned or model.pk_name in assigned:
        return None  # a copy of a row (``obj.pk = None``): the program's own data
    assigned = {orm.normalise_field(model, k) or k: v for k, v in assigned.items()}
    if origin in ("fetched", "param", "self", "created") and assigned:
        if update_fields is not None:
            assigned = {k: v for k, v in assigned.items() if k in update_fields}
        if not assigned:
            return None
        values = {name: assigned.get(name, ast.Constant(None)) for name in model.fields}
        return model, values, set(assigned), "save_update"
    return None


def _reaching_instance(ctx, name: ast.Name, call: ast.Call, inst):
    """The instance that reaches the save when the last binding cannot: ``obj = M(...)``
    in one branch of ``if flag:`` and the save under a later ``if flag:`` that takes the
    other branch (``if create: obj = get_or_create(...)[0] / else: obj = M(...)``, then
    ``if create: obj.save()``).  Then the binding before that ``if`` statement's other branch."""
    for _ in range(4):
        excluded = _excluding_branch(ctx, inst.node, call)
        if excluded is None:
            return inst
        other = excluded.orelse if _inside(ctx, inst.node, excluded.body) else excluded.body
        end = other[-1].end_lineno if other else excluded.lineno - 1
        inst = orm.local_binding(ctx, name, _Line(end))
        if not isinstance(inst, orm.Instance) or inst.origin != "new":
            return inst
    return inst


class _Line:
    def __init__(self, lineno: int):
        self.lineno = lineno
        self.col_offset = 0


def _excluding_branch(ctx, bound: ast.AST, call: ast.Call):
    """The ``if`` around the binding whose test, repeated around the call (nothing
    rebinds its names in between: a plain name or attribute test), sends the call down
    the other branch."""
    for anc in ctx.ancestors(bound):
        if not isinstance(anc, ast.If) or not _plain_test(anc.test):
            continue
        in_body = _inside(ctx, bound, anc.body)
        if not in_body and not _inside(ctx, bound, anc.orelse):
            continue
        if _inside(ctx, call, [anc]):
            return None  # the call is inside the same if statement: ordinary flow
        test = _test_key(anc.test)
        for outer in ctx.ancestors(call):
            if isinstance(outer, ast.If) and outer.lineno > anc.end_lineno and _test_key(outer.test) == test:
                call_in_body = _inside(ctx, call, outer.body)
                if call_in_body != in_body:
                    return anc
    return None


def _test_key(test: ast.expr) -> tuple[bool, str | None]:
    """What a plain test says (``not a.b`` -> (True, "a.b")), read without recursion (an
    ``ast.dump`` of a deep expression overflowed Python's stack); (False, None) for any other
    test."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    dotted = dotted_name(test.operand if negated else test)
    return (negated, dotted) if dotted else (False, None)


def _plain_test(test: ast.expr) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    while isinstance(test, ast.Attribute):
        test = test.value
    return isinstance(test, ast.Name)


def _inside(ctx, node: ast.AST, stmts) -> bool:
    ids = {id(s) for s in stmts}
    return id(node) in ids or any(id(a) in ids for a in ctx.ancestors(node))


def _attribute_assignments(ctx, name: ast.Name, call: ast.Call, after: int | None = None) -> dict[str, ast.expr]:
    """``obj.field = value`` statements on the saved name before the save, in its function
    (only those after line ``after`` when given: the values a second save writes)."""
    func = ctx.enclosing_function(call)
    scope = func if func is not None else ctx.tree
    table = ctx.memo(("dji001-attribute-assignments", id(scope)), lambda: _scope_attribute_assignments(scope))
    entries = table.get(name.id)
    if not entries:
        return {}
    bound_at = _bound_line(ctx, name, call)
    if after is not None:
        bound_at = max(bound_at, after + 1)
    return {attr: value for lineno, attr, value in entries if bound_at <= lineno < call.lineno}


def _scope_attribute_assignments(scope) -> dict[str, list]:
    table: dict[str, list] = {}
    for node in orm.walk_scope(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    table.setdefault(target.value.id, []).append((node.lineno, target.attr, node.value))
    for entries in table.values():
        entries.sort(key=lambda e: e[0])
    return table


def _bound_line(ctx, name: ast.Name, at: ast.AST) -> int:
    line = 0
    for lineno, kind, _ in _bindings(ctx, at).get(name.id, ()):
        if lineno <= at.lineno and kind != "param":
            line = lineno
    return line


def _update_fields(call: ast.Call) -> set[str] | None:
    for kw in call.keywords:
        if kw.arg == "update_fields" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
            return {e.value for e in kw.value.elts if isinstance(e, ast.Constant)}
    return None


def _validated_first(ctx, call: ast.Call) -> bool:
    """``obj.full_clean()`` / ``obj.validate_unique()`` before ``obj.save()``."""
    if call.func.attr != "save" or not isinstance(call.func.value, ast.Name):
        return False
    func = ctx.enclosing_function(call)
    scope = func if func is not None else ctx.tree
    for node in orm.walk_scope(scope):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("full_clean", "validate_unique", "validate_constraints")
                and isinstance(node.func.value, ast.Name) and node.func.value.id == call.func.value.id
                and node.lineno <= call.lineno):
            return True
    return False


# ---------------------------------------------------------------------- where a value comes from
def _field_provenance(ctx, model, name: str, expr: ast.expr, at: ast.AST) -> str | None:
    source = _provenance(ctx, expr, at, 0)
    field = model.fields.get(name)
    if source == "argument" and field is not None and field.relation:
        # a row passed in by the caller is the program's own object, not input: which rows a
        # caller links is its business (copy hooks, signal handlers); scalar arguments count
        return None
    return source


def _provenance(ctx, expr: ast.expr, at: ast.AST, depth: int, cheap: bool = False) -> str | None:
    """"fresh", "request", "form", "argument" or None (the program's own data).

    ``cheap`` reads the file alone, never the project index: it may say "external" where the
    full answer is "fresh", never the other way round, so it can rule a write out early."""
    if depth > _MAX_DEPTH or expr is None:
        return None
    if _generated(expr) or (not cheap and orm.is_fresh_value(ctx, expr)):
        return "fresh"
    if not cheap and isinstance(expr, (ast.Call, ast.Attribute)) and _creates_row(ctx, expr, at):
        return "fresh"  # ``obj.profile = Profile.objects.create(...)``: a row nobody else links
    found = set()
    for sub in _walk_value(expr):
        if isinstance(sub, ast.Attribute):
            if sub.attr in FORM_DATA:
                found.add("form")
            elif sub.attr in REQUEST_DATA and _names_request(sub.value):
                found.add("request")
            elif sub.attr == "kwargs" and isinstance(sub.value, ast.Name) and sub.value.id == "self":
                found.add("argument")  # a class-based view's URL keyword arguments
        elif isinstance(sub, ast.Name):
            source = _name_provenance(ctx, sub, at, depth, cheap)
            if source == "fresh":
                return "fresh"
            if source:
                found.add(source)
    for source in _ORDER:
        if source in found:
            return source
    return None


# Words in a function's name that say it makes a new value (a key, a token, a free slug).
GENERATOR_WORDS = ("generate", "random", "uuid", "token", "nonce", "secret", "unique", "new_code",
                   "make_key", "make_code", "urandom")
# Reads of rows: what they return is the database's data, whatever selected it.
QUERY_CALLS = frozenset(
    {"get", "filter", "exclude", "first", "last", "all", "earliest", "latest", "values_list",
     "values", "get_object_or_404", "get_list_or_404", "order_by", "select_related",
     "prefetch_related", "only", "defer", "annotate", "distinct"}
)


def _generated(expr: ast.expr) -> bool:
    """A call to a generator by its name (``generate_key(...)``, ``unique_slugify(...)``), or a
    string built around a row's own primary key (``f"deleted-{user.pk}"``)."""
    if isinstance(expr, (ast.JoinedStr, ast.BinOp)) or (
            isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format"):
        if any(isinstance(sub, ast.Attribute) and sub.attr in ("pk", "id") for sub in ast.walk(expr)):
            return True
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Call):
            callee = dotted_name(sub.func) or (sub.func.attr if isinstance(sub.func, ast.Attribute) else "")
            name = callee.rpartition(".")[2].lower()
            if name and any(word in name for word in GENERATOR_WORDS):
                return True
    return False


def _walk_value(expr: ast.expr):
    """Sub-expressions that carry the value (not the callee of a call, not nested lambdas)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            callee = dotted_name(node.func) or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if callee.rpartition(".")[2] in QUERY_CALLS and not _names_request(
                    node.func.value if isinstance(node.func, ast.Attribute) else node.func):
                if not (isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                        and _is_data_container(node.func.value)):
                    continue  # a row read from the database: the program's own data
            if isinstance(node.func, ast.Attribute):
                stack.append(node.func.value)
                if node.func.attr in ("get", "pop", "setdefault", "__getitem__"):
                    continue  # the key picks the value; the container carries it
            stack.extend(node.args)
            stack.extend(kw.value for kw in node.keywords)
            continue
        if isinstance(node, ast.Subscript):
            stack.append(node.value)  # the index picks the value; the container carries it
            continue
        if isinstance(node, ast.Attribute):
            stack.append(node.value)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _is_data_container(node: ast.expr) -> bool:
    """``request.POST`` / ``form.cleaned_data`` / ``data`` / ``kwargs``: ``.get()`` on it reads input,
    not a row.  Anything that looks like a manager or queryset is not one."""
    if isinstance(node, ast.Attribute):
        return node.attr in FORM_DATA or node.attr in REQUEST_DATA or node.attr in ("kwargs", "data")
    if isinstance(node, ast.Name):
        return not node.id[:1].isupper() and not node.id.endswith(("qs", "queryset", "objects"))
    return isinstance(node, ast.Subscript)


def _names_request(node: ast.expr) -> bool:
    dotted = dotted_name(node) or ""
    return dotted.rpartition(".")[2] in ("request", "_request", "req")


def _name_provenance(ctx, name: ast.Name, at: ast.AST, depth: int, cheap: bool = False) -> str | None:
    """Where a name's value comes from; remembered per name node, so a long chain of local
    assignments is read once (a placeholder stops a cycle)."""
    key = ("dji001-provenance", id(name), id(at), cheap)
    if key in ctx._cache:
        return ctx._cache[key]
    ctx._cache[key] = None
    source = _name_source(ctx, name, at, depth, cheap)
    ctx._cache[key] = source
    return source


def _name_source(ctx, name: ast.Name, at: ast.AST, depth: int, cheap: bool) -> str | None:
    if name.id in ("self", "cls"):
        return None
    if name.id in ("request", "req"):
        return None  # the request object itself: only its data attributes count
    # a comprehension variable: where its iterable comes from (a scope without comprehensions
    # is not climbed: a name deep in a long expression would cost its depth each time)
    if _has_comprehension(ctx, ctx.enclosing_function(name)):
        for anc in ctx.ancestors(name):
            if isinstance(anc, COMPREHENSIONS):
                for gen in anc.generators:
                    if any(isinstance(t, ast.Name) and t.id == name.id for t in ast.walk(gen.target)):
                        return _provenance(ctx, gen.iter, at, depth + 1, cheap)
            if isinstance(anc, FUNCTION_NODES):
                break
    where = name if id(name) in ctx.parents else at
    line = getattr(where, "lineno", 0)
    latest = None
    for lineno, kind, value in _bindings(ctx, where).get(name.id, ()):
        if lineno < line or (kind == "param" and lineno <= line):
            latest = (kind, value)
    if latest is None:
        return None
    kind, value = latest
    if kind == "param":
        if not cheap and _is_saved_instance(ctx, name, where):
            return None  # left to DJI009: the row post_save was sent for
        return "argument"
    if kind == "assign" and not cheap and _creates_row(ctx, value, value):
        return "fresh"
    if kind in ("assign", "for") and value is not None:
        return _provenance(ctx, value, at, depth + 1, cheap)
    return None


COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _has_comprehension(ctx, func) -> bool:
    scope = func if func is not None else ctx.tree
    return ctx.memo(("dji001-comprehensions", id(scope)), lambda: any(
        isinstance(node, COMPREHENSIONS) for node in ast.walk(scope)))  # nested classes too


def _is_saved_instance(ctx, name: ast.Name, at: ast.AST) -> bool:
    """The ``instance`` parameter of a post_save receiver."""
    from .dji009_post_save_create import receiver_instance

    func = ctx.enclosing_function(at)
    return func is not None and not isinstance(func, ast.Lambda) and receiver_instance(ctx, func) == name.id


def _bindings(ctx, at: ast.AST) -> dict[str, list]:
    func = ctx.enclosing_function(at)
    scope = func if func is not None else ctx.tree
    return ctx.memo(("dji001-bindings", id(scope)), lambda: _scope_bindings(ctx, scope))


def _scope_bindings(ctx, scope) -> dict[str, list]:
    """name -> [(line, kind, value)]: kind "param", "assign", "for", "fresh" or "other"."""
    table: dict[str, list] = {}

    def bind(target, lineno, kind, value):
        if isinstance(target, ast.Name):
            table.setdefault(target.id, []).append((lineno, kind, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                bind(elt, lineno, kind if kind == "for" else "other", value)
        elif isinstance(target, ast.Starred):
            bind(target.value, lineno, "other", None)

    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        args = scope.args
        params = args.posonlyargs + args.args + args.kwonlyargs
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in params:
            table.setdefault(arg.arg, []).append((scope.lineno, "param", None))
    for node in orm.walk_scope(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, node.lineno, "assign", node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            bind(node.target, node.lineno, "assign", node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            bind(node.target, node.lineno, "for", node.iter)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    bind(item.optional_vars, node.lineno, "other", None)
        elif isinstance(node, ast.NamedExpr):
            bind(node.target, node.lineno, "assign", node.value)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            table.setdefault(node.name, []).append((node.lineno, "other", None))
    for entries in table.values():
        entries.sort(key=lambda e: e[0])
    return table


def _creates_row(ctx, value: ast.expr, at: ast.AST) -> bool:
    """``x = M.objects.create(...)``, ``x = form.save()``, ``x = M(...)``, an instance built and
    saved (or its ``.pk``): a row made here is new, so a unique value pointing at it (a
    one-to-one to it) cannot already exist.  ``form.save()`` returns a new row or the row the
    form edits (``instance=obj.meta``: the one already linked there), except when the form was
    given a row this function fetched or was passed (``instance=chosen``): that row may be
    linked elsewhere."""
    if orm.row_created_here(ctx, value, at):
        return True
    if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Attribute, ast.Name)):
        return False
    if isinstance(value.func, ast.Attribute) and value.func.attr == "save":
        if len(value.args) > 1:
            return False  # storage.save(name, content), image.save(fp, format): no row
        return not orm.form_edits_chosen_row(ctx, value)
    if isinstance(value.func, ast.Attribute) and value.func.attr in ("get_or_create", "update_or_create"):
        return False
    return orm.class_expr_model(ctx, value.func, value) is not None


def _false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, None)


# ---------------------------------------------------------------------- the message
def _unique_text(fields) -> str:
    return fields[0] if len(fields) == 1 else f"({', '.join(fields)})"


def _fix(model, fields, kind, source) -> str:
    lookup = ", ".join(f"{f}=..." for f in fields)
    origin = f"the value comes from {SOURCES[source]}"
    if kind == "bulk_create":
        return f"{origin}: pass ignore_conflicts=True or catch IntegrityError inside transaction.atomic()"
    if kind in ("create_user", "create_superuser"):
        return f"{origin}: catch IntegrityError around {kind}() inside transaction.atomic() and report the clash"
    if kind == "save_update":
        return f"{origin}: catch IntegrityError around save() inside transaction.atomic() and report the clash"
    return (f"{origin}: use {model.name}.objects.get_or_create({lookup}) or catch IntegrityError "
            "inside transaction.atomic()")
