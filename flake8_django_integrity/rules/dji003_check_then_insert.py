"""DJI003: check-then-insert race, reported at the write the check guards.

"Does the row exist? No, so create it": between the read and the insert another request can
insert the same row.  The rule starts at each write (``create()``, ``create_user()``,
``bulk_create()`` without conflict handling, ``save()`` of an instance built in the guarded
code) and walks up its function looking for what lets the write run only when a read of the
same model found nothing:

- the body of ``if not <check>:`` / the ``else`` of ``if <check>:`` (also ``and`` / ``or``,
  ``x if ... else ...`` and ``first() or create()``);
- code after ``if <check>: return`` (or ``raise`` / ``continue`` / ``break``);
- the ``except DoesNotExist`` handler of a ``try`` around ``get()``, or the code after such a
  ``try`` whose body returns;
- a loop over, or a ``bulk_create`` of, keys missing from a set of existing keys read first.

A check is ``exists()``, ``count()`` compared with 0, ``first()`` / ``last()`` (``is None``,
truth value), ``len(qs)``, a queryset's truth value, the row count of ``qs.filter(...).update(
...)`` (0: no row matched), and a local name bound to any of these.

Reported only where the duplicate does harm (``_duplicate_harm``): a unique set of the model is
covered by the fields the write sets or the check looks up (the second insert raises
IntegrityError), or some code of the project reads one row of the model by a lookup whose fields
are all among the check's keys (``get()``, ``get_or_create()``, ``get_object_or_404()``: the two
rows both match it and it raises MultipleObjectsReturned; the message names that read).  Two rows
of a model with no such constraint that nothing reads one at a time (a queue, a history, a log)
are what the model allows.  A model whose uniqueness the index cannot read (a third-party base,
``managed = False``, a field class it cannot read) is reported as before.  Keys neither side
lets the rule read (``filter(**params)`` then ``create(**params)``; a ``**name`` bound once to a
dict literal of the function is read as its keys) may be any: reported when the model has a
unique set besides a primary key the database fills, a field class that may be unique, a
function naming the primary key in a dict, or a one-row read by anything but the primary key
(``_unknown_keys_harm``).

Left alone: a default child for a parent that has none yet (``_seeds_default``).  Left out
by default (``--dji-lint-install-once`` reports it): a check by a constant key (or the empty
lookup of a singleton) whose write inserts that row (``_made_once``): after the first insert
the check always finds it, so the race happens on the first use after an install only.
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING

from .. import orm
from ..context import FUNCTION_NODES, FileContext
from ..messages import RACE_FIXES, null_pinned_fix
from ..project.facts import ModelFact
from ..project.records import Record, replace
from ..project.summary import dotted_name, is_false
from . import _where, declared

if TYPE_CHECKING:  # project/functions.py is imported where a candidate asks the function index
    from ..project.function_units import OneRowRead

rule = declared(__name__)

CREATES = frozenset({"create", "create_user", "create_superuser", "bulk_create"})
TERMINALS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
ROW_METHODS = frozenset({"first", "last"})  # return a row or None
DOES_NOT_EXIST = frozenset(
    {"django.core.exceptions.ObjectDoesNotExist", "django.core.exceptions.DoesNotExist"}
)
_MAX_DEPTH = 6  # how many local names a check is followed through


class Check(Record):
    """A read whose answer is "no such row" on the guarded path."""

    query: orm.Query
    node: ast.AST  # the query call (its line orders it against locks)
    label: str  # how the user wrote the check, for the message
    keyed: bool = True  # compare lookup keys with the write's values
    fields: list[str] | None = None  # the fields a set of existing keys holds

    def __init__(self, query: orm.Query, node: ast.AST, label: str, keyed: bool = True,
                 fields: list[str] | None = None):
        self.query = query
        self.node = node
        self.label = label
        self.keyed = keyed
        self.fields = fields


class Write(Record):
    """A write of a row that a check guards."""

    call: ast.Call  # where the finding goes
    start: ast.AST  # where the guarded row is made (the write, or the unsaved instance)
    model: ModelFact | None
    cls_text: str  # the model class as written, for models the index cannot resolve
    keys: set[str] | None  # field names the write sets; None when unknown
    label: str
    manager: str  # the manager to suggest get_or_create() on
    constants: dict[str, str] | None = None  # field -> constant value written, as source text

    def __init__(self, call: ast.Call, start: ast.AST, model: ModelFact | None, cls_text: str,
                 keys: set[str] | None, label: str, manager: str,
                 constants: dict[str, str] | None = None):
        self.call = call
        self.start = start
        self.model = model
        self.cls_text = cls_text
        self.keys = keys
        self.label = label
        self.manager = manager
        self.constants = constants


@rule.register(ast.Call, methods=CREATES | {"save"})
def check_then_insert(ctx: FileContext, node: ast.Call) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in CREATES and func.attr != "save":
        return
    write = _write_of(ctx, node)
    if write is None:
        return
    check = _guarding_check(ctx, write)
    if check is None:
        return
    if orm.guarded_against_duplicate(ctx, node) or orm.locked_before(
            ctx, check.node, own=tuple(c for _, c in check.query.calls)):
        return
    if _keyed_by_new_row(ctx, check):
        return  # the key holds a row this call inserted: no other caller can look for it
    if _where.callers_handle_duplicate(ctx, node):
        return  # every caller catches the IntegrityError of the losing insert
    locked_model = write.model or check.query.model
    if locked_model is not None and _where.callers_lock(
            ctx, node, locked_model, set(check.query.lookup_keywords())):
        return  # every caller holds a row lock on the parent: racing checks wait for each other
    if _where.no_concurrent_reach(ctx, node):
        # only management commands, migrations or ready() reach it: no second run, and the
        # check does stop a duplicate there (so DJI001 stays silent on the write too)
        ctx.leave_unreported(node, "DJI003")
        return
    harm = _duplicate_harm(ctx, write, check)
    if harm is None:
        return  # two rows that nothing rejects and nothing reads one at a time
    if _made_once(ctx, write, check):
        # a constant key: the row the check looks for exists from the first insert on, so the
        # race can happen once per install (and the check does stop a later duplicate: DJI001
        # stays silent on the write, as where DJI003 reports it)
        ctx.leave_unreported(node, "DJI003")
        return
    model = write.model or check.query.model
    # harm: UNIQUE, else the project's one-row read that the second row breaks
    shown_write, shown_check = _read_for_message(ctx, write, check)
    fix = _fix(ctx, shown_write, shown_check) if isinstance(harm, str) else _read_fix(
        ctx, shown_write, shown_check, harm)
    ctx.report(
        node, "DJI003", model=model.name if model else _handle_text(write.cls_text), check=check.label,
        write=write.label, fix=fix,
    )


def _made_once(ctx: FileContext, write: Write, check: Check) -> bool:
    """The check looks for a row by a constant key (orm.constant_key: ``filter(name="x")``,
    ``get(pk=1)``, the empty lookup of ``Settings.objects.exists()``) and the write inserts
    that very row: each field the check compares gets a constant from the write (for an empty
    lookup any row the write makes is one the check then finds).  After the first insert the
    check always finds it: a race only on the first use after an install (_where)."""
    model = check.query.model
    if model is None or write.model is not None and write.model.qualname != model.qualname:
        return False
    node = check.node
    check = _spreads_read(ctx, check)  # get(**KEY) of a module's dict literal: its keys
    fields = {_key(f) for f in _check_fields(check)}
    if fields:
        built = write.start if isinstance(write.start, ast.Call) else None
        if built is None:
            return False  # bulk_create of a list: its rows' values are not read here
        given = {_key(kw.arg): kw.value for kw in _keywords(ctx, built)
                 if kw.arg and kw.arg not in ("defaults", "create_defaults")}
        if any(kw.arg is None for kw in _keywords(ctx, built)) or not all(
                f in given and orm.constant_value(ctx, given[f], write.call) for f in fields):
            return False
    return _where.once_per_install(ctx, check.query, node)


def _handle_text(text: str) -> str:
    """An unresolved model as the user reads it: a class as written (``Widget``), else the
    model a handle holds (``the model of `self.user_model` ``)."""
    return text if text.rpartition(".")[2][:1].isupper() else f"the model of `{text}`"


# ---------------------------------------------------------------------- the harm
UNIQUE = "unique"  # the second insert raises IntegrityError, or the plugin cannot tell


def _duplicate_harm(ctx: FileContext, write: Write, check: Check) -> str | OneRowRead | None:
    """What the second row breaks: ``UNIQUE`` when a unique set of the model covers the fields
    the write sets or the check looks up (IntegrityError), or when the model's uniqueness or
    the keys are unknown; the first one-row read of the project whose lookup fields are all
    among the check's keys (both rows match it: MultipleObjectsReturned); None when neither."""
    model = write.model or check.query.model
    if model is None or not model.complete or not model.managed or model.abstract:
        return UNIQUE  # constraints the index cannot read
    checked = _checked_keys(model, check)
    written = None if write.keys is None else {_normal(model, k) for k in write.keys}
    if checked is None and written is None:
        return _unknown_keys_harm(ctx, model, write)
    keys = (checked or set()) | (written or set())
    # a unique column save() or a pre_save receiver computes from the keys binds the row too
    keys |= orm.derived_fields(model, keys, written or set())
    if any(model.fields[k].unique is None for k in keys if k in model.fields):
        return UNIQUE  # a field class that may make the column unique
    for u in model.unique_sets:
        fields = set(u.refs.split()) if u.expressions else set(u.fields)
        if not fields:
            return UNIQUE  # a constraint over expressions the index cannot read
        if fields <= keys:
            return UNIQUE
        if written is None and u.source != "primary_key":
            return UNIQUE  # the write may set this set's fields (form.save(), **kwargs)
    identity = checked if checked else written
    reads = _model_reads(ctx, model)
    if reads is None:
        return UNIQUE  # the project's reads are unknown
    found = [r for r in reads if r.fields and set(r.fields) <= identity]
    if not found and checked and check.label.startswith("get()"):
        # the check's own get() reads one row by its keys, even where the index could not tell
        # its model (``self.user_model.objects.get(email=...)``, the model held in a base
        # class's attribute): the second row makes it raise MultipleObjectsReturned
        found = [_check_as_read(ctx, check, checked)]
    if not found:
        return None
    # the check's own get() first (``get() ... except DoesNotExist``), then in file order
    return min(found, key=lambda r: (not _own_get(ctx, check, r, identity), r.path, r.line))


