"""Migration replay cost: CPU time to rebuild an app's state from generated migration chains.

    python benchmarks/migration_replay.py [--sizes 1000 2000 4000] [--dense 50] [--profile]

For each size N it writes a throw-away project whose one app has N migrations (each depending
on the one before it; every few an AddField, an AlterField of an older field, a RunPython data
step, a unique constraint, an empty merge), then reports the CPU time of reading the files and,
separately, of replaying them (project/migrations.py).  ``--dense K`` adds the same sizes with
each migration depending on up to K earlier ones.  The replay should grow linearly with
migrations plus dependency edges, and stay well below the time it takes to parse the files.
No timing is asserted: this prints figures to compare before and after a change.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flake8_django_integrity.project import migrations as migrations_module  # noqa: E402
from flake8_django_integrity.project.index import ProjectIndex  # noqa: E402

HEADER = "from django.db import migrations, models\n\n\n"


def operations(i: int) -> list[str]:
    """The operations of migration number ``i`` (2..N): a varied but deterministic mix."""
    if i % 7 == 0:
        return []  # an empty migration (a merge, or one whose operations were squashed away)
    ops = [f"migrations.AddField(model_name='item', name='f{i}', "
           f"field=models.IntegerField(null=True))"]
    if i % 3 == 0:
        ops.append(f"migrations.CreateModel(name='Part{i}', fields=["
                   f"('id', models.AutoField(primary_key=True)), "
                   f"('item', models.ForeignKey('chain.Item', models.CASCADE))])")
    if i > 10:
        options = "null=True, unique=True" if i % 2 else "default=0"
        ops.append(f"migrations.AlterField(model_name='item', name='f{i - 9}', "
                   f"field=models.IntegerField({options}))")
    if i % 11 == 0:
        ops.append(f"migrations.RunPython(fill_{i}, migrations.RunPython.noop)")
    if i % 13 == 0:
        ops.append(f"migrations.AddConstraint(model_name='item', constraint=models.UniqueConstraint("
                   f"fields=['f{i}'], name='unique_f{i}'))")
    if i % 17 == 0:
        ops.append(f"migrations.AlterUniqueTogether(name='item', unique_together={{('f{i}', 'name')}})")
    if i % 10 == 0:
        ops.append("migrations.SeparateDatabaseAndState(state_operations=["
                   f"migrations.AddField(model_name='item', name='s{i}', field=models.IntegerField(null=True))],"
                   " database_operations=[migrations.RunSQL('SELECT 1')])")
    return ops


def write_project(root: Path, size: int, dense: int = 0, seed: int = 1) -> None:
    rng = random.Random(seed)
    app = root / "chain"
    (app / "migrations").mkdir(parents=True)
    (root / "manage.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass Item(models.Model):\n"
        "    name = models.CharField(max_length=50)\n")
    names = [f"{i:04d}_step" for i in range(1, size + 1)]
    (app / "migrations" / f"{names[0]}.py").write_text(
        HEADER + "class Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n"
        "    operations = [\n        migrations.CreateModel(name='Item', fields=[\n"
        "            ('id', models.AutoField(primary_key=True)),\n"
        "            ('name', models.CharField(max_length=50)),\n        ]),\n    ]\n")
    for i in range(2, size + 1):
        deps = {i - 1}
        if dense:
            deps.update(rng.sample(range(1, i), min(dense, i - 1)))
        dep_text = "".join(f"        ('chain', '{names[d - 1]}'),\n" for d in sorted(deps))
        functions = f"def fill_{i}(apps, schema_editor):\n    pass\n\n\n" if i % 11 == 0 else ""
        ops = "".join(f"        {op},\n" for op in operations(i))
        (app / "migrations" / f"{names[i - 1]}.py").write_text(
            HEADER + functions + "class Migration(migrations.Migration):\n"
            f"    dependencies = [\n{dep_text}    ]\n    operations = [\n{ops}    ]\n")


def measure(size: int, dense: int, profile: bool) -> tuple[float, float, int]:
    """(CPU seconds to read the files, CPU seconds to replay them, findings)."""
    with tempfile.TemporaryDirectory(prefix="dji-replay-") as tmp:
        root = Path(tmp)
        write_project(root, size, dense)
        migrations_module._PARSED.clear()
        index = ProjectIndex(str(root)).build()
        started = time.process_time()
        for path in migrations_module.migration_paths(index):
            migrations_module.read_migration(index, path)
        read = time.process_time() - started
        profiler = cProfile.Profile() if profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        state = migrations_module.build_migration_state(index)
        if profiler:
            profiler.disable()
        replay = time.process_time() - started
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        migrations_module._PARSED.clear()
        return read, replay, sum(len(v) for v in state.findings.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--dense", type=int, default=0,
                        help="also run each size with up to K extra dependencies per migration")
    parser.add_argument("--profile", action="store_true", help="print the replay's profile")
    args = parser.parse_args(argv)
    print(f"{'migrations':>10} {'deps/migration':>14} {'read s':>8} {'replay s':>9} {'findings':>8}")
    runs = [(size, 0) for size in args.sizes]
    if args.dense:
        runs += [(size, args.dense) for size in args.sizes]
    for size, dense in runs:
        read, replay, found = measure(size, dense, args.profile)
        print(f"{size:>10} {1 + dense:>14} {read:>8.2f} {replay:>9.2f} {found:>8}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
