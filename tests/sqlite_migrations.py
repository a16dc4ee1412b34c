"""Apply a fixture project's migrations with real Django on SQLite, one operation at a time,
with rows in the tables, and print what each operation did (JSON on stdout).

    python tests/sqlite_migrations.py <project root> <app> [<app> ...]

Run in its own process by tests/test_migrations_on_sqlite.py (Django's settings are
configured once per process).  The fixture projects are ours: importing them is fine here;
the plugin never does.

How the tables get rows, so that a uniqueness meets repeated values and a NOT NULL meets NULLs:

- Before each migration that is not ``initial`` (an app's first schema, which
  makemigrations may split over 0001/0002), every table of the fixture apps gets four rows
  if it never had rows or if its columns changed since it last got them: two with NULL in
  every nullable column, two with a value there; in every other column all four rows hold
  the same value, except one column of each unique set the table already has (a column
  that is unique itself, else the last non-relation column of the set), which holds
  distinct values so that the insert succeeds.  A foreign key points at one shared parent
  row (a new parent per row where the key is the distinct column).
- No rows are added between the operations of one migration, nor before a migration
  whose tables did not change since their rows were added: a data step that filled or
  de-duplicated a column is not undone by the test.
- An operation that fails with IntegrityError is applied again on its emptied table (and
  the tables it cascaded to), and the tables left empty get rows again, so that the
  migrations after it still run on tables with rows.

Each operation's outcome: "applied", "integrity" (IntegrityError with the rows in place, or
an AlterField to NOT NULL that SQLite applies only because its table rebuild coalesces the
NULL rows into the field's empty value, while PostgreSQL and MySQL refuse it: see
``_nulls_under_set_not_null``), or "error: ..." (anything else, including a failure on the
emptied table).
"""

from __future__ import annotations

import ast
import datetime
import decimal
import json
import sys
import uuid


def main(root: str, apps: list[str]) -> None:
    sys.path.insert(0, root)
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *apps],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    import django

    django.setup()
    print(json.dumps(_run(apps)))


def _run(apps: list[str]) -> dict:
    from django.db import IntegrityError, connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.state import ProjectState

    labels = {a.rpartition(".")[2] for a in apps}
    # the originals of a squash, as databases that applied them before the squash existed
    loader = MigrationLoader(connection, replace_migrations=False)
    plan, seen = [], set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                plan.append(key)
    rows = _Rows(labels)
    out: list[dict] = []
    report = {"operations": out, "unfillable": rows.unfillable, "rejected": rows.rejected}
    state = ProjectState(real_apps=set())
    for key in plan:
        migration = loader.graph.nodes[key]
        if migration.replaces:
            continue  # runs only on an empty database: not this test's case (see the test)
        if key[0] not in labels:
            with connection.schema_editor(atomic=migration.atomic) as editor:
                state = migration.apply(state, editor)
            continue
        if not migration.initial:
            rows.fill(state, only_changed=True)
        path = sys.modules[migration.__module__].__file__
        for index, op in enumerate(migration.operations):
            before = state.clone()
            op.state_forwards(key[0], state)
            outcome = "applied"
            try:
                nulls_left = _nulls_under_set_not_null(op, key[0], before, state)
                with connection.schema_editor(atomic=op.atomic if hasattr(op, "atomic") else True) as editor:
                    op.database_forwards(key[0], editor, before, state)
                if nulls_left:
                    # SQLite's rebuild wrote the field's empty value into them; the other
                    # backends' SET NOT NULL fails on them (see _nulls_under_set_not_null)
                    outcome = "integrity"
            except IntegrityError:
                outcome = "integrity"
                try:
                    _drop_half_made_tables(connection)
                    for name in _models_of(op):
                        _empty(before.apps.get_model(key[0], name))
                    with connection.schema_editor() as editor:
                        op.database_forwards(key[0], editor, before, state)
                except Exception as exc:  # noqa: BLE001 - reported, the test fails on it
                    outcome = f"error: also on the emptied table: {type(exc).__name__}: {exc}"
                if outcome == "integrity":
                    # the tables left empty (the operation's, and those its delete
                    # cascaded to) get rows again
                    rows.fill(state, only_changed=False, only_empty=True)
            except Exception as exc:  # noqa: BLE001
                outcome = f"error: {type(exc).__name__}: {exc}"
            rows.touch(key[0], op)
            out.append({"path": path, "migration": key[1], "index": index, "outcome": outcome})
    report["unfillable"] = sorted(rows.unfillable)
    report["rejected"] = sorted(rows.rejected)
    return report


