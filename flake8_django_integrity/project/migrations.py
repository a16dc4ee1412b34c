"""The migration state: each app's schema rebuilt from its migration files, read as source.

Nothing is imported.  Every migration file of the project (test packages aside) is parsed
once per process; the files are put in dependency order (``dependencies``, ``run_before``,
``swappable_dependency``, ``__first__`` / ``__latest__``; never file-name order), squashes are
applied as Django applies them to an empty database (a squash stands for the migrations it
``replaces``), and the operations are replayed into a state of models, fields, unique sets.

While replaying, the operations that endanger a table that may already hold rows are
recorded (``OperationFinding``): a uniqueness added to an existing table (DJI002) and a
NOT NULL column added or made NOT NULL without a default (DJI004).  A migration whose
originals are still on disk next to its squash is also replayed through the originals,
since databases that applied them ran those operations.

Then the state is compared with the model index (``drift``): a uniqueness the models
declare that no migration creates (DJI002), a NOT NULL field without a default that no
migration adds (DJI004).

The result is plain data (``MigrationState.to_json`` / ``from_json``) and a pure function
of the project's files.
"""

from __future__ import annotations

import ast
import heapq
import os
import re
from dataclasses import asdict, dataclass, field, replace

from . import layout, shared_trees
from .files import read_source
from .gc_pause import collector_paused
from .index import is_regular_file, parse_source, source_digest
from .memo import RECENT_ROOTS, RecentMemo
from .stored import checked, is_identifier, is_position, is_str_list, require
from .stored import fact as stored_fact
from .summary import absolute_module, dotted_name, is_false, is_true, top_level_statements

# Django's field classes (django.db.models and django.contrib.postgres.fields), so that a
# field's behaviour is known.  A class outside this set that the index cannot trace back to
# one of them is "unknown" and never reported.
DJANGO_FIELDS = frozenset(
    {
        "AutoField", "BigAutoField", "SmallAutoField", "BigIntegerField", "BinaryField",
        "BooleanField", "NullBooleanField", "CharField", "CommaSeparatedIntegerField", "DateField",
        "DateTimeField", "DecimalField", "DurationField", "EmailField", "FileField", "FilePathField",
        "FloatField", "GeneratedField", "GenericIPAddressField", "IPAddressField", "ImageField",
        "IntegerField", "JSONField", "PositiveBigIntegerField", "PositiveIntegerField",
        "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField", "TimeField",
        "URLField", "UUIDField", "ForeignKey", "OneToOneField", "ManyToManyField",
        "ArrayField", "HStoreField", "CICharField", "CIEmailField", "CITextField",
        "IntegerRangeField", "BigIntegerRangeField", "DecimalRangeField", "DateTimeRangeField",
        "DateRangeField", "GenericRelation", "GenericForeignKey",
    }
)
# Fields whose empty value is "": Django fills existing rows with "" when such a field is
# added (or made NOT NULL) with blank=True and no default (schema editor's effective default).
EMPTY_STRING_FIELDS = frozenset(
    {
        "CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField", "FileField",
        "ImageField", "BinaryField", "CommaSeparatedIntegerField", "CICharField", "CIEmailField",
        "CITextField",
    }
)
AUTO_FIELDS = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
NO_COLUMN = frozenset({"ManyToManyField", "GenericRelation", "GenericForeignKey"})
RELATIONS = {"ForeignKey": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m"}
_OPERATION_MODULES = ("django.db.migrations", "django.contrib.postgres.operations")
_NOOP_NAMES = ("noop",)
_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
# Django's own queryset / manager methods: a data step calling them through a project model's
# manager does what its words say (a method of the project's own could do anything)
_QUERYSET_METHODS = frozenset(
    {"all", "filter", "exclude", "get", "first", "last", "exists", "count", "delete", "update",
     "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "values",
     "values_list", "iterator", "order_by", "select_related", "prefetch_related", "only",
     "defer", "annotate", "distinct", "using", "in_bulk", "earliest", "latest", "none",
     "select_for_update", "aggregate", "reverse", "alias"}
)
MAX_PARSED_MIGRATIONS = 50_000  # parsed migration files kept per process (all roots)


# ---------------------------------------------------------------------- plain data
@dataclass
class FieldState:
    kind: str  # Django field class it is or derives from ("CharField"); else the class's own name
    known: bool = True  # a Django field class, or a project class traced to one
    custom: bool = False  # a project or third-party subclass: its __init__ may set null or a default
    null: bool = False
    blank: bool = False
    has_default: bool = False  # a default that is not None
    has_db_default: bool = False
    unique: bool = False
    primary_key: bool = False
    auto_now: bool = False
    relation: str | None = None  # "fk", "o2o", "m2m"
    changed_at: int = 0  # replay position of the operation that last defined it
    added_later: bool = False  # defined by AddField / AlterField, not with its table
    # replay position of the AddField that gave every row of a table with rows this column's
    # one value (0: none); kept through AlterField, so a later uniqueness over it is read
    filled_at: int = 0
    # options passed as ``**SOME_DICT``: null / unique / a default the call does not spell out
    # are unknown (counted as set, like a setting-dependent ``null=``), and a change of them
    # is never claimed
    options_unknown: bool = False
    # replay position where the column last became nullable (created, added or altered with
    # null=True from NOT NULL; 0: NOT NULL); a data step after it may have filled the NULLs
    null_since: int = 0

    @property
    def has_column(self) -> bool:
        return self.kind not in NO_COLUMN and self.relation != "m2m"

    @property
    def is_unique(self) -> bool:
        return self.unique or self.primary_key or self.relation == "o2o"

    def fills_existing_rows(self) -> bool:
        """Does the database get a value for rows that exist when the column appears?"""
        return (
            self.null or self.has_default or self.has_db_default or self.auto_now
            or self.kind in AUTO_FIELDS or self.kind == "GeneratedField"
            or (self.blank and self.kind in EMPTY_STRING_FIELDS)
        )

    def fills_nulls_when_altered(self) -> bool:
        """Made NOT NULL by an AlterField, do the rows that hold NULL get a value?  Django's
        schema editor rewrites them (``UPDATE ... WHERE col IS NULL``) only in its "four-way
        default alteration", when the new field has a default or a ``db_default``
        (``BaseDatabaseSchemaEditor._alter_field``; ``preserve_default=False`` keeps the
        default for that operation).  The empty value of a blank string field and
        ``auto_now``'s timestamp only become the column's default for new rows: the
        ``SET NOT NULL`` then fails on the old NULLs (PostgreSQL, MySQL; SQLite's table
        rebuild happens to coalesce them)."""
        return (self.has_default or self.has_db_default or self.kind in AUTO_FIELDS
                or self.kind == "GeneratedField")

    def one_value_for_existing_rows(self) -> bool:
        """Does adding the column give every existing row the same non-NULL value?  Django
        computes the default once (a callable too: ``uuid.uuid4`` runs once for all rows), a
        blank string field without ``null`` gets "", ``auto_now`` one timestamp.  A
        ``db_default`` may be an expression evaluated per row: not claimed."""
        if self.has_db_default or self.primary_key or self.kind in AUTO_FIELDS \
                or self.kind == "GeneratedField":
            return False
        if self.has_default:
            return True
        if self.custom:  # its __init__ may set null or a default of its own
            return False
        return self.auto_now or (not self.null and self.blank and self.kind in EMPTY_STRING_FIELDS)


@dataclass
class ConstraintState:
    name: str | None
    fields: list[str]
    conditional: bool = False
    expressions: bool = False  # over expressions (Lower("name")); ``fields`` lists the columns they read
    condition_fields: list[str] = field(default_factory=list)

    @property
    def field_set(self) -> frozenset:
        return frozenset(self.fields)


@dataclass
class ModelState:
    app_label: str
    name: str  # lower case, as migrations key it
    fields: dict[str, FieldState] = field(default_factory=dict)
    unique_together: list[list[str]] = field(default_factory=list)
    constraints: list[ConstraintState] = field(default_factory=list)
    managed: bool = True
    proxy: bool = False
    created_in: str = ""  # "app.migration" whose CreateModel made the table ("" = unknown)
    uncertain: bool = False  # touched by an operation we cannot read: no drift is claimed
    display: str = ""  # the model's name as CreateModel / RenameModel spell it ("IndexEntry")

    def unique_sets(self) -> list[tuple[frozenset, bool]]:
        """(field names, conditional) of every uniqueness the state enforces."""
        out = [(frozenset((n,)), False) for n, f in self.fields.items() if f.is_unique]
        out.extend((frozenset(t), False) for t in self.unique_together)
        out.extend(
            (frozenset(c.fields), c.conditional) for c in self.constraints if c.fields and not c.expressions
        )
        return out

    def covers(self, names, conditional_ok: bool = False) -> bool:
        """Is every row already unique on ``names`` (some unique set is a subset of them)?"""
        by_field = _constraints_by_field(self, self.constraints)
        return _covers(self.fields.get, self.unique_together, by_field, len(self.constraints),
                       names, conditional_ok)


def _covers(field, unique_together, by_field, count: int, names, conditional_ok: bool = False) -> bool:
    """``ModelState.covers`` over a model's parts: ``field(name)`` gives a field's state,
    ``by_field`` its first ``count`` constraints by the fields they name.  The unique sets
    ``unique_sets()`` lists, read from ``names`` rather than by listing them (a model that
    gained a field or a constraint in each of 4,000 migrations made the replay quadratic)."""
    wanted = frozenset(names)
    for name in wanted:
        f = field(name)
        if f is not None and f.is_unique:
            return True
    if any(t and frozenset(t) <= wanted for t in unique_together):
        return True
    for name in wanted:  # a constraint within ``names`` names one of them
        for position, c in by_field.get(name, ()):
            if position < count and (not c.conditional or conditional_ok) and c.field_set <= wanted:
                return True
    return False


def _constraints_by_field(holder, constraints: list) -> dict[str, list]:
    """field name -> [(position, constraint)] of the plain-field constraints in
    ``constraints``, kept on ``holder`` while it holds that same list (a constraint list is
    replaced, or appended to in place: only the new tail is read)."""
    cached = getattr(holder, "_by_field", None)
    if cached is None or cached[0] is not constraints or cached[1] > len(constraints):
        cached = [constraints, 0, {}]
        holder._by_field = cached
    index = cached[2]
    for position in range(cached[1], len(constraints)):
        c = constraints[position]
        if c.fields and not c.expressions:
            for name in c.field_set:
                index.setdefault(name, []).append((position, c))
    cached[1] = len(constraints)
    return index


@dataclass
class OperationFinding:
    code: str  # "DJI002" / "DJI004"
    # DJI002: "add_unique_default", "alter_unique", "add_constraint", "unique_together";
    # DJI004: "add_not_null", "alter_not_null"
    reason: str
    path: str
    line: int
    col: int
    app_label: str
    model: str
    fields: list[str]
    migration: str


@dataclass
class DriftFinding:
    code: str
    reason: str  # "unique_missing", "not_null_missing", "not_null_nullable"
    path: str
    line: int
    col: int
    app_label: str
    model: str  # the model's class name
    fields: list[str]
    source: str = ""  # the UniqueSet's source


@dataclass
class MigrationState:
    models: dict[str, ModelState] = field(default_factory=dict)  # "app.model" -> state
    apps: list[str] = field(default_factory=list)  # app labels with migration files
    findings: dict[str, list[OperationFinding]] = field(default_factory=dict)  # by migration path
    migrations: int = 0
    # the text each replayed migration file was read from (index.source_digest), by path
    digests: dict[str, str] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)  # migration files that gave no syntax tree

    def model(self, app_label: str, name: str) -> ModelState | None:
        return self.models.get(f"{app_label}.{name.lower()}")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "MigrationState":
        """The state ``to_json`` stored, every field checked (stored.Malformed otherwise): a
        finding is reported as read, so its position must be a real one and the names its
        message prints identifiers."""
        models = {}
        for key, m in checked(data["models"], dict, dict).items():
            m = dict(m)
            m["fields"] = {k: stored_fact(FieldState, v) for k, v in checked(m["fields"], dict, dict).items()}
            m["constraints"] = [_constraint(c) for c in checked(m["constraints"], list, dict)]
            require(isinstance(m["unique_together"], list)
                    and all(is_str_list(t) for t in m["unique_together"]), "unique_together")
            state = stored_fact(ModelState, m)
            require(all(map(str.isidentifier, state.fields)), "field name")
            require(key == f"{state.app_label}.{state.name}", "model key")
            models[key] = state
        findings = {}
        for path, fs in checked(data["findings"], dict, list).items():
            findings[path] = [_finding(path, f) for f in fs]
        apps = checked(data["apps"], list, str)
        migrations = checked(data["migrations"], int)
        require(all(is_identifier(a) for a in apps) and migrations >= 0, "apps")
        digests = checked(data["digests"], dict, str)
        unparsed = checked(data["unparsed"], list, str)
        return cls(models, list(apps), findings, migrations, dict(digests), list(unparsed))


