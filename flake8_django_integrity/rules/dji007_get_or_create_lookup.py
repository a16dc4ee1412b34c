"""DJI007: get_or_create() / update_or_create() on a lookup no unique constraint covers.

Both methods are a read followed by an insert.  They are safe under concurrency only when
the database rejects the second insert: the lookup (every keyword except ``defaults`` /
``create_defaults``, plus the foreign key a related manager adds) must contain all fields of
one unconditional unique set of the model.  Otherwise two concurrent calls both insert, and
every later call raises MultipleObjectsReturned.

Not reported: a model the index cannot resolve, a lookup naming a field the index does not
know (a third-party base may declare it, unique or not), a lookup passed as ``**kwargs``, and a
call after a ``select_for_update()`` row lock in the same function (the lock serialises the
callers).  A model with a base the index cannot read is still judged on the fields it can
see: a base cannot make the project's own fields unique.
"""

from __future__ import annotations

import ast

from .. import orm
from ..context import FileContext
from ..project.facts import ModelFact
from . import RUNTIME, Rule

rule = Rule("DJI007", RUNTIME, triggers=("_or_create",))

METHODS = frozenset({"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"})
NOT_LOOKUP = frozenset({"defaults", "create_defaults"})
GENERIC_FK = ("content_type", "object_id")  # GenericForeignKey's default columns


@rule.register(ast.Call)
def get_or_create_lookup(ctx: FileContext, node: ast.Call) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in METHODS:
        return
    if node.args or any(kw.arg is None for kw in node.keywords):
        return  # a lookup we cannot read
    q = orm.query_of(ctx, node)
    if q is None or q.model is None or q.method != func.attr:
        return
    model = q.model
    if model.abstract:
        return
    lookup = [kw.arg for kw in node.keywords if kw.arg not in NOT_LOOKUP]
    fields: set[str] = set()
    transformed = []
    for key in lookup:
        names = _lookup_fields(model, key)
        if names is None:
            return  # a field the index does not know: its facts may be incomplete
        if not names:
            transformed.append(key)
        fields.update(names)
    if q.related_to is not None:
        fields.add(q.related_to[1])
    pinned_null = {
        name for kw in node.keywords if kw.arg not in NOT_LOOKUP and _is_none(kw.value)
        for name in (_lookup_fields(model, kw.arg) or ())
    }
    if any(u.nulls_distinct is False or not set(u.fields) & pinned_null
           for u in orm.unique_sets_covered(model, fields)):
        return  # (a NULL in a unique set with distinct NULLs never collides)
    if orm.locked_before(ctx, node):
        return
    ctx.report(
        node, "DJI007", method=func.attr, model=model.name,
        lookup=", ".join(lookup) if lookup else "empty",
        fix=_fix(model, lookup, transformed, fields),
    )


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


def _fix(model: ModelFact, lookup: list[str], transformed: list[str], fields: set[str]) -> str:
    unique = sorted((u for u in model.unique_sets if u.plain and u.fields),
                    key=lambda u: u.source == "primary_key")
    shown = ", ".join(
        u.fields[0] if len(u.fields) == 1 else f"({', '.join(u.fields)})" for u in unique[:3]
    )
    lookup_by = f"look up by a unique field ({shown})" if shown else "look up by a unique field"
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
        return f"add {', '.join(missing)} to the lookup: {together} is unique"
    if fields and not model.builtin:
        ordered = [f for f in (orm.normalise_field(model, k) for k in lookup) if f]
        ordered = ordered or sorted(fields)
        ordered = list(dict.fromkeys(ordered + sorted(fields - set(ordered))))
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


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
