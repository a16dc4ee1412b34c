"""Adopting the plugin on a project with history: ``python -m flake8_django_integrity
baseline``, the baseline filter and ``dji-migrations-since`` (flake8_django_integrity/baseline.py).

Each test writes a small project (``write_project``) into its own tmp_path: an app ``shop``
whose migrations 0002 and 0003 each add a NOT NULL column without a default (DJI004 on the
``AddField(`` line), and a views module with two identical check-then-insert functions
(DJI003 on each ``create(`` line), then runs the real flake8 and the real command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_django_integrity import baseline
from harness import run_flake8

REPO = Path(__file__).parent.parent

MODELS = '''\
from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    note = models.CharField(max_length=20)
    code = models.CharField(max_length=20)
'''

INITIAL = '''\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("number", models.CharField(max_length=20, unique=True)),
            ],
        ),
    ]
'''


def add_field(previous: str, name: str) -> str:
    return f'''\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "{previous}")]
    operations = [
        migrations.AddField(
            model_name="order",
            name="{name}",
            field=models.CharField(max_length=20),
        ),
    ]
'''


VIEWS = '''\
from shop.models import Order


def place(number):
    if not Order.objects.filter(number=number).exists():
        Order.objects.create(number=number)


def place_again(number):
    if not Order.objects.filter(number=number).exists():
        Order.objects.create(number=number)
'''

# (file, line, code) of every finding of the project as written
ALL = {
    ("shop/migrations/0002_order_note.py", 7, "DJI004"),
    ("shop/migrations/0003_order_code.py", 7, "DJI004"),
    ("shop/views.py", 6, "DJI003"),
    ("shop/views.py", 11, "DJI003"),
}


WITH_TEXT = "--format=%(path)s\t%(row)d\t%(code)s %(text)s"


def write_project(root: Path, config: str = "") -> Path:
    files = {
        "manage.py": "",
        "setup.cfg": "[flake8]\nselect = DJI\n" + config,
        "shop/__init__.py": "",
        "shop/models.py": MODELS,
        "shop/views.py": VIEWS,
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": INITIAL,
        "shop/migrations/0002_order_note.py": add_field("0001_initial", "note"),
        "shop/migrations/0003_order_code.py": add_field("0002_order_note", "code"),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def findings(root: Path, *args: str, stdin: str | None = None):
    """flake8's findings as (file, line, code), and its exit status."""
    result = run_flake8(root, "--dji-no-cache", *args, stdin=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, code = line.split("\t")
        found.add((os.path.normpath(path).replace(os.sep, "/"), int(row), code))
    return found, result.returncode


def record(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "flake8_django_integrity", "baseline", *args],
                            cwd=root, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def entries(root: Path) -> list[dict]:
    return json.loads((root / ".dji-baseline.json").read_text(encoding="utf-8"))["findings"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "proj")


# ---------------------------------------------------------------------- recording
def test_the_project_has_the_findings_the_tests_rely_on(project):
    assert findings(project, ".") == (ALL, 1)


def test_baseline_records_every_finding_and_the_run_is_then_clean(project):
    out = record(project)
    assert "4 findings recorded (3 entries; 4 new, 0 gone)" in out.stdout
    got = entries(project)
    assert {(e["code"], e["file"], e["subject"], e["count"]) for e in got} == {
        ("DJI004", "shop/migrations/0002_order_note.py", "Order.note", 1),
        ("DJI004", "shop/migrations/0003_order_code.py", "Order.code", 1),
        ("DJI003", "shop/views.py", "Order", 2),  # the two identical statements: one entry
    }
    views = next(e for e in got if e["file"] == "shop/views.py")
    assert views["statement"] == "Order.objects.create(number=number)"
    assert findings(project, ".") == (set(), 0)


def test_the_file_is_sorted_one_entry_a_line(project):
    record(project)
    text = (project / ".dji-baseline.json").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.lstrip().startswith('{"code"')]
    assert len(lines) == 3
    files = [json.loads(line.rstrip(","))["file"] for line in lines]
    assert files == sorted(files)
    record(project)  # a second run over unchanged code writes the same bytes
    assert (project / ".dji-baseline.json").read_text(encoding="utf-8") == text


def test_a_new_finding_is_reported_alone(project):
    record(project)
    with open(project / "shop" / "views.py", "a", encoding="utf-8") as handle:
        handle.write("\n\ndef place_with_note(number, note):\n"
                     "    if not Order.objects.filter(number=number).exists():\n"
                     "        Order.objects.create(number=number, note=note)\n")
    assert findings(project, ".") == ({("shop/views.py", 16, "DJI003")}, 1)


