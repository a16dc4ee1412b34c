"""Deep but valid code costs at most the judgement of the deep expression itself.

Expressions and statement chains can nest deeper than Python's stack (a 1,500-level
subscript chain, a 1,400-branch ``elif``, a name rebound 300 times): every reading of them is
bounded or iterative, so the rest of the file, and of the project, keeps its findings.  And a
rule that fails anyway (a bug) costs only that rule's findings on that node.

The analysis is called directly (``check``), not through flake8: pyflakes itself overflows
Python's stack on such files, and flake8 then stops before our plugin reports.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from flake8_django_integrity import checker
from flake8_django_integrity.checker import check
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project import index as index_module
from flake8_django_integrity.rules import load_rules

SETTINGS = Settings(use_cache=False)

MODELS = """
    from django.db import models


    class Parent(models.Model):
        name = models.CharField(max_length=50, unique=True)


    class Child(models.Model):
        parent = models.ForeignKey(Parent, on_delete=models.CASCADE)
"""


@pytest.fixture(autouse=True)
def fresh_indexes():
    index_module._INDEXES.clear()
    yield
    index_module._INDEXES.clear()


@pytest.fixture
def rule_failures(monkeypatch):
    """Every rule callback that raised during the test (none may)."""
    failures = []

    def record(callback, node, filename, findings, mark):
        failures.append((callback.__qualname__, getattr(node, "lineno", 0)))
        del findings[mark:]

    monkeypatch.setattr(checker, "_failed", record, raising=False)
    return failures


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    files = {"manage.py": "", "shop/__init__.py": "", "shop/models.py": MODELS, **files}
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def findings(root: Path, rel: str, rules=None) -> set[tuple[int, str]]:
    path = root / rel
    source = path.read_text(encoding="utf-8")
    found = check(ast.parse(source), str(path), SETTINGS, rules or load_rules(), source)
    return {(f.line, f.code) for f in found}


def test_deep_subscript_chain_keeps_the_files_findings(tmp_path, rule_failures):
    chain = "request.POST" + "['k']" * 1500
    root = project(tmp_path, {"shop/views.py": f"""\
from .models import Child


def ordinary(request):
    Child.objects.create(parent_id=request.POST["parent"])


def deep(request):
    junk = {chain}
    Child.objects.create(parent_id=request.POST["parent"])
    return junk
"""})
    # line 5: another function; line 10: the same function as the chain (its reading of
    # request data is bounded, not abandoned)
    assert findings(root, "shop/views.py") == {(5, "DJI005"), (10, "DJI005")}
    assert rule_failures == []


def test_long_rebinding_chain_is_read_back_to_its_start(tmp_path, rule_failures):
    lines = ["from .models import Parent", "", "", "def add(request, name):",
             "    qs = Parent.objects.all()"]
    lines += ["    qs = qs.filter(name=name)"] * 300
    lines += ["    if not qs.exists():", "        Parent.objects.create(name=name)", ""]
    root = project(tmp_path, {"shop/views.py": "\n".join(lines)})
    create_line = len(lines) - 1
    assert findings(root, "shop/views.py") == {(create_line, "DJI003")}
    assert rule_failures == []


def test_long_elif_chain_in_a_models_module(tmp_path, rule_failures):
    branches = "if FLAG == 0:\n    SIZE = 0\n" + "".join(
        f"elif FLAG == {i}:\n    SIZE = {i}\n" for i in range(1, 1400))
    root = project(tmp_path, {
        "shop/models.py": textwrap.dedent(MODELS) + "\n\nFLAG = 3\n" + branches,
        "shop/views.py": """\
from .models import Parent


def add(request):
    Parent.objects.create(name=request.POST["name"])
""",
    })
    assert findings(root, "shop/views.py") == {(5, "DJI001")}
    assert rule_failures == []


def test_deep_if_test_around_a_binding(tmp_path, rule_failures):
    deep = "options" + ".inner" * 1500
    root = project(tmp_path, {"shop/views.py": f"""\
from .models import Parent


def add(request, options):
    if {deep}:
        obj = Parent.objects.get(name="fixed")
    else:
        obj = Parent(name=request.POST["name"])
    if not {deep}:
        obj.save()
"""})
    # the built row is saved on the branch that built it (the two tests are compared)
    assert findings(root, "shop/views.py") == {(10, "DJI001")}
    assert rule_failures == []


DEEP = {
    "subscript": "request.POST" + "['k']" * 1100,
    "attribute": "request" + ".a" * 1100,
    "call": "f" + "()" * 1100,
    "method chain": "Parent.objects" + ".filter()" * 450,
    "operators": " + ".join(["x"] * 1500),
    "conditional": " if c else ".join(["x"] * 1000),
    "not": "not " * 1100 + "x",
}


@pytest.mark.long
def test_no_rule_fails_on_deep_expressions(tmp_path, rule_failures):
    """Each deep expression in every place a rule reads: class bodies, tests of ``if``,
    values written, keyword arguments, receivers."""
    parts = ["""\
from django.db import IntegrityError, models
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Child, Parent
"""]
    for i, expr in enumerate(DEEP.values()):
        parts.append(f"""
X{i} = {expr}


class Local{i}(models.Model):
    parent = models.ForeignKey({expr}, on_delete={expr})
    code = models.CharField(max_length=5, unique={expr}, blank=True, default={expr})


def view{i}(request, n):
    value = {expr}
    if {expr}:
        Parent.objects.create(name=value)
    if not Parent.objects.filter(name={expr}).exists():
        Parent.objects.create(name={expr})
    try:
        Child.objects.create(parent_id={expr})
    except IntegrityError:
        pass
    Parent.objects.get_or_create(name={expr})
    Parent({expr}).save()


@receiver(post_save, sender={expr})
def made{i}(sender, instance, created, **kwargs):
    Child.objects.create(parent={expr})
""")
    root = project(tmp_path, {"shop/views.py": "".join(parts)})
    findings(root, "shop/views.py")
    assert rule_failures == []


def test_a_failing_rule_costs_only_its_findings_on_that_node(tmp_path, monkeypatch):
    root = project(tmp_path, {"shop/views.py": """\
from .models import Child, Parent


def first(request):
    Child.objects.create(parent_id=request.POST["parent"])


def second(request):
    Child.objects.create(parent_id=request.POST["parent"])
    Parent.objects.create(name=request.POST["name"])
"""})
    assert findings(root, "shop/views.py") == {(5, "DJI005"), (9, "DJI005"), (10, "DJI001")}

    rules = load_rules()
    dji005 = next(r for r in rules if r.code == "DJI005")
    original = dji005.callbacks[ast.Call]
    assert len(original) == 1

    def broken(ctx, node):
        original[0](ctx, node)  # reports first, then fails: the half judgement is dropped too
        if node.lineno == 9:
            raise RecursionError("a bug in one rule")

    monkeypatch.setattr(dji005, "callbacks", {**dji005.callbacks, ast.Call: [broken]})
    assert findings(root, "shop/views.py", rules) == {(5, "DJI005"), (10, "DJI001")}