def _nulls_under_set_not_null(op, app: str, before, state) -> bool:
    """Does this AlterField make a column NOT NULL while rows hold NULL there, with nothing
    in Django's base schema editor to rewrite them?

    SQLite rebuilds the table and copies the column as ``coalesce(column, default)`` with
    the new field's *effective* default (django/db/backends/sqlite3/schema.py,
    ``_remake_table``), which is "" for a blank string field and now() for ``auto_now``:
    there the operation applies.  The base schema editor that PostgreSQL, MySQL and Oracle
    use (django/db/backends/base/schema.py, ``_alter_field``) writes the default into the
    NULL rows only in its "four-way default alteration", when the new field
    ``has_default()`` or ``has_db_default()`` (``AlterField.database_forwards`` puts the
    operation's default on the field for ``preserve_default=False``); otherwise it runs
    ``ALTER COLUMN ... SET NOT NULL`` directly, which the database refuses on a NULL row.
    Counted here on the rows in place, so a flagged operation of that kind is checked
    against what those backends do."""
    from django.db import connection

    if type(op).__name__ != "AlterField":
        return False
    old_model = before.apps.get_model(app, op.model_name)
    old = old_model._meta.get_field(op.name)
    new = state.apps.get_model(app, op.model_name)._meta.get_field(op.name)
    if not (old.null and not new.null) or op.field.has_default() or new.has_db_default():
        return False
    table = connection.ops.quote_name(old_model._meta.db_table)
    column = connection.ops.quote_name(old.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} IS NULL")
        return cursor.fetchone()[0] > 0


def _drop_half_made_tables(connection) -> None:
    """SQLite's schema editor rebuilds a table as ``new__<table>`` and copies the rows over;
    when the copy fails, that half-made table is left behind."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'new\\_\\_%' ESCAPE '\\'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE "{name}"')


def _empty(model, depth: int = 0) -> None:
    """Delete every row of a table, the rows that refer to them as their ``on_delete`` says
    (or, where the state names a column the table lacks, in raw SQL with every row of the
    tables that refer to it)."""
    from django.db import DatabaseError, connection, transaction

    if depth == 0:
        try:
            with transaction.atomic():
                model._base_manager.all().delete()
            return
        except DatabaseError:
            pass
    if depth > 5:
        return
    for rel in model._meta.related_objects:
        if rel.related_model is not model:
            _empty(rel.related_model, depth + 1)
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


def _models_of(op) -> list[str]:
    if type(op).__name__ == "SeparateDatabaseAndState":
        return [n for o in op.database_operations for n in _models_of(o)]
    name = getattr(op, "model_name_lower", None) or getattr(op, "name_lower", None)
    return [name] if name else []


class _Rows:
    def __init__(self, labels):
        self.labels = labels
        self.counter = 0
        self.changed: set[tuple[str, str]] = set()  # tables whose columns changed since they got rows
        self.filled: set[tuple[str, str]] = set()
        self.unfillable: set[str] = set()
        self.rejected: set[str] = set()  # tables where the database refused a row of a fill
        self.parents: dict = {}  # (model, key) -> pk of the parent row made for that key

    def touch(self, app: str, op) -> None:
        if type(op).__name__ in ("AddField", "AlterField", "RemoveField", "RenameField",
                                 "SeparateDatabaseAndState"):
            for name in _models_of(op):
                self.changed.add((app, name))

    def fill(self, state, only_changed: bool, only_empty: bool = False) -> None:
        from django.db import IntegrityError, transaction

        todo = []
        for model in sorted(state.apps.get_models(), key=lambda m: m._meta.label_lower):
            key = (model._meta.app_label, model._meta.model_name)
            if key[0] not in self.labels or not model._meta.managed or model._meta.proxy:
                continue
            if only_changed and key in self.filled and key not in self.changed:
                continue
            if only_empty and model._base_manager.exists():
                continue
            todo.append((key, model))  # chosen before any insert: a parent row made for a
            # child must not make its table count as filled
        for key, model in todo:
            if not _columns_exist(model):
                # the state has a column the table lacks (a state-only AddField in
                # SeparateDatabaseAndState): the ORM cannot insert into it
                self.unfillable.add(model._meta.label_lower)
                continue
            patterns = _patterns(model)
            self.counter += 1
            base = self.counter
            for i in range(4):
                try:
                    with transaction.atomic():
                        self.row(model, i, patterns, base, depth=0)
                except IntegrityError:
                    # a uniqueness the database has and the state does not know
                    # (SeparateDatabaseAndState with database operations only): fewer rows
                    self.rejected.add(model._meta.label_lower)
            self.filled.add(key)
            self.changed.discard(key)

    def row(self, model, i: int, patterns: dict, base: int, depth: int):
        """Row ``i`` (0-3) of a fill: NULL in nullable columns for rows 0 and 1; a column
        with a pattern holds the pattern's key for the row, every other column one value."""
        values = {}
        for f in model._meta.concrete_fields:
            if f.primary_key and (f.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
                                  or (f.remote_field and f.remote_field.parent_link)):
                continue
            if getattr(f, "generated", False):
                continue
            pattern = patterns.get(f.name)
            if pattern is None and f.null and i < 2:
                values[f.attname] = None
                continue
            n = 0 if pattern is None else base * 10 + pattern(i) + 1
            if f.remote_field is not None:
                values[f.attname] = self.parent(f, n, depth)
            else:
                values[f.attname] = _value(f, n)
        obj = model(**values)
        obj.save(force_insert=True)
        return obj

    def parent(self, f, n: int, depth: int):
        """The shared parent row (``n`` 0), else the parent row made for key ``n``."""
        target = f.related_model
        if depth > 4:
            return None
        made = self.parents.setdefault((target._meta.label_lower, n), None) if n else None
        if made is not None and target._base_manager.filter(pk=made).exists():
            return made
        if not n:
            existing = target._base_manager.order_by("pk").first()
            if existing is not None:
                return existing.pk
        self.counter += 1
        pk = self.row(target, 2, _patterns(target), self.counter, depth + 1).pk
        if n:
            self.parents[(target._meta.label_lower, n)] = pk
        return pk


