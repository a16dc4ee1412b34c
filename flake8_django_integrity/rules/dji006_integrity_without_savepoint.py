"""DJI006: ``except IntegrityError`` around a write that has no savepoint of its own.

On PostgreSQL a failed statement aborts the whole transaction: after the IntegrityError,
every query until the end of the enclosing ``atomic()`` block raises
``TransactionManagementError``.  Catching the error only works when the write runs in its own
``transaction.atomic()`` block *inside* the ``try``: the savepoint is rolled back and the outer
transaction carries on.  An ``atomic()`` around the whole ``try`` does not help.

Reported only where a transaction can be open around the ``try`` (rules/_where.py,
project/reach.py): an ``atomic()`` of the function or of a caller, the admin's change form,
or the request transaction of a view when ``ATOMIC_REQUESTS`` is set.  In autocommit the
failed statement is rolled back alone and nothing stays broken.
"""

from __future__ import annotations

import ast

from .. import orm
from ..project.function_scan import QUIET_ENTER, QUIET_EXIT
from ..project.summary import dotted_name
from . import _where, declared

rule = declared(__name__)

ATOMIC = frozenset({"django.db.transaction.atomic", "django.db.transaction.Atomic"})
# Calls that write whatever they are called on (in a try that expects an IntegrityError).
# get_or_create() / update_or_create() are not among them: Django runs their insert in a
# savepoint of its own, so their IntegrityError leaves the transaction usable.
ALWAYS_WRITES = frozenset(
    {"create", "save", "bulk_create", "bulk_update", "create_user", "create_superuser"}
)
# Calls that run a query: a handler that makes one after the error fails on PostgreSQL.
QUERIES = frozenset(
    {"get", "filter", "exclude", "all", "first", "last", "exists", "count", "create", "save",
     "delete", "update", "get_or_create", "update_or_create", "bulk_create", "bulk_update",
     "refresh_from_db", "execute", "aggregate", "values", "values_list", "earliest", "latest",
     "in_bulk", "iterator", "select_for_update", "create_user", "create_superuser"}
)
# Calls that write only when called on a queryset, manager or model instance.
QUERYSET_WRITES = frozenset({"update", "delete"})
# A handler that rolls back to a savepoint (or the transaction) by hand.
ROLLBACK_CALLS = frozenset({"savepoint_rollback", "rollback", "set_rollback"})
TRY_NODES = (ast.Try, getattr(ast, "TryStar", ast.Try))


@rule.register(*{ast.Try, *TRY_NODES})
def integrity_without_savepoint(ctx, node) -> None:
    handlers = [h for h in node.handlers if _catches_integrity_error(ctx, h)]
    if not handlers:
        return
    write = _unprotected_write(ctx, node)
    if write is None:
        return
    handlers = [h for h in handlers
                if not (_reraises(h) or _rolls_back(h) or _leaves(h, exits=True))]
    if not handlers:
        return
    where = _where.surrounding_transaction(ctx, node)
    if where is None:
        return  # autocommit: the failed statement is rolled back alone, nothing stays broken
    if _where.own_transaction(ctx, node):
        # a return leaves the function's own atomic() block: nothing more runs in it.  From a
        # caller's transaction it does not: the caller carries on in the broken transaction
        handlers = [h for h in handlers if not _leaves(h, exits=False)]
        # nor does a handler after which no query runs before that block ends, when the block
        # wrote nothing before the try (its silent rollback would lose that write)
        handlers = [h for h in handlers if not _nothing_follows(ctx, node, h)]
        if not handlers:
            return
    if _where.test_only(ctx, node) or _where.migration_only(ctx, node):
        return  # a helper only tests or migrations call: linted with --dji-lint-tests
    for handler in handlers:
        ctx.report(handler, "DJI006", write=_describe(write), where=where)


def _catches_integrity_error(ctx, handler: ast.ExceptHandler) -> bool:
    """The handler names IntegrityError itself (not a parent such as Exception)."""
    if handler.type is None:
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_may_be_integrity_error(ctx, t) and orm.exception_is(ctx, t, orm.INTEGRITY_ERROR)
               for t in types)


