"""DJI004: a NOT NULL column added to (or made NOT NULL on) a table that may already have
rows, with no default and no backfill (at the AddField / AlterField), or a NOT NULL field
without a default that no migration adds (drift, at the model field)."""

from __future__ import annotations

import ast

from . import ANY, Rule
from ._migration_state import report

rule = Rule("DJI004", ANY)


@rule.register(ast.Module)
def check_module(ctx, node):
    report(ctx, "DJI004", _operation_detail, _drift_detail)


def _operation_detail(f, model: str) -> str:
    name = ", ".join(f.fields)
    if f.reason == "add_not_null":
        return (f"AddField adds NOT NULL {model}.{name} without a default to a table that an "
                f"earlier migration created: existing rows make it fail; give it a default "
                f"(or db_default), or add it null=True, backfill with RunPython, then make it NOT NULL")
    return (f"AlterField makes {model}.{name} NOT NULL without a default and with no data step "
            f"before it: rows holding NULL make it fail; backfill them with RunPython first, or "
            f"give the field a default")


def _drift_detail(f) -> str:
    name = ", ".join(f.fields)
    if f.reason == "not_null_nullable":
        return (f"{f.model}.{name} is NOT NULL in the model but the migrations of app "
                f"'{f.app_label}' leave the column nullable: rows may hold NULL; run makemigrations "
                f"and backfill the NULLs (RunPython) before the AlterField")
    return (f"{f.model}.{name} is NOT NULL without a default but no migration of app "
            f"'{f.app_label}' adds it: run makemigrations and give existing rows a value "
            f"(a default, or null=True then a RunPython backfill)")