_PATTERNS = (lambda i: i // 2, lambda i: i % 2, lambda i: i)


def _columns_exist(model) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        for m in (model, *model._meta.get_parent_list()):
            have = {c.name for c in connection.introspection.get_table_description(cursor, m._meta.db_table)}
            if any(f.column not in have for f in m._meta.local_concrete_fields):
                return False
    return True


def _patterns(model) -> dict:
    """Which columns vary over the four rows of a fill, and how: just enough for every
    unique set the table has to hold four distinct tuples, so that every other column and
    combination keeps repeated values.  A set over several columns varies two of them as
    a grid (0,0) (0,1) (1,0) (1,1): each column alone still repeats."""
    meta = model._meta
    sets = [[f.name] for f in meta.concrete_fields if f.unique and not f.primary_key]
    sets += sorted(list(t) for t in meta.unique_together)
    constraints = sorted(meta.constraints, key=lambda c: c.name)
    sets += [list(c.fields) for c in constraints if getattr(c, "fields", None)]
    out: dict = {}

    def separated(names) -> bool:
        keys = {tuple(out[n](i) if n in out else None for n in names) for i in range(4)}
        return len(keys) == 4

    for names in sets:
        free = [n for n in names if n not in out]
        free.sort(key=lambda n: meta.get_field(n).remote_field is not None)  # plain columns first
        while free and not separated(names):
            name = free.pop(0)
            for pattern in _PATTERNS:
                out[name] = pattern
                if separated(names) or (free and len(names) > 1 and pattern is not _PATTERNS[2]):
                    break
    return out


def _value(f, n: int):
    kind = f.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField",
                "FileField", "ImageField", "GenericIPAddressField", "IPAddressField"):
        return f"v{n}" if n else ""
    if kind.endswith("IntegerField"):
        return n
    if kind in ("FloatField",):
        return float(n)
    if kind == "DecimalField":
        return decimal.Decimal(n)
    if kind == "BooleanField":
        return False
    if kind == "UUIDField":
        return uuid.UUID(int=n)
    if kind == "DateTimeField":
        return datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=n)
    if kind == "DateField":
        return datetime.date(2020, 1, 1) + datetime.timedelta(days=n)
    if kind == "TimeField":
        return datetime.time(0, 0, n % 60)
    if kind == "DurationField":
        return datetime.timedelta(seconds=n)
    if kind == "JSONField":
        return {"n": n}
    if kind == "BinaryField":
        return str(n).encode() if n else b""
    raise ValueError(f"no value for a {kind}")


def operation_spans(path: str) -> list[tuple[int, int]]:
    """(first line, last line) of each item of the Migration class's ``operations`` list."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "") == "operations":
                    return [(e.lineno, e.end_lineno) for e in stmt.value.elts]
    return []


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
