"""Every code's message, in one place.  Rules say which message and with what arguments.

The shape of a message (the text flake8 prints after the code): its first clause says the
problem in under FIRST_CLAUSE_LIMIT characters, naming at most the model or the method; the model,
field, consequence and fix follow.  The clause ends at the first ": ", "; " or " — "
(first_clause), so what follows it may name anything at any length.  The details worded in the
rule modules (DJI001's and DJI003's fixes, DJI002's and DJI004's operations and drift) keep the
same shape; tests/test_message_shape.py checks every message the fixture projects produce.
"""

from __future__ import annotations

FIRST_CLAUSE_LIMIT = 80
_CLAUSE_ENDS = (": ", "; ", " — ")


def first_clause(text: str) -> str:
    """``text`` up to the first ": ", "; " or " — " (all of it when it has none)."""
    ends = [i for i in (text.find(end) for end in _CLAUSE_ENDS) if i != -1]
    return text[:min(ends)] if ends else text


MESSAGES = {
    # the plugin could not check everything: said once per run (unchecked.py)
    "DJI000": "DJI000 {problem}",
    # 1. duplicate value on a UNIQUE field
    "DJI001": "DJI001 unguarded write to a unique field of {model}: a duplicate {unique} raises "
    "IntegrityError; {fix}",
    # 2. uniqueness without (or with an unsafe) migration
    "DJI002": "DJI002 {detail}",
    # 3. check-then-insert race
    "DJI003": "DJI003 check-then-insert race on {model}: {check} does not stop a concurrent {write}; "
    "{fix}",
    # 4. NOT NULL without a default
    "DJI004": "DJI004 {detail}",
    # 5. foreign key violations
    "DJI005": "DJI005 {detail}",
    # hazards around them
    "DJI006": "DJI006 IntegrityError caught without a savepoint: around {write}, inside {where}; "
    "on PostgreSQL that transaction is broken after the error; put `with transaction.atomic():` "
    "around the write inside the `try`",
    "DJI007": "DJI007 {method}() on a lookup no unique constraint covers: lookup ({lookup}) on "
    "{model}; concurrent calls both create and later calls raise MultipleObjectsReturned; {fix}",
    "DJI008": "DJI008 blank values collide on a unique field: {model}.{field} is unique and "
    "blank=True without null=True, so the second blank value is a duplicate; add null=True (and "
    "store None for blank) or drop blank=True",
    "DJI009": "DJI009 post_save receiver creates a row on every save, not only the first: "
    "{receiver} creates {model}, and the next save of the same {sender} raises IntegrityError on "
    "{unique}; check `if created:` or use get_or_create()",
}

# Where one problem could be reported by two codes, the first explains it better and the
# others stay silent on that line (RULES.md: never the same problem twice on one line).
SUPERSEDES = {
    "DJI003": ("DJI001",),
    "DJI009": ("DJI001",),
}


def format_message(code: str, **kwargs) -> str:
    return MESSAGES[code].format(**kwargs)


# DJI005 has one code and several messages: the field declaration ones, then the write one.
DJI005_DETAILS = {
    "no_on_delete": "foreign key without on_delete: {model}.{field} ({kind}) has none; Django "
    "2.0+ raises TypeError when the model is imported, and nothing decides what deleting the "
    "referenced {target} does to {model} rows; pass on_delete=models.CASCADE, PROTECT or SET_NULL",
    "do_nothing": "on_delete=DO_NOTHING with the database constraint on: deleting a {target} "
    "while {model} rows point to it through {model}.{field} violates the foreign key "
    "(IntegrityError); use CASCADE, PROTECT or SET_NULL (or DB_CASCADE on Django 6.1+), or "
    "db_constraint=False if the rows must outlive their {target}",
    "set_null": "on_delete={on_delete} on a foreign key that is not null=True: deleting the "
    "{target} that {model}.{field} points to writes NULL into a NOT NULL column "
    "(IntegrityError); add null=True or choose another on_delete",
    "set_default": "on_delete=SET_DEFAULT on a foreign key without a default: deleting the "
    "{target} that {model}.{field} points to has no value to set (Django's check fields.E321); "
    "add default= (the pk of a {target} that is never deleted) or choose another on_delete",
    "db_set_default": "on_delete=DB_SET_DEFAULT on a foreign key without a db_default: deleting "
    "the {target} that {model}.{field} points to makes the database set the column to its "
    "default, which is NULL (IntegrityError or a dangling row); add db_default= or choose "
    "another on_delete",
    "raw_parent_id": "foreign key set to an unchecked id from request data: {write} sets "
    "{model}.{field} to an id from request data ({source}) with no sign that the {target} "
    "exists; a stale or forged id violates the foreign key (IntegrityError); fetch it first "
    "(get_object_or_404({target}, pk=...)), validate it with a form, or catch IntegrityError",
}