# ---------------------------------------------------------------------- surviving edits
def test_entries_survive_a_line_shift_and_reformatting(project):
    record(project)
    views = project / "shop" / "views.py"
    edit(views, "from shop.models import Order\n", '"""Orders."""\nimport logging\n\n'
         "from shop.models import Order\n\nLOG = logging.getLogger(__name__)\n")
    edit(views, "        Order.objects.create(number=number)\n",
         "        Order.objects.create(  # formatted by a tool\n"
         "            number=number,\n        )\n")
    migration = project / "shop" / "migrations" / "0002_order_note.py"
    edit(migration, "class Migration", "# a comment that shifts every line\n\n\nclass Migration")
    edit(migration, 'name="note"', "name='note'")
    assert findings(project, ".") == (set(), 0)


def test_a_third_identical_statement_is_reported(project):
    record(project)
    with open(project / "shop" / "views.py", "a", encoding="utf-8") as handle:
        handle.write("\n\ndef place_thrice(number):\n"
                     "    if not Order.objects.filter(number=number).exists():\n"
                     "        Order.objects.create(number=number)\n")
    assert findings(project, ".") == ({("shop/views.py", 16, "DJI003")}, 1)


def test_an_edited_statement_is_a_new_finding(project):
    record(project)
    edit(project / "shop" / "views.py", "create(number=number)", "create(number=number, note='x')")
    assert findings(project, ".") == ({("shop/views.py", 6, "DJI003")}, 1)


def test_a_gone_finding_is_dropped_on_the_next_run(project):
    record(project)
    edit(project / "shop" / "views.py",
         "def place_again(number):\n    if not Order.objects.filter(number=number).exists():\n"
         "        Order.objects.create(number=number)\n",
         "def place_again(number):\n    Order.objects.get_or_create(number=number)\n")
    (project / "shop" / "migrations" / "0003_order_code.py").unlink()
    edit(project / "shop" / "models.py", "    code = models.CharField(max_length=20)\n", "")
    out = record(project)
    assert "2 findings recorded (2 entries; 0 new, 2 gone)" in out.stdout
    got = {(e["file"], e["count"]) for e in entries(project)}
    assert got == {("shop/migrations/0002_order_note.py", 1), ("shop/views.py", 1)}


def test_recording_some_paths_keeps_the_entries_of_the_others(project):
    record(project)
    edit(project / "shop" / "views.py", "    if not Order.objects.filter(number=number).exists():\n"
         "        Order.objects.create(number=number)\n\n\ndef place_again",
         "    Order.objects.get_or_create(number=number)\n\n\ndef place_again")
    out = record(project, "shop/views.py")
    assert "1 new" not in out.stdout
    got = {(e["file"], e["count"]) for e in entries(project)}
    assert got == {("shop/migrations/0002_order_note.py", 1),
                   ("shop/migrations/0003_order_code.py", 1), ("shop/views.py", 1)}


def test_noqa_findings_are_not_recorded(project):
    edit(project / "shop" / "views.py", "        Order.objects.create(number=number)\n\n\ndef",
         "        Order.objects.create(number=number)  # noqa: DJI003\n\n\ndef")
    record(project)
    views = next(e for e in entries(project) if e["file"] == "shop/views.py")
    assert views["count"] == 1


def test_the_command_reads_flake8_output_settings_of_the_config(tmp_path):
    # a config that writes flake8's report to a file, with the source lines, and ignores DJI004
    config = "output-file = report.txt\nshow-source = true\nextend-ignore = DJI004\n"
    project = write_project(tmp_path / "proj", config)
    out = record(project)
    assert "2 findings recorded (1 entries; 2 new, 0 gone)" in out.stdout
    assert {e["code"] for e in entries(project)} == {"DJI003"}


# ---------------------------------------------------------------------- where the baseline is
def test_the_option_names_the_baseline_file(tmp_path):
    project = write_project(tmp_path / "proj", "dji-baseline = ci/known.json\n")
    out = record(project)
    assert "ci/known.json: 4 findings recorded" in out.stdout
    assert not (project / ".dji-baseline.json").exists()
    known = json.loads((project / "ci" / "known.json").read_text(encoding="utf-8"))
    # paths are relative to the baseline's folder
    assert {e["file"] for e in known["findings"]} == {
        "../shop/views.py", "../shop/migrations/0002_order_note.py",
        "../shop/migrations/0003_order_code.py"}
    assert findings(project, ".") == (set(), 0)
    assert findings(project, "--dji-baseline=none.json", ".")[1] == 1


