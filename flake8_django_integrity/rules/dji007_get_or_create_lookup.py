"""DJI007: get_or_create() / update_or_create() on a lookup no unique constraint covers.

Both methods are a read followed by an insert.  They are safe under concurrency only when
the database rejects the second insert: the lookup (every keyword except ``defaults`` /
``create_defaults``, plus the foreign key a related manager adds) must contain all fields of
one unconditional unique set of the model (a functional one when the lookup pins every field
its expressions read, a conditional one when its condition holds for the row inserted; see
``_covers_inserted_row``) (or, for a ``nulls_distinct=False`` constraint, all
its fields but nullable ones, which the insert leaves NULL and so collide).  A set whose
NULLs are distinct covers nothing when the lookup gives one of its fields None (NULLs never
collide; orm.unique_sets_covered's ``nulls``).  The inserted row also holds the literal
defaults the lookup leaves out and the fields the model's save() or a pre_save receiver
derives from the lookup (orm.row_fields, project/derived.py): a set over those covers it too.
``f__iexact=x`` pins ``f`` when the row stores it case-normalised from the same ``x``
(``_case_pinned``).  Otherwise two
concurrent calls both insert, and every later call raises MultipleObjectsReturned.

Not reported: a model the index cannot resolve, a lookup naming a field the index does not
know (a third-party base may declare it, unique or not), a lookup passed as ``**kwargs`` that
is not a dict literal bound in the same function (each such binding is judged, and the call
is reported only when none of them is covered), a
call after a ``select_for_update()`` row lock in the same function (the lock serialises the
callers) or one that every caller the project has makes inside ``atomic()`` after locking the
model's row or a row its lookup points to (_where.callers_lock), a call in a ``try`` whose handler catches MultipleObjectsReturned (duplicates are
resolved there), a lookup holding a row this function inserted earlier, or its pk (no other
caller knows it) or any other value fresh by construction (a random token, the id or URL of
an object a creating call just returned: orm.fresh_by_construction), a call that runs only
where fewer than two rows match its lookup (under a count of the same lookup, after their
delete: orm.duplicates_tolerated), and
``field__isnull=True`` when a conditional unique set spans the lookup's other
fields (its condition, which the index does not keep, may be that one).  A model with a base
the index cannot read is still judged on the fields it can see: a base cannot make the
project's own fields unique.

Left out by default (``--dji-lint-install-once`` reports it): a lookup whose every value is
constant (orm.constant_key), which names one row that exists from its first insert on: the
race happens on the first use after an install only (_where.once_per_install).
"""

from __future__ import annotations

import ast

from .. import orm, uploads
from ..context import FileContext
from ..messages import null_pinned_fix
from ..project.derived import CASE_METHODS
from ..project.facts import ModelFact
from ..project.summary import dotted_name
from . import _where, declared

rule = declared(__name__)

METHODS = frozenset({"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"})
NOT_LOOKUP = frozenset({"defaults", "create_defaults"})
GENERIC_FK = ("content_type", "object_id")  # GenericForeignKey's default columns
MULTIPLE = "MultipleObjectsReturned"  # Model.MultipleObjectsReturned, django.core.exceptions's
# Django's file fields (FieldFact.kind is the Django class a project subclass derives from)
FILE_FIELDS = frozenset({"FileField", "ImageField"})


