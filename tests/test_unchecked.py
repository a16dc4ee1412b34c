"""Findings are never lost without a word: where the plugin cannot do its job it reports
DJI000 once per run, on line 1 of the run's first file (in path order) of the project, the
same at -j1 and -j2, from stdin too (flake8_django_integrity/unchecked.py).

The project is a copy of the bundled example (examples/: app ``library``) with a second app
``blog`` added; each case breaks one thing in it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness import run_flake8

HERE = Path(__file__).parent
EXAMPLE = HERE.parent / "examples"
BROKEN = "from django.db import models\n\n\nclass Post(models.Model:\n    pass\n"
BLOG_MODELS = (
    "from django.db import models\n\n\n"
    "class Post(models.Model):\n"
    "    slug = models.SlugField(unique=True, blank=True)  # DJI008 when blog is read\n"
)


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(EXAMPLE, root)
    (root / "blog").mkdir()
    (root / "blog" / "__init__.py").write_text("")
    (root / "blog" / "models.py").write_text(BLOG_MODELS)
    return root


FORMAT = "--format=%(path)s\t%(row)d\t%(code)s\t%(text)s"


def lint(root: Path, *args: str, stdin: str | None = None, select: str = "DJI,E999"):
    """(path, row, code, text) of every finding, the path as the project names it."""
    options = [f"--select={select}", FORMAT]
    if not any(a.startswith("--dji-cache-dir") for a in args):
        options.append("--dji-no-cache")
    result = run_flake8(root, *options, *args, stdin=stdin)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    rows = []
    for line in result.stdout.splitlines():
        path, row, code, text = line.split("\t", 3)
        rows.append((Path(path).as_posix().removeprefix("./"), int(row), code, text))
    return rows


def dji000(rows) -> list[tuple[str, int, str]]:
    return [(path, row, code) for path, row, code, _ in rows if code == "DJI000"]


def said(rows) -> str:
    """The text of the one DJI000."""
    texts = [text for _, _, code, text in rows if code == "DJI000"]
    assert len(texts) == 1, texts
    return texts[0]


def findings(rows, _root=None) -> set:
    return {(path, row, code) for path, row, code, _ in rows if code.startswith("DJI")}


def others(rows, root: Path) -> set:
    return {f for f in findings(rows) if f[2] != "DJI000"}


def first_file(root: Path) -> str:
    import os

    return sorted(os.path.abspath(p) for p in map(str, root.rglob("*.py")))[0][len(str(root)) + 1:]


def test_a_healthy_project_gets_no_dji000(project):
    result = lint(project, ".")
    assert dji000(result) == []
    assert ("blog/models.py", 5, "DJI008") in findings(result, project)  # the blog app is read


@pytest.mark.parametrize("jobs", ["-j1", "-j2"])
def test_a_models_file_that_does_not_parse_is_said_once_and_costs_only_its_own_models(project, jobs):
    healthy = others(lint(project, "-j1", "."), project)
    (project / "blog" / "models.py").write_text(BROKEN)
    result = lint(project, jobs, ".")
    assert dji000(result) == [(first_file(project), 1, "DJI000")]
    assert said(result).startswith("project files do not parse: blog/models.py;")
    # every model of the rest of the project still counts: the library's findings all stay
    # (views, signals, migrations, drift); only what blog/models.py itself held is gone
    lost = {f for f in healthy if f[0] == "blog/models.py"}
    assert lost == {("blog/models.py", 5, "DJI008")}
    assert others(result, project) == healthy - lost


def test_with_select_dji_only_dji000_still_says_it(project):
    (project / "blog" / "models.py").write_text(BROKEN)
    result = lint(project, ".", select="DJI")
    assert not [r for r in result if r[2] == "E999"]
    assert len(dji000(result)) == 1


@pytest.mark.parametrize("jobs", ["-j1", "-j2"])
def test_a_migration_file_that_does_not_parse(project, jobs):
    """Said on the run's first models or migrations file: the migration state decides
    findings only there (DJI002, DJI004), and only there is it read anyway."""
    path = project / "library" / "migrations" / "0002_book_edition_tag_unique.py"
    path.write_text(path.read_text() + "\n    oops = (\n")
    result = lint(project, jobs, ".")
    assert dji000(result) == [("blog/models.py", 1, "DJI000")]
    assert "library/migrations/0002_book_edition_tag_unique.py" in said(result)
    # linting only code whose findings the migrations do not decide: nothing is lost
    assert dji000(lint(project, "library/views.py")) == []
    assert dji000(lint(project, "library/views.py", "library/models.py")) == [("library/models.py", 1, "DJI000")]


def test_a_module_of_a_migrations_package_that_is_no_migration_is_no_loss(project):
    """A helper module in a migrations folder (Django's own django/db/migrations/executor.py
    is one) parses and holds no Migration class: nothing is missing."""
    (project / "library" / "migrations" / "helpers.py").write_text("def noop(apps, schema_editor):\n    pass\n")
    assert dji000(lint(project, ".")) == []


@pytest.mark.parametrize("name, text", [
    ("bookshop/settings.py", "AUTH_USER_MODEL = 'library.Reader'\nDATABASES = {\n"),
    ("library/apps.py", "from django.apps import AppConfig\n\nclass LibraryConfig(AppConfig:\n    name = 'library'\n"),
])
def test_a_settings_or_apps_file_that_does_not_parse(project, name, text):
    (project / name).write_text(text)
    result = lint(project, ".")
    assert len(dji000(result)) == 1
    assert name in said(result)


def test_a_settings_file_that_does_not_parse_but_held_nothing_read_is_no_loss(project):
    """The plugin reads AUTH_USER_MODEL and ATOMIC_REQUESTS from settings: a broken settings
    module that names neither loses nothing."""
    (project / "bookshop" / "settings_local.py").write_text("DEBUG = (\n")
    assert dji000(lint(project, ".")) == []


def test_from_stdin_the_buffer_carries_it(project):
    (project / "blog" / "models.py").write_text(BROKEN)
    source = (project / "library" / "views.py").read_text()
    result = lint(project, "--stdin-display-name=library/views.py", "-", stdin=source)
    assert dji000(result) == [("library/views.py", 1, "DJI000")]


def test_a_buffer_that_fixes_the_broken_file_is_not_reported(project):
    (project / "blog" / "models.py").write_text(BROKEN)
    result = lint(project, "--stdin-display-name=blog/models.py", "-", stdin=BLOG_MODELS)
    assert dji000(result) == []
    assert ("blog/models.py", 5, "DJI008") in findings(result, project)


def test_pre_commit_files_get_one(project):
    (project / "blog" / "models.py").write_text(BROKEN)
    result = lint(project, "library/views.py", "library/signals.py", "library/urls.py")
    assert dji000(result) == [("library/signals.py", 1, "DJI000")]


def test_a_project_root_that_does_not_exist(project, tmp_path):
    result = lint(project, f"--dji-project-root={tmp_path / 'nowhere'}", ".")
    rows = dji000(result)
    assert rows == [(first_file(project), 1, "DJI000")]
    assert "not a directory" in said(result)


def test_a_project_root_without_a_django_project(project, tmp_path):
    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    (empty / "docs" / "conf.py").write_text("project = 'x'\n")
    result = lint(project, f"--dji-project-root={empty}", "-j2", ".")
    assert dji000(result) == [(first_file(project), 1, "DJI000")]
    assert "holds no Django project" in said(result)


def test_a_project_root_found_from_the_files_is_never_questioned(tmp_path):
    """No dji-project-root: plain Python code outside any Django project is not told
    anything (the plugin may be installed for other projects)."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "__init__.py").write_text("")
    (tmp_path / "lib" / "util.py").write_text("def f():\n    return 1\n")
    (tmp_path / "setup.py").write_text("")
    assert dji000(lint(tmp_path, ".")) == []


def test_a_cache_directory_that_cannot_be_written(project, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = lint(project, f"--dji-cache-dir={blocker / 'cache'}", "-j2", ".")
    rows = dji000(result)
    assert rows == [(first_file(project), 1, "DJI000")]
    assert "cache directory not writable" in said(result)
    # the findings are those of a run without a cache
    assert others(result, project) == others(lint(project, "."), project)


def test_a_path_with_a_control_character_is_printed_escaped(project):
    odd = project / "odd\napp"
    odd.mkdir()
    (odd / "__init__.py").write_text("")
    (odd / "models.py").write_text(BROKEN)
    # (E999 would print the name raw and split the output's lines)
    result = run_flake8(project, "--select=DJI", "--dji-no-cache", FORMAT, ".")
    lines = [line for line in result.stdout.splitlines() if "DJI000" in line]
    assert len(lines) == 1
    assert "odd\\napp/models.py" in lines[0]