def _check_as_read(ctx: FileContext, check: Check, keys: set[str]) -> OneRowRead:
    from ..project.function_units import OneRowRead  # loaded already: the reads came from it

    return OneRowRead(tuple(sorted(keys)), _where.unit_qualname(ctx, check.node) or "",
                      ctx.filename, getattr(check.node, "lineno", 0), "")


def _unknown_keys_harm(ctx: FileContext, model: ModelFact, write: Write) -> str | OneRowRead | None:
    """The harm of a duplicate when neither the check's nor the write's keys can be read
    (``filter(**params)`` then ``create(**params)``, params not a dict literal of this
    function): the keys may be any fields of the model, so ``UNIQUE`` when the model has a
    unique set besides a primary key the database fills (the keys may cover it) or a field
    whose class may make it unique; the first one-row read of the project by fields other
    than the primary key (the keys may be those); None when neither: a queue or a log that
    nothing reads one row at a time, where a second row is what the model allows."""
    if any(f.unique is None for f in model.fields.values()):
        return UNIQUE  # a field class that may make the column unique
    for u in model.unique_sets:
        if u.source != "primary_key" or not _fresh_primary_key(model, u):
            return UNIQUE  # the unknown keys may cover it
    if _names_primary_key(ctx, model, write.call):
        return UNIQUE  # the keys may set the primary key (``{"id": 1, ...}`` changed later)
    reads = _model_reads(ctx, model)
    if reads is None:
        return UNIQUE  # the project's reads are unknown
    pk = {model.pk_name, "pk"}
    found = [r for r in reads if r.fields and not set(r.fields) & pk]  # a pk matches one row
    return min(found, key=lambda r: (r.path, r.line)) if found else None


def _names_primary_key(ctx: FileContext, model: ModelFact, at: ast.AST) -> bool:
    """The function of ``at`` names the model's primary key as a dict key (``{"id": 1}``,
    ``params["pk"] = x``) or as a keyword of ``dict()`` / ``.update()`` / ``.setdefault()``:
    keys built there that the plugin cannot read whole may set it."""
    names = {model.pk_name, "pk"}
    func = ctx.enclosing_function(at)
    for node in orm.walk_scope(func if func is not None else ctx.tree):
        if isinstance(node, ast.Dict):
            if any(isinstance(k, ast.Constant) and k.value in names for k in node.keys):
                return True
        elif isinstance(node, ast.Subscript):
            if isinstance(node.ctx, ast.Store) and isinstance(node.slice, ast.Constant) \
                    and node.slice.value in names:
                return True
        elif isinstance(node, ast.Call) and (dotted_name(node.func) == "dict" or isinstance(
                node.func, ast.Attribute) and node.func.attr in ("update", "setdefault")):
            if any(kw.arg in names for kw in node.keywords):
                return True
            first = node.args[0] if node.args else None
            if dotted_name(node.func) != "dict" and node.func.attr == "setdefault" and isinstance(
                    first, ast.Constant) and first.value in names:
                return True
    return False


def _fresh_primary_key(model: ModelFact, u) -> bool:
    """A primary key the database or a callable default fills (an auto field, ``default=
    uuid4``): a write need not set it, so the unknown keys are taken not to repeat it.  A
    natural key (``code = CharField(primary_key=True)``) is one the write sets."""
    fact = model.fields.get(u.fields[0]) if len(u.fields) == 1 else None
    return fact is not None and (fact.generated or (
        fact.has_default is True and not fact.constant_default))


def _model_reads(ctx: FileContext, model: ModelFact) -> list[OneRowRead] | None:
    """The project's one-row reads of ``model`` (through its class, a concrete parent's, or a
    parent's related manager), each with its lookup's fields as the model names them, sorted
    (the parent's foreign key added for a related manager); None when the project's reads are
    unknown."""
    index = _where.functions(ctx)
    if index is None:
        return None
    try:
        by_class, by_accessor = index.one_row_reads()
    except Exception:  # an odd project: its reads are unknown, never a crash
        return None
    classes = dict.fromkeys((model.qualname, *model.concrete_parents, _table(model)))
    candidates = [(r, ()) for q in classes for r in by_class.get(q, ())]
    for f in model.fields.values():
        if f.relation == "fk":
            accessor = f.related_name or f"{model.name.lower()}_set"
            candidates.extend((r, (f.name,)) for r in by_accessor.get(accessor, ()))
    out = []
    for read, parent in candidates:
        fields = {_normal(model, k) for k in (*read.fields, *parent)}
        out.append(replace(read, fields=tuple(sorted(fields))))
    return out


