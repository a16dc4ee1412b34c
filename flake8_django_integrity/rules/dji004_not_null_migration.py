"""DJI004: a NOT NULL column added to (or made NOT NULL on) a table that may already have
rows, with no default and no backfill (at the AddField / AlterField), or a NOT NULL field
without a default that no migration adds (drift, at the model field)."""

from __future__ import annotations

import ast

from . import declared
from ._migration_state import report

rule = declared(__name__)


@rule.register(ast.Module)
def check_module(ctx, node):
    report(ctx, "DJI004", _operation_detail, _drift_detail)


def _operation_detail(f, model: str) -> str:
    name = ", ".join(f.fields)
    if f.reason == "add_not_null":
        return (f"NOT NULL column added without a default to a table that may have rows: "
                f"AddField adds NOT NULL {model}.{name} to a table that an earlier migration "
                f"created; existing rows make it fail; give it a default (or db_default), or add "
                f"it null=True, backfill with RunPython, then make it NOT NULL")
    return (f"column made NOT NULL without a default or a backfill: AlterField makes "
            f"{model}.{name} NOT NULL with no default and no data step since it became "
            f"nullable; rows holding NULL make it fail (Django writes a value into them only "
            f"from an explicit default, not from blank's empty value); backfill them with "
            f"RunPython first, or give the field a default (preserve_default=False keeps it "
            f"out of the model)")


def _drift_detail(f) -> str:
    name = ", ".join(f.fields)
    if f.reason == "not_null_nullable":
        return (f"NOT NULL in the model but nullable in the migrations: {f.model}.{name} is "
                f"NOT NULL, but the migrations of app '{f.app_label}' leave the column nullable; "
                f"rows may hold NULL; run makemigrations and backfill the NULLs (RunPython) "
                f"before the AlterField")
    return (f"NOT NULL field without a default that no migration adds: {f.model}.{name} is NOT "
            f"NULL without a default, and no migration of app '{f.app_label}' adds it; run "
            f"makemigrations and give existing rows a value (a default, or null=True then a "
            f"RunPython backfill)")
