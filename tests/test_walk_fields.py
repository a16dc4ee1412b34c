"""The walks that read only the fields a node can hold nodes in (project/nodes.py) and the
function index's search for a function's returns in its statement lists only: both must see
everything a full walk sees."""

from __future__ import annotations

import ast
import sys

import pytest

from flake8_django_integrity.checker import walk
from flake8_django_integrity.project.function_bodies import (
    _calls_in, _nested_statements, _own_returns)
from flake8_django_integrity.project.function_scan import summarize_module
from flake8_django_integrity.project.summary import _walk_statements

# Every kind of statement and expression the supported Pythons parse, most of them nested.
SOURCE = '''
import os, sys as system
from . import models as m
from ..pkg import (a, b as c)
global_value: int = 1
x = y = [i for i in range(3) if i] + list({k: v for k, v in {}.items()}) + [*{1, 2}]
z = (lambda q, *r, s=1, **t: q)(1)
w = f"{x!r:>{y}} {z=}" if x else b"" or None
del w
assert x, "message"
async def co(arg: "int" = 1, /, other=2, *, key: int = 3, **rest) -> None:
    global x
    async with ctx() as (first, second):
        await first
    async for item in second:
        yield item
    return [j async for j in second]
@decorator(arg)
class Klass(Base, metaclass=Meta):
    attr: int
    def method(self):
        nonlocal_target = 1
        def inner():
            nonlocal nonlocal_target
            return nonlocal_target
        while True:
            try:
                raise ValueError from None
            except (ValueError, TypeError) as err:
                continue
            else:
                break
            finally:
                pass
        for a, *b in items:
            pass
        else:
            with open(x) as fh, lock:
                fh.read()[1:2, ::3] += -x ** 2 @ y
        if (n := len(x)) > 1 and not x or x is None:
            return n
        return inner
'''

MATCH_SOURCE = '''
match command:
    case [1, *rest] if rest:
        pass
    case {"key": value, **others}:
        pass
    case Point(x=0, y=yy) | Point(1, 2) as point:
        pass
    case str() | None:
        pass
    case _:
        pass
'''

TRY_STAR_SOURCE = '''
try:
    pass
except* ValueError as group:
    pass
'''

TYPE_SOURCE = '''
type Alias[T] = list[T]
def generic[T: int, *Ts, **P](a: T) -> T:
    return a
class Box[T]:
    pass
'''


def _sources():
    out = [SOURCE, MATCH_SOURCE]
    if sys.version_info >= (3, 11):
        out.append(TRY_STAR_SOURCE)
    if sys.version_info >= (3, 12):
        out.append(TYPE_SOURCE)
    return out


@pytest.mark.parametrize("source", _sources())
def test_walk_sees_every_node_with_its_parent(source):
    tree = ast.parse(source, type_comments=True)
    parents: dict[int, ast.AST] = {}
    every_type = {type(n) for n in ast.walk(tree)}
    visited = walk(tree, dict.fromkeys(every_type, [None]), parents)
    # every node ast.walk reaches is visited (operators and contexts are shared singletons:
    # compare by identity, once each), and its parent is the node whose field holds it
    expected = {id(n) for n in ast.walk(tree) if not isinstance(n, ast.expr_context)}
    assert {id(n) for n, _ in visited} == expected
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.expr_context, ast.operator, ast.boolop, ast.unaryop,
                                      ast.cmpop)):
                assert parents[id(child)] is node
    # pre-order, in source order: each statement comes before the ones after it
    lines = [n.lineno for n, _ in visited if isinstance(n, ast.stmt)]
    assert lines == sorted(lines)


def _returned(source: str) -> dict[str, str | None]:
    data = summarize_module(ast.parse(source), "app.loaders", False, "app/loaders.py",
                            "app/loaders.py")
    return {u["q"]: u.get("r") for u in data["units"]}