def _in_this_file(ctx: FileContext, read: OneRowRead) -> bool:
    return os.path.abspath(read.path) == ctx.filename


def _own_get(ctx: FileContext, check: Check, read: OneRowRead, identity: set[str]) -> bool:
    """The read is the check's own get(): in this file's function of the check, by exactly
    the check's keys (told by function, not by line: an unsaved buffer's lines differ from
    the file the index read)."""
    return check.label.startswith("get()") and _in_this_file(ctx, read) and set(
        read.fields) == identity and read.unit == _where.unit_qualname(ctx, check.node)


def _normal(model: ModelFact, name: str) -> str:
    """A lookup's field name as the model names it (``author_id`` -> ``author``, ``pk``)."""
    name = name.partition("__")[0]
    return orm.normalise_field(model, name) or name


def _checked_keys(model: ModelFact, check: Check) -> set[str] | None:
    """The fields the check looks the row up by; None when they cannot be read."""
    if not check.keyed:
        return {_normal(model, f) for f in check.fields} if check.fields else None
    for name, call in check.query.calls:
        if name in ("filter", "get") and (
                call.args or any(kw.arg is None for kw in call.keywords)):
            return None  # Q(...) or **lookup
    keys = _check_fields(check)
    return {_normal(model, k) for k in keys} if keys else None


def _read_fix(ctx: FileContext, write: Write, check: Check, read: OneRowRead) -> str:
    """Which read the second row breaks, then the fix the check's keys call for."""
    model = write.model or check.query.model
    from ..project.function_scan import UNKNOWN_KEYS  # loaded already: a read came from the function index

    unknown_read = UNKNOWN_KEYS in read.fields
    looked = ", ".join(read.fields)
    path = read.path
    if ctx.root:
        try:
            path = os.path.relpath(read.path, ctx.root)
        except ValueError:
            pass
    # a line of this file as the index read it from disk may not be the buffer's: the
    # function names it in this file
    at = "this file" if _in_this_file(ctx, read) else f"{path}:{read.line}"
    checked = _checked_keys(model, check)
    identity = checked or set()
    by = "a lookup it cannot read" if unknown_read else f"({looked})"
    where = "this check's own get()" if _own_get(ctx, check, read, identity) else (
        f"the one-row read of {model.name} by {by} in `{read.unit}` ({at})")
    if checked is None and write.keys is None:  # the keys are unknown: the read may use them
        spreads = {dotted_name(kw.value) for _, call in check.query.calls
                   for kw in call.keywords if kw.arg is None}
        held = f"**{spreads.pop()}" if len(spreads) == 1 and None not in spreads else "the lookup"
        keys = "its keys" if unknown_read else f"({looked})"
        return (f"both runs insert a row, and if {held} holds {keys} {where} then raises "
                f"MultipleObjectsReturned; {_fix(ctx, write, check)}")
    return (f"both runs insert a row, and {where} then raises MultipleObjectsReturned; "
            f"{_fix(ctx, write, check)}")


# ---------------------------------------------------------------------- the write
def _write_of(ctx: FileContext, node: ast.Call) -> Write | None:
    attr = node.func.attr
    if attr in ("save", "create") and isinstance(node.func.value, ast.Name):
        # form.save() / serializer.save() / serializer.create(data): the ModelForm's or
        # ModelSerializer's Meta.model gets a new row (the helper that saves, read from its
        # class's summary)
        saved = orm.form_write_model(ctx, node)
        if saved is not None and not saved.abstract:
            return Write(node, node, saved, saved.name, None, f"{node.func.value.id}.{attr}()",
                         f"{saved.name}.objects")
    if attr in CREATES:
        q = _query(ctx, node)
        if q is None or q.method != attr or len(q.calls) != 1 and not _plain_chain(q):
            return None
        if attr == "bulk_create" and any(
            kw.arg in ("ignore_conflicts", "update_conflicts") and not is_false(kw.value)
            for kw in node.keywords
        ):
            return None
        keywords = _keywords(ctx, node)
        keys = None if attr == "bulk_create" else _keys(keywords, q)
        start = node.args[0] if attr == "bulk_create" and node.args else node
        return Write(node, start, q.model, _class_text(q), keys, f"{attr}()", q.receiver,
                     _constants(keywords))
    # obj.save() of an instance built unsaved: M(...).save() or obj = M(...); ...; obj.save()
    if node.args or any(kw.arg in ("force_update", "update_fields") for kw in node.keywords):
        return None
    receiver = node.func.value
    built = None
    if isinstance(receiver, ast.Call):
        built = receiver
    elif isinstance(receiver, ast.Name):
        built = _constructor_binding(ctx, receiver, node)
        if built is not None and orm.inserted_before(ctx, receiver, built, node) is not None:
            return None  # saved once already: this save() updates that row
    if built is None:
        return None
    model = orm.class_expr_model(ctx, built.func, node)
    cls_text = dotted_name(built.func) or ""
    last = cls_text.rpartition(".")[2]
    if model is None and not cls_text[:1].isupper() and not last[:1].isupper() \
            and not orm.is_model_handle(ctx, built.func, node):
        return None
    if model is not None and (model.abstract or model.qualname.startswith("builtins.")):
        return None
    keywords = _keywords(ctx, built)
    keys = None if any(kw.arg is None for kw in keywords) else {_key(kw.arg) for kw in keywords}
    if keys is not None and isinstance(receiver, ast.Name):
        keys.update(_attributes_set(ctx, receiver.id, built.lineno, node.lineno, node))
    return Write(node, built, model, cls_text, keys, "save()",
                 f"{model.name if model else cls_text}.objects", _constants(keywords))


def _constant_text(node: ast.expr) -> str | None:
    """Source text of a value that names one fixed value: a literal or ``Cls.SOME_STATE``."""
    if isinstance(node, ast.Constant):
        return repr(node.value)
    dotted = dotted_name(node)
    if dotted and "." in dotted:
        last = dotted.rpartition(".")[2]
        if last.isupper() and any(c.isalpha() for c in last):
            return dotted
    return None


def _constants(keywords: list[ast.keyword]) -> dict[str, str]:
    out = {}
    for kw in keywords:
        if kw.arg and "__" not in kw.arg:
            text = _constant_text(kw.value)
            if text is not None:
                out[_key(kw.arg)] = text
    return out


def _checked_constants(check: Check) -> dict[str, set[str]]:
    """Field -> the constant values the check's lookup allows (``state=A``,
    ``state__in=(A, B)``)."""
    out: dict[str, set[str]] = {}
    for name, call in check.query.calls:
        if name not in ("filter", "get"):
            continue
        for kw in call.keywords:
            if not kw.arg:
                continue
            field, _, lookup = kw.arg.partition("__")
            if lookup in ("", "exact"):
                values = [kw.value]
            elif lookup == "in" and isinstance(kw.value, (ast.Tuple, ast.List, ast.Set)):
                values = kw.value.elts
            else:
                continue
            texts = [_constant_text(v) for v in values]
            if texts and all(t is not None for t in texts):
                out.setdefault(_key(field), set()).update(texts)
    return out


def _query(ctx: FileContext, node: ast.Call) -> orm.Query | None:
    """The ORM query of a call; for a related manager of an instance the index cannot type
    (``event.layouts.exists()`` / ``event.layouts.create()``) a query without a model,
    matched to others by the receiver as written."""
    q = orm.query_of(ctx, node)
    if q is not None:
        return q
    return ctx.memo(("dji003-raw", id(node)), lambda: _raw_query(node))