def test_the_default_baseline_is_found_from_a_nested_project_root(tmp_path):
    repo = tmp_path / "repo"
    project = write_project(repo / "example")
    (repo / ".git").mkdir()
    (project / "setup.cfg").unlink()
    (repo / "setup.cfg").write_text("[flake8]\nselect = DJI\n", encoding="utf-8")
    record(repo)  # the baseline goes to the repository top
    assert {e["file"] for e in entries(repo)} >= {"example/shop/views.py"}
    assert findings(repo, ".") == (set(), 0)  # files of example/ (root: its manage.py) find it


# ---------------------------------------------------------------------- malformed
@pytest.mark.parametrize("text, reason", [
    ("{not json", "not JSON"),
    ('{"version": 2, "findings": []}', "version is not 1"),
    ('{"version": 1, "findings": {}}', "expected list"),
    ('{"version": 1, "findings": [{"code": "DJI003"}]}', "entry 1: keys are not"),
    ('{"version": 1, "findings": [{"code": "DJI003", "file": "/etc/passwd", "subject": "", '
     '"statement": "", "count": 1}]}', "entry 1: file is not a relative path"),
    ('{"version": 1, "findings": [{"code": "DJI003", "file": "shop/views.py", "subject": "Order", '
     '"statement": "Order.objects.create(number=number)", "count": true}]}',
     "entry 1: count is not a positive integer"),
])
def test_a_malformed_baseline_is_reported_and_filters_nothing(project, text, reason):
    (project / ".dji-baseline.json").write_text(text, encoding="utf-8")
    result = run_flake8(project, "--dji-no-cache", WITH_TEXT, ".")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    problems = [line for line in lines if "\tDJI000 " in line]
    # every finding is reported, and each file that has one says why it was not filtered
    assert len(lines) == len(ALL) + len(problems)
    assert {line.split("\t")[0].lstrip("./") for line in problems} == {f for f, _, _ in ALL}
    assert all(line.split("\t")[1] == "1" for line in problems)
    assert all(f"baseline .dji-baseline.json is malformed ({reason}" in line for line in problems)


def test_a_baseline_that_is_no_regular_file_or_too_big_is_reported(project):
    (project / ".dji-baseline.json").mkdir()
    assert "DJI000" in {code for _, _, code in findings(project, ".")[0]}
    (project / ".dji-baseline.json").rmdir()
    with open(project / ".dji-baseline.json", "wb") as handle:
        handle.truncate(baseline.MAX_BASELINE_BYTES + 1)
    found, status = findings(project, ".")
    assert status == 1 and found >= ALL and "DJI000" in {code for _, _, code in found}


def test_the_command_replaces_a_malformed_baseline(project):
    (project / ".dji-baseline.json").write_text("[]", encoding="utf-8")
    out = record(project)
    assert "the old baseline is malformed" in out.stderr
    assert findings(project, ".") == (set(), 0)


def test_parse_reads_back_what_dumps_writes():
    counts = {("DJI001", "a/b.py", "Book.isbn", "Book.objects.create(isbn=\"x\u00e9\\t\")", 2),
              ("DJI005", "c.py", "", "x=1", 1)}
    as_dict = {key[:4]: key[4] for key in counts}
    assert baseline.parse(baseline.dumps(as_dict).encode("utf-8")) == as_dict


# ---------------------------------------------------------------------- statements
@pytest.mark.parametrize("a, b", [
    ("x = f(a,\n      b)  # why\n", "x = f(a, b)\n"),
    ("f(a, b,)\n", "f(a, b)\n"),
    ("f('a')\n", 'f("a")\n'),
])
def test_statements_that_differ_only_in_layout_have_one_text(a, b):
    import ast

    def text(source):
        tree = ast.parse(source)
        node = tree.body[0].value if isinstance(tree.body[0], ast.Assign) else tree.body[0]
        return baseline.statement_text(tree, source, node.lineno, node.col_offset)

    assert text(a) == text(b)


def test_an_f_string_is_one_piece_as_written_on_every_python():
    # Python 3.12+ tokenises an f-string into parts; the text must not depend on the version
    import ast

    source = 'f(f"a{x!r:>{w}}b",  f\'{c}\')\n'
    tree = ast.parse(source)
    assert baseline.statement_text(tree, source, 1, 0) == 'f(f"a{x!r:>{w}}b",f\'{c}\')'