@rule.register(ast.Call, methods=METHODS)
def get_or_create_lookup(ctx: FileContext, node: ast.Call) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in METHODS:
        return
    if node.args:
        return  # a lookup we cannot read
    variants = _lookup_variants(ctx, node)
    if not variants:
        return
    q = orm.query_of(ctx, node)
    if q is None or q.model is None or q.method != func.attr:
        return
    model = q.model
    if model.abstract:
        return
    found = []
    for keywords in variants:
        if _uploaded_file_lookup(ctx, node, model, keywords):
            return  # it never meets a stored row: it always inserts, never finds two
        judged = _uncovered(ctx, node, model, q, keywords)
        if judged is None:
            return  # one way the lookup can be built is covered, or cannot be read: silent
        found.append(judged)
    if orm.locked_before(ctx, node):
        return
    if _duplicates_handled(ctx, node):
        return
    if orm.duplicates_tolerated(ctx, node, q, variants):
        return  # runs only where fewer than two rows match: MultipleObjectsReturned cannot follow
    per_user = _keyed_by_user(ctx, model, [kw.arg for keywords in variants for kw in keywords])
    if _where.no_concurrent_reach(ctx, node, per_user=per_user):
        return  # only management commands, migrations or ready() reach it: no second run
    if all(_where.once_per_install(ctx, q, node, keywords) for keywords in variants):
        return  # a constant lookup: the row exists after its first insert, one race per install
    keys = {kw.arg for keywords in variants for kw in keywords
            if kw.arg is not None and kw.arg not in NOT_LOOKUP}
    if q.related_to is not None:
        keys.add(q.related_to[1])
    if _where.callers_lock(ctx, node, model, keys):
        return  # every caller holds a row lock on the parent: racing calls wait for each other
    lookup, fix = found[0]
    if len(found) > 1:  # the ``**name`` spread is built one of several ways, none covered
        lookup = " | ".join(dict.fromkeys(f[0] for f in found))
        fix = (f"none of the {len(found)} lookups the spread is built as is covered; look up "
               f"by a unique field of {model.name}, or add a unique constraint for the row")
    ctx.report(node, "DJI007", method=func.attr, model=model.name, lookup=lookup, fix=fix)


def _keyed_by_user(ctx: FileContext, model: ModelFact, names: list) -> bool:
    """The lookup names a relation to the auth user model: a row per user, which that user's
    own parallel requests race on (a page that loads several at once), staff or not; with no
    constraint the duplicate stays, and every later call raises MultipleObjectsReturned."""
    try:
        user = ctx.index.user_model_label.lower()
    except Exception:  # no project index: nothing known about the user model
        return False
    for name in names:
        if not isinstance(name, str):
            continue
        name = name.split("__")[0]
        field = model.fields.get(name) or (model.fields.get(name[:-3]) if name.endswith("_id")
                                           else None)
        if field is not None and field.relation in ("fk", "o2o") \
                and (field.to or "").lower() == user:
            return True
    return False


def _lookup_variants(ctx: FileContext, node: ast.Call) -> list[list[ast.keyword]] | None:
    """The keyword lists the call can be made with: its own keywords, and for one
    ``**name`` spread, each dict literal (``{"a": x}`` / ``dict(a=x)``) the function binds
    ``name`` to before the call, each with constant string keys only (the ``if`` / ``else``
    branches that build one lookup or another).  None when a spread cannot be read."""
    plain = [kw for kw in node.keywords if kw.arg is not None]
    spreads = [kw.value for kw in node.keywords if kw.arg is None]
    if not spreads:
        return [plain]
    if len(spreads) > 1:
        return None
    spread = spreads[0]
    if isinstance(spread, ast.Dict):
        values = [spread]
    elif isinstance(spread, ast.Name):
        values = orm.dict_bindings(ctx, spread, node)
    else:
        return None
    out = []
    for value in values or ():
        items = orm.dict_literal_items(value)
        if items is None:
            return None
        out.append(plain + [ast.keyword(arg=k, value=v) for k, v in items])
    return out or None


def _uncovered(ctx: FileContext, node: ast.Call, model: ModelFact, q: orm.Query,
               keywords: list[ast.keyword]) -> tuple[str, str] | None:
    """(lookup text, fix) when no unique set covers this lookup; None when one does or the
    lookup names something the index cannot judge."""
    lookup = [kw.arg for kw in keywords if kw.arg not in NOT_LOOKUP]
    fields: set[str] = set()
    transformed = []
    for kw in keywords:
        key = kw.arg
        if key in NOT_LOOKUP:
            continue
        names = _lookup_fields(model, key)
        if names is None:
            return None  # a field the index does not know: its facts may be incomplete
        if not names:
            names = _case_pinned(model, key, kw.value, keywords)
        if not names:
            transformed.append(key)
        fields.update(names)
    if q.related_to is not None:
        fields.add(q.related_to[1])
    if any(model.fields[f].unique is None for f in fields if f in model.fields):
        return None  # a field whose class may make it unique: unknown never fires
    pinned_null = orm.null_fields(model, keywords)
    # the row get_or_create() inserts also holds literal defaults and what save() computes from
    # the lookup (a value save() derives is taken to collide: unknown never fires)
    row = fields | orm.row_fields(model, fields, _supplied(model, keywords))
    if orm.unique_sets_covered(model, row, nulls=pinned_null):
        return None  # (a NULL in a unique set with distinct NULLs never collides)
    if _covered_with_null_columns(model, fields):
        return None
    if _isnull_partial_may_cover(model, keywords, fields):
        return None
    if any(_covers_inserted_row(model, keywords, u, row, pinned_null)
           for u in model.unique_sets if not u.plain) or _complementary_pair(
               model, row, pinned_null):
        return None
    if _fresh_lookup(ctx, node, keywords):
        return None
    return (_lookup_text(q, lookup),
            _fix(model, lookup, transformed, fields, _isnull_keys(keywords), pinned_null))