def _raw_query(node: ast.Call) -> orm.Query | None:
    calls = []
    base = node
    while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
        calls.append((base.func.attr, base))
        base = base.func.value
    calls.reverse()
    if not calls or not isinstance(base, ast.Attribute) or not isinstance(base.value, ast.Name):
        return None
    if base.value.id in ("self", "cls") or base.attr.startswith("_") or base.attr in (
            "objects", "model", "request", "session", "cache", "data", "cleaned_data"):
        return None
    method = calls[-1][0]
    if not all(name in ("filter", "exclude", "all", "using") for name, _ in calls[:-1]):
        return None
    if method not in ("exists", "count", "first", "last", "create", "filter", "values_list",
                      "values"):
        return None
    return orm.Query(None, orm.text(base), base, calls, None)


def _attributes_set(ctx: FileContext, name: str, start: int, end: int, at: ast.AST) -> set[str]:
    """Fields set as ``obj.field = ...`` on lines ``start``..``end`` of ``at``'s function."""
    func = ctx.enclosing_function(at)
    scope = func if func is not None else ctx.tree
    found = set()
    for node in orm.walk_scope(scope):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(
                node.value, ast.Name) and node.value.id == name and start <= node.lineno <= end:
            found.add(_key(node.attr))
    return found


def _plain_chain(q: orm.Query) -> bool:
    return all(name in ("using", "db_manager", "all") for name, _ in q.calls[:-1])


def _constructor_binding(ctx: FileContext, name: ast.Name, at: ast.AST) -> ast.Call | None:
    """The ``M(...)`` call a local name was last bound to before ``at``, if that is what it is."""
    for value in _assigned_values(ctx, name, at):
        if _exclusive(ctx, value, at):
            continue  # bound on another branch (the except of a try, the else of an if)
        if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
            text = dotted_name(value.func) or ""
            last = text.rpartition(".")[2]
            if text in ("cls", "self.model", "self.__class__"):
                return value
            if orm.is_model_handle(ctx, value.func, at):
                return value  # model(...) of a model held in a parameter or local
            if not last[:1].isupper() or last.endswith(("Error", "Exception")):
                return None  # a function or a query, not a class: a cheap test before resolving
            return value  # its model (or, unresolved, its name) is read by the caller
        return None
    return None


def _exclusive(ctx: FileContext, a: ast.AST, b: ast.AST) -> bool:
    """Do ``a`` and ``b`` sit on branches that never both run (if/else, except/else)?"""
    chain_a = [a, *ctx.ancestors(a)]
    ids_a = {id(n): i for i, n in enumerate(chain_a)}
    child_b = b
    for node in ctx.ancestors(b):
        if id(node) in ids_a:
            i = ids_a[id(node)]
            child_a = chain_a[i - 1] if i > 0 else None
            if child_a is None:
                return False
            pair = {_branch(node, child_a), _branch(node, child_b)}
            if len(pair) < 2:
                return False
            if isinstance(node, (ast.If, ast.IfExp)):
                return pair == {"body", "orelse"}
            if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                # one except and the else, or two different excepts
                return all(isinstance(p, tuple) or p == "orelse" for p in pair)
            return isinstance(node, ast.Match) and all(isinstance(p, tuple) for p in pair)
        child_b = node
    return False


def _branch(node: ast.AST, child: ast.AST):
    for name, value in ast.iter_fields(node):
        if value is child:
            return name
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is child:
                    return (name, i) if name in ("handlers", "cases") else name
    return None


def _read_for_message(ctx: FileContext, write: Write, check: Check) -> tuple[Write, Check]:
    """The write and the check with a ``**name`` spread rebound in the function read as the
    dict literal that reaches each call (``_keywords``' ``reaching``), for the fix the message
    gives: the finding itself is judged on what is read without it."""
    check = _spreads_read(ctx, check, reaching=True)
    call = write.start if isinstance(write.start, ast.Call) else write.call
    if write.keys is not None or write.label == "bulk_create()" or not any(
            kw.arg is None for kw in call.keywords):
        return write, check
    keywords = _keywords(ctx, call, reaching=True)
    q = _query(ctx, call) if call is write.call else None
    if q is None or any(kw.arg is None for kw in keywords):
        return write, check
    return replace(write, keys=_keys(keywords, q), constants=_constants(keywords)), check


def _keys(keywords: list[ast.keyword], q: orm.Query) -> set[str] | None:
    if any(kw.arg is None for kw in keywords):
        return None
    keys = {_key(kw.arg) for kw in keywords}
    if q.related_to is not None:
        keys.add(q.related_to[1])
    return set(orm.with_filled_fields(q.model, dict.fromkeys(keys)))


def _keywords(ctx: FileContext, call: ast.Call, reaching: bool = False) -> list[ast.keyword]:
    """A call's keywords, with one ``**name`` spread read as the items of the dict literal
    (``{"a": x}``, ``dict(a=x)``, constant string keys) that its function binds ``name`` to,
    once, before the call and never changes (orm.dict_bindings), or of a ``**{...}`` literal:
    the keys are then known as if written out.  Any other spread is kept (``kw.arg`` None:
    keys unknown).  ``reaching`` (for the message only): a name the function binds to
    several dict literals is read as the one binding that reaches the call
    (orm.reaching_bindings: ``LOOKUP = {...}`` in a ``try`` and again in its ``except``)."""
    return ctx.memo(("dji003-keywords", id(call), reaching),
                    lambda: _read_spread(ctx, call, reaching))


def _read_spread(ctx: FileContext, call: ast.Call, reaching: bool = False) -> list[ast.keyword]:
    spreads = [kw.value for kw in call.keywords if kw.arg is None]
    if len(spreads) != 1:
        return call.keywords
    value = spreads[0]
    if isinstance(value, ast.Name):
        bound = orm.dict_bindings(ctx, value, call)
        if reaching and bound and len(bound) > 1:  # rebound: the one that reaches the call
            bound = orm.reaching_bindings(ctx, bound, call)
        if not bound or len(bound) != 1 or bound[0].lineno > call.lineno:
            return call.keywords  # bound several ways (or not here): the keys are unknown
        value = bound[0]
    items = orm.dict_literal_items(value)
    if items is None:
        return call.keywords
    plain = [kw for kw in call.keywords if kw.arg is not None]
    if any(k in {kw.arg for kw in plain} for k, _ in items):
        return call.keywords  # a key given twice: a TypeError at run time, not a lookup
    return plain + [ast.keyword(arg=k, value=v) for k, v in items]


def _spreads_read(ctx: FileContext, check: Check, reaching: bool = False) -> Check:
    """``check`` with the ``**name`` spreads of its filter() / get() calls read as their dict
    literals (_keywords), so its keys are known as if written out."""
    if not check.keyed:
        return check
    calls = []
    for name, call in check.query.calls:
        keywords = _keywords(ctx, call, reaching) if name in ("filter", "get", "exclude") \
            else call.keywords
        if keywords is not call.keywords:
            call = ast.copy_location(ast.Call(func=call.func, args=call.args, keywords=keywords),
                                     call)
        calls.append((name, call))
    if all(c is old for (_, c), (_, old) in zip(calls, check.query.calls)):
        return check
    return replace(check, query=replace(check.query, calls=calls))


def _key(lookup: str) -> str:
    name = lookup.partition("__")[0]
    if name.endswith("_id"):
        name = name[:-3]
    return "pk" if name == "id" else name


def _class_text(q: orm.Query) -> str:
    if q.model is None and isinstance(q.manager, ast.Attribute) and q.manager.attr not in (
            "objects", "_default_manager", "_base_manager"):
        return q.receiver  # a related manager: ``event.layouts``
    if isinstance(q.manager, ast.Attribute):
        return dotted_name(q.manager.value) or q.receiver
    return q.receiver


