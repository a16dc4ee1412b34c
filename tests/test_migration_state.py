"""The migration state, checked against Django's own MigrationLoader on the fixture projects.

Django imports the fixture's migrations in a child process (never the plugin: it reads them
as source); both states must agree on every model's fields (NULL-ability, uniqueness),
unique_together and unique constraints.  Plus the plain-data contract: JSON round trip.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness import FIXTURES

from flake8_django_integrity.project import migrations as migration_state
from flake8_django_integrity.project.index import ProjectIndex

pytest.importorskip("django")

PROJECTS = {
    "dji002_unique_migration": ["shop", "catalog", "library", "legacy", "venues", "stockroom"],
    "dji004_not_null_migration": ["orders", "people", "notes", "warehouse", "depot"],
}

ORACLE = r"""
import json, sys
import django
from django.conf import settings

apps = sys.argv[1].split(",")
settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", *apps],
    DATABASES={},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()
from django.db.migrations.loader import MigrationLoader

loader = MigrationLoader(None, ignore_no_migrations=True)
state = loader.project_state()
out = {}
for (app, name), model in state.models.items():
    if app not in apps:
        continue
    fields = {}
    for fname, f in model.fields.items():
        fields[fname] = {
            "null": bool(f.null),
            "unique": bool(f.unique or f.primary_key or f.one_to_one),
            "column": not f.many_to_many,
        }
    constraints = sorted(
        c.name for c in model.options.get("constraints", []) if type(c).__name__ == "UniqueConstraint"
    )
    together = sorted(sorted(t) for t in model.options.get("unique_together", ()))
    out[f"{app}.{name}"] = {
        "fields": fields,
        "constraints": constraints,
        "unique_together": together,
        "managed": model.options.get("managed", True),
        "proxy": bool(model.options.get("proxy", False)),
    }