def _lookup_text(q: orm.Query, lookup: list[str]) -> str:
    """The lookup as the database sees it: through a related manager (``book.reviews``) its
    foreign key to the owner comes first (``book=book, stars``), as in
    ``Review.objects.get_or_create(book=book, stars=...)``."""
    shown = list(lookup)
    if q.related_to is not None:
        owner = q.manager.value if isinstance(q.manager, ast.Attribute) else None
        key = q.related_to[1]
        if not any(k.partition("__")[0] in (key, f"{key}_id") for k in lookup):
            shown.insert(0, f"{key}={orm.text(owner)}" if owner is not None else key)
    return ", ".join(shown) if shown else "empty"


def _uploaded_file_lookup(ctx: FileContext, node: ast.Call, model: ModelFact,
                          keywords: list[ast.keyword]) -> bool:
    """The lookup holds a ``FileField`` of the model (``ImageField`` or a subclass, by the
    field's class) given a file just uploaded (uploads.py): the column holds the names the
    storage made (``upload_to``, ``get_available_name()``, which never reuses one), the lookup
    compares the uploaded file's own name, so it meets no stored row and the call always
    inserts.  A nullable field is left out: an absent upload (``FILES.get()``, an empty form
    field) looks up NULL, which the rows stored without a file may share."""
    for kw in keywords:
        if not kw.arg or kw.arg in NOT_LOOKUP:
            continue
        name, _, rest = kw.arg.partition("__")
        fact = model.fields.get(name)
        if fact is None or rest not in ("", "exact") or fact.kind not in FILE_FIELDS \
                or fact.null is not False:
            continue
        if uploads.is_uploaded_file(ctx, kw.value, node):
            return True
    return False


def _supplied(model: ModelFact, keywords: list[ast.keyword]) -> set[str]:
    """The fields ``defaults`` / ``create_defaults`` set on the inserted row (every field when
    they are not a dict literal with string keys)."""
    out = set()
    for kw in keywords:
        if kw.arg not in NOT_LOOKUP:
            continue
        if not isinstance(kw.value, ast.Dict) or not all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) for k in kw.value.keys):
            return set(model.fields)
        out.update(f for f in (orm.normalise_field(model, k.value) for k in kw.value.keys) if f)
    return out


def _lookup_fields(model: ModelFact, key: str) -> set[str] | None:
    """The model fields an exact lookup pins; empty for a transform; None for an unknown name."""
    name, _, rest = key.partition("__")
    if name == "pk":
        field = model.pk_name
    elif name in model.fields:
        field = name
    elif name.endswith("_id") and name[:-3] in model.fields:
        field = name[:-3]
    else:
        return None
    fact = model.fields.get(field)
    if fact is not None and fact.kind == "GenericForeignKey":
        return set(GENERIC_FK) if not rest else set()
    if not rest or rest == "exact":
        return {field}
    if rest in ("pk", "id", "pk__exact", "id__exact") and fact is not None and fact.relation in (
            "fk", "o2o"):
        return {field}
    return set()