def _may_be_integrity_error(ctx, node: ast.expr) -> bool:
    """Cheap test before resolving: the name is IntegrityError or an alias imported for it."""
    dotted = dotted_name(node)
    if not dotted:
        return False
    if dotted.rpartition(".")[2] == "IntegrityError":
        return True
    return ctx.summary.imports.get(dotted, "").endswith("IntegrityError")


def _unprotected_write(ctx, try_node) -> ast.Call | None:
    """The first database write in the try body that no atomic() block inside the try covers."""
    stack = [(stmt, False) for stmt in reversed(try_node.body)]
    while stack:
        node, covered = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
            _is_atomic(ctx, item.context_expr) for item in node.items
        ):
            covered = True
        if not covered and isinstance(node, ast.Call) and _is_write(ctx, node) and (
                _may_raise_integrity(ctx, node)):
            return node
        stack.extend((child, covered) for child in reversed(list(ast.iter_child_nodes(node))))
    return None


def _is_atomic(ctx, expr: ast.expr) -> bool:
    func = expr.func if isinstance(expr, ast.Call) else expr
    dotted = dotted_name(func)
    if not dotted:
        return False
    target = ctx.resolve(func) or dotted
    return target in ATOMIC or dotted.rpartition(".")[2] == "atomic"


def _is_write(ctx, call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    method = call.func.attr
    if method in ALWAYS_WRITES:
        return True
    if method in QUERYSET_WRITES:
        if orm.query_of(ctx, call) is not None:
            return True
        receiver = call.func.value
        if orm.instance_of(ctx, receiver, call) is not None:
            return True
        base, calls = orm._call_chain(receiver)
        return any(name in ("filter", "exclude", "all") for name, _ in calls) or (
            isinstance(base, ast.Attribute) and base.attr == "objects")
    return False


# ---------------------------------------------------------------------- writes that cannot raise
# Field kinds whose column carries a CHECK constraint Django adds (``>= 0``).
_CHECKED_KINDS = frozenset({"PositiveIntegerField", "PositiveSmallIntegerField",
                            "PositiveBigIntegerField"})
# Calls whose value is never None: ``F("n") + 1`` is a BinOp, ``F("n")`` and ``Value(x)``
# expressions, the clock, the builtin conversions.
_NOT_NONE_CALLS = frozenset({"F", "Value", "now", "str", "int", "float", "bool", "len",
                             "Decimal", "Concat", "Greatest", "Least", "Coalesce"})
# Methods called on a fetched instance that do not change its fields.
_KEEPS_FIELDS = frozenset({"save", "refresh_from_db", "full_clean", "clean_fields",
                           "validate_unique", "get_absolute_url", "serializable_value"})
_READ_ONE = frozenset({"get", "first", "last", "earliest", "latest"})


def _may_raise_integrity(ctx, call: ast.Call) -> bool:
    """Can this write raise IntegrityError?  An INSERT can (``create()``, ``bulk_create()``,
    ``save()`` of a new instance), and so can an UPDATE that sets a unique column, a foreign
    key, a column under a CHECK, or None into a NOT NULL column.  Two writes are known not to:

    - ``<queryset>.update(f=value, ...)`` of a known model, every ``f`` a column under no
      unique set, no foreign key and no CHECK, and ``value`` not None unless ``f`` is
      nullable (``filter(pk=pk).update(hits=F("hits") + 1)``);
    - ``obj.save(update_fields=[...])`` / ``obj.save()`` of a row this function read (``get()``,
      ``first()``..., a loop over a queryset; the name bound nowhere else, never handed to
      other code), where every field assigned on ``obj`` in the function (and, with
      ``update_fields``, every field named there) is such a column, the model has no
      ``save()`` of the project's, no ``pre_save`` / ``post_save`` receiver for it, and no
      ``Meta.constraints`` (a CheckConstraint the index does not read).  A field written back
      with the value it was read with cannot conflict.  A plain ``save()`` counts only on a
      row locked with ``select_for_update()``: Django's save() inserts the row when the
      UPDATE finds none (a row deleted meanwhile), ``update_fields`` raises instead.

    Anything else, or a model or field the index cannot read, may raise."""
    try:
        if call.func.attr == "update":
            return not _safe_queryset_update(ctx, call)
        if call.func.attr == "save":
            return not _safe_row_save(ctx, call)
    except Exception:  # an odd shape: it may raise, never a crash
        return True
    return True


def _safe_queryset_update(ctx, call: ast.Call) -> bool:
    q = orm.query_of(ctx, call)
    if q is None or q.method != "update" or call.args or not call.keywords:
        return False
    model = q.model
    if not _readable(ctx, model):
        return False
    return all(kw.arg is not None and _safe_column(model, kw.arg, [kw.value])
               for kw in call.keywords)


def _safe_row_save(ctx, call: ast.Call) -> bool:
    receiver = call.func.value
    if not isinstance(receiver, ast.Name) or call.args or any(
            kw.arg != "update_fields" for kw in call.keywords):
        return False
    inst = orm.instance_of(ctx, receiver, call)
    if inst is None or inst.origin != "fetched" or not _readable(ctx, inst.model):
        return False
    if isinstance(inst.node, (ast.For, ast.AsyncFor)):
        read = orm.query_of(ctx, inst.node.iter) if isinstance(inst.node.iter, ast.Call) else None
        if read is None or read.method in ("values", "values_list", "iterator"):
            return False
    else:
        read = orm.query_of(ctx, inst.node)
        if read is None or read.method not in _READ_ONE:
            return False  # get_object_or_404(), get_or_create(): may be a new row
    func = ctx.enclosing_function(call)
    if func is None:
        return False
    stores = _fetched_row_uses(ctx, func, receiver.id, call)
    if stores is None:
        return False  # bound again, or handed to other code that may change its fields
    model = inst.model
    named = None
    for kw in call.keywords:
        if not isinstance(kw.value, (ast.List, ast.Tuple)) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in kw.value.elts):
            return False
        named = [e.value for e in kw.value.elts]
    if named is None:
        if not read.locked:
            return False  # save() inserts the row when a concurrent delete removed it
        if any(f.fills_on_save is not False for f in model.fields.values()):
            return False  # a field its class computes on save (an auto slug)
        changed = list(stores)
    else:
        changed = named
    return all(_safe_column(model, name, stores.get(name)) for name in changed) and (
        _plain_save(ctx, model))


