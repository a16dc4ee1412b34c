"""What DJI002 and DJI004 share: the findings of the migration state for the linted file.

The migration state (project/migrations.py) replays the project's migrations once per
process; a migration file gets the operations it found unsafe, a models file the drift
between its models and the replayed state.  Rules only pick their code and word it.
"""

from __future__ import annotations

from ..context import FileContext
from ..project.memo import RECENT_ROOTS, RecentMemo


def _state_module():
    """project/migrations.py, imported on first use: only models and migration files need it
    (its import is about 15 ms of a one-file editor run that lints neither)."""
    from ..project import migrations

    return migrations


def _model_paths(ctx: FileContext) -> set[str]:
    index = ctx.index
    key = ("dji-model-paths", id(index))
    cached = _PATHS.get(key)
    if cached is None or cached[0] is not index:
        cached = (index, {m.path for m in index.models.values() if m.path and not m.builtin})
        _PATHS[key] = cached
    return cached[1]


_PATHS: dict = RecentMemo(RECENT_ROOTS)


def operation_findings(ctx: FileContext, code: str) -> list:
    """Unsafe operations of this migration file reported under ``code``."""
    if ctx.root is None or not ctx.is_migration or ctx.is_test:
        return []
    state_module = _state_module()
    if state_module.in_test_package(ctx.module):
        return []
    found = ctx.memo("dji-operation-findings", lambda: state_module.operation_findings(
        ctx.index, ctx.filename, ctx.tree, ctx.source, ctx.settings.cache_dir, ctx.settings.use_cache))
    return [f for f in found if f.code == code]


def drift_findings(ctx: FileContext, code: str) -> list:
    """Drift reported in this models file under ``code`` (cheap test first: the file
    declares a model the index knows, else the state is never built for it)."""
    if ctx.root is None or ctx.is_migration or ctx.is_test:
        return []
    if ctx.filename not in _model_paths(ctx):
        return []
    state_module = _state_module()
    if state_module.in_test_package(ctx.module):
        return []
    drift = ctx.memo("dji-drift", lambda: state_module.get_drift(
        ctx.index, ctx.settings.cache_dir, ctx.settings.use_cache))
    return [f for f in drift.get(ctx.filename, ()) if f.code == code]


def report(ctx: FileContext, code: str, operation_detail, drift_detail) -> None:
    """Report ``code``'s unsafe operations (this is a migration) or drift (a models file),
    each worded by the rule: ``operation_detail(finding, model_name)``, ``drift_detail(finding)``."""
    for f in operation_findings(ctx, code):
        model = model_name(ctx, f.app_label, f.model)
        ctx.report(Position(f.line, f.col), code, detail=operation_detail(f, model),
                   model=model, field=",".join(f.fields))
    for f in drift_findings(ctx, code):
        ctx.report(Position(f.line, f.col), code, detail=drift_detail(f),
                   model=f.model, field=",".join(f.fields))


def model_name(ctx: FileContext, app_label: str, name: str) -> str:
    """The model's class name for a message (as the models spell it, else as the
    migration's CreateModel did)."""
    fact = ctx.index.model_by_label(f"{app_label}.{name.lower()}")
    return fact.name if fact is not None else name


class Position:
    """Where to report: ``ctx.report`` takes anything with a line and a column."""

    def __init__(self, line: int, col: int):
        self.lineno = line
        self.col_offset = col