# ---------------------------------------------------------------------- the guard
def _guarding_check(ctx: FileContext, write: Write) -> Check | None:
    for check in _checks_above(ctx, write.start):
        check = _spreads_read(ctx, check)
        if _same_rows(check, write) and not _stale_lookup(ctx, check, write):
            # the innermost check decides: under ``if not parent.children.exists():`` the
            # write is the parent's first child, whatever an outer check looked for
            return None if _seeds_default(check, write, ctx) else check
    return None


def _seeds_default(check: Check, write: Write, ctx: FileContext | None = None) -> bool:
    """"Give the parent a default child if it has none yet": the check's lookup names one
    relation or none (``event.phases.exists()``, ``filter(event=self)``), no unique set of the model
    is covered by it and the write sets no unique set either.  Two concurrent callers then
    insert two children, which the one-to-many relation allows: no IntegrityError, nothing
    to fix (a unique constraint on the parent alone would break the model).  A lookup with a
    value of the row's own (a name, slug, email, code) is a natural key and stays reported,
    with or without a constraint; so do a lookup of two parents (the row linking them) and a
    parent-only lookup that a unique set covers (a one-to-one child).  A write that covers a
    unique set with a value fresh by construction in it (``name=f"tmp-{uuid4()}"``) inserts a
    row no concurrent caller can repeat: it counts as setting none."""
    if not check.keyed and not check.fields:
        return False  # ``except M.DoesNotExist`` on an unknown access: the lookup is unknown
    for name, call in check.query.calls:
        if name not in ("exclude", "update") and (
                any(kw.arg is None for kw in call.keywords) or call.args and name != "get"):
            return False  # **lookup or Q(...): the keys are unknown
    keys = _check_fields(check)
    model = check.query.model or write.model
    if model is None:
        # a related manager of an instance the index cannot type: its parent is the lookup
        manager = check.query.manager
        return not keys and isinstance(manager, ast.Attribute) and manager.attr not in (
            "objects", "_default_manager", "_base_manager")
    parents = set()
    for key in keys:
        name = key.partition("__")[0]
        field = model.fields.get(name) or (
            model.fields.get(name[:-3]) if name.endswith("_id") else None)
        if field is None or field.relation is None:
            return False  # a value of the row's own, the primary key, or an unknown name
        parents.add(field.name)
    if len(parents) > 1:
        return False  # the row that links two parents (a user's profile for an event)
    if orm.unique_sets_covered(model, set(keys), plain_only=False, nulls=_check_nulls(model, check)):
        return False  # a one-to-one child: the duplicate is rejected
    written = write.model or model
    if write.keys is None:
        return False
    covered = orm.unique_sets_covered(written, write.keys, plain_only=False,
                                      nulls=_write_nulls(written, write))
    if covered and not (ctx is not None and all(_fresh_in(ctx, write, u.fields) for u in covered)):
        return False  # the default row itself collides with one inserted meanwhile
    return True


def _fresh_in(ctx: FileContext, write: Write, fields) -> bool:
    """The write gives one of ``fields`` a value unique by construction (``uuid4()``, ...,
    or the call of a project function that returns one: ``self.get_username()``)."""
    call = write.start if isinstance(write.start, ast.Call) else write.call
    names = set(fields)
    return any(kw.arg is not None and _key(kw.arg) in names and (
        orm.is_fresh_value(ctx, kw.value) or isinstance(kw.value, ast.Call) and orm.returns_fresh(
            ctx, kw.value)) for kw in _keywords(ctx, call))


def _checks_above(ctx: FileContext, start: ast.AST):
    """Checks that hold (answered "missing") wherever ``start`` runs, innermost first."""
    if isinstance(start, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.Name, ast.BinOp)):
        yield from _missing_items(ctx, start, start, 0)
    child = start
    for parent in ctx.ancestors(start):
        if isinstance(parent, ast.ClassDef):
            return
        if isinstance(parent, FUNCTION_NODES):
            if child in getattr(parent, "body", ()):
                yield from _early_exits(ctx, parent.body[: parent.body.index(child)])
            return
        if isinstance(parent, (ast.If, ast.IfExp)):
            if child is parent.body or (isinstance(parent.body, list) and child in parent.body):
                yield from _guards(ctx, parent.test, True, parent, 0)
            elif child is parent.orelse or (
                    isinstance(parent.orelse, list) and child in parent.orelse):
                yield from _guards(ctx, parent.test, False, parent, 0)
        elif isinstance(parent, ast.BoolOp):
            idx = next((i for i, v in enumerate(parent.values) if v is child), 0)
            truth = isinstance(parent.op, ast.And)
            for earlier in parent.values[:idx]:
                yield from _guards(ctx, earlier, truth, parent, 0)
        elif isinstance(parent, ast.ExceptHandler):
            try_node = ctx.parent(parent)
            if child in parent.body and _catches_does_not_exist(ctx, parent):
                gets = list(_gets_in(ctx, try_node.body, [parent]))
                yield from gets
                if not gets:
                    yield from _does_not_exist_checks(ctx, parent)
        elif isinstance(parent, (ast.For, ast.AsyncFor)) and child in parent.body:
            yield from _missing_items(ctx, parent.iter, parent, 0)
        for body in orm.statement_lists(parent):
            if child in body:
                yield from _early_exits(ctx, body[: body.index(child)])
        child = parent


def _early_exits(ctx: FileContext, before: list[ast.stmt]):
    """Checks made true by earlier statements that leave the block when the row exists."""
    for stmt in reversed(before):
        if isinstance(stmt, ast.If):
            if _terminates(stmt.body) and not stmt.orelse:
                yield from _guards(ctx, stmt.test, False, stmt, 0)
            elif stmt.orelse and _terminates(stmt.orelse) and not _terminates(stmt.body):
                yield from _guards(ctx, stmt.test, True, stmt, 0)
        elif isinstance(stmt, ast.Try) and (_terminates(stmt.body) or _terminates(stmt.orelse)):
            handlers = [h for h in stmt.handlers
                        if _catches_does_not_exist(ctx, h) and not _terminates(h.body)]
            if handlers:
                yield from _gets_in(ctx, stmt.body, handlers)


def _terminates(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], TERMINALS)