def _readable(ctx, model) -> bool:
    """The index reads the model whole: its fields and its constraints (no
    ``Meta.constraints`` in its chain: a CheckConstraint is not among the facts)."""
    if model is None or not model.complete or not model.managed or model.abstract or (
            model.proxy or model.builtin):
        return False
    index = ctx.index
    for qual in (model.qualname, *model.bases, *model.concrete_parents):
        fact = index.model(qual) if qual != model.qualname else model
        if fact is None or "constraints" in fact.meta_lines:
            return False
    return True


def _plain_save(ctx, model) -> bool:
    """Django's own ``save()`` writes the row and nothing else: no ``save()`` of the
    project's in the model's chain, no save receiver of the project for it."""
    functions = _where.functions(ctx)
    if functions is None:
        return False
    if any(functions.method(q, "save") for q in (model.qualname, *model.bases,
                                                  *model.concrete_parents)):
        return False
    return not _save_receivers(ctx, functions, model)


def _save_receivers(ctx, functions, model) -> bool:
    """A ``pre_save`` / ``post_save`` receiver of the project for the model or a parent
    (``sender=Model``, the function index's module summaries)."""
    def compute():
        owners = {model.qualname, *model.concrete_parents}
        for mod in list(functions.modules):
            data = functions.modules.get(mod) or {}
            for sender, _receiver, _cls in data.get("senders", ()):
                if sender and functions.resolve(mod, sender) in owners:
                    return True
        return False
    return ctx.memo(("dji006-save-receivers", model.qualname), compute)


