"""Fuzz: no valid Python makes the plugin raise (hypothesmith generates the programs).

The generated-program tests run a short budget by default; ``pytest --fuzz-long`` (CI runs it,
see .ci/run) gives them the long one.
"""

from __future__ import annotations

import ast
import json
import keyword

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from flake8_django_integrity.checker import check
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project import function_index, function_scan, function_store, reach
from flake8_django_integrity.rules import load_rules

from harness import FIXTURES, fixture_projects

RULES = load_rules()
ALL_ON = Settings(lint_tests=True, use_cache=False)
# Lint the generated code as if it were a module of a real fixture project, so names it
# happens to share with that project's models resolve through the index.
PROJECTS = fixture_projects()
TARGETS = [str(FIXTURES / PROJECTS[0] / "app_fuzz.py")] if PROJECTS else []
TARGETS += ["/nonexistent/loose_module.py", "/nonexistent/app/migrations/0002_fuzz.py"]

SHORT_BUDGET = 25  # examples per strategy in the default run
LONG_BUDGET = 1000  # with --fuzz-long: about 5 minutes of CPU


@pytest.fixture
def budget(request) -> int:
    return LONG_BUDGET if request.config.getoption("--fuzz-long") else SHORT_BUDGET


def fuzz(strategy, examples: int) -> None:
    """Analyse ``examples`` programs drawn from ``strategy`` (the same ones on every run)."""
    analysed = []

    @settings(
        max_examples=examples, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                               HealthCheck.data_too_large],
    )
    @given(strategy)
    def analyse(source):
        _analyse(source)
        analysed.append(source)

    analyse()
    # Hypothesis may stop a little early on its own; far fewer means the budget was not given
    assert len(analysed) >= examples // 2, (len(analysed), examples)


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
    data = function_scan.summarize_module(tree, "app.mod", False, "app/mod.py", "app/mod.py")
    index = function_index.FunctionIndex(function_store._checked_modules(json.loads(json.dumps(
        {"app.mod": data}))), ["?"])
    for qual in list(index.units):
        reach.reach(index, qual)
        reach.transaction(index, qual)


@pytest.mark.long
def test_any_grammatical_source(budget):
    fuzz(hypothesmith.from_grammar(), budget)


@pytest.mark.long
def test_any_generated_module(budget):
    fuzz(hypothesmith.from_node(), budget)


# Django statements with odd parts in them.  Where Python does not allow a part as written, it
# goes to the nearest place where it is allowed, so that every combination is a program:
# - *a and **k are argument forms, not keyword values: they are passed as arguments;
# - a name that is not an identifier cannot name a class: the class gets it as its base;
# - (yield) needs a function: a module-level statement is put in one; in a class body (a scope
#   of its own, even inside a function) it goes inside a lambda.
DJANGO_SHAPES = {
    "check then create":
        "if not {m}.objects.filter({arg}).exists():\n    {m}.objects.create({arg})\n",
    "get, except, save":
        "try:\n    {m}.objects.get({arg})\nexcept {m}.DoesNotExist:\n    {m}({arg}).save()\n",
    "get_or_create": "{m}.objects.get_or_create({arg}, defaults={{}})\n",
    "model class": "class {model}:\n    a = models.CharField(unique=True, {arg})\n",
    "post_save receiver":
        "@receiver(post_save, sender={m})\ndef h(sender, instance, created, **kw):\n"
        "    {m}.objects.create(user=instance, {arg})\n",
}
MODELS = ["Tag", "self", "x.y", "get_user_model()", "None"]
VALUES = ["v", "*a", "**k", "lambda: 1", "(yield)", "None"]


def django_program(shape: str, m: str, v: str) -> str:
    text = DJANGO_SHAPES[shape]
    in_class = shape == "model class"
    key = "blank" if in_class else "a"
    if v.startswith("*"):
        arg = v
    elif v == "(yield)" and in_class:
        arg = f"{key}=lambda: {v}"
    else:
        arg = f"{key}={v}"
    model = f"{m}(models.Model)" if m.isidentifier() and not keyword.iskeyword(m) else f"Odd({m})"
    body = text.format(m=m, arg=arg, model=model)
    if v == "(yield)" and not in_class and not body.startswith("@"):
        body = "def view():\n" + "".join(f"    {line}\n" for line in body.splitlines())
    return "from django.db import models\n" + body


@pytest.mark.parametrize("shape", DJANGO_SHAPES)
@pytest.mark.parametrize("m", MODELS)
@pytest.mark.parametrize("v", VALUES)
def test_django_shapes_with_odd_parts(shape, m, v):
    source = django_program(shape, m, v)
    tree = ast.parse(source)  # every combination is valid Python: none is skipped
    assert m in source and v in source
    for target in TARGETS:
        check(tree, target, ALL_ON, RULES)


def test_odd_parts_are_all_distinct_programs():
    """No two combinations collapse into the same program (each one tests something)."""
    programs = {django_program(s, m, v) for s in DJANGO_SHAPES for m in MODELS for v in VALUES}
    assert len(programs) == len(DJANGO_SHAPES) * len(MODELS) * len(VALUES)