_FINDING_REASONS = {"DJI002": ("add_unique_default", "alter_unique", "add_constraint", "unique_together"),
                    "DJI004": ("add_not_null", "alter_not_null")}


def _constraint(data) -> ConstraintState:
    c = stored_fact(ConstraintState, data)
    require(is_str_list(c.fields) and is_str_list(c.condition_fields), "constraint fields")
    return c


def _finding(path: str, data) -> OperationFinding:
    """A stored finding of the migration file ``path``: reported as is, so checked whole."""
    f = stored_fact(OperationFinding, data)
    require(f.path == path and f.reason in _FINDING_REASONS.get(f.code, ())
            and is_position(f.line, f.col) and is_identifier(f.app_label) and is_identifier(f.model)
            and is_str_list(f.fields) and all(is_identifier(n) for n in f.fields), "operation finding")
    return f


def _stored_state_ok(inputs: dict, data) -> bool:
    """For the on-disk cache (cache.load's ``accept``): every migration file a stored finding
    is reported in is a file input of the entry (so it is unchanged since the replay)."""
    findings = data.get("findings") if isinstance(data, dict) else None
    unparsed = data.get("unparsed") if isinstance(data, dict) else None
    if not isinstance(findings, dict) or not isinstance(unparsed, list):
        return False
    for path in (*findings, *unparsed):  # an unparsed file is printed (DJI000): an input too
        recorded = inputs.get(path)
        if not (isinstance(recorded, list) and recorded[:1] == ["f"]):
            return False
    return True


# ---------------------------------------------------------------------- parsed migrations
@dataclass
class Operation:
    op: str  # Django's operation class name, or "custom"
    line: int
    col: int
    model: str = ""  # lower-case model name
    name: str = ""  # field / constraint name, or the new name of a rename
    old_name: str = ""
    display: str = ""  # CreateModel / RenameModel: the model's name as written
    definition: FieldState | None = None  # AddField / AlterField: the new field
    preserve_default: bool = True
    fields: list = field(default_factory=list)  # CreateModel: [(name, FieldState | None)]
    options: dict = field(default_factory=dict)
    together: list[list[str]] | None = None
    constraint: ConstraintState | None = None
    data_step: bool = False
    # a data step's words (names, attributes, keywords, words of its strings): the fields
    # it may read or write; None when its code is not in the migration module
    data_words: frozenset | None = None
    database: list["Operation"] = field(default_factory=list)
    state: list["Operation"] = field(default_factory=list)


@dataclass
class MigrationFile:
    path: str
    app_label: str
    name: str
    dependencies: list[tuple[str, str]] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)
    run_before: list[tuple[str, str]] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    initial: bool = False
    digest: str = ""  # of the text it was read from (index.source_digest)

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name)

    @property
    def has_data_step(self) -> bool:
        return any(_is_data_step(op) for op in self.operations)


def _is_data_step(op: Operation) -> bool:
    if op.data_step:
        return True
    return any(_is_data_step(o) for o in op.database)


