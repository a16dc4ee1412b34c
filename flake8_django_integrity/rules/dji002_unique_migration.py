"""DJI002: a uniqueness the models declare that no migration creates (drift, at the model's
field or Meta entry), or a migration that adds a uniqueness to a table that may already
hold duplicates (at the operation)."""

from __future__ import annotations

import ast

from . import declared
from ._migration_state import report

rule = declared(__name__)

_SAFE = ("remove or merge duplicate rows with a RunPython step before it (or add the field "
         "null=True, fill distinct values with RunPython, then make it unique)")


@rule.register(ast.Module)
def check_module(ctx, node):
    report(ctx, "DJI002", _operation_detail, _drift_detail)


def _operation_detail(f, model: str) -> str:
    names = ", ".join(f.fields)
    if f.reason == "add_unique_default":
        return (f"unique field added with one value for every existing row: AddField adds "
                f"unique {model}.{names} to a table that an earlier migration created; every "
                f"existing row gets the same value (its default, computed once even when "
                f"callable, or \"\" for a blank string field) and the second row fails; add it "
                f"null=True, fill distinct values with RunPython, then make it unique")
    if f.reason == "alter_unique":
        what = f"AlterField makes {model}.{names} unique"
    elif f.reason == "unique_together":
        what = f"AlterUniqueTogether adds unique ({names}) to {model}"
    else:
        what = f"AddConstraint adds a UniqueConstraint on ({names}) to {model}"
    return (f"uniqueness added to a table that may hold duplicates: {what} on a table that an "
            f"earlier migration created, with no data step before it that fills or "
            f"de-duplicates those columns (an AddField with a default gives every existing row "
            f"one value); existing duplicates make the migration fail; {_SAFE}")


def _drift_detail(f) -> str:
    names = ", ".join(f.fields)
    if f.source == "one_to_one":
        what = f"OneToOneField {f.model}.{names}"
    elif f.source == "unique":
        what = f"unique {f.model}.{names}"
    elif f.source == "unique_together":
        what = f"{f.model} unique_together ({names})"
    else:
        what = f"{f.model} UniqueConstraint on ({names})"
    return (f"uniqueness in the model that no migration creates: {what} is declared in the "
            f"model but no migration of app '{f.app_label}' creates it; databases built from the "
            f"migrations accept duplicates that test databases reject; run makemigrations")