def test_the_flagged_node_is_the_outermost_that_starts_there():
    # node_at goes down the tree instead of walking all of it: it must find what a walk finds
    # (parents first) at every position, decorators, arguments, comprehensions and with items
    # included (inside f-strings Python 3.11 gives parts the whole string's position)
    import ast

    import flake8_django_integrity.context as sample

    source = Path(sample.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    in_fstrings = {id(n) for j in ast.walk(tree) if isinstance(j, ast.JoinedStr)
                   for n in ast.walk(j) if n is not j}
    first = {}
    for node in ast.walk(tree):
        if hasattr(node, "lineno") and id(node) not in in_fstrings:
            first.setdefault((node.lineno, node.col_offset), node)
    assert len(first) > 500
    wrong = [(pos, type(n).__name__) for pos, n in first.items()
             if baseline.node_at(tree, *pos) is not n]
    assert wrong == []


def test_an_except_clause_is_keyed_on_its_header():
    import ast

    source = "try:\n    f()\nexcept IntegrityError:  # handled\n    g()\n"
    tree = ast.parse(source)
    handler = tree.body[0].handlers[0]
    text = baseline.statement_text(tree, source, handler.lineno, handler.col_offset)
    assert text == "except IntegrityError:"


# ---------------------------------------------------------------------- migrations-since
def test_migrations_since_leaves_applied_migrations_unjudged(tmp_path):
    project = write_project(tmp_path / "proj", "dji-migrations-since = shop:0002_order_note\n")
    old = ("shop/migrations/0002_order_note.py", 7, "DJI004")
    assert findings(project, ".") == (ALL - {old}, 1)
    # the last one applied: every migration of the app is old
    edit(project / "setup.cfg", "0002_order_note", "0003_order_code")
    assert findings(project, ".")[0] == {f for f in ALL if f[0] == "shop/views.py"}


def test_migrations_since_takes_ancestors_in_other_apps(tmp_path):
    project = write_project(tmp_path / "proj", "dji-migrations-since = billing:0001_initial\n")
    (project / "billing" / "migrations").mkdir(parents=True)
    (project / "billing" / "__init__.py").write_text("", encoding="utf-8")
    (project / "billing" / "migrations" / "__init__.py").write_text("", encoding="utf-8")
    (project / "billing" / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0002_order_note')]\n    operations = []\n", encoding="utf-8")
    assert findings(project, ".")[0] == ALL - {("shop/migrations/0002_order_note.py", 7, "DJI004")}


@pytest.mark.parametrize("value, problem", [
    ("shop:0042_nothing", "shop:0042_nothing is no migration of the project"),
    ("shop", "'shop' is not app_label:migration_name"),
    ("shop:0001_initial, shop:0002_order_note", "app shop is named twice"),
])
def test_a_wrong_migrations_since_is_reported(tmp_path, value, problem):
    project = write_project(tmp_path / "proj", f"dji-migrations-since = {value}\n")
    result = run_flake8(project, "--dji-no-cache", WITH_TEXT, ".")
    problems = [line for line in result.stdout.splitlines() if "\tDJI000 " in line]
    assert problems and all(problem in line for line in problems)
    # reported in the migration files whose findings it could have filtered, not elsewhere
    assert {line.split("\t")[0].lstrip("./") for line in problems} <= {
        "shop/migrations/0002_order_note.py", "shop/migrations/0003_order_code.py"}


# ---------------------------------------------------------------------- -j1, -j2, stdin
def test_j1_j2_and_stdin_agree(tmp_path):
    project = write_project(tmp_path / "proj", "dji-migrations-since = shop:0002_order_note\n")
    record(project)
    views = project / "shop" / "views.py"
    with open(views, "a", encoding="utf-8") as handle:
        handle.write("\n\ndef place_thrice(number):\n"
                     "    if not Order.objects.filter(number=number).exists():\n"
                     "        Order.objects.create(number=number)\n")
    expected = {("shop/views.py", 16, "DJI003")}
    assert findings(project, "-j1", ".") == (expected, 1)
    assert findings(project, "-j2", ".") == (expected, 1)
    by_stdin = set()
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project).as_posix()
        found, _ = findings(project, f"--stdin-display-name={rel}", "-",
                            stdin=path.read_text(encoding="utf-8"))
        by_stdin |= {(rel, line, code) for _, line, code in found}
    assert by_stdin == expected