class _Reader:
    """Reads one migration module's ``Migration`` class into plain data."""

    def __init__(self, tree: ast.Module, module: str, field_kind, field_options=None):
        self.imports = _module_imports(tree, module)
        self.package = module.split(".")[0]
        self.functions = {
            n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self._function_words: dict[str, frozenset] = {}
        self.names: dict[str, ast.expr] = {}  # module- and class-level ``name = [...]``
        self.field_kind = field_kind  # qualname -> Django kind or None
        # (qualname, the call's own options) -> the options the class's __init__ chain gives
        # (the index's ``effective_options``); None: a class outside Django is unknown
        self.field_options = field_options

    def resolve(self, node) -> str:
        dotted = dotted_name(node) or ""
        head, _, rest = dotted.partition(".")
        target = self.imports.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    # --------------------------------------------------------------- the class body
    def read(self, tree: ast.Module, path: str, app_label: str, name: str) -> MigrationFile | None:
        cls = next(
            (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None
        )
        if cls is None:
            return None
        mig = MigrationFile(path, app_label, name)
        for stmt in [*tree.body, *cls.body]:
            if _simple_assign(stmt):
                if stmt.targets[0].id not in ("operations", "dependencies"):
                    self.names[stmt.targets[0].id] = stmt.value
        operations: list[Operation] = []
        for stmt in top_level_statements(cls.body):
            if _simple_assign(stmt):
                target, value = stmt.targets[0].id, stmt.value
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) \
                    and isinstance(stmt.op, ast.Add):
                target, value = stmt.target.id, stmt.value  # ``operations += [...]`` under an ``if``
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
                target, value = stmt.target.id, stmt.value
            else:
                continue
            if target == "dependencies":
                mig.dependencies = self.keys(value, app_label)
            elif target == "replaces":
                mig.replaces = self.keys(value, app_label)
            elif target == "run_before":
                mig.run_before = self.keys(value, app_label)
            elif target == "initial":
                mig.initial = is_true(value)
            elif target == "operations":
                # branches of an ``if`` in the class body (a swapped model, a database
                # vendor) all count: their data steps are evidence, their state the same
                operations.extend(self.operations(value))
        mig.operations = operations
        return mig

    def keys(self, node, app_label: str) -> list[tuple[str, str]]:
        out = []
        for elt in _elements(node, self.names) or ():
            if isinstance(elt, (ast.Tuple, ast.List)) and len(elt.elts) == 2:
                a, b = (_const_str(e) for e in elt.elts)
                if a and b:
                    out.append((a, b))
            elif isinstance(elt, ast.Call) and (dotted_name(elt.func) or "").endswith("swappable_dependency"):
                # swappable_dependency(settings.AUTH_USER_MODEL) -> (user app, "__first__")
                out.append(("__swappable__", "__first__"))
        return out

    # --------------------------------------------------------------- operations
    def operation(self, node) -> Operation | None:
        if not isinstance(node, ast.Call):
            return None
        qual = self.resolve(node.func)
        module, _, cls = qual.rpartition(".")
        line, col = node.lineno, node.col_offset
        if not module.startswith(_OPERATION_MODULES):
            op = Operation("custom", line, col, data_step=True)
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg in ("model_name", "name"))]:
                text = _const_str(arg)
                if text:
                    op.model = text.lower()
                    break
            return op
        a = _arguments(node, _SIGNATURES.get(cls, ()))
        op = Operation(cls, line, col)
        if cls == "CreateModel":
            op.model, op.display = _lower(a.get("name")), _const_str(a.get("name")) or ""
            fields = _elements(a.get("fields"), self.names)
            if fields is None:
                op.fields.append(("", None))
            else:
                for elt in fields:
                    if isinstance(elt, ast.Tuple) and len(elt.elts) == 2 and _const_str(elt.elts[0]):
                        op.fields.append((elt.elts[0].value, self.field(elt.elts[1])))
                    else:
                        op.fields.append(("", None))
            op.options = self.options(a.get("options"))
        elif cls in ("DeleteModel", "AlterModelTable", "AlterModelManagers", "AlterOrderWithRespectTo"):
            op.model = _lower(a.get("name"))
        elif cls == "AlterModelOptions":
            op.model = _lower(a.get("name"))
            op.options = self.options(a.get("options"))
        elif cls == "RenameModel":
            op.old_name, op.name = _lower(a.get("old_name")), _lower(a.get("new_name"))
            op.display = _const_str(a.get("new_name")) or ""
            op.model = op.old_name
        elif cls == "AlterUniqueTogether":
            op.model = _lower(a.get("name"))
            op.together = _together(a.get("unique_together"))
        elif cls in ("AddField", "AlterField"):
            op.model, op.name = _lower(a.get("model_name")), _const_str(a.get("name")) or ""
            op.definition = self.field(a.get("field"))
            op.preserve_default = not is_false(a.get("preserve_default"))
        elif cls == "RemoveField":
            op.model, op.name = _lower(a.get("model_name")), _const_str(a.get("name")) or ""
        elif cls == "RenameField":
            op.model = _lower(a.get("model_name"))
            op.old_name, op.name = _const_str(a.get("old_name")) or "", _const_str(a.get("new_name")) or ""
        elif cls in ("AddConstraint", "AddConstraintNotValid"):
            op.model = _lower(a.get("model_name"))
            op.constraint = self.constraint(a.get("constraint"))
        elif cls == "AlterConstraint":
            op.model, op.name = _lower(a.get("model_name")), _const_str(a.get("name")) or ""
            op.constraint = self.constraint(a.get("constraint"))
        elif cls == "RemoveConstraint":
            op.model, op.name = _lower(a.get("model_name")), _const_str(a.get("name")) or ""
        elif cls == "RunPython":
            op.data_step = not _is_noop(a.get("code"))
            if op.data_step:
                op.data_words = self.code_words(a.get("code"))
        elif cls == "RunSQL":
            op.data_step = not _is_noop(a.get("sql"))
            if op.data_step:
                op.data_words = self.sql_words(a.get("sql"))
            op.state = self.operations(a.get("state_operations"))
        elif cls == "SeparateDatabaseAndState":
            op.database = self.operations(a.get("database_operations"))
            op.state = self.operations(a.get("state_operations"))
        return op

    def code_words(self, node) -> frozenset | None:
        """The words of a RunPython callable defined in the module and of the module's
        functions it reaches (helpers, at any depth), else None (unknown code: defined
        elsewhere, or calling a function of the project imported from another module)."""
        if isinstance(node, ast.Lambda):
            return None if self._calls_project_code(node) else _words(node)
        if not isinstance(node, ast.Name) or node.id not in self.functions:
            return None
        name = node.id
        if name not in self._function_words:
            words: set[str] | None = set()
            todo, seen = [name], {name}
            while todo:
                func = self.functions[todo.pop()]
                if self._calls_project_code(func):
                    words = None
                    break
                func_words = _words(func)
                words |= func_words
                for helper in func_words & self.functions.keys():
                    if helper not in seen:
                        seen.add(helper)
                        todo.append(helper)
            self._function_words[name] = None if words is None else frozenset(words)
        return self._function_words[name]

    def _calls_project_code(self, node) -> bool:
        """Does the code call a function imported from the project's own package (a helper
        in another module may do the filling)?  A query through the manager of a model
        imported from the project (``Tag.objects.filter(...).delete()``) is not: Django's
        queryset methods do what their words say.  A method of its own on that manager or
        on the class is project code."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                methods, base = [], sub
                while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
                    methods.append(base.func.attr)
                    base = base.func.value
                dotted = dotted_name(base) if methods else dotted_name(sub.func)
                head, _, rest = (dotted or "").partition(".")
                target = self.imports.get(head, "")
                if not (target and target.split(".")[0] == self.package and self.package):
                    continue
                if rest in _MANAGERS and methods and all(m in _QUERYSET_METHODS for m in methods):
                    continue  # the ORM, through a project model's manager
                return True
        return False

    def sql_words(self, node) -> frozenset | None:
        """The words of RunSQL's SQL: literal strings (or module-level names bound to
        them); None when the SQL is computed."""
        for _ in range(5):
            if isinstance(node, ast.Name) and node.id in self.names:
                node = self.names[node.id]
        for sub in ast.walk(node):
            if not isinstance(sub, (ast.Constant, ast.List, ast.Tuple, ast.Load, ast.keyword)):
                return None
        return _words(node)

    def operations(self, node) -> list[Operation]:
        return [op for op in (self.operation(e) for e in _elements(node, self.names) or ()) if op]

    def field(self, node) -> FieldState | None:
        if not isinstance(node, ast.Call):
            return None
        qual = self.resolve(node.func)
        last = qual.rpartition(".")[2]
        if qual.startswith("django."):
            kind = last
        else:
            kind = self.field_kind(qual) or last
        known = kind in DJANGO_FIELDS
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        default = kw.get("default")
        relation = RELATIONS.get(kind)
        state = FieldState(
            kind=kind, known=known, custom=not qual.startswith("django."),
            # a setting-dependent ``null=`` / ``unique=`` (``unique=UNIQUE_EMAIL``) counts as
            # set: no NOT NULL and no missing uniqueness is claimed on a guess
            null=_maybe(kw.get("null")), blank=is_true(kw.get("blank")),
            has_default=default is not None
            and not (isinstance(default, ast.Constant) and default.value is None),
            has_db_default="db_default" in kw,
            unique=_maybe(kw.get("unique")), primary_key=is_true(kw.get("primary_key")),
            auto_now=is_true(kw.get("auto_now")) or is_true(kw.get("auto_now_add")),
            relation=relation,
        )
        if state.custom and self.field_options is not None:
            self._apply_class_options(state, qual, node)
        if any(k.arg is None for k in node.keywords):
            # ``CharField(**app_settings.OPTIONS)``: the options the call does not spell out
            # are unknown; an unknown never fires (it may be null=True, a default, unique)
            state.options_unknown = True
            state.custom = True
            if "null" not in kw:
                state.null = True
            if "unique" not in kw:
                state.unique = True
        return state

    def _apply_class_options(self, state: FieldState, qual: str, node: ast.Call) -> None:
        """A project field class: what its ``__init__`` chain makes of the call's options, as
        the index reads it (``IdentifierField()`` whose ``__init__`` sets ``null=True`` is
        nullable).  Read in full, the class is judged like Django's own (``custom`` off);
        an option left unknown counts as set, as a setting-dependent value does."""
        explicit = {}
        for k in node.keywords:
            if k.arg is None:
                return  # **options: anything may be passed
            if k.arg in ("null", "unique", "blank", "primary_key", "auto_now", "auto_now_add"):
                explicit[k.arg] = True if _maybe(k.value) else False
            elif k.arg in ("default", "db_default"):
                explicit[k.arg] = not (isinstance(k.value, ast.Constant) and k.value.value is None)
        options = self.field_options(qual, explicit)
        if options is None:
            return

        def maybe(name):  # unknown counts as set
            return options.get(name) is not False
        state.null = maybe("null")
        state.unique = maybe("unique")
        state.blank = maybe("blank")
        state.has_default = maybe("default")
        state.has_db_default = maybe("db_default")
        state.primary_key = options.get("primary_key") is True
        state.auto_now = maybe("auto_now") or maybe("auto_now_add")
        state.custom = any(options.get(name) is None for name in options)

    def constraint(self, node) -> ConstraintState | None:
        if not isinstance(node, ast.Call) or not self.resolve(node.func).endswith("UniqueConstraint"):
            return None
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        names = _string_list(kw.get("fields"))
        expressions = not names
        if expressions:
            names = []
            for arg in node.args:
                for ref in _referenced_fields(arg):
                    if ref not in names:
                        names.append(ref)
            # F("a"), F("b") only: a plain unique set over columns
            expressions = not node.args or not all(
                isinstance(a, ast.Call) and (dotted_name(a.func) or "").rpartition(".")[2] == "F"
                for a in node.args
            )
        return ConstraintState(
            name=_const_str(kw.get("name")), fields=names,
            conditional="condition" in kw, expressions=expressions,
            condition_fields=_referenced_fields(kw["condition"]) if "condition" in kw else [],
        )

    def options(self, node) -> dict:
        out: dict = {}
        if not isinstance(node, ast.Dict):
            return out
        for k, v in zip(node.keys, node.values):
            key = _const_str(k)
            if key in ("managed", "proxy", "abstract") and isinstance(v, ast.Constant):
                out[key] = bool(v.value)
            elif key == "unique_together":
                out[key] = _together(v)
            elif key == "constraints":
                out[key] = [c for c in (self.constraint(e) for e in _elements(v, self.names) or ()) if c]
        return out


_SIGNATURES = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AlterModelTable": ("name", "table"),
    "AlterModelManagers": ("name", "managers"),
    "AlterModelOptions": ("name", "options"),
    "AlterOrderWithRespectTo": ("name", "order_with_respect_to"),
    "AlterUniqueTogether": ("name", "unique_together"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "AlterField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddConstraint": ("model_name", "constraint"),
    "AddConstraintNotValid": ("model_name", "constraint"),
    "AlterConstraint": ("model_name", "name", "constraint"),
    "RemoveConstraint": ("model_name", "name"),
    "RunPython": ("code", "reverse_code"),
    "RunSQL": ("sql", "reverse_sql", "state_operations"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
}


def _simple_assign(stmt) -> bool:
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)


def _referenced_fields(node) -> list[str]:
    """Field names an expression or ``Q`` condition reads: ``F("a")``, ``Lower("b")``,
    ``Q(c=True)``, ``Q(("d__isnull", False))``."""
    out: list[str] = []

    def add(text):
        name = text.split("__")[0]
        if name and name not in out:
            out.append(name)

    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            for arg in sub.args:
                if _const_str(arg):
                    add(arg.value)
            for kw in sub.keywords:
                if kw.arg and kw.arg not in ("output_field", "_connector", "_negated"):
                    add(kw.arg)
        elif isinstance(sub, ast.Tuple) and len(sub.elts) == 2 and _const_str(sub.elts[0]):
            add(sub.elts[0].value)
    return out


def _module_imports(tree: ast.Module, module: str) -> dict[str, str]:
    """Local name -> qualified name of a migration module's top-level imports (a summary of
    the whole module would walk every node: migrations only import at the top)."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    out.setdefault(top, top)
        elif isinstance(stmt, ast.ImportFrom):
            base = absolute_module(module, False, stmt.module, stmt.level)
            for alias in stmt.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return out


