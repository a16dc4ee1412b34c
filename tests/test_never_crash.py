"""No input makes the plugin raise: the analysis is called directly (not through the
Plugin.run wrapper that swallows errors), so a crash in any rule fails these tests."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from flake8_django_integrity.checker import check
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project import index as index_module
from flake8_django_integrity.rules import load_rules

from harness import FIXTURES, fixture_projects, run_flake8

ALL_ON = Settings(lint_tests=True, use_cache=False)


def run_check(path: Path, source: str, settings: Settings = ALL_ON):
    tree = ast.parse(source)
    return check(tree, str(path), settings, load_rules())


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh_indexes():
    index_module._INDEXES.clear()
    yield
    index_module._INDEXES.clear()


MODELS = """
    from django.db import models

    class Tag(models.Model):
        name = models.CharField(max_length=50, unique=True)
"""


def test_file_outside_any_project(tmp_path):
    path = tmp_path / "loose.py"
    source = "from django.db import models\nTag = None\nTag.objects.create(name='x')\n"
    path.write_text(source)
    assert isinstance(run_check(path, source), list)


def test_non_utf8_models_module_is_skipped(tmp_path):
    write(tmp_path, {
        "manage.py": "",
        "shop/__init__.py": "",
        "shop/models.py": b"# -*- coding: latin-1 -*-\nfrom django.db import models\n"
                          b"class Tag(models.Model):\n    name = models.CharField(max_length=5, unique=True)  # caf\xe9\n",
        "shop/views.py": "from .models import Tag\n\ndef f(n):\n    Tag.objects.create(name=n)\n",
    })
    source = (tmp_path / "shop/views.py").read_text()
    assert isinstance(run_check(tmp_path / "shop/views.py", source), list)


def test_circular_imports_and_base_cycles(tmp_path):
    write(tmp_path, {
        "manage.py": "",
        "a/__init__.py": "",
        "a/models.py": """
            from django.db import models
            from b.models import B
            class A(B):
                x = models.CharField(max_length=5, unique=True)
            class Loop(Loop2):
                pass
            Loop2 = Loop
        """,
        "b/__init__.py": "",
        "b/models.py": """
            from django.db import models
            from a.models import A
            from b.models import *
            class B(A):
                y = models.ForeignKey("a.A", on_delete=models.CASCADE)
        """,
        "b/views.py": "from a.models import A, Loop\n\ndef f(v):\n    A.objects.create(x=v)\n    Loop.objects.create()\n",
    })
    source = (tmp_path / "b/views.py").read_text()
    assert isinstance(run_check(tmp_path / "b/views.py", source), list)


def test_dynamic_model_creation(tmp_path):
    write(tmp_path, {
        "manage.py": "",
        "shop/__init__.py": "",
        "shop/models.py": MODELS + """
    attrs = {"__module__": __name__, "code": models.CharField(max_length=5, unique=True)}
    Dynamic = type("Dynamic", (models.Model,), attrs)
    for name in ("One", "Two"):
        globals()[name] = type(name, (models.Model,), dict(attrs))
""",
        "shop/views.py": "from .models import Dynamic, One\n\ndef f(v):\n    Dynamic.objects.create(code=v)\n    One(code=v).save()\n",
    })
    source = (tmp_path / "shop/views.py").read_text()
    assert isinstance(run_check(tmp_path / "shop/views.py", source), list)


def test_deep_nesting(tmp_path):
    write(tmp_path, {"manage.py": "", "shop/__init__.py": "", "shop/models.py": MODELS})
    depth = 60
    lines = ["from .models import Tag", "def f(n):"]
    for level in range(depth):
        lines.append("    " * (level + 1) + f"if n > {level}:")
    lines.append("    " * (depth + 1) + "if not Tag.objects.filter(name=n).exists():")
    lines.append("    " * (depth + 2) + "Tag.objects.create(name=n)")
    expr = "n" + " + n" * 300
    lines.append(f"    x = {expr}")
    source = "\n".join(lines) + "\n"
    assert isinstance(run_check(tmp_path / "shop/views.py", source), list)


@pytest.mark.long
def test_huge_file(tmp_path):
    write(tmp_path, {"manage.py": "", "shop/__init__.py": "", "shop/models.py": MODELS})
    body = "".join(
        f"def f{i}(n):\n    if not Tag.objects.filter(name=n).exists():\n"
        f"        Tag.objects.create(name=n)\n    return Tag.objects.get_or_create(name=n)\n"
        for i in range(3000)
    )
    source = "from .models import Tag\n" + body
    assert isinstance(run_check(tmp_path / "shop/views.py", source), list)


def test_syntax_error_reported_by_flake8_not_us(tmp_path):
    write(tmp_path, {
        "manage.py": "",
        "setup.cfg": "[flake8]\nselect = E999,DJI\n",
        "shop/__init__.py": "",
        "shop/models.py": MODELS + "\nclass Broken(models.Model:\n    pass\n",
        "shop/views.py": "from .models import Tag\n\ndef f(n):\n    Tag.objects.create(name=n\n",
    })
    result = run_flake8(tmp_path, "-j1", ".")
    assert "Traceback" not in result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines() if line]
    # flake8 reports both syntax errors; the plugin only says once that the models file's
    # facts are missing (DJI000, on the run's first file that parses), nothing else
    assert sorted((path, code) for path, _, code in rows) == [
        ("./manage.py", "DJI000"), ("./shop/models.py", "E999"), ("./shop/views.py", "E999")]


@pytest.mark.parametrize("name", fixture_projects())
def test_every_fixture_file_alone_with_every_option(name):
    """Every fixture file, analysed with tests and migrations linted too, without error."""
    project = FIXTURES / name
    for path in sorted(project.rglob("*.py")):
        run_check(path, path.read_text(encoding="utf-8"))


def _site_package_dirs():
    import django
    import flake8
    import pyflakes

    return [Path(m.__file__).parent for m in (django, flake8, pyflakes)]


@pytest.mark.long
def test_installed_site_packages():
    """Every module of Django (and of flake8 and pyflakes), every code on, no exception."""
    checked = 0
    rules = load_rules()
    for package in _site_package_dirs():
        settings = Settings(lint_tests=True, use_cache=False, project_root=str(package.parent))
        for path in sorted(package.rglob("*.py")):
            try:
                source = path.read_text(encoding="utf-8")
                tree = ast.parse(source)
            except (UnicodeDecodeError, SyntaxError, ValueError):
                continue
            check(tree, str(path), settings, rules)
            checked += 1
    assert checked > 500