def _guards(ctx: FileContext, test: ast.expr, truth: bool, at: ast.AST, depth: int):
    """Checks known to have found no row when ``test`` evaluates to ``truth``."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        yield from _guards(ctx, test.operand, not truth, at, depth + 1)
        return
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And) == truth:  # and -> all true; or -> all false
            for value in test.values:
                yield from _guards(ctx, value, truth, at, depth + 1)
        return
    if isinstance(test, ast.NamedExpr):
        yield from _guards(ctx, test.value, truth, at, depth + 1)
        return
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Is, ast.IsNot)) and _is_none(right):
            # x is None  ==  not x
            yield from _guards(ctx, left, truth != isinstance(op, ast.Is), at, depth + 1)
            return
        if isinstance(op, (ast.In, ast.NotIn)):
            if truth == isinstance(op, ast.NotIn):
                check = _existing_keys(ctx, right, at, depth + 1)
                if check is not None:
                    yield check
            return
        sense = _zero_compare(left, op, right)
        if sense is not None:
            counted = left if not _is_number(left) else right
            yield from _guards(ctx, counted, truth == sense, at, depth + 1)
        return
    if not truth:  # the value is falsy: no row
        check = _truthy_check(ctx, test, at, depth)
        if check is not None:
            yield check


def _truthy_check(ctx: FileContext, node: ast.expr, at: ast.AST, depth: int) -> Check | None:
    """A check whose value is falsy exactly when no row matched."""
    if isinstance(node, ast.Name):
        for value in _assigned_values(ctx, node, at):
            check = _truthy_check(ctx, value, at, depth + 1) if depth < _MAX_DEPTH else None
            if check is not None:
                return check
        return None
    if isinstance(node, ast.NamedExpr):
        return _truthy_check(ctx, node.value, at, depth + 1)
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name) and node.func.id in ("len", "bool") and len(node.args) == 1:
        inner = _queryset(ctx, node.args[0], at, depth + 1)
        return Check(inner, node, f"{node.func.id}()") if inner is not None else None
    q = _query(ctx, node)
    if q is None or q.method in orm.CREATE_METHODS or q.method in (
            "get_or_create", "update_or_create", "bulk_create", "save"):
        return None
    if q.method in ("exists", "count") or q.method in ROW_METHODS:
        return Check(q, node, f"{q.method}()")
    if q.method == "update" and len(q.calls) > 1:
        # ``updated = qs.filter(...).update(...)``; ``if not updated: create(...)``: the row
        # count is 0 exactly when no row matched the filter
        return Check(q, node, "update() that matched no row")
    if q.method in orm.PASSTHROUGH and q.method not in ("none",):
        return Check(q, node, "the queryset's truth value")
    return None


def _queryset(ctx: FileContext, node: ast.expr, at: ast.AST, depth: int) -> orm.Query | None:
    if isinstance(node, ast.Call):
        q = _query(ctx, node)
        return q if q is not None and q.method in orm.PASSTHROUGH else None
    if isinstance(node, ast.Name) and depth < _MAX_DEPTH:
        for value in _assigned_values(ctx, node, at):
            q = _queryset(ctx, value, at, depth + 1)
            if q is not None:
                return q
    return None


def _existing_keys(ctx: FileContext, node: ast.expr, at: ast.AST, depth: int) -> Check | None:
    """``existing`` in ``key not in existing``: a collection read from a model's rows."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        for value in _assigned_values(ctx, node, at):
            check = _existing_keys(ctx, value, at, depth + 1)
            if check is not None:
                return check
        return None
    held = None
    if isinstance(node, (ast.SetComp, ast.ListComp, ast.DictComp, ast.GeneratorExp)):
        elt = node.key if isinstance(node, ast.DictComp) else node.elt
        if isinstance(elt, ast.Attribute) and isinstance(elt.value, ast.Name):
            held = [elt.attr]
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            q = _query(ctx, sub)
            if q is not None and q.method not in orm.WRITE_METHODS and q.method not in (
                    "exists", "count", "get", "delete", "update"):
                for name, call in q.calls:
                    if name in ("values_list", "values", "in_bulk") and held is None:
                        held = [a.value for a in call.args if isinstance(a, ast.Constant)
                                and isinstance(a.value, str)] or None
                        if name == "in_bulk" and held is None:
                            held = ["pk"]
                return Check(q, sub, "the set of existing keys", keyed=False, fields=held)
    return None


def _missing_items(ctx: FileContext, node: ast.expr, at: ast.AST, depth: int):
    """Checks that every item of an iterable passed: ``[k for k in ks if k not in existing]``,
    ``set(ks) - existing`` or a name bound to either."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, ast.Name):
        for value in _assigned_values(ctx, node, at):
            yield from _missing_items(ctx, value, at, depth + 1)
            return
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
            "list", "set", "sorted", "tuple") and len(node.args) == 1:
        yield from _missing_items(ctx, node.args[0], at, depth + 1)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        check = _existing_keys(ctx, node.right, at, depth + 1)
        if check is not None:
            yield check
    elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        for gen in node.generators:
            for cond in gen.ifs:
                yield from _guards(ctx, cond, True, at, depth + 1)
            yield from _missing_items(ctx, gen.iter, at, depth + 1)


def _gets_in(ctx: FileContext, body: list[ast.stmt], handlers: list[ast.ExceptHandler]):
    """``get()`` calls in a try body whose model's DoesNotExist one of ``handlers`` catches:
    the handler runs when that get() found no row."""
    caught = _caught_models(ctx, handlers)
    for stmt in body:
        for sub in orm.walk_scope(stmt) if not isinstance(stmt, FUNCTION_NODES) else ():
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and (
                    sub.func.attr == "get"):
                q = _query(ctx, sub)
                if q is None or q.method != "get":
                    continue
                names = ({q.model.qualname, *q.model.concrete_parents} if q.model
                         else {_class_text(q)})
                if caught is not None and not names & caught:
                    continue  # except Other.DoesNotExist: not this get() that failed
                # (a multi-table child's DoesNotExist derives from its parent's)
                yield Check(q, sub, "get() ... except DoesNotExist")


def _does_not_exist_checks(ctx: FileContext, handler: ast.ExceptHandler):
    """``except M.DoesNotExist:`` itself says a lookup of M found nothing, even without a
    get() in the try (``profile = user.profile``: a reverse one-to-one accessor)."""
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        if isinstance(t, ast.Attribute) and t.attr == "DoesNotExist":
            model = orm.class_expr_model(ctx, t.value, handler)
            text = dotted_name(t.value) or ""
            if model is not None or text[:1].isupper() or orm.is_model_handle(ctx, t.value, handler):
                fields = _one_to_one_read(ctx, model, ctx.parent(handler)) if model else None
                yield Check(orm.Query(model, text, t.value, []), t, f"{text}.DoesNotExist",
                            keyed=False, fields=fields)


def _one_to_one_read(ctx: FileContext, model: ModelFact, try_node: ast.AST) -> list[str] | None:
    """``order.invoice_address`` in the try body: the reverse accessor of a one-to-one field
    of ``model``, so the row looked for is the one whose field holds that parent."""
    accessors = {}
    if model.concrete_parents:  # ``place.restaurant``: the parent link, the child's primary key
        accessors[model.name.lower()] = "pk"
    for f in model.fields.values():
        if f.relation == "o2o":
            accessors[f.related_name or model.name.lower()] = f.name
    if not accessors or not isinstance(try_node, ast.Try):
        return None
    for stmt in try_node.body:
        for sub in orm.walk_scope(stmt) if not isinstance(stmt, FUNCTION_NODES) else ():
            if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load) and (
                    sub.attr in accessors):
                return [accessors[sub.attr]]
    return None


def _caught_models(ctx: FileContext, handlers: list[ast.ExceptHandler]) -> set[str] | None:
    """Models whose DoesNotExist the handlers name; None when one catches any model's."""
    found: set[str] = set()
    for handler in handlers:
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for t in types:
            if not (isinstance(t, ast.Attribute) and t.attr == "DoesNotExist"):
                last = (dotted_name(t) or "").rpartition(".")[2]
                if last in ("ObjectDoesNotExist", "DoesNotExist"):
                    return None
                continue
            model = orm.class_expr_model(ctx, t.value, handler)
            if model is not None:
                found.add(model.qualname)
            else:
                found.add(dotted_name(t.value) or "")
    return found