print(json.dumps(out))
"""


def django_state(project, apps):
    result = subprocess.run(
        [sys.executable, "-c", ORACLE, ",".join(apps)],
        cwd=project, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def our_state(project, apps):
    index = ProjectIndex(str(project)).build()
    state = migration_state.build_migration_state(index)
    out = {}
    for key, model in state.models.items():
        if model.app_label not in apps:
            continue
        out[key] = {
            "fields": {
                # a project's field class may set null itself, options spread from a dict
                # (``CharField(**OPTIONS)``) may set null or unique: the replay does not claim them
                name: {"null": "unknown" if f.custom else f.null,
                       "unique": "unknown" if f.options_unknown else f.is_unique,
                       "column": f.relation != "m2m"}
                for name, f in model.fields.items()
            },
            "constraints": sorted(c.name for c in model.constraints),
            "unique_together": sorted(sorted(t) for t in model.unique_together),
            "managed": model.managed,
            "proxy": model.proxy,
        }
    return out, state


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_replayed_state_matches_django(name):
    project = FIXTURES / name
    apps = PROJECTS[name]
    theirs = django_state(project, apps)
    ours, _ = our_state(project, apps)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        for fname, facts in ours[key]["fields"].items():
            for fact in ("null", "unique"):
                if facts[fact] == "unknown" and fname in theirs[key]["fields"]:
                    facts[fact] = theirs[key]["fields"][fname][fact]
        assert ours[key] == theirs[key], key


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_state_is_plain_data(name):
    _, state = our_state(FIXTURES / name, PROJECTS[name])
    data = json.loads(json.dumps(state.to_json()))
    again = migration_state.MigrationState.from_json(data)
    assert again == state
    assert state.findings  # the fixtures hold unsafe operations


def test_unknown_and_broken_migrations_never_raise(tmp_path):
    app = tmp_path / "odd"
    (app / "migrations").mkdir(parents=True)
    (tmp_path / "manage.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations\n"
        "from odd.ops import Strange\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('odd', '0002_cycle'), ('elsewhere', '__latest__')]\n"
        "    operations = [Strange(), migrations.AddField(*ARGS), migrations.AlterField('x', 'y', FIELD),\n"
        "                  migrations.CreateModel(name='thing', fields=FIELDS)]\n"
    )
    (app / "migrations" / "0002_cycle.py").write_text(
        "from django.db import migrations\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('odd', '0001_initial')]\n"
        "    replaces = [('odd', '0001_initial'), ('odd', '0009_gone')]\n"
        "    operations = [migrations.AlterUniqueTogether('thing', UNIQUE), migrations.RunPython(f)]\n"
    )
    (app / "migrations" / "0003_broken.py").write_text("class Migration(:\n")
    index = ProjectIndex(str(tmp_path)).build()
    state = migration_state.build_migration_state(index)
    assert state.migrations == 2
    assert migration_state.drift(index, state) == {}


def _project(tmp_path, migrations: dict[str, str]):
    app = tmp_path / "shop"
    (app / "migrations").mkdir(parents=True)
    (tmp_path / "manage.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    for name, text in migrations.items():
        (app / "migrations" / f"{name}.py").write_text(text)
    index = ProjectIndex(str(tmp_path)).build()
    return migration_state.build_migration_state(index)


INITIAL = '''
from django.db import migrations, models
class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.CreateModel("Item", [("id", models.AutoField(primary_key=True)),
                                                  ("code", models.CharField(max_length=9))])]
'''


def test_postgres_operations_are_schema_steps_not_data_steps(tmp_path):
    state = _project(tmp_path, {
        "0001_initial": INITIAL,
        "0002_code_unique": '''
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.contrib.postgres import operations as pg
from django.db import migrations, models
class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        TrigramExtension(),
        AddIndexConcurrently("item", models.Index(fields=["code"], name="item_code_idx")),
        pg.ValidateConstraint("item", "whatever"),
        migrations.AlterField("item", "code", models.CharField(max_length=9, unique=True)),
    ]
'''})
    found = [(f.code, f.reason, f.line) for fs in state.findings.values() for f in fs]
    assert found == [("DJI002", "alter_unique", 12)]
    assert state.models["shop.item"].fields["code"].unique


def test_run_sql_state_operations_change_the_state(tmp_path):
    state = _project(tmp_path, {
        "0001_initial": INITIAL,
        "0002_sql": '''
from django.db import migrations, models
class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX item_code ON shop_item (code)",
            state_operations=[migrations.AlterField("item", "code", models.CharField(max_length=9, unique=True))],
        ),
    ]
'''})
    assert state.findings == {}
    assert state.models["shop.item"].fields["code"].unique


def test_drift_belongs_to_the_model_whose_table_lacks_it():
    project = FIXTURES / "dji004_not_null_migration"
    index = ProjectIndex(str(project)).build()
    drift = migration_state.drift(index, migration_state.build_migration_state(index))
    reported = {(f.model, tuple(f.fields)) for fs in drift.values() for f in fs}
    # Order's drift, never again for the multi-table children RushOrder and BigParcel (whose
    # audited_by comes from an abstract base through Parcel), nor for the unmanaged, proxy or
    # migration-less models
    assert reported == {("Order", ("discount_code",)), ("Order", ("carrier",))}


def test_data_step_words_name_the_fields_it_may_fill(tmp_path):
    state = _project(tmp_path, {
        "0001_initial": INITIAL,
        "0002_data": '''
from django.db import migrations
from shop.helpers import imported_step

def set_code(row):
    row.code = str(row.pk)

def helper(row):
    set_code(row)

def fill(apps, schema_editor):
    for row in apps.get_model("shop", "Item").objects.all():
        helper(row)

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunPython(fill),
        migrations.RunSQL("UPDATE shop_item SET label = 'x' WHERE code__x IS NULL"),
        migrations.RunPython(imported_step),
        migrations.RunPython(lambda apps, schema_editor: None),
    ]
'''})
    assert state.migrations == 2
    index = ProjectIndex(str(tmp_path)).build()
    mig = migration_state.read_migration(index, str(tmp_path / "shop" / "migrations" / "0002_data.py"))
    run_python, run_sql, imported, noop = mig.operations
    assert "code" in run_python.data_words  # through the helpers it calls, two deep
    assert {"label", "code", "shop_item"} <= run_sql.data_words
    assert imported.data_step and imported.data_words is None  # code from elsewhere: unknown
    assert not noop.data_step


@pytest.mark.parametrize("module, expected", [
    ("suite.test.gadgets.migrations.0002_weight", True),
    ("gadgets.tests.migrations.0001_initial", True),
    ("testing.app.migrations.0001_initial", True),
    ("suite.demo.gadgets.migrations.0002_weight", False),
    ("testapp.migrations.0001_initial", False),  # an app named like a test is no test package
    ("shop.migrations.test", False),  # the module's own name is not a package
])
def test_test_packages_by_dotted_name(module, expected):
    assert migration_state.in_test_package(module) is expected