def _case_pinned(model: ModelFact, key: str, value: ast.expr,
                 keywords: list[ast.keyword]) -> set[str]:
    """``f__iexact=x`` whose inserted row stores ``f`` case-normalised from the same ``x``:
    ``defaults={"f": x.lower()}`` (``upper()``, ``casefold()``), or ``defaults={"f": x}`` where
    the model's save() or a pre_save receiver lowercases ``f`` itself (ModelFact.case_folded).
    Two lookups that match each other case-insensitively then insert the same value, so a
    unique set over ``f`` rejects the second insert, as it would for ``f=x``: {f}.  Empty
    otherwise (``defaults={"f": x}`` alone: ``"Ann"`` and ``"ann"`` are both inserted)."""
    name, _, rest = key.partition("__")
    if rest != "iexact":
        return set()
    field = orm.normalise_field(model, name)
    written = _inserted_value(model, keywords, field) if field else None
    if written is None:
        return set()
    base, strips, folded = _peel(written)
    _, looked_strips, _ = _peel(value)
    if not folded and field not in model.case_folded:
        return set()
    if any(isinstance(n, (ast.Call, ast.Await, ast.NamedExpr)) for n in ast.walk(base)):
        return set()  # a call may give another value the second time
    # the same value, with the same whitespace stripped (a lookup stripped and an insert not
    # would store two rows for "ann " and "ann")
    same = ast.dump(base, annotate_fields=False) == ast.dump(_peel(value)[0], annotate_fields=False)
    return {field} if same and strips == looked_strips else set()


def _peel(value: ast.expr) -> tuple[ast.expr, tuple[str, ...], bool]:
    """``x`` of ``x.strip().lower()``: the value under its whitespace-stripping and case
    methods, those strip methods in order, and whether a case method is among them."""
    strips: list[str] = []
    folded = False
    node = value
    for _ in range(8):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and not node.args and not node.keywords:
            if node.func.attr in CASE_METHODS:
                folded = True
            elif node.func.attr in ("strip", "lstrip", "rstrip"):
                strips.append(node.func.attr)
            else:
                break
            node = node.func.value
            continue
        break
    return node, tuple(strips), folded


def _inserted_value(model: ModelFact, keywords: list[ast.keyword], field: str) -> ast.expr | None:
    """The value node the insert gives ``field`` through ``create_defaults`` (else
    ``defaults``), a dict literal with string keys; None when it gives none we can read."""
    given = {kw.arg: kw.value for kw in keywords if kw.arg in NOT_LOOKUP}
    source = given.get("create_defaults", given.get("defaults"))
    if not isinstance(source, ast.Dict):
        return None
    found = None
    for key, value in zip(source.keys, source.values):
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            return None  # a ``**spread`` may set it again
        if orm.normalise_field(model, key.value) == field:
            found = value
    return found


def _covered_with_null_columns(model: ModelFact, fields: set[str]) -> bool:
    """A ``nulls_distinct=False`` constraint whose fields the lookup leaves out are nullable.

    The row get_or_create() inserts has NULL there, and with NULLs not distinct a second
    concurrent insert of the same lookup collides, so Django returns the first row.
    """
    for u in model.unique_sets:
        if not u.plain or u.nulls_distinct or not u.fields:
            continue
        rest = [f for f in u.fields if f not in fields]
        if not rest or len(rest) == len(u.fields):
            continue  # wholly covered (handled above) or not even touched
        if all(model.fields.get(f) is not None and model.fields[f].null is not False for f in rest):
            return True
    return False


def _isnull_keys(keywords: list[ast.keyword]) -> list[str]:
    """The fields looked up as ``<field>__isnull=True``."""
    return [kw.arg[: -len("__isnull")] for kw in keywords
            if kw.arg and kw.arg not in NOT_LOOKUP and kw.arg.endswith("__isnull")
            and "__" not in kw.arg[: -len("__isnull")]
            and isinstance(kw.value, ast.Constant) and kw.value.value is True]


def _isnull_partial_may_cover(model: ModelFact, keywords: list[ast.keyword], fields: set[str]) -> bool:
    """``version__isnull=True`` plus exact fields a conditional unique set spans: the index does
    not keep the condition, and ``condition=Q(version__isnull=True)`` would cover the lookup."""
    if not _isnull_keys(keywords):
        return False
    return any(u.conditional and not u.expressions and u.fields and set(u.fields) <= fields
               for u in model.unique_sets)