def _catches_does_not_exist(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        dotted = dotted_name(t) or ""
        if dotted.endswith(".DoesNotExist") or dotted == "DoesNotExist":
            return True
        if (ctx.resolve(t) or dotted) in DOES_NOT_EXIST or dotted == "ObjectDoesNotExist":
            return True
    return False


def _keyed_by_new_row(ctx: FileContext, check: Check) -> bool:
    """A value the check looks up is fresh by construction before the check
    (orm.fresh_by_construction: a parent saved a few lines up, ``.pk`` of a new copy, a random
    token, the id or URL of an object a creating call just returned): the key is new, so no
    concurrent caller can check for or insert the same row."""
    if not check.keyed:
        return False
    for name, call in check.query.calls:
        if name == "exclude":
            continue
        if any(kw.arg and orm.fresh_by_construction(ctx, kw.value, check.node)
               for kw in call.keywords):
            return True
    return False


# ---------------------------------------------------------------------- same rows?
def _same_rows(check: Check, write: Write) -> bool:
    cm, wm = check.query.model, write.model
    if cm is not None and wm is not None:
        if _table(cm) not in _tables_written(wm):
            return False
    elif _class_text(check.query) != write.cls_text or not write.cls_text:
        return False
    if not check.keyed or write.keys is None:
        return True
    checked = set()
    for name, call in check.query.calls:
        if name in ("exclude", "update"):
            continue  # not the lookup (update()'s keywords are the values it sets)
        if any(kw.arg is None for kw in call.keywords) or (call.args and name != "get"):
            return True  # **lookup or Q(...): cannot tell the keys apart
        checked.update(_key(kw.arg) for kw in call.keywords)
    if check.query.related_to is not None:
        checked.add(check.query.related_to[1])
    model = cm or wm
    pk = {"pk", model.pk_name} if model is not None else {"pk"}
    if checked & pk and not write.keys & pk:
        return False  # looked up by primary key, inserted with a fresh one: another row
    for field, allowed in _checked_constants(check).items():
        written = (write.constants or {}).get(field)
        if written is not None and written not in allowed:
            return False  # the check looks for state=A, the write inserts state=B
    return not checked or bool(checked & write.keys)


def _stale_lookup(ctx: FileContext, check: Check, write: Write) -> bool:
    """The check looked up a key of the written row by a local name that is bound again
    between the check and the write (``width = scaled_width`` after the lookup): it looked
    for another row than the one written, so it guards nothing (the write is then an
    unguarded one, DJI001's)."""
    if not check.keyed or not write.keys:
        return False
    for name, call in check.query.calls:
        if name in ("exclude", "update"):
            continue
        for kw in call.keywords:
            if kw.arg and isinstance(kw.value, ast.Name) and _key(kw.arg) in write.keys \
                    and orm.rebound_between(ctx, kw.value.id, check.node, write.call):
                return True
    return False


def _table(model: ModelFact) -> str:
    """The concrete model whose table a proxy or a model reads."""
    return model.concrete_parents[-1] if model.proxy and model.concrete_parents else (
        model.bases[0] if model.proxy and model.bases else model.qualname)


def _tables_written(model: ModelFact) -> set[str]:
    """Creating a multi-table child inserts its parents' rows too."""
    return {_table(model), *model.concrete_parents}


# ---------------------------------------------------------------------- local names
def _assigned_values(ctx: FileContext, name: ast.Name, at: ast.AST) -> list[ast.expr]:
    """Values assigned to a local name before ``at`` in its function, latest first."""
    func = ctx.enclosing_function(at)
    scope = func if func is not None else ctx.tree
    table = ctx.memo(("dji003-assigned", id(scope)), lambda: _assignments(scope))
    line = getattr(at, "lineno", 10**9)
    return [value for lineno, value in reversed(table.get(name.id, ())) if lineno <= line]


def _assignments(scope: ast.AST) -> dict[str, list[tuple[int, ast.expr]]]:
    table: dict[str, list[tuple[int, ast.expr]]] = {}
    for node in orm.walk_scope(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    table.setdefault(target.id, []).append((node.lineno, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(
                node.target, ast.Name):
            table.setdefault(node.target.id, []).append((node.lineno, node.value))
        elif isinstance(node, ast.NamedExpr):
            table.setdefault(node.target.id, []).append((node.lineno, node.value))
    for entries in table.values():
        entries.sort(key=lambda e: e[0])
    return table


# ---------------------------------------------------------------------- the message
def _fix(ctx: FileContext, write: Write, check: Check) -> str:
    model = write.model or check.query.model
    keys = _check_fields(check)
    manager = write.manager if write.label != "save()" else (
        f"{model.name}.objects" if model else write.manager)
    if model is not None and keys:
        covered = orm.unique_sets_covered(model, set(keys), nulls=_check_nulls(model, check))
        if covered and all(orm.normalise_field(model, k) for k in keys):
            fields = ", ".join(_shown(model, f) for f in covered[0].fields)
            if write.label == "bulk_create()":
                return (f"pass ignore_conflicts=True to bulk_create(): the unique ({fields}) then "
                        "skips rows inserted meanwhile")
            return (f"use {manager}.get_or_create() on the unique lookup ({fields}), or create "
                    "inside transaction.atomic() and catch IntegrityError"
                    + _nullable_note(model, covered[0].fields, write))
        normal = {orm.normalise_field(model, k) for k in keys}
        derived = orm.derived_fields(model, normal - {None})
        via = orm.unique_sets_covered(model, (normal - {None}) | derived,
                                      nulls=_check_nulls(model, check)) if derived else []
        if via and None not in normal:
            fields = ", ".join(_shown(model, f) for f in via[0].fields)
            made = ", ".join(sorted(derived & set(via[0].fields)))
            return (f"use {manager}.get_or_create() on the lookup ({', '.join(keys)}): {model.name}"
                    f" computes {made} from it on save, and the unique ({fields}) rejects the "
                    "second insert; or create inside transaction.atomic() and catch IntegrityError")
        written = orm.unique_sets_covered(
            model, write.keys, nulls=_write_nulls(model, write)) if write.keys else []
        # a set the write fills with a fresh value (``username=uuid4().hex``) rejects nothing
        written = [u for u in written if not _fresh_in(ctx, write, u.fields)]
        if written:
            fields = ", ".join(written[0].fields)
            return (f"the unique ({fields}) rejects a row inserted meanwhile with IntegrityError: "
                    f"use {manager}.get_or_create() on ({fields}), or create inside "
                    "transaction.atomic() and catch IntegrityError")
        pinned = [u for u in orm.unique_sets_covered(model, set(keys))
                  if u.nulls_distinct and set(u.fields) & _check_nulls(model, check)]
        if pinned and all(orm.normalise_field(model, k.partition("__")[0]) for k in keys):
            u = pinned[0]
            return null_pinned_fix(
                list(u.fields), [f for f in u.fields if f in _check_nulls(model, check)])
        broken = _null_inserted(model, write)
        if broken:
            return broken
        checked = {orm.normalise_field(model, k) for k in keys}
        null_sets = [u for u in model.unique_sets if u.plain and not u.nulls_distinct and set(
            u.fields) > checked and all(
            model.fields.get(f) is not None and model.fields[f].null
            for f in set(u.fields) - checked)]
        if null_sets and None not in checked:
            u = null_sets[0]
            rest = ", ".join(f for f in u.fields if f not in checked)
            return (f"the unique ({', '.join(u.fields)}) with nulls_distinct=False rejects the "
                    f"duplicate when {rest} is NULL: add {rest}=None to the lookup and use "
                    f"{manager}.get_or_create(), or create inside transaction.atomic() and "
                    "catch IntegrityError")
        partial = [u for u in model.unique_sets if u.conditional and u.fields and set(u.fields) <= {
            orm.normalise_field(model, k) for k in keys}]
        if partial:
            u = partial[0]
            return RACE_FIXES["conditional"].format(
                constraint=u.name or f"on ({', '.join(u.fields)})")
        identity = write.keys is not None and all(
            orm.normalise_field(model, k) and _key(k) in write.keys for k in keys)
        if identity:  # the check looks the row up by the values the write inserts
            return RACE_FIXES["add_constraint"].format(
                model=model.name, keys=", ".join(keys), manager=manager)
        if model.complete or all(orm.normalise_field(model, k) for k in keys):
            return RACE_FIXES["not_identity"].format(keys=", ".join(keys))
    elif model is not None and _null_inserted(model, write):
        return _null_inserted(model, write)
    elif model is not None and write.keys and orm.unique_sets_covered(
            model, write.keys - {"pk"}, nulls=_write_nulls(model, write)):
        u = orm.unique_sets_covered(model, write.keys - {"pk"}, nulls=_write_nulls(model, write))[0]
        return (f"use {manager}.get_or_create() on the unique lookup ({', '.join(u.fields)}), or "
                "create inside transaction.atomic() and catch IntegrityError"
                + _nullable_note(model, u.fields, write))
    elif model is not None and model.complete:
        spreads = {dotted_name(kw.value) for _, call in check.query.calls for kw in call.keywords
                   if kw.arg is None}
        if not spreads:
            return RACE_FIXES["no_lookup"]
        written = write.start if isinstance(write.start, ast.Call) else write.call
        same = spreads & {dotted_name(kw.value) for kw in written.keywords if kw.arg is None}
        same.discard(None)
        if same:  # filter(**kwargs) then create(**kwargs): the same values are the row's identity
            # keys the rule cannot read may be a unique set the model has: name the sets, never
            # claim that none covers them
            sets = [u for u in model.unique_sets if not (
                u.source == "primary_key" and _fresh_primary_key(model, u))]
            if sets:
                return RACE_FIXES["spread_may_be_unique"].format(
                    model=model.name, spread=sorted(same)[0], manager=manager,
                    sets=" or ".join(_unique_set_text(model, u) for u in sets))
            return RACE_FIXES["add_constraint_spread"].format(
                model=model.name, spread=sorted(same)[0], manager=manager)
    shown = f" ({', '.join(keys)})" if keys else ""
    nulls = sorted(k for k, v in (write.constants or {}).items() if v == "None")
    if nulls:  # the model's sets are not known, but a NULL the insert writes never collides
        return RACE_FIXES["unknown_with_null"].format(
            manager=manager, shown=shown, nulls=", ".join(nulls),
            condition=", ".join(f"{n}__isnull=True" for n in nulls))
    return (f"use {manager}.get_or_create() if a unique constraint covers the lookup{shown}; "
            "otherwise add one")


def _nullable_note(model: ModelFact, fields, write: Write) -> str:
    """A warning for the nullable fields of a unique set that the write does not set to a
    literal other than None: a row where one is NULL collides with nothing."""
    constants = write.constants or {}
    built = write.start if isinstance(write.start, ast.Call) else write.call
    values = {_key(kw.arg): kw.value for kw in built.keywords if kw.arg}
    nullable = [f for f in fields if model.fields.get(f) is not None
                and model.fields[f].null is True and constants.get(f, "None") == "None"
                and not _never_none(values.get(f))]
    if not nullable or _nulls_equal(model, fields):
        return ""
    conditions = ", ".join(f"condition=Q({n}__isnull=True)" for n in nullable)
    return (f"; where {' or '.join(nullable)} is None that set rejects nothing (NULLs never "
            f"collide): give it nulls_distinct=False (Django 5.0+) or add a conditional "
            f"UniqueConstraint for those rows ({conditions})")


_NEVER_NONE_CALLS = frozenset({"str", "int", "float", "bool", "len", "slugify", "uuid4",
                               "now", "Decimal"})


def _never_none(value: ast.expr | None) -> bool:
    """A written value that is never None: a literal other than None, an f-string, arithmetic,
    a container, a conversion such as ``str(name)``."""
    if value is None:
        return False
    if isinstance(value, ast.Constant):
        return value.value is not None
    if isinstance(value, (ast.JoinedStr, ast.BinOp, ast.List, ast.Tuple, ast.Dict, ast.Set)):
        return True
    return isinstance(value, ast.Call) and (
        dotted_name(value.func) or "").rpartition(".")[2] in _NEVER_NONE_CALLS


def _nulls_equal(model: ModelFact, fields) -> bool:
    """A unique set over exactly ``fields`` treats NULLs as equal (nulls_distinct=False)."""
    return any(set(u.fields) == set(fields) and not u.nulls_distinct for u in model.unique_sets)


def _null_inserted(model: ModelFact, write: Write) -> str | None:
    """The fix when a unique set spans the fields the write sets but the write leaves one of
    them NULL (``entity_unit_id=None``): NULLs are distinct, so the set rejects no duplicate
    and get_or_create() on it races the same way."""
    if not write.keys:
        return None
    nulls = _write_nulls(model, write)
    broken = [u for u in orm.unique_sets_covered(model, set(write.keys) - {"pk"})
              if u.nulls_distinct and set(u.fields) & nulls]
    if not broken:
        return None
    u = broken[0]
    return null_pinned_fix(list(u.fields), [f for f in u.fields if f in nulls], inserted=True)


def _unique_set_text(model: ModelFact, u) -> str:
    """A unique set as a user reads it: its fields, else the constraint's name."""
    if u.fields:
        return f"({', '.join(_shown(model, f) for f in u.fields)})"
    return u.name or "a unique constraint over expressions"


def _shown(model: ModelFact, field: str) -> str:
    """A multi-table child's primary key is its parent link, ``<parent>_ptr``."""
    fact = model.fields.get(field)
    if model.concrete_parents and fact is not None and (fact.primary_key and fact.declared_in in (
            model.concrete_parents)):
        return model.concrete_parents[0].rpartition(".")[2].lower() + "_ptr"
    return field


def _check_nulls(model: ModelFact, check: Check) -> set[str]:
    """The fields the check's lookup pins to NULL (``f=None``, ``f__isnull=True``)."""
    return orm.null_fields(model, [kw for name, call in check.query.calls
                                   if name in ("filter", "get") for kw in call.keywords])


def _write_nulls(model: ModelFact, write: Write) -> set[str]:
    """The fields the write sets to None: they never collide in a unique set."""
    return {f for f in (orm.normalise_field(model, k) for k, v in (write.constants or {}).items()
                        if v == "None") if f}


def _check_fields(check: Check) -> list[str]:
    if not check.keyed:
        return list(check.fields or ())
    keys = []
    for name, call in check.query.calls:
        if name not in ("filter", "get"):
            continue
        for kw in call.keywords:
            if kw.arg and kw.arg not in keys:
                keys.append(kw.arg)
    if check.query.related_to is not None and check.query.related_to[1] not in keys:
        keys.insert(0, check.query.related_to[1])
    return keys


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(
        node.value, bool)


def _zero_compare(left: ast.expr, op: ast.cmpop, right: ast.expr) -> bool | None:
    """``n == 0`` -> False (n is falsy), ``n > 0`` -> True (n is truthy); None otherwise."""
    if _is_number(left) and not _is_number(right):
        flipped = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
        op = flipped.get(type(op), type(op))()
        left, right = right, left
    if not _is_number(right) or _is_number(left):
        return None
    n = right.value
    if n == 0 and isinstance(op, (ast.Eq, ast.LtE)):
        return False
    if n == 1 and isinstance(op, ast.Lt):
        return False
    if n == 0 and isinstance(op, (ast.NotEq, ast.Gt)):
        return True
    if n == 1 and isinstance(op, ast.GtE):
        return True
    return None