# DJI003's fix, where it depends on what the code treats as the row's identity: a unique
# constraint is suggested only on the lookup the check makes with the values the write
# inserts; otherwise the fix that works without one (a lock, or a savepoint and a handler).
RACE_FIXES = {
    "add_constraint": "no unique constraint of {model} covers ({keys}): add one so the database "
    "rejects the duplicate, then use {manager}.get_or_create()",
    "not_identity": "no unique constraint can stand for the check on ({keys}), which is not "
    "the values the write inserts: serialise the callers with select_for_update() on a row they "
    "share (the parent) before the check, inside transaction.atomic()",
    "add_constraint_spread": "no unique constraint of {model} is known to cover the fields in "
    "**{spread}: add one so the database rejects the duplicate, then use {manager}.get_or_create()",
    "spread_may_be_unique": "the fields in **{spread} cannot be read: if they are the unique "
    "{sets} of {model}, use {manager}.get_or_create() on it, or create inside "
    "transaction.atomic() and catch IntegrityError; if not, add a unique constraint on them so "
    "the database rejects the duplicate",
    "no_lookup": "the check names no row: serialise the callers with select_for_update() on a "
    "row they share (the parent) before the check, inside transaction.atomic()",
    "unknown_with_null": "use {manager}.get_or_create() if a unique constraint covers the "
    "lookup{shown}, otherwise add one; but the insert leaves {nulls} NULL and NULLs never "
    "collide: a unique set over {nulls} rejects the duplicate only with nulls_distinct=False "
    "(Django 5.0+) or as a conditional UniqueConstraint for those rows (condition=Q({condition})), "
    "else serialise the callers with select_for_update() on a row they share before the check",
    "conditional": "the conditional unique constraint {constraint} rejects some duplicates with "
    "IntegrityError: create inside transaction.atomic() and catch it, or use get_or_create() on "
    "an unconditionally unique lookup",
}

# DJI007's (and DJI003's) fix when the lookup spans a unique set but pins one of its fields to
# None: NULLs are distinct, so that set does not stop the second insert.
NULL_PINNED_FIX = ("{together} is unique, but {pinning} and NULLs never collide, so it rejects no "
                   "duplicate: {lookup}make it reject NULL duplicates ({constraint}), or "
                   "serialise the callers with select_for_update() on a row they share before "
                   "the call")


def null_pinned_fix(fields: list[str], pinned: list[str], inserted: bool = False) -> str:
    """NULL_PINNED_FIX for the unique set ``fields`` whose ``pinned`` fields the lookup sets
    to None (or, ``inserted``, the insert leaves NULL): the constraints that do reject the
    duplicate (``nulls_distinct=False``, Django 5.0+; a conditional one over the other
    fields), or a lock."""
    together = fields[0] if len(fields) == 1 else f"({', '.join(fields)})"
    shown = ", ".join(pinned)
    listed = ", ".join(repr(f) for f in fields)
    constraint = f"UniqueConstraint(fields=[{listed}], nulls_distinct=False) on Django 5.0+"
    rest = [f for f in fields if f not in pinned]
    if rest:
        condition = ", ".join(f"{f}__isnull=True" for f in pinned)
        constraint += (f", or a UniqueConstraint(fields=[{', '.join(repr(f) for f in rest)}], "
                       f"condition=Q({condition})) for those rows")
    return NULL_PINNED_FIX.format(
        together=together, constraint=constraint,
        pinning=f"the insert leaves {shown} NULL" if inserted else f"the lookup sets {shown} to None",
        lookup="" if inserted else f"look up a non-None {shown}, ")