def _covers_inserted_row(model: ModelFact, keywords: list[ast.keyword], u, fields: set[str],
                         pinned_null: set[str]) -> bool:
    """A functional or conditional unique constraint that rejects the second of two concurrent
    inserts of this lookup.

    - Over expressions: they are functions of the fields they read, so rows equal on those
      fields are equal on the expressions; it covers a lookup that pins every field it reads
      (none to None: a NULL expression never collides).  A field it reads that the index does
      not know, or an expression it cannot read, covers nothing.
    - With a condition: it binds the row get_or_create() inserts when the condition holds for
      that row.  The row's values come from the lookup's exact constants, then ``defaults``
      (``create_defaults``), then the field itself: NULL for a nullable field with no default.
      Only ANDed exact / isnull lookups on literals are read; any other condition (or a value
      only known at run time, a field default's value) covers nothing.
    """
    columns = _constraint_columns(model, u)
    if not columns or not columns <= fields or columns & pinned_null:
        return False
    if not u.conditional:
        return True
    if not u.condition:
        return False
    inserted = _inserted_values(model, keywords)
    for clause in u.condition.split(";"):
        parts = clause.split(" ", 2)
        if len(parts) != 3:
            return False
        name, op, wanted = parts
        field = orm.normalise_field(model, name)
        if field is None:
            return False
        if field in inserted:
            value = inserted[field]
        else:
            fact = model.fields.get(field)
            if fact is None or field in model.save_derived or fact.null is not True \
                    or fact.has_default is not False \
                    or fact.has_db_default is not False or fact.auto_now is not False \
                    or fact.fills_on_save is not False or fact.generated or fact.primary_key:
                return False  # the value the row gets is not known here
            value = "None"
        if value is None:
            return False  # a value only known at run time
        if op == "isnull":
            if (value == "None") != (wanted == "True"):
                return False
        elif op != "exact" or value != wanted:
            return False
    return True


def _complementary_pair(model: ModelFact, fields: set[str], pinned_null: set[str]) -> bool:
    """Two conditional constraints over the same fields, one for ``f__isnull=True`` and one for
    ``f__isnull=False``: whatever ``f`` the inserted row gets, one of them binds it, so two
    concurrent calls with the same lookup (and the same defaults) collide."""
    by_columns: dict[frozenset, set[str]] = {}
    for u in model.unique_sets:
        if not u.conditional or not u.condition or ";" in u.condition:
            continue
        columns = _constraint_columns(model, u)
        if not columns or not columns <= fields or columns & pinned_null:
            continue
        by_columns.setdefault(frozenset(columns), set()).add(u.condition)
    for conditions in by_columns.values():
        for c in conditions:
            name, op, value = (c.split(" ", 2) + ["", ""])[:3]
            if op == "isnull" and f"{name} isnull {value == 'False'!r}" in conditions:
                return True
    return False


def _constraint_columns(model: ModelFact, u) -> set[str] | None:
    """The fields a unique set binds: its fields, or the fields its expressions read."""
    if not u.expressions:
        return set(u.fields)
    if not u.refs:
        return None
    columns = set()
    for ref in u.refs.split():
        name = orm.normalise_field(model, ref)
        if name is None:
            return None
        columns.add(name)
    return columns


def _inserted_values(model: ModelFact, keywords: list[ast.keyword]) -> dict[str, str | None]:
    """field -> repr of the literal get_or_create() inserts there (None: not a literal)."""
    values: dict[str, str | None] = {}

    def put(key, value_node):
        name, _, rest = key.partition("__")
        if rest and rest != "exact":
            return  # a lookup such as name__isnull is not written to the row
        field = orm.normalise_field(model, name)
        if field is None:
            return
        if isinstance(value_node, ast.Constant) and (
                value_node.value is None or isinstance(value_node.value, (bool, int, str))):
            values[field] = repr(value_node.value)
        else:
            values[field] = None

    for kw in keywords:
        if kw.arg and kw.arg not in NOT_LOOKUP:
            put(kw.arg, kw.value)
    for kw in keywords:
        if kw.arg in NOT_LOOKUP:
            if not isinstance(kw.value, ast.Dict):
                return {f: None for f in model.fields}  # defaults we cannot read may set anything
            for key, value in zip(kw.value.keys, kw.value.values):
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    return {f: None for f in model.fields}
                put(key.value, value)
    return values


