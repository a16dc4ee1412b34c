"""Every code's message, in one place.  Rules say which message and with what arguments."""

from __future__ import annotations

MESSAGES = {
    # 1. duplicate value on a UNIQUE field
    "DJI001": "DJI001 unguarded write to unique {unique} of {model}: a duplicate raises IntegrityError; "
    "{fix}",
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
    "DJI006": "DJI006 IntegrityError caught around {write} without a savepoint: on PostgreSQL the "
    "transaction is broken after the error; put `with transaction.atomic():` around the write inside "
    "the `try`",
    "DJI007": "DJI007 {method}() on {model} with lookup ({lookup}) that no unique constraint covers: "
    "concurrent calls both create and later calls raise MultipleObjectsReturned; {fix}",
    "DJI008": "DJI008 {model}.{field} is unique and blank=True without null=True: the second blank "
    "value collides; add null=True (and store None for blank) or drop blank=True",
    "DJI009": "DJI009 post_save receiver {receiver} creates {model} for every save, not only the "
    "first: the next save of the same {sender} raises IntegrityError on {unique}; check `if created:` "
    "or use get_or_create()",
}

# Where one problem could be reported by two codes, the first explains it better and the
# others stay silent on that line (RULES.md: never the same problem twice on one line).
SUPERSEDES = {
    "DJI003": ("DJI001",),
    "DJI009": ("DJI001",),
}


def format_message(code: str, **kwargs) -> str:
    return MESSAGES[code].format(**kwargs)
