"""Fuzz: no valid Python makes the plugin raise (hypothesmith generates the programs)."""

from __future__ import annotations

import ast
import json

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from flake8_django_integrity.checker import check
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project import functions, reach
from flake8_django_integrity.rules import load_rules

from harness import FIXTURES, fixture_projects

RULES = load_rules()
ALL_ON = Settings(lint_tests=True, use_cache=False)
# Lint the generated code as if it were a module of a real fixture project, so names it
# happens to share with that project's models resolve through the index.
PROJECTS = fixture_projects()
TARGETS = [str(FIXTURES / PROJECTS[0] / "app_fuzz.py")] if PROJECTS else []
TARGETS += ["/nonexistent/loose_module.py", "/nonexistent/app/migrations/0002_fuzz.py"]

FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _analyse(source: str) -> None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # flake8 reports E999 and never calls plugins on such a file
    for target in TARGETS:
        check(tree, target, ALL_ON, RULES)
    _summarise(tree)


def _summarise(tree) -> None:
    """The function summaries of where code runs (project/functions.py): plain data, linked
    and asked about without an exception."""
    data = functions.summarize_module(tree, "app.mod", False, "app/mod.py", "app/mod.py")
    index = functions.FunctionIndex(functions._checked_modules(json.loads(json.dumps(
        {"app.mod": data}))), ["?"])
    for qual in list(index.units):
        reach.reach(index, qual)
        reach.transaction(index, qual)


@FUZZ
@given(hypothesmith.from_grammar())
def test_any_grammatical_source(source):
    _analyse(source)


@FUZZ
@given(hypothesmith.from_node())
def test_any_generated_module(source):
    _analyse(source)


DJANGO_SHAPES = [
    "if not {m}.objects.filter(a={v}).exists():\n    {m}.objects.create(a={v})\n",
    "try:\n    {m}.objects.get(a={v})\nexcept {m}.DoesNotExist:\n    {m}(a={v}).save()\n",
    "{m}.objects.get_or_create(a={v}, defaults={{}})\n",
    "class {m}(models.Model):\n    a = models.CharField(unique=True, blank={v})\n",
    "@receiver(post_save, sender={m})\ndef h(sender, instance, created, **kw):\n    {m}.objects.create(user=instance)\n",
]


@pytest.mark.parametrize("shape", DJANGO_SHAPES)
@pytest.mark.parametrize("m", ["Tag", "self", "x.y", "get_user_model()", "None"])
@pytest.mark.parametrize("v", ["v", "*a", "**k", "lambda: 1", "(yield)", "None"])
def test_django_shapes_with_odd_parts(shape, m, v):
    source = "from django.db import models\n" + shape.format(m=m, v=v)
    try:
        compile(source, "x.py", "exec")
    except SyntaxError:
        pytest.skip("not valid Python")
    _analyse(source)
