"""The text flake8 hands the plugin is the truth for the file being linted.

An editor lints its unsaved buffer through stdin (``--stdin-display-name=app/models.py -``).
For every rule's fixture project, each file that holds one of the rule's cases (and each
models or migrations file of the project) is edited three ways:

- lines added above (three comment lines at the top: every position moves down);
- a field removed (models files: one one-line field of a model, a flagged one where there
  is one, so that its finding goes and the lines below it move up);
- a migration operation added (migration files: an ``AddField`` of a unique field with a
  default at the end of ``operations``, which may add a DJI002 of its own).

The edited text linted as a buffer (the disk keeps the old text; the project's facts come
from a warm cache of the old text) must give exactly what the same text saved to disk
gives, linted by path without a cache.  The runs carry the test probe (tests/probe.py), so a
model fact that differs shows even where no rule fires.  With lines added above, the
buffer's findings are also the fixture's ``# expect:`` lines, moved down.
"""

from __future__ import annotations

import ast
import configparser
import re
import shutil
from pathlib import Path

import pytest

from harness import EXPECT, FIXTURES, expected
from test_same_answer import flake8

RULE_FIXTURES = {
    "DJI001": "dji001_unique_write",
    "DJI002": "dji002_unique_migration",
    "DJI003": "dji003_check_then_insert",
    "DJI004": "dji004_not_null_migration",
    "DJI005": "dji005_foreign_key",
    "DJI006": "dji006_integrity_without_savepoint",
    "DJI007": "dji007_get_or_create_lookup",
    "DJI008": "dji008_blank_unique_string",
    "DJI009": "dji009_post_save_create",
}
ADDED_ABOVE = "# edited in the editor\n# not saved yet\n# three lines\n"


def is_models(rel: str) -> bool:
    parts = Path(rel).parts
    return Path(rel).name == "models.py" or "models" in parts[:-1]


def is_migration(rel: str) -> bool:
    parts = Path(rel).parts
    return "migrations" in parts[:-1] and Path(rel).name != "__init__.py"


def files_to_edit(project: Path, code: str) -> list[str]:
    """The files holding the rule's cases, and the project's models and migrations files."""
    cases = {rel for rel, _, c in expected(project) if c == code}
    every = sorted(p.relative_to(project).as_posix() for p in project.rglob("*.py"))
    return [rel for rel in every if rel in cases or is_models(rel) or is_migration(rel)]


# ---------------------------------------------------------------------- the edits
def lines_added_above(source: str) -> str:
    return ADDED_ABOVE + source