def _arguments(call: ast.Call, names) -> dict:
    out = {}
    for name, arg in zip(names, call.args):
        if not isinstance(arg, ast.Starred):
            out[name] = arg
    for kw in call.keywords:
        if kw.arg:
            out[kw.arg] = kw.value
    return out


def _const_str(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _lower(node) -> str:
    return (_const_str(node) or "").lower()


def _maybe(node) -> bool:
    """True, or a value only known at run time."""
    return node is not None and not (isinstance(node, ast.Constant) and not node.value)


def _elements(node, names: dict | None = None, depth: int = 0) -> list | None:
    """The items of a literal list, also built as ``[...] + ([...] if flag else [])`` or
    named in the class body (``state_operations = [...]``); both branches of a
    conditional count.  None when not readable."""
    if depth > 20:
        return None
    if isinstance(node, ast.Name) and names and node.id in names:
        return _elements(names[node.id], names, depth + 1)
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _elements(node.left, names, depth + 1), _elements(node.right, names, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.IfExp):
        body, orelse = _elements(node.body, names, depth + 1), _elements(node.orelse, names, depth + 1)
        return None if body is None or orelse is None else body + orelse
    return None


def _string_list(node) -> list[str] | None:
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts and all(_const_str(e) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def _together(node) -> list[list[str]] | None:
    """``unique_together`` as Django normalises it: a list of field-name lists."""
    if isinstance(node, ast.Call) and dotted_name(node.func) in ("set", "frozenset", "tuple", "list"):
        if not node.args:
            return []
        if len(node.args) == 1:
            return _together(node.args[0])  # set([("a", "b")])
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return None
    if not node.elts:
        return []
    flat = _string_list(node)
    if flat is not None:
        return [flat]
    out = []
    for elt in node.elts:
        names = _string_list(elt)
        if names is None:
            return None
        out.append(names)
    return out


def _words(node) -> frozenset:
    """Identifiers an expression or function mentions: names, attributes, keyword names and
    the words of its strings (``"code__isnull"`` gives ``code``; SQL gives its columns)."""
    out: set[str] = set()
    if node is None:
        return frozenset()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.keyword) and sub.arg:
            out.update(sub.arg.split("__"))
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            for word in _WORD.findall(sub.value):
                out.update(word.lower().split("__"))
    out.discard("")
    return frozenset(out)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _is_noop(node) -> bool:
    if node is None:
        return True
    if isinstance(node, ast.Constant):
        return not node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return not node.elts
    name = dotted_name(node) or ""
    if name.rpartition(".")[2] in _NOOP_NAMES:
        return True
    if isinstance(node, ast.Lambda):
        body = node.body
        return isinstance(body, ast.Constant) and body.value is None
    return False


# ---------------------------------------------------------------------- reading the files
# by path, across roots; bounded (memo.py) far above any one project's migration count
_PARSED: dict[str, MigrationFile | None] = RecentMemo(MAX_PARSED_MIGRATIONS)
# the files among them that gave no syntax tree (the others without a result hold no Migration
# class: django/db/migrations/executor.py is no migration)
_UNPARSED: dict[str, bool] = RecentMemo(MAX_PARSED_MIGRATIONS)


_PATHS: dict[int, tuple] = RecentMemo(RECENT_ROOTS)


def migration_paths(index) -> tuple[str, ...]:
    """The project's migration files (those of test packages aside), listed once per index
    (every models and migrations file of a run asks)."""
    cached = _PATHS.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    root = index.root.rstrip(os.sep) + os.sep if index.root else ""
    paths = tuple(sorted(
        p for p in index.path_modules
        if layout.is_migration_path(p)
        and not layout.is_test_path(p[len(root):] if root and p.startswith(root) else p)
        and not in_test_package(index.path_modules.get(p, ""))
        and os.path.basename(p)[:1].isalnum()  # Django skips names starting with _ or ~
    ))
    _PATHS[id(index)] = (index, paths)
    return paths


TEST_PACKAGES = frozenset({"test", "tests", "testing"})


def in_test_package(module: str) -> bool:
    """Is a migration module part of a test app (``project.tests.testapp.migrations.0002``)?

    Judged by the dotted name, which follows the package chain above the file, rather than
    by the path below the project root: a test suite with its own ``manage.py``
    (``pkg/test/manage.py``) is a root of its own, and below it the path no longer says
    "test".  A test app's migrations only ever run on an empty test database."""
    return any(part in TEST_PACKAGES for part in module.split(".")[:-1])


def app_label_of(index, path: str) -> str:
    module = index.path_modules.get(path, "")
    parts = module.split(".")
    if "migrations" in parts:
        app = ".".join(parts[: len(parts) - 1 - parts[::-1].index("migrations")])
    else:
        app = ".".join(parts[:-2])
    app = app or os.path.basename(os.path.dirname(os.path.dirname(path)))
    return index.app_labels.get(app, app.rpartition(".")[2])


def read_migration(index, path: str) -> MigrationFile | None:
    """One migration file as plain data (parsed at most once per process)."""
    if path in _PARSED:
        return _PARSED[path]
    _PARSED[path] = None
    source = read_source(path)
    tree = parse_source(source, path) if source is not None else None
    if tree is None:
        _UNPARSED[path] = True
        return None
    shared_trees.offer(path, source, tree)  # the function index's, if it reads RunPython code
    _UNPARSED.pop(path, None)
    mig = migration_from_tree(index, path, tree, source)
    _PARSED[path] = mig
    return mig


def migration_from_tree(index, path: str, tree: ast.Module, source: str) -> MigrationFile | None:
    """One migration file as plain data, read from its syntax tree and text."""
    module = index.path_modules.get(path) or layout.module_name(path, index.root or os.path.dirname(path))[0]
    kinds: dict[str, str | None] = {}

    def field_kind(qualname: str) -> str | None:
        if qualname not in kinds:
            try:
                kinds[qualname] = index.field_kind(qualname)
            except Exception:  # a class the index cannot follow: an unknown field
                kinds[qualname] = None
        return kinds[qualname]

    def field_options(qualname: str, explicit: dict) -> dict | None:
        try:
            return index.effective_options(qualname, explicit)
        except Exception:  # a class the index cannot follow: an unknown field
            return None

    name = os.path.basename(path)[:-3]
    mig = _Reader(tree, module, field_kind, field_options).read(tree, path, app_label_of(index, path), name)
    if mig is not None:
        mig.digest = source_digest(source)
    return mig


# ---------------------------------------------------------------------- the graph
def _order(migs: dict[tuple, MigrationFile], user_app: str) -> tuple[list[tuple], dict[tuple, list[tuple]]]:
    """Dependency order of ``migs`` and each migration's resolved in-project dependencies."""
    by_app: dict[str, list[tuple]] = {}
    for key in migs:
        by_app.setdefault(key[0], []).append(key)
    deps: dict[tuple, list[tuple]] = {k: [] for k in migs}

    def resolve(app: str, name: str) -> tuple | None:
        if app == "__swappable__":
            app = user_app
        if (app, name) in migs:
            return (app, name)
        if name in ("__first__", "__latest__") and app in by_app:
            return (name, app, None)  # resolved once each app's roots and leaves are known
        return None

    pending = []
    for key, mig in migs.items():
        for dep in mig.dependencies:
            if type(dep) is tuple and dep in migs:  # the usual case, without a call
                pending.append((dep, key))
                continue
            d = resolve(*dep)
            if d:
                pending.append((d, key))
        for app, name in mig.run_before:
            d = resolve(app, name)
            if d:
                pending.append((key, d))
    in_app: list = []  # [parents, children] within each app: only __first__ / __latest__ ask

    def links_in_app():
        if not in_app:
            parents_in_app: dict[tuple, set] = {k: set() for k in migs}
            children_in_app: dict[tuple, set] = {k: set() for k in migs}
            for a, b in pending:
                if a in migs and b in migs and a[0] == b[0]:
                    parents_in_app[b].add(a)
                    children_in_app[a].add(b)
            in_app.extend((parents_in_app, children_in_app))
        return in_app

    picked: dict[tuple, tuple | None] = {}

    def pick(side):
        if side in migs:
            return side
        if side not in picked:  # once per app and end, not once per dependency on it
            parents_in_app, children_in_app = links_in_app()
            which, app, _ = side
            nodes = sorted(by_app.get(app, []))
            if which == "__first__":
                nodes = [k for k in nodes if not parents_in_app[k]][:1]
            else:
                nodes = [k for k in nodes if not children_in_app[k]][-1:]
            picked[side] = nodes[0] if nodes else None
        return picked[side]

    edges = set()
    for a, b in pending:
        if a not in migs:
            a = pick(a)
        if b not in migs:
            b = pick(b)
        if a and b and a != b:
            edges.add((a, b))
    incoming = {k: 0 for k in migs}
    out: dict[tuple, list[tuple]] = {k: [] for k in migs}
    for a, b in edges:
        out[a].append(b)
        incoming[b] += 1
        deps[b].append(a)
    ready = [k for k, n in incoming.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        k = heapq.heappop(ready)
        order.append(k)
        for c in out[k]:
            incoming[c] -= 1
            if incoming[c] == 0:
                heapq.heappush(ready, c)
    if len(order) < len(migs):  # a cycle: the rest in name order rather than nothing
        done = set(order)
        order.extend(sorted(k for k in migs if k not in done))
    return order, deps


def _variant(migs: dict[tuple, MigrationFile], originals: bool) -> dict[tuple, MigrationFile]:
    """The migrations Django applies: squashes instead of what they replace (an empty
    database), or with ``originals`` the replaced migrations instead of squashes whose
    originals are all on disk (a database that applied them before the squash existed)."""
    nodes = dict(migs)
    remap: dict[tuple, tuple] = {}
    for key, mig in sorted(migs.items()):
        if not mig.replaces:
            continue
        complete = all(r in migs for r in mig.replaces)
        if originals and complete:
            nodes.pop(key, None)
            remap[key] = mig.replaces[-1]
        else:
            for r in mig.replaces:
                if nodes.pop(r, None) is not None or r not in remap:
                    remap[r] = key
    if not remap:
        return nodes

    def target(k):
        seen = 0
        while k in remap and seen < 50:
            k, seen = remap[k], seen + 1
        return k

    out = {}
    for key, mig in nodes.items():
        deps = []
        for d in mig.dependencies:
            t = target(d)
            if t != key and t not in deps:
                deps.append(t)
        if deps != mig.dependencies:
            mig = MigrationFile(mig.path, mig.app_label, mig.name, deps, mig.replaces, mig.run_before,
                                mig.operations, mig.initial)
        out[key] = mig
    return out


# ---------------------------------------------------------------------- the replay
class _Replay:
    def __init__(self, migs: dict[tuple, MigrationFile], order, deps):
        self.migs = migs
        self.order = order
        self.deps = deps
        self.models: dict[str, ModelState] = {}
        self.findings: list[OperationFinding] = []
        self.position = 0
        # app -> position of its last data step whose code cannot be read; app -> word ->
        # position of its last data step whose code names the word (see _data_step_since)
        self.last_unread_step: dict[str, int] = {}
        self.last_step_naming: dict[str, dict[str, int]] = {}
        self.mig: MigrationFile | None = None
        self.data_in_migration = False
        self.data_before = False
        self.start_uniques: dict[str, _Start] = {}
        self._watched: dict[int, _Start] = {}  # id(model state) -> its start, this migration
        self._dep_set: frozenset | None = None
        self._split_answers: dict[tuple, bool] = {}  # (migration, creator) -> _initial_path
        self.words_before: list = []  # words of the data steps of ``data_before`` (None: unknown)
        self.mig_start = 0  # replay position before this migration's first operation
        self.added: dict[str, dict[str, FieldState]] = {}  # model -> fields added by this migration
        # (model, field) -> replay position where an AlterField made a NOT NULL column nullable
        self.relaxed_at: dict[tuple, int] = {}
        # key -> the data steps' words that precede it (_data_steps_before), for the keys
        # replayed so far
        self._words_before: dict[tuple, list] = {}

    def run(self) -> None:
        for key in self.order:
            mig = self.migs[key]
            self.mig = mig
            self.data_in_migration = False
            self.words_before = self._words_before[key] = self._data_steps_before(key)
            self.data_before = bool(self.words_before)
            self.mig_start = self.position
            self.start_uniques = {}
            self._watched = {}
            self._dep_set = None
            self.added = {}
            for op in mig.operations:
                self.apply(op, self.models, database=True)

    def _data_steps_before(self, key) -> list:
        """The words (None: unknown code) of the data steps in the migrations of the same app
        this one depends on directly (looking through merge migrations that have no operations)."""
        deps = [d for d in self.deps.get(key, ()) if d in self.migs and d[0] == key[0]]
        if all(d in self._words_before for d in deps):
            # each dependency was replayed first (the graph has no cycle): its own answer
            # covers what lies behind it, so nothing is walked twice
            found: dict[int, object] = {}  # one entry per data step, however many paths reach it
            for d in deps:
                dep = self.migs[d]
                if dep.has_data_step:
                    words = _data_words(dep.operations)
                elif not dep.operations:
                    words = self._words_before[d]
                else:
                    continue
                for w in words:
                    found.setdefault(id(w), w)
            return list(found.values())
        out: list = []
        stack, seen = list(self.deps.get(key, ())), set()
        while stack:
            d = stack.pop()
            if d in seen or d not in self.migs or d[0] != key[0]:
                continue
            seen.add(d)
            dep = self.migs[d]
            if dep.has_data_step:
                out.extend(_data_words(dep.operations))
            elif not dep.operations:
                stack.extend(self.deps.get(d, ()))
        return out

    def _key(self, model: str) -> str:
        return f"{self.mig.app_label}.{model}"

    def _remember_start(self, models, key):
        if key not in self.start_uniques and key in models:
            start = _Start(models[key])
            self.start_uniques[key] = start
            self._watched[id(start.model)] = start

    def _change_field(self, model: ModelState, name: str) -> None:
        """Before ``model.fields[name]`` changes: keep its value for the model's start."""
        start = self._watched.get(id(model))
        if start is not None and name not in start.before:
            start.before[name] = model.fields.get(name)

    def _existing_table(self, models, key) -> ModelState | None:
        m = models.get(key)
        if m is None or not m.managed or m.proxy or not m.created_in:
            return None
        if m.created_in == f"{self.mig.app_label}.{self.mig.name}":
            return None  # created earlier in this same migration: no rows yet
        if self._initial_split(m):
            return None
        return m

    def _initial_split(self, m: ModelState) -> bool:
        """An app's initial schema split over several migrations, all ``initial``
        (makemigrations puts foreign keys between apps, and what needs them, in ``0002``;
        large apps split it further, ``0001`` to ``0004``): the table was created by an
        earlier initial part that this one depends on through initial parts of the same app
        only, and no data step (RunPython, RunSQL, an operation we cannot read) runs in those
        parts or earlier in this migration.  One creation: the table has no rows yet.

        Not seen: another app's data step that the graph lets run between two parts."""
        if not self.mig.initial or self.data_in_migration:
            return False
        app, _, name = m.created_in.partition(".")
        target = (app, name)
        creator = self.migs.get(target)
        if creator is None or not creator.initial:
            return False
        key = (self.mig.key, target)
        known = self._split_answers.get(key)
        if known is None:
            known = self._split_answers[key] = self._initial_path(target)
        return known

    def _initial_path(self, target: tuple[str, str]) -> bool:
        """A dependency path from this migration back to ``target`` through initial migrations
        of ``target``'s app with no data step (``target`` included)."""
        stack, seen = list(self.deps.get(self.mig.key, ())), set()
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            dep = self.migs.get(d)
            if dep is None or d[0] != target[0] or not dep.initial or dep.has_data_step:
                continue
            if d == target:
                return True
            stack.extend(self.deps.get(d, ()))
        return False

    def _covered(self, key, model: ModelState, names) -> bool:
        start = self.start_uniques.get(key)
        return model.covers(names) or (start is not None and start.covers(names))

    def _same_run(self, table: ModelState, f: FieldState) -> bool:
        """Was the table created by the makemigrations run that wrote this migration?  The
        autodetector puts a new model's foreign keys to other apps in a second migration
        (``0002``, marked ``initial`` since Django 1.9) right after its ``CreateModel``, and
        never asks for a default there: the table is new.  (Adding a NOT NULL field to a
        model of an earlier run makes makemigrations ask for a one-off default.)"""
        app, _, name = table.created_in.partition(".")
        creator = (app, name)
        if self._dep_set is None:
            self._dep_set = frozenset(self.deps.get(self.mig.key, ()))
        if creator not in self._dep_set:
            return False
        created = self.migs.get(creator)
        both_initial = self.mig.initial and created is not None and created.initial
        return f.relation in ("fk", "o2o") or bool(both_initial)

    def _all_null(self, key, names) -> bool:
        """Does a set include a column this migration added as NULL for every existing row?
        NULLs never collide in a unique index.  (Or added with no value at all.)"""
        added = self.added.get(key, {})
        return any(
            n in added and not added[n].filled_at and (
                (added[n].null and not added[n].has_default and not added[n].has_db_default)
                # added with no value for existing rows: the table is new (same makemigrations
                # run) or that AddField is the problem (DJI004), not this uniqueness
                or not added[n].fills_existing_rows()
            )
            for n in names
        )

    def _reads_new_column(self, key, c: ConstraintState) -> bool:
        """A condition over a column this migration added: every existing row holds that
        column's one default, so the condition cannot tell rows apart (``default=False``
        with ``condition=Q(default=True)`` matches none of them)."""
        added = self.added.get(key, {})
        return any(n in added for n in c.condition_fields)

    def _report(self, code, reason, op, model: ModelState, fields):
        if self.mig.replaces:
            # A squash runs only where none of the migrations it replaces ran: new
            # databases.  The risk was in the originals (replayed and reported themselves
            # while on disk), and the squasher drops their elidable data steps.
            return
        self.findings.append(
            OperationFinding(code, reason, self.mig.path, op.line, op.col, model.app_label,
                             model.display or model.name, list(fields), self.mig.name)
        )

    def apply(self, op: Operation, models: dict[str, ModelState], database: bool) -> None:
        self.position += 1
        pos = self.position
        kind = op.op
        if kind == "SeparateDatabaseAndState":
            if database and op.database:
                touched = {self._key(o.model) for o in op.database if o.model} | {
                    self._key(o.name) for o in op.database if o.op == "RenameModel"}
                scratch = dict(models)
                for k in touched:
                    if k in scratch:
                        scratch[k] = _clone(scratch[k])
                for o in op.database:
                    self.apply(o, scratch, database=True)
            for o in op.state:
                self.apply(o, models, database=False)
            return
        if kind in ("RunPython", "RunSQL", "custom"):
            if database and op.data_step:
                self.data_in_migration = True
                app = self.mig.app_label
                if op.data_words is None:
                    self.last_unread_step[app] = pos
                else:
                    naming = self.last_step_naming.setdefault(app, {})
                    for word in op.data_words:
                        naming[word] = pos
            if kind == "RunSQL":
                for o in op.state:
                    self.apply(o, models, database=False)
            if kind == "custom" and op.model:
                m = models.get(self._key(op.model))
                if m is not None:
                    m.uncertain = True
            return
        if not op.model:
            return
        key = self._key(op.model)
        self._remember_start(models, key)
        model = models.get(key)
        if kind == "CreateModel":
            m = ModelState(self.mig.app_label, op.model, display=op.display)
            for name, f in op.fields:
                if f is None:
                    m.uncertain = True
                    continue
                m.fields[name] = replace(f, changed_at=pos, null_since=pos if f.null else 0)
            opts = op.options
            m.managed = opts.get("managed", True)
            m.proxy = opts.get("proxy", False)
            if opts.get("unique_together") is None and "unique_together" in opts:
                m.uncertain = True
            m.unique_together = [list(t) for t in opts.get("unique_together") or []]
            m.constraints = list(opts.get("constraints", []))
            m.created_in = f"{self.mig.app_label}.{self.mig.name}" if database else ""
            models[key] = m
            return
        if model is None:
            return
        if kind == "DeleteModel":
            del models[key]
        elif kind == "RenameModel":
            new_key = self._key(op.name)
            del models[key]
            model = _clone(model)
            model.name, model.display = op.name, op.display
            models[new_key] = model
        elif kind == "AlterModelOptions":
            for opt in ("managed", "proxy"):
                if opt in op.options:
                    setattr(model, opt, op.options[opt])
        elif kind == "AlterUniqueTogether":
            if op.together is None:
                model.uncertain = True
                return
            old = {frozenset(t) for t in model.unique_together}
            if database:
                table = self._existing_table(models, key)
                if table is not None:
                    for names in op.together:
                        if frozenset(names) not in old and not self._covered(key, model, names) \
                                and not self._all_null(key, names) \
                                and self._duplicates_possible(model, names):
                            self._report("DJI002", "unique_together", op, model, names)
                            break
            model.unique_together = [list(t) for t in op.together]
        elif kind == "AddField":
            if op.definition is None:
                model.uncertain = True
                return
            f = replace(op.definition, changed_at=pos, added_later=True, null_since=pos if op.definition.null else 0)
            if database and f.known and f.has_column and not f.primary_key:
                table = self._existing_table(models, key)
                if table is not None and not self._same_run(table, f):
                    if not f.fills_existing_rows():
                        # a data step may empty the table
                        if not f.custom and not self.data_in_migration:
                            self._report("DJI004", "add_not_null", op, model, [op.name])
                    elif f.one_value_for_existing_rows():
                        if not f.is_unique:
                            f.filled_at = pos  # a later uniqueness over it meets that one value
                        elif not self._data_clears([op.name]):
                            self._report("DJI002", "add_unique_default", op, model, [op.name])
            if database:
                self.added.setdefault(key, {})[op.name] = f
            if not op.preserve_default:
                f.has_default = False
            self._change_field(model, op.name)
            model.fields[op.name] = f
        elif kind == "AlterField":
            old = model.fields.get(op.name)
            if op.definition is None:
                model.uncertain = True
                return
            f = replace(op.definition, changed_at=pos, added_later=True)
            if f.null:  # still nullable: the NULLs date from when it became so
                f.null_since = old.null_since if old is not None and old.null and old.null_since else pos
                if old is not None and not old.null and old.known and old.has_column:
                    self.relaxed_at[(key, op.name)] = pos  # every row held a value here
            if database and old is not None and f.known and old.known and f.has_column and old.has_column:
                table = self._existing_table(models, key)
                # the three steps of a safe change spread over migrations: the field added
                # or altered (nullable, not unique), a data step, then this AlterField
                recent_data = self._data_step_since(old.changed_at, op.name)
                if table is not None and self._leaves_nulls(old, f, op.name, key):
                    self._report("DJI004", "alter_not_null", op, model, [op.name])
                if table is not None and not recent_data:
                    if old.null and not f.null and not f.primary_key and not f.fills_existing_rows() \
                            and not f.custom:
                        pass  # made NOT NULL with nothing to fill it: DJI004's question
                    elif f.is_unique and not old.is_unique and not f.primary_key \
                            and not f.options_unknown and not old.options_unknown \
                            and not self._covered(key, model, [op.name]) \
                            and self._duplicates_possible(model, [op.name]):
                        self._report("DJI002", "alter_unique", op, model, [op.name])
            if old is not None and old.filled_at and not f.is_unique:
                f.filled_at = old.filled_at  # still the one value the AddField gave every row
            if not op.preserve_default:
                f.has_default = False
            self._change_field(model, op.name)
            model.fields[op.name] = f
        elif kind == "RemoveField":
            self._change_field(model, op.name)
            model.fields.pop(op.name, None)
        elif kind == "RenameField":
            if op.old_name in model.fields:
                self._change_field(model, op.old_name)
                self._change_field(model, op.name)
                model.fields[op.name] = model.fields.pop(op.old_name)

            def renamed(names):
                return [op.name if n == op.old_name else n for n in names]

            model.unique_together = [renamed(t) for t in model.unique_together]
            model.constraints = [replace(c, fields=renamed(c.fields)) for c in model.constraints]
        elif kind in ("AddConstraint", "AddConstraintNotValid", "AlterConstraint"):
            c = op.constraint
            if kind == "AlterConstraint":
                model.constraints = [x for x in model.constraints if x.name != op.name]
            if c is None:
                return
            if database and kind != "AlterConstraint":
                table = self._existing_table(models, key)
                if table is not None and self._duplicates_possible(model, c.fields) and not (
                    c.fields and not c.expressions and self._covered(key, model, c.fields)
                ) and not self._same_constraint_before(key, c) and not self._all_null(key, c.fields) \
                        and not self._reads_new_column(key, c):
                    named = c.fields or ([c.name] if c.name else [])
                    self._report("DJI002", "add_constraint", op, model, named)
            model.constraints.append(c)
        elif kind == "RemoveConstraint":
            model.constraints = [x for x in model.constraints if x.name != op.name]

    def _data_step_since(self, since: int, name: str) -> bool:
        """A data step of this app after replay position ``since`` (the field was created,
        added or altered) that may have filled it: its code names the field, or cannot be
        read (a callable from another module, a custom operation).  A data step about other
        fields fills nothing."""
        app = self.mig.app_label
        # positions only grow: a step after the change exists iff the last one is after it
        return (self.last_unread_step.get(app, 0) > since
                or self.last_step_naming.get(app, {}).get(name, 0) > since)

    def _leaves_nulls(self, old: FieldState, new: FieldState, name: str, key: str) -> bool:
        """Does this AlterField make a nullable column NOT NULL while rows may hold NULL?  No
        default or db_default to fill them (``fills_nulls_when_altered``), no data step of
        the app since the column became nullable that may have filled it or emptied the
        table (it names the field, ``fk_id`` read as ``fk``, deletes rows, or cannot be
        read), and every option read (a class whose ``__init__`` may set a default,
        ``**options``: unknown)."""
        if not (old.null and not new.null) or new.primary_key or new.custom or old.options_unknown:
            return False
        if new.fills_nulls_when_altered():
            return False
        relaxed = self.relaxed_at.get((key, name))
        if relaxed is not None and relaxed == old.null_since and relaxed >= self.mig_start:
            # NOT NULL until an operation of this very migration: only a data step since then
            # could have written a NULL, and one that names the column counts as a fill below
            return False
        return not self._data_clears([name], since=old.null_since or old.changed_at)

    def _same_constraint_before(self, key, c: ConstraintState) -> bool:
        """A constraint of that name already existed at the start of this migration
        (removed and added back: a changed condition or field list on a renamed field)."""
        start = self.start_uniques.get(key)
        return bool(start and c.name and any(x.name == c.name for x in start.constraints()))

    def _data_clears(self, names, since: int | None = None) -> bool:
        """Did a data step that can de-duplicate or fill the columns ``names`` run before this
        operation: earlier in this migration or in one it depends on directly, or (``since``) in
        the app anywhere after that replay position?  A data step about other fields does not."""
        start = self.mig_start if since is None else since
        app = self.mig.app_label
        naming = self.last_step_naming.get(app, {})
        # positions only grow: a clearing step after ``start`` exists iff the last one is after it
        if self.last_unread_step.get(app, 0) > start or any(
                naming.get(word, 0) > start
                for word in (*_DELETES, *names, *(f"{n}_id" for n in names))):
            return True
        return since is None and any(_clears(words, names) for words in self.words_before)

    def _duplicates_possible(self, model: ModelState, names) -> bool:
        """May the existing rows repeat a value over ``names``?  When an AddField gave a column
        of the set one value for every row, yes until a data step since then fills it (or
        de-duplicates); otherwise unless a data step just before can."""
        marks = [f.filled_at for f in (model.fields.get(n) for n in names) if f is not None and f.filled_at]
        if marks:
            return not self._data_clears(names, since=min(marks))
        return not self._data_clears(names)


_DELETES = frozenset({"delete", "truncate"})


def _clears(words: frozenset | None, names) -> bool:
    """Can a data step with these words de-duplicate or fill the columns ``names``?  It names
    one of them (``fk_id`` read as ``fk``), deletes rows, or its code cannot be read."""
    if words is None:
        return True
    return bool(words & _DELETES) or any(n in words or f"{n}_id" in words for n in names)


def _data_words(operations) -> list:
    """The words of the data steps among ``operations`` (inside SeparateDatabaseAndState too)."""
    out: list = []
    for op in operations:
        if op.data_step:
            out.append(op.data_words)
        out.extend(_data_words(op.database))
    return out


class _Start:
    """A model's uniqueness as it was when the migration being replayed first touched it,
    without a copy of its fields (a copy per migration made long chains quadratic): the
    model itself, plus the earlier value of each field the migration changed since
    (``_Replay._change_field``).  ``unique_together`` lists are replaced, never changed in
    place, and constraints only appended to in place, so their state then is kept by
    reference (and length)."""

    __slots__ = ("model", "before", "unique_together", "_constraints", "_count", "_by_field")

    def __init__(self, model: ModelState):
        self.model = model
        self.before: dict[str, FieldState | None] = {}
        self.unique_together = model.unique_together
        self._constraints = model.constraints
        self._count = len(model.constraints)

    def field(self, name: str) -> FieldState | None:
        before = self.before
        return before[name] if name in before else self.model.fields.get(name)

    def constraints(self) -> list[ConstraintState]:
        return self._constraints[: self._count]

    def covers(self, names) -> bool:
        # the model's own index while it still holds the same list (the usual case)
        holder = self.model if self.model.constraints is self._constraints else self
        by_field = _constraints_by_field(holder, self._constraints)
        return _covers(self.field, self.unique_together, by_field, self._count, names)


def _clone(m: ModelState) -> ModelState:
    return ModelState(
        m.app_label, m.name, dict(m.fields), [list(t) for t in m.unique_together],
        [replace(c, fields=list(c.fields)) for c in m.constraints],
        m.managed, m.proxy, m.created_in, m.uncertain, m.display,
    )


# ---------------------------------------------------------------------- entry points
def build_migration_state(index, given: MigrationFile | None = None) -> MigrationState:
    """Replay every migration of the project the index describes; ``given`` (a migration
    read from the text flake8 handed over) stands for the file of its path."""
    migs: dict[tuple, MigrationFile] = {}
    unparsed = []
    paths = list(migration_paths(index))
    if given is not None and given.path not in paths:
        paths.append(given.path)  # a migration file new to the project
    for path in paths:
        mig = given if given is not None and path == given.path else read_migration(index, path)
        if mig is not None:
            migs[mig.key] = mig
        elif path in _UNPARSED and is_regular_file(path):  # a FIFO, a device: refused, no loss
            unparsed.append(path)
    user_app = (getattr(index, "user_model_label", "auth.user") or "auth.user").partition(".")[0]
    state = MigrationState(apps=sorted({k[0] for k in migs}), migrations=len(migs),
                           digests={m.path: m.digest for m in migs.values()}, unparsed=unparsed)
    applied_paths = set()
    for originals in (False, True):
        variant = _variant(migs, originals)
        if originals and set(variant) == set(_variant(migs, False)):
            break
        order, deps = _order(variant, user_app)
        replay = _Replay(variant, order, deps)
        replay.run()
        if not originals:
            state.models = replay.models
            applied_paths = {m.path for m in variant.values()}
            chosen = replay.findings
        else:
            chosen = [f for f in replay.findings if f.path not in applied_paths]
        for f in chosen:
            state.findings.setdefault(f.path, []).append(f)
    return state


_STATES: dict[int, tuple] = RecentMemo(RECENT_ROOTS)


def get_migration_state(index, cache_dir: str | None = None, use_cache: bool = False) -> MigrationState:
    """The migration state of an index's project, computed once per process; with
    ``use_cache``, kept in the on-disk cache (project/cache.py) until a migration file, a
    migrations folder or a models file changes, or the app labels or user model do."""
    index = getattr(index, "overlay_of", None) or index  # an overlay's models do not change what migrations did
    cached = _STATES.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    with collector_paused():  # gc_pause.py
        if use_cache and index.root:
            from . import cache

            state = cache.load_or_build(
                "migrations", index.root,
                build=lambda: build_migration_state(index),
                inputs=lambda _state: _state_inputs(index),
                to_json=MigrationState.to_json,
                from_json=MigrationState.from_json,
                key={"format": 5, "user": index.user_model_label,
                     "labels": sorted(index.app_labels.items()),
                     "exclude": list(index.options.exclude)},  # which migration files were walked
                cache_dir=cache_dir, enabled=True, accept=_stored_state_ok,
            )
        else:
            state = build_migration_state(index)
    _STATES[id(index)] = (index, state)
    return state


_GIVEN: dict[tuple, list] = RecentMemo(RECENT_ROOTS)


def operation_findings(index, path: str, tree: ast.Module | None = None, source: str | None = None,
                       cache_dir: str | None = None, use_cache: bool = False) -> list[OperationFinding]:
    """The unsafe operations of the migration file ``path``.  With ``tree`` and ``source``
    (the text flake8 handed over: an unsaved buffer, a file saved since the state was built
    or cached) that text stands for the file: when it is not the text the project's state
    was replayed from, the project's migrations are replayed again with it (the positions,
    the operations and what they find are the buffer's)."""
    state = get_migration_state(index, cache_dir, use_cache)
    if tree is None or source is None:
        return state.findings.get(path, [])
    digest = source_digest(source)
    if state.digests.get(path) == digest:
        return state.findings.get(path, [])
    base = getattr(index, "overlay_of", None) or index
    key = (id(base), path, digest)
    cached = _GIVEN.get(key)
    if cached is not None and cached[0] is base:
        return cached[1]
    given = migration_from_tree(base, path, tree, source)
    if given is None:
        found = []
    else:
        found = build_migration_state(base, given).findings.get(path, [])
    _GIVEN[key] = (base, found)
    return found


def _state_inputs(index) -> list[str]:
    """What the replayed state was read from: every migration file and folder, and the models
    files whose fields name custom field classes."""
    paths = set(migration_paths(index))
    paths.update(os.path.dirname(p) for p in list(paths))
    paths.update(m.path for m in index.models.values() if m.path and not m.builtin)
    # the modules of the field classes migrations name: their __init__ decides null / default
    paths.update(p for p in (index.find_module(q.rpartition(".")[0]) for q in list(index.field_classes)) if p)
    return sorted(paths)


# ---------------------------------------------------------------------- drift
def drift(index, state: MigrationState) -> dict[str, list[DriftFinding]]:
    """Where the models and the replayed migrations disagree, by the models file to report in."""
    out: dict[str, list[DriftFinding]] = {}
    apps = set(state.apps)
    for fact in list(index.models.values()):
        if fact.builtin or fact.abstract or fact.proxy or not fact.managed or fact.app_label not in apps:
            continue
        ms = state.model(fact.app_label, fact.name)
        if ms is None or ms.uncertain or ms.proxy or not ms.managed:
            continue
        inherited_fields, inherited_sets = set(), set()
        for parent_name in fact.concrete_parents:  # multi-table inheritance: the parent's table
            parent = index.models.get(parent_name)
            if parent is not None:
                inherited_fields.update(parent.fields)
                inherited_sets.update((u.fields, u.source, u.line) for u in parent.unique_sets)
        missing_not_null = set()
        for name, f in fact.fields.items():
            owner = _owner(index, fact, f.declared_in)
            if owner is None or name in inherited_fields or not f.has_column or f.primary_key or f.generated:
                continue
            if f.kind not in DJANGO_FIELDS or f.null is not False or f.has_default is not False \
                    or f.has_db_default is not False or f.auto_now is not False:
                continue  # nullable, filled, or unknown (a class whose __init__ was not read)
            if f.blank is not False and f.kind in EMPTY_STRING_FIELDS:
                continue
            current = ms.fields.get(name)
            if current is None:
                reason = "not_null_missing"
            elif current.null and current.known and not current.options_unknown:
                reason = "not_null_nullable"
            else:
                continue
            missing_not_null.add(name)
            out.setdefault(owner.path, []).append(
                DriftFinding("DJI004", reason, owner.path, f.line, f.col, fact.app_label, fact.name, [name])
            )
        for u in fact.unique_sets:
            if u.source == "primary_key" or u.expressions and not u.name:
                continue
            owner = _owner(index, fact, u.declared_in)
            if owner is None or (u.fields, u.source, u.line) in inherited_sets:
                continue
            if u.source in ("unique", "one_to_one"):
                name = u.fields[0]
                current = ms.fields.get(name)
                if name in missing_not_null:
                    continue
                if current is None:
                    f = fact.fields.get(name)
                    if f is None or not f.has_column:
                        continue
                elif current.is_unique or not current.known:
                    continue
                elif ms.covers([name]):
                    continue
            elif u.source in ("unique_together", "constraint"):
                if any(n not in ms.fields for n in u.fields):
                    continue  # a field the migrations do not know: another kind of drift
                if _has_constraint(ms, u, fact):
                    continue
                if u.fields and not u.expressions and ms.covers(u.fields):
                    continue  # a subset is unique in the database already: nothing to enforce
            else:
                continue
            col = 0
            if u.source in ("unique", "one_to_one"):
                f = fact.fields.get(u.fields[0])
                col = f.col if f is not None and f.line == u.line else 0
            out.setdefault(owner.path, []).append(
                DriftFinding("DJI002", "unique_missing", owner.path, u.line, col, fact.app_label, fact.name,
                             list(u.fields), u.source)
            )
    return out


def _owner(index, fact, declared_in: str):
    """The model whose source declares a field or Meta entry, when it is ``fact`` itself or
    an abstract base (a concrete parent's fields live in the parent's table)."""
    if not declared_in or declared_in == fact.qualname:
        return fact
    owner = index.models.get(declared_in)
    if owner is None or not owner.abstract or not owner.path:
        return None
    return owner


def _has_constraint(ms: ModelState, u, fact) -> bool:
    names = frozenset(u.fields)
    if u.source == "unique_together":
        if any(frozenset(t) == names for t in ms.unique_together):
            return True
    if u.name:
        wanted = u.name.replace("%(app_label)s", fact.app_label.lower())
        wanted = wanted.replace("%(class)s", fact.name.lower())
        if any(c.name == wanted for c in ms.constraints):
            return True
        if "%(" in u.name:
            return True  # an interpolation we cannot reproduce: claim nothing
    if names:
        if any(frozenset(c.fields) == names and c.conditional == u.conditional for c in ms.constraints):
            return True
        if not u.conditional and any(frozenset(t) == names for t in ms.unique_together):
            return True
        if u.source == "unique_together" and any(
            frozenset(c.fields) == names and not c.conditional for c in ms.constraints
        ):
            return True
    return False


_DRIFT: dict[int, tuple] = RecentMemo(RECENT_ROOTS)


def get_drift(index, cache_dir: str | None = None, use_cache: bool = False) -> dict[str, list[DriftFinding]]:
    """Drift by models file; for an overlay index (the linted file's own text), its models
    against the project's replayed migrations (computed for that file, not remembered)."""
    if getattr(index, "overlay_of", None) is not None:
        return drift(index, get_migration_state(index, cache_dir, use_cache))
    cached = _DRIFT.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    result = drift(index, get_migration_state(index, cache_dir, use_cache))
    _DRIFT[id(index)] = (index, result)
    return result


def describe_drift(index, cache_dir: str | None = None, use_cache: bool = False):
    """Lines for ``python -m flake8_django_integrity models``: each app's drift between its
    models and its replayed migrations."""
    state = get_migration_state(index, cache_dir, use_cache)
    if not state.apps:
        yield "(no migrations found)"
        return
    found = drift(index, state)
    by_app: dict[str, list[DriftFinding]] = {}
    for findings in found.values():
        for f in findings:
            by_app.setdefault(f.app_label, []).append(f)
    for app in state.apps:
        items = sorted(by_app.get(app, ()), key=lambda f: (f.path, f.line))
        if not items:
            yield f"{app}: models and migrations agree"
            continue
        yield f"{app}:"
        for f in items:
            rel = os.path.relpath(f.path, index.root) if index.root else f.path
            what = {"unique_missing": "uniqueness no migration creates",
                    "not_null_missing": "NOT NULL field no migration adds",
                    "not_null_nullable": "NOT NULL in the model, nullable in the migrations"}.get(f.reason, f.reason)
            yield f"  {f.code} {f.model}({', '.join(f.fields)}): {what}  [{rel}:{f.line}]"


# ---------------------------------------------------------------------- applied in production
_APPLIED: dict = RecentMemo(RECENT_ROOTS)


def applied_before(index, since: dict[str, str]) -> tuple[frozenset[str], list[tuple[str, str]]]:
    """The migration files already applied where ``since`` (app label -> the last migration
    of that app applied in production) holds: each named migration and every migration it
    depends on, directly or not (Django applies a migration only after all of them, in any
    app; the replaced migrations of an applied squash too).  Also the entries that name no
    migration of the project.  Built from the same parsed files and dependency resolution
    as the replay, once per index and ``since``."""
    key = (id(index), tuple(sorted(since.items())))
    cached = _APPLIED.get(key)
    if cached is not None and cached[0] is index:
        return cached[1]
    migs: dict[tuple, MigrationFile] = {}
    for path in migration_paths(index):
        mig = read_migration(index, path)
        if mig is not None:
            migs[mig.key] = mig
    user_app = (getattr(index, "user_model_label", "auth.user") or "auth.user").partition(".")[0]
    _, deps = _order(migs, user_app)
    unknown = [(app, name) for app, name in sorted(since.items()) if (app, name) not in migs]
    todo = [(app, name) for app, name in since.items() if (app, name) in migs]
    seen = set(todo)
    while todo:
        mig_key = todo.pop()
        for parent in [*deps.get(mig_key, ()), *migs[mig_key].replaces]:
            if parent in migs and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    result = (frozenset(migs[k].path for k in seen), unknown)
    _APPLIED[key] = (index, result)
    return result