def _safe_column(model, name: str, values: list | None) -> bool:
    """Writing ``values`` (None: the value the row was read with) to field ``name`` cannot
    raise IntegrityError: a known column, not the primary key, no relation, under no unique
    set, no CHECK of its kind, and never None unless it is nullable."""
    fact = model.fields.get(name)
    if fact is None or not fact.has_column:
        return False
    if values is None:  # its own current value: no other row holds it, its parent exists
        return fact.fills_on_save is False
    if fact.primary_key or fact.relation or (
            fact.unique is not False) or fact.kind in _CHECKED_KINDS or fact.null is None:
        return False
    for u in model.unique_sets:
        if u.expressions and not u.refs:
            return False  # a constraint over expressions the index cannot read
        if name in u.fields or name in u.refs.split():
            return False
    return fact.null is True or all(_not_none(v) for v in values)


def _not_none(value) -> bool:
    if value is None:
        return False  # a store the plugin cannot read (an augmented assignment's value is read)
    if isinstance(value, ast.Constant):
        return value.value is not None
    if isinstance(value, (ast.BinOp, ast.JoinedStr, ast.Compare, ast.List, ast.Tuple, ast.Dict,
                          ast.Set)):
        return True
    if isinstance(value, ast.Call):
        return (dotted_name(value.func) or "").rpartition(".")[2] in _NOT_NONE_CALLS
    return False


def _fetched_row_uses(ctx, func, name: str, save: ast.Call) -> dict[str, list] | None:
    """The fields assigned on ``name`` in ``func`` (field -> the values assigned), or None
    when another binding can reach ``save`` (a parameter, a second assignment on a line
    before it, or one after it in a loop around it; a binding after it outside such a loop,
    ``obj = M.objects.create(...)`` in the sibling ``except DoesNotExist:`` handler, cannot),
    or when the name is used other than as ``name.field`` / ``name.<method that keeps its
    fields>()`` / ``return name``: code it is handed to may change any field."""
    stores: dict[str, list] = {}
    bindings = sum(1 for a in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs,
                               func.args.vararg, func.args.kwarg) if a is not None and a.arg == name)
    loops = _loops_around(ctx, save, func)
    parents: dict[int, ast.AST] = {}
    for node in orm.walk_scope(func):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in orm.walk_scope(func):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)):
                return None  # a closure may change it
            continue
        if not (isinstance(node, ast.Name) and node.id == name):
            continue
        if not isinstance(node.ctx, ast.Load):
            if node.lineno <= save.lineno or _loops_around(ctx, node, func) & loops:
                bindings += 1
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Return):
            continue
        if not (isinstance(parent, ast.Attribute) and parent.value is node):
            return None
        outer = parents.get(id(parent))
        if isinstance(parent.ctx, ast.Store):
            if isinstance(outer, ast.Assign):
                stores.setdefault(parent.attr, []).append(outer.value)
            elif isinstance(outer, ast.AugAssign):
                stores.setdefault(parent.attr, []).append(ast.BinOp(
                    left=outer.target, op=outer.op, right=outer.value))
            else:
                stores.setdefault(parent.attr, []).append(None)
        elif isinstance(parent.ctx, ast.Del):
            return None
        elif isinstance(outer, ast.Call) and outer.func is parent and (
                parent.attr not in _KEEPS_FIELDS):
            return None  # a method of the model may set any field
    return stores if bindings == 1 else None


