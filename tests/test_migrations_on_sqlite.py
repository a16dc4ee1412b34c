"""The migration rules proved on a real database.

For each migration fixture app, real Django applies the migrations to SQLite one operation
at a time, with rows in the tables (tests/sqlite_migrations.py says which rows: repeated
values, NULLs in nullable columns).  Every operation the plugin reports (DJI002, DJI004)
must fail with IntegrityError; every operation it leaves alone must apply.  An AlterField to
NOT NULL over rows holding NULL counts as failing when Django's base schema editor (PostgreSQL,
MySQL) would refuse it, although SQLite's table rebuild fills those rows with a blank field's
empty value (tests/sqlite_migrations.py, ``_nulls_under_set_not_null``).

The fixture projects are ours and are imported by Django here, in a process of its own;
the plugin itself never imports them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import FIXTURES, findings, run_flake8
from sqlite_migrations import operation_spans

pytest.importorskip("django")

# (fixture project, root of the Django project inside it, apps with migrations)
RUNS = [
    ("dji002_unique_migration", ".", ["catalog", "library", "shop", "venues", "ledger", "stockroom"]),
    ("dji004_not_null_migration", ".", ["orders", "people", "warehouse", "depot", "links"]),
    ("dji004_not_null_migration", "kit/demo", ["gadgets"]),
]

# Migration files not applied here, each with the reason.  Counted: a new migration file
# is either applied or listed.
NOT_APPLIED = {
    ("dji002_unique_migration", "library/migrations/0001_squashed_0002_book_isbn_unique.py"):
        "a squash runs only on a database that ran none of its originals; the test applies "
        "the originals (databases that ran them before the squash existed), where the risk is",
    ("dji004_not_null_migration", "people/migrations/0001_squashed_0002_person_age.py"):
        "a squash, as above",
    ("dji004_not_null_migration", "kit/test/gadgets/migrations/0001_initial.py"):
        "a test package's app: its migrations only run on an empty test database (the plugin "
        "skips them); the same app outside the test package (kit/demo) is applied",
    ("dji004_not_null_migration", "kit/test/gadgets/migrations/0002_gadget_weight.py"):
        "as above",
}
NOT_APPLIED_COUNT = 4


def _apply(project: Path, root: str, apps: list[str]) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0")
    result = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "sqlite_migrations.py"), str(project / root), *apps],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.long
@pytest.mark.parametrize("name", sorted({r[0] for r in RUNS}))
def test_flagged_operations_fail_and_the_others_apply(name):
    project = FIXTURES / name
    flagged = {
        (path, line) for path, line, code in findings(run_flake8(project), project)
        if code in ("DJI002", "DJI004") and "/migrations/" in path
    }
    seen_files, wrong = set(), []
    matched_findings = set()
    operations = 0
    for run_name, root, apps in RUNS:
        if run_name != name:
            continue
        report = _apply(project, root, apps)
        assert report["unfillable"] == [], report["unfillable"]
        for op in report["operations"]:
            rel = Path(op["path"]).resolve().relative_to(project.resolve()).as_posix()
            seen_files.add(rel)
            first, last = operation_spans(op["path"])[op["index"]]
            hits = {(p, n) for p, n in flagged if p == rel and first <= n <= last}
            matched_findings |= hits
            operations += 1
            want = "integrity" if hits else "applied"
            if op["outcome"] != want:
                wrong.append(f"{rel}:{first} operation {op['index']}: plugin "
                             f"{'flags' if hits else 'accepts'} it, the database says {op['outcome']}")
    assert not wrong, "\n".join(wrong)
    # every finding is on an operation that was applied here
    assert flagged <= matched_findings, sorted(flagged - matched_findings)
    # every migration file is applied, or listed as not applied with its reason
    on_disk = {
        p.relative_to(project).as_posix() for p in project.rglob("migrations/0*.py")
    }
    listed = {path for (fixture, path) in NOT_APPLIED if fixture == name}
    assert on_disk - listed == seen_files, sorted(on_disk ^ (seen_files | listed))
    assert not (listed & seen_files)
    assert operations > 20


def test_the_list_of_files_not_applied_is_counted():
    assert len(NOT_APPLIED) == NOT_APPLIED_COUNT
    for (fixture, path), reason in NOT_APPLIED.items():
        assert (FIXTURES / fixture / path).is_file(), path
        assert reason
