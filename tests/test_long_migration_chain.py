"""The replay of a long migration chain ends in the right state with the right findings.

A chain of 1,200 migrations of one model, generated with a pattern whose outcome is known by
construction (not read from the program): every migration adds a nullable field; every
hundredth block adds a unique constraint on an older column (DJI002), makes an older column
unique (DJI002), adds a NOT NULL column without a default (DJI004), and two migrations whose
changes leave uniqueness as it was at their start (no finding).  Speed is measured by
benchmarks/migration_replay.py, never here.
"""

from __future__ import annotations

from pathlib import Path

from flake8_django_integrity.project import migrations
from flake8_django_integrity.project.index import ProjectIndex

SIZE = 1200
HEADER = "from django.db import migrations, models\n\n\n"


def name(i: int) -> str:
    return f"{i:04d}_step"


def operations(i: int) -> list[str]:
    add = "migrations.AddField(model_name='item', name='{0}', field=models.IntegerField({1}))"
    alter = "migrations.AlterField(model_name='item', name='{0}', field=models.IntegerField({1}))"
    unique = ("migrations.AddConstraint(model_name='item', constraint=models.UniqueConstraint("
              "fields=['{0}'], name='{1}'))")
    block = i % 100
    ops = [add.format(f"f{i}", "null=True, unique=True" if block == 99 else "null=True")]
    if block == 25:  # a unique constraint on a column that already holds rows: DJI002
        ops.append(unique.format(f"f{i - 1}", f"u{i}"))
    elif block == 26:  # the same constraint dropped and added back: no finding
        ops.append(f"migrations.RemoveConstraint(model_name='item', name='u{i - 1}')")
        ops.append(unique.format(f"f{i - 2}", f"u{i - 1}"))
    elif block == 50:  # an existing column made unique: DJI002
        ops.append(alter.format(f"f{i - 1}", "null=True, unique=True"))
    elif block == 75:  # a NOT NULL column without a default on a table with rows: DJI004
        ops.append(add.format(f"g{i}", ""))
    elif block == 0:  # unique at the start of the migration, unique at its end: no finding
        ops.append(alter.format(f"f{i - 1}", "null=True"))
        ops.append(alter.format(f"f{i - 1}", "null=True, unique=True"))
    return ops


def write_chain(root: Path) -> None:
    folder = root / "chain" / "migrations"
    folder.mkdir(parents=True)
    (root / "manage.py").write_text("")
    (root / "chain" / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (root / "chain" / "models.py").write_text(
        "from django.db import models\n\n\nclass Item(models.Model):\n"
        "    name = models.CharField(max_length=50)\n")
    (folder / f"{name(1)}.py").write_text(
        HEADER + "class Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n"
        "    operations = [\n        migrations.CreateModel(name='Item', fields=[\n"
        "            ('id', models.AutoField(primary_key=True)),\n"
        "            ('name', models.CharField(max_length=50)),\n        ]),\n    ]\n")
    for i in range(2, SIZE + 1):
        ops = "".join(f"        {op},\n" for op in operations(i))
        (folder / f"{name(i)}.py").write_text(
            HEADER + "class Migration(migrations.Migration):\n"
            f"    dependencies = [('chain', '{name(i - 1)}')]\n    operations = [\n{ops}    ]\n")


def test_long_chain_final_state_and_findings(tmp_path):
    write_chain(tmp_path)
    migrations._PARSED.clear()
    try:
        state = migrations.build_migration_state(ProjectIndex(str(tmp_path)).build())
    finally:
        migrations._PARSED.clear()
    assert state.migrations == SIZE
    item = state.model("chain", "Item")
    assert item is not None

    blocks = [b for b in range(0, SIZE + 1, 100)]
    expected_fields = {"id", "name"} | {f"f{i}" for i in range(2, SIZE + 1)}
    expected_fields |= {f"g{b + 75}" for b in blocks if b + 75 <= SIZE}
    assert set(item.fields) == expected_fields
    unique = {n for n, f in item.fields.items() if f.unique}
    assert unique == {f"f{b + 49}" for b in blocks if b + 50 <= SIZE} | {
        f"f{b + 99}" for b in blocks if b + 100 <= SIZE}
    assert not item.fields["g75"].null and not item.fields["g75"].has_default
    assert all(item.fields[f"f{i}"].null for i in range(2, SIZE + 1))
    assert [c.name for c in item.constraints] == [f"u{b + 25}" for b in blocks if b + 26 <= SIZE]
    assert [c.fields for c in item.constraints] == [[f"f{b + 24}"] for b in blocks if b + 26 <= SIZE]

    found = sorted(
        (Path(f.path).stem, f.code, f.reason, tuple(f.fields))
        for fs in state.findings.values() for f in fs
    )
    expected = []
    for b in blocks:
        if b + 25 <= SIZE:
            expected.append((name(b + 25), "DJI002", "add_constraint", (f"f{b + 24}",)))
        if b + 50 <= SIZE:
            expected.append((name(b + 50), "DJI002", "alter_unique", (f"f{b + 49}",)))
        if b + 75 <= SIZE:
            expected.append((name(b + 75), "DJI004", "add_not_null", (f"g{b + 75}",)))
    assert found == sorted(expected)