def test_returns_found_in_every_statement_list():
    body = ("from app.models import Book, Author\n"
            "def {name}(flag):\n{block}")
    blocks = {
        "in_try": "    try:\n        return Book\n    except KeyError:\n        return Book\n"
                  "    else:\n        return Book\n    finally:\n        pass\n",
        "in_loop_else": "    for x in flag:\n        pass\n    else:\n        return Book\n",
        "in_with": "    with flag:\n        while flag:\n            return Book\n",
        "in_match": "    match flag:\n        case 1:\n            return Book\n",
        # one return deep inside names another model, or something else: no single model
        "mixed_in_handler": "    try:\n        return Book\n    except KeyError:\n"
                            "        return Author\n",
        "other_in_match": "    match flag:\n        case 1:\n            return Book\n"
                          "        case _:\n            return flag\n",
        "bare_in_loop": "    for x in flag:\n        if x:\n            return\n    return Book\n",
    }
    for name, block in blocks.items():
        returned = _returned(body.format(name=name, block=block))[name]
        if name.startswith(("mixed", "other", "bare")):
            assert returned is None, name
        else:
            assert returned == "app.models.Book", name


def test_returns_of_nested_scopes_are_not_the_function_s():
    returned = _returned(
        "from app.models import Book\n"
        "def outer():\n"
        "    class Local:\n        def m(self):\n            return self\n"
        "    def helper():\n        return 1\n"
        "    fn = lambda: 2\n"
        "    return Book\n"
    )
    assert returned["outer"] == "app.models.Book"


@pytest.mark.parametrize("source", _sources())
def test_calls_in_finds_the_calls_ast_walk_finds(source):
    # a return's calls ("rc") are read through the node-holding fields only
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            expected = sorted(id(c) for c in ast.walk(node) if isinstance(c, ast.Call))
            assert sorted(map(id, _calls_in(node))) == expected


@pytest.mark.parametrize("source", _sources())
def test_statement_walk_gives_the_statements_in_ast_walk_order(source):
    # the local imports of a module are bound in this order: it must stay ast.walk's
    tree = ast.parse(source)
    holders = (ast.mod, ast.stmt, ast.excepthandler, getattr(ast, "match_case", ast.mod))
    expected = [n for n in ast.walk(tree) if isinstance(n, holders)]
    assert list(_walk_statements(tree)) == expected


@pytest.mark.parametrize("source", _sources())
def test_own_returns_and_nested_statements_match_a_full_walk(source):
    tree = ast.parse(source)
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        nested = {id(n) for n in ast.walk(func) if isinstance(n, (ast.stmt, ast.excepthandler))
                  and n is not func}
        nested |= {id(n) for n in ast.walk(func) if type(n).__name__ == "match_case"}
        assert {id(n) for n in _nested_statements(func)} == nested
        inner = {id(n) for sub in ast.walk(func) if sub is not func and isinstance(
            sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(sub)
            if isinstance(n, ast.Return)}
        own = {id(n) for n in ast.walk(func) if isinstance(n, ast.Return)} - inner
        assert {id(n) for n in _own_returns(func)} == own


def test_calls_inside_atomic_blocks_are_marked_and_the_ones_after_are_not():
    # the scan's stack carries no flag per node: a ``with atomic()`` sets it for its body and
    # a marker under the body sets it back; calls after the block, in its context expression
    # and in a later statement of the same function are outside again
    source = (
        "from django.db import transaction\n"
        "from app import helpers\n"
        "def run():\n"
        "    helpers.before()\n"
        "    with helpers.ctx(), transaction.atomic(using=helpers.db()):\n"
        "        helpers.inside()\n"
        "        with helpers.other():\n"
        "            helpers.nested([helpers.deep(x) for x in helpers.items()])\n"
        "        if helpers.test():\n"
        "            helpers.branch()\n"
        "    helpers.after()\n"
        "    with helpers.plain():\n"
        "        helpers.unguarded()\n"
        "    with transaction.atomic():\n"
        "        helpers.second()\n"
        "    helpers.last()\n"
    )
    data = summarize_module(ast.parse(source), "app.jobs", False, "app/jobs.py", "app/jobs.py")
    calls = dict(map(tuple, data["units"][0]["c"]))
    inside = {"inside", "other", "nested", "deep", "items", "test", "branch", "second"}
    outside = {"before", "ctx", "db", "after", "plain", "unguarded", "last"}
    for name in inside:
        assert calls[f"helpers.{name}"] == 1, name  # ATOMIC_CALL
    for name in outside:
        assert calls[f"helpers.{name}"] == 0, name  # CALL