def _loops_around(ctx, node, func) -> set[int]:
    found = set()
    for anc in ctx.ancestors(node):
        if anc is func:
            break
        if isinstance(anc, (ast.For, ast.AsyncFor, ast.While)):
            found.add(id(anc))
    return found


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A handler that raises on every path (its last statement raises, or is an ``if`` /
    ``with`` whose every branch does, and nothing returns, breaks or continues on the way):
    the error still unwinds the transaction, no code of this function runs in it."""
    if not _always_raises(handler.body):
        return False
    stack = list(handler.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Return, ast.Break, ast.Continue)):
            return False
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return True


def _always_raises(body: list, depth: int = 0) -> bool:
    if not body or depth > 20:
        return False
    last = body[-1]
    if isinstance(last, ast.Raise):
        return True
    if isinstance(last, ast.If):
        return _always_raises(last.body, depth + 1) and _always_raises(last.orelse, depth + 1)
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return _always_raises(last.body, depth + 1)
    return False


def _leaves(handler: ast.ExceptHandler, exits: bool) -> bool:
    """A handler that exits the process (``exits``) or returns (not ``exits``) without
    another query."""
    if not handler.body:
        return False
    last = handler.body[-1]
    if not (_exits(last) if exits else isinstance(last, ast.Return)):
        return False
    for sub in ast.walk(handler):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and (
                sub.func.attr in QUERIES):
            return False
        if isinstance(sub, ast.Attribute) and sub.attr in ("objects", "_default_manager"):
            return False
    return True


def _exits(stmt: ast.stmt) -> bool:
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    name = dotted_name(stmt.value.func) or ""
    return name in ("sys.exit", "exit", "os._exit")


def _rolls_back(handler: ast.ExceptHandler) -> bool:
    for sub in ast.walk(handler):
        if isinstance(sub, ast.Call) and isinstance(sub.func, (ast.Attribute, ast.Name)):
            name = sub.func.attr if isinstance(sub.func, ast.Attribute) else sub.func.id
            if name in ROLLBACK_CALLS:
                return True
    return False


def _nothing_follows(ctx, try_node, handler: ast.ExceptHandler) -> bool:
    """Nothing can touch the broken transaction: the handler and every statement that can run
    after it until the function's own transaction ends (the ``with atomic():`` block, the
    decorated function, the view of the request transaction) run no query (orm.runs_no_query),
    so no TransactionManagementError follows; and the block made no write before the ``try``.

    Django marks the block for rollback after the failed write and, when the block exits
    without an exception, rolls it back silently: a write made earlier in the block is lost
    while the code carries on as if it were saved.  A savepoint inside the ``try`` (the fix
    the message gives) keeps it, so such a finding stays."""
    if not orm.runs_no_query(ctx, handler.body):
        return False
    found = _rest_of_transaction(ctx, try_node)
    if found is None:
        return False
    block, tail, exits = found
    return (orm.runs_no_query(ctx, tail) and all(_quiet_exit(ctx, w) for w in exits)
            and not _writes_before(ctx, try_node, block))


def _rest_of_transaction(ctx, try_node):
    """(the node whose end ends the transaction, the statements that can run after the try's
    handler until then, the ``with`` statements inside the transaction that the try sits in:
    their context managers' exits run after the handler too); None when the try sits in a
    loop (the next turn runs its writes again), in a nested function, or the end is not the
    linted function's own.

    A ``return`` that follows unconditionally ends the path: what comes after it (the
    ``return render(...)`` of a view's GET branch) does not run, only the ``finally`` clauses
    it leaves through."""
    tail: list = list(try_node.finalbody)
    exits: list = []
    left = False  # a return on the path: only finally clauses run from here
    child = try_node
    for anc in ctx.ancestors(try_node):
        if isinstance(anc, (ast.With, ast.AsyncWith)) and any(
                _is_atomic(ctx, item.context_expr) for item in anc.items):
            if any(_without_savepoint(item.context_expr) for item in anc.items):
                return None  # atomic(savepoint=False) inside another: the outer one is broken
            return anc, tail + ([] if left else _until_leaving(_after(anc.body, child))[0]), exits
        if isinstance(anc, (ast.With, ast.AsyncWith)):
            exits.append(anc)  # a return through it leaves it too: its exit always runs
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(_is_atomic(ctx, d) and _without_savepoint(d) for d in anc.decorator_list):
                return None  # @atomic(savepoint=False) in a caller's block: that one is broken
            own = any(_is_atomic(ctx, d) for d in anc.decorator_list) or not any(
                isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                for a in ctx.ancestors(anc))
            if not own:
                return None
            return anc, tail + ([] if left else _until_leaving(_after(anc.body, child))[0]), exits
        if isinstance(anc, (ast.Lambda, ast.ClassDef, ast.Module)):
            return None
        if not left and isinstance(anc, (ast.For, ast.AsyncFor, ast.While)) \
                and _holds(anc.body, child):
            return None
        if isinstance(child, ast.ExceptHandler) and isinstance(anc, TRY_NODES):
            tail += anc.finalbody
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(anc, name, None)
            if not (isinstance(stmts, list) and _holds(stmts, child)):
                continue
            if not left:
                following, left = _until_leaving(_after(stmts, child))
                tail += following
                if isinstance(anc, TRY_NODES) and name == "body" and not left:
                    tail += anc.orelse
            if isinstance(anc, TRY_NODES) and name in ("body", "orelse"):
                tail += anc.finalbody
        child = anc
    return None


def _until_leaving(stmts: list) -> tuple[list, bool]:
    """The statements up to the first ``return`` among them (included), and whether there is
    one.  (A ``raise`` may be caught by an enclosing ``try`` whose handler runs more code: the
    statements after it are kept.)"""
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, ast.Return):
            return stmts[:i + 1], True
    return stmts, False


def _holds(stmts: list, child) -> bool:
    return any(s is child for s in stmts)


def _after(stmts: list, child) -> list:
    for i, s in enumerate(stmts):
        if s is child:
            return stmts[i + 1:]
    return []


def _without_savepoint(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and any(
        kw.arg == "savepoint" and isinstance(kw.value, ast.Constant) and kw.value.value is False
        for kw in expr.keywords)


def _quiet_exit(ctx, with_node) -> bool:
    """Leaving ``with_node`` (normally, or by a return) runs no query: each context manager
    is a call that never queries (``translation.override()``: project/queries.py), ``open()``,
    or a context manager of the project whose code after its ``yield`` (or whose
    ``__exit__``) makes none (project/functions.py).  Any other one's exit may query."""
    for item in with_node.items:
        expr = item.context_expr
        if not isinstance(expr, ast.Call):
            return False
        if dotted_name(expr.func) == "open" and "open" not in ctx.summary.imports:
            continue
        if orm.runs_no_query(ctx, [expr]):
            continue
        if not _project_context(ctx, expr) & QUIET_EXIT:
            return False
    return True


def _project_context(ctx, call: ast.Call) -> int:
    """The QUIET_ENTER / QUIET_EXIT bits of the project context manager ``call`` makes."""
    index = _where.functions(ctx)
    qual = _project_qual(ctx, call, index, classes=True)
    return index.context_quiet(qual) if qual else 0


def _writes_before(ctx, try_node, block) -> bool:
    """A write in ``block`` (the transaction's ``with`` or function) on a line before the
    try: an ORM write, or a call of a project function (what it writes is not known here),
    unless it is a context manager of the project entered here whose code before its
    ``yield`` (or whose ``__enter__``) writes nothing (it may read)."""
    body = block.body
    entered = {id(item.context_expr) for node in ctx.ancestors(try_node)
               if isinstance(node, (ast.With, ast.AsyncWith)) for item in node.items}
    for stmt in body:
        if stmt.lineno >= try_node.lineno:
            break
        for sub in [stmt, *orm.walk_scope(stmt)]:
            if isinstance(sub, ast.Call) and sub.lineno < try_node.lineno and (
                    _is_write(ctx, sub) or _calls_project_code(ctx, sub)) and not (
                    id(sub) in entered and _project_context(ctx, sub) & QUIET_ENTER
                    and all(orm.runs_no_query(ctx, [a]) for a in [*sub.args, *(
                        k.value for k in sub.keywords)])):
                return True
    return False


def _calls_project_code(ctx, call: ast.Call) -> bool:
    """A call of one of the project's functions or methods (the function index's units);
    without an index, any call orm.runs_no_query does not clear."""
    if isinstance(call.func, ast.Attribute) and call.func.attr in (
            "get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create",
            "acreate", "asave", "abulk_create", "adelete", "aupdate"):
        return True
    index = _where.functions(ctx)
    if index is None or not ctx.module:
        return not orm.runs_no_query(ctx, [call])
    return _project_qual(ctx, call, index) is not None


def _project_qual(ctx, call: ast.Call, index, classes: bool = False) -> str | None:
    """The project's function or method (or, with ``classes``, class) ``call`` calls
    (orm.project_callee; a class of the project built here is not taken for a write: what
    its constructor does is the model rules' business)."""
    return orm.project_callee(ctx, call, index, classes)


def _describe(call: ast.Call) -> str:
    return f"{orm.text(call.func)}()"