def _duplicates_handled(ctx: FileContext, node: ast.Call) -> bool:
    """The call sits in a ``try`` whose handler catches MultipleObjectsReturned: the author
    expects duplicates and resolves them there."""
    for try_node in orm.enclosing_trys(ctx, node):
        for handler in try_node.handlers:
            if handler.type is None:
                continue
            types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            for t in types:
                dotted = dotted_name(t) or ""
                target = ctx.resolve(t) or dotted
                if MULTIPLE in (dotted.rpartition(".")[2], target.rpartition(".")[2]):
                    return True
    return False


def _fresh_lookup(ctx: FileContext, node: ast.Call, keywords: list[ast.keyword]) -> bool:
    """A lookup value is fresh by construction (orm.fresh_by_construction): a row this function
    inserted on an earlier line (``x = M.objects.create(...)``, ``create_user(...)``, a new
    instance or a copy saved before, or its ``.pk``), a random token, or the id / URL of an
    object a creating call just returned (``issue = tracker.create_issue(...)``, then
    ``url=issue.html_url``): no other caller holds that value, so none can race."""
    return any(kw.arg not in NOT_LOOKUP and orm.fresh_by_construction(ctx, kw.value, node)
               for kw in keywords)


def _fix(model: ModelFact, lookup: list[str], transformed: list[str], fields: set[str],
         isnull: list[str] | None = None, pinned_null: set[str] | None = None) -> str:
    unique = sorted((u for u in model.unique_sets if u.plain and u.fields),
                    key=lambda u: u.source == "primary_key")
    shown = ", ".join(
        u.fields[0] if len(u.fields) == 1 else f"({', '.join(u.fields)})" for u in unique[:3]
    )
    lookup_by = f"look up by a unique field ({shown})" if shown else "look up by a unique field"
    if isnull and set(transformed) == {f"{f}__isnull" for f in isnull}:
        condition = ", ".join(f"{f}__isnull=True" for f in isnull)
        ordered = sorted(fields)
        if ordered and not model.builtin:
            owner = _declaring_model_name(model)
            return (f"add UniqueConstraint(fields={ordered!r}, condition=Q({condition})) to "
                    f"{owner}.Meta (with a migration) or {lookup_by}")
    if transformed:
        return (f"a unique constraint matches exact values only, not {', '.join(transformed)}; "
                f"{lookup_by}")
    partial = [u for u in model.unique_sets
               if u.conditional and u.fields and set(u.fields) <= fields]
    if partial:
        name = partial[0].name or "the constraint"
        return (f"{name} on ({', '.join(partial[0].fields)}) has a condition and leaves other rows "
                f"unprotected; add an unconditional unique constraint or {lookup_by}")
    near = [u for u in unique if set(u.fields) & fields]
    if near:
        best = min(near, key=lambda u: len(set(u.fields) - fields))
        missing = [f for f in best.fields if f not in fields]
        together = best.fields[0] if len(best.fields) == 1 else f"({', '.join(best.fields)})"
        if not missing:  # the lookup spans the set, with a None where NULLs are distinct
            pinned = [f for f in best.fields if f in (pinned_null or ())] or list(best.fields)
            return null_pinned_fix(list(best.fields), pinned)
        advice = f"add {', '.join(missing)} to the lookup: {together} is unique"
        nullable = [f for f in missing if model.fields.get(f) is not None and model.fields[f].null]
        if nullable and best.nulls_distinct:
            advice += (f", but rows with a NULL {', '.join(nullable)} never collide unless a "
                       f"UniqueConstraint sets nulls_distinct=False")
        return advice
    if fields and not model.builtin:
        ordered = [f for f in (orm.normalise_field(model, k) for k in lookup) if f]
        ordered = ordered or sorted(fields)
        ordered = list(dict.fromkeys(ordered + sorted(fields - set(ordered))))
        if any(set(u.fields) == set(ordered) for u in model.unique_sets):
            return lookup_by  # the model has a set on these fields already (one this lookup cannot use)
        owner = _declaring_model_name(model)
        return (f"add UniqueConstraint(fields={ordered!r}) to {owner}.Meta (with a migration) "
                f"or {lookup_by}")
    if model.builtin:
        return lookup_by
    return f"{lookup_by}, or add a unique constraint for the row"


def _declaring_model_name(model: ModelFact) -> str:
    """A proxy has no Meta constraints of its own: name the model whose table it reads."""
    if model.proxy and model.bases:
        return model.bases[0].rpartition(".")[2]
    return model.name