def field_removed(source: str) -> str | None:
    """The source without one one-line field of a model (a flagged one first); None when
    no class has a field to spare."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    candidates = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or len(node.body) < 2:
            continue
        for stmt in node.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call) \
                    and stmt.lineno == stmt.end_lineno:
                flagged = bool(EXPECT.search(lines[stmt.lineno - 1]))
                candidates.append((not flagged, stmt.lineno))
    if not candidates:
        return None
    _, line = min(candidates)
    return "".join(lines[:line - 1] + lines[line:])


def operation_added(source: str) -> str | None:
    """The source with an ``AddField`` of a unique field with a default added after the last
    operation (on the model the last operation names); None when the file has no operation
    list or does not import ``migrations`` and ``models``."""
    tree = ast.parse(source)
    imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    if not {"migrations", "models"} <= imported:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "operations"
                and isinstance(node.value, ast.List) and node.value.elts):
            continue
        model = None
        for op in node.value.elts:
            if isinstance(op, ast.Call):
                for kw in op.keywords:
                    if kw.arg in ("model_name", "name") and isinstance(kw.value, ast.Constant) \
                            and isinstance(kw.value.value, str) and kw.value.value.isidentifier():
                        model = kw.value.value.lower() if kw.arg == "model_name" else model or kw.value.value.lower()
        if model is None:
            return None
        last = node.value.elts[-1]
        lines = source.splitlines(keepends=True)
        line = lines[last.end_lineno - 1]
        # end_col_offset counts UTF-8 bytes
        cut = len(line.encode()[:last.end_col_offset].decode())
        added = (f',\n        migrations.AddField(model_name="{model}", name="added_code", '
                 f'field=models.CharField(max_length=8, unique=True, default="x"))')
        lines[last.end_lineno - 1] = line[:cut] + added + line[cut:]
        return "".join(lines)
    return None


EDITS = {"lines_added_above": lines_added_above, "field_removed": field_removed,
         "operation_added": operation_added}


# ---------------------------------------------------------------------- the runs
@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """Per rule: a copy of its fixture project (dated back) and a cache warmed by a
    whole-tree run of it, made once per test process."""
    from test_cache import age

    made = {}

    def get(code: str) -> tuple[Path, Path]:
        if code not in made:
            project = tmp_path_factory.mktemp("buffer") / RULE_FIXTURES[code]
            shutil.copytree(FIXTURES / RULE_FIXTURES[code], project)
            age(project)
            cache = tmp_path_factory.mktemp("warm-cache")
            flake8(project, project, ".", cache=cache)
            made[code] = (project, cache)
        return made[code]

    return get


def only(findings, rel: str) -> set:
    return {f for f in findings if f[0] == rel}


def buffer_and_saved(project: Path, cache: Path, rel: str, text: str, tmp_path: Path):
    """(the edited text linted as a buffer, the same text saved and linted by path)."""
    buffer = flake8(project, project, f"--stdin-display-name={rel}", "-", cache=cache, stdin=text)
    saved_project = tmp_path / "saved" / project.name
    if saved_project.exists():
        shutil.rmtree(saved_project)
    shutil.copytree(project, saved_project)
    (saved_project / rel).write_text(text, encoding="utf-8")
    saved = flake8(saved_project, saved_project, rel, cache=None)
    return only(buffer, rel), only(saved, rel)


@pytest.mark.long
@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("code", sorted(RULE_FIXTURES))
def test_an_edited_buffer_gives_what_the_saved_file_would(code, edit, projects, tmp_path):
    project, cache = projects(code)
    compared = 0
    for rel in files_to_edit(project, code):
        if edit == "field_removed" and not is_models(rel):
            continue
        if edit == "operation_added" and not is_migration(rel):
            continue
        text = EDITS[edit]((project / rel).read_text(encoding="utf-8"))
        if text is None:
            continue
        buffer, saved = buffer_and_saved(project, cache, rel, text, tmp_path)
        assert buffer == saved, f"{rel}\nbuffer only: {sorted(buffer - saved)}\nsaved only: {sorted(saved - buffer)}"
        compared += 1
    if compared == 0:
        pytest.skip(f"the {RULE_FIXTURES[code]} fixture has no file this edit applies to")


@pytest.mark.long
@pytest.mark.parametrize("code", sorted(RULE_FIXTURES))
def test_lines_added_above_move_the_expected_findings(code, projects):
    """The fixture's own expectations, three lines down, for every file with a case."""
    project, cache = projects(code)
    want_all = expected(project)
    config = configparser.ConfigParser()
    config.read(project / "setup.cfg")
    selected = tuple(s.strip() for s in config.get("flake8", "select", fallback="DJI").split(",") if s.strip())
    for rel in sorted({f for f, _, c in want_all if c == code}):
        text = lines_added_above((project / rel).read_text(encoding="utf-8"))
        got = flake8(project, project, f"--stdin-display-name={rel}", "-", cache=cache, stdin=text)
        dji = {(f, row, c) for f, row, _, c, _ in got
               if f == rel and re.fullmatch(r"DJI00\d", c) and c.startswith(selected)}
        want = {(f, row + 3, c) for f, row, c in want_all if f == rel}
        assert dji == want, rel


def test_a_file_saved_after_the_facts_were_built_is_judged_by_its_new_text(tmp_path):
    """A process that built the project facts before the file changed on disk (a host that
    lints many times, -jN workers forked after the build): the text flake8 hands over wins,
    in the same process, for the models file and for a migration."""
    from flake8_django_integrity import checker
    from flake8_django_integrity.options import Settings

    project = tmp_path / "site"
    shutil.copytree(Path(__file__).parent.parent / "examples", project)
    settings = Settings(use_cache=False)
    rules = checker.Plugin.rules()

    def lint(rel: str) -> list[tuple[int, str]]:
        path = project / rel
        source = path.read_text(encoding="utf-8")
        found = checker.check(ast.parse(source), str(path), settings, rules, source)
        return sorted((f.line, f.code) for f in found)

    models, migration = "library/models.py", "library/migrations/0002_book_edition_tag_unique.py"
    before = {rel: lint(rel) for rel in (models, migration)}
    assert {c for _, c in before[models]} >= {"DJI002", "DJI008"} and before[migration]
    for rel in (models, migration):  # the facts of this process were built from the old text
        path = project / rel
        path.write_text(lines_added_above(path.read_text(encoding="utf-8")), encoding="utf-8")
        assert lint(rel) == [(line + 3, code) for line, code in before[rel]], rel
