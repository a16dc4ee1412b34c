"""The checker's one walk hands each callback the nodes it registered for; a call callback
registered with ``methods`` gets only the calls ``<expr>.<method>(...)`` of those names
(rules/__init__.py ``Rule.register``, checker.py ``_calls_by_method``), in source order and,
on one node, in the order the rules registered them."""

from __future__ import annotations

import ast

from flake8_django_integrity.checker import check
from flake8_django_integrity.options import Settings
from flake8_django_integrity.rules import ANY, Rule

SOURCE = """\
def view(request, form):
    obj = Book.objects.create(title=form.title)
    save(obj)
    obj.save()
    obj.refresh_from_db()
    getattr(obj, "save")()
    (lambda: obj)().save(update_fields=["title"])
"""


def _recording_rules(seen: list):
    writes = Rule("DJI901", ANY)
    every = Rule("DJI902", ANY)

    @writes.register(ast.Call, methods={"create", "save"})
    def write_calls(ctx, node):
        seen.append(("writes", node.lineno, ast.unparse(node.func)))

    @every.register(ast.Call)
    def all_calls(ctx, node):
        seen.append(("every", node.lineno, ast.unparse(node.func)))

    return writes, every


def test_a_method_callback_gets_only_its_methods_calls_in_source_order():
    seen: list = []
    writes, _ = _recording_rules(seen)
    check(ast.parse(SOURCE), "app/views.py", Settings(use_cache=False), [writes], SOURCE)
    assert seen == [
        ("writes", 2, "Book.objects.create"),
        ("writes", 4, "obj.save"),
        ("writes", 7, "(lambda: obj)().save"),
    ]  # not save(obj) (no attribute), refresh_from_db, nor the call getattr() returns


def test_a_callback_without_methods_still_gets_every_call_beside_a_method_callback():
    seen: list = []
    writes, every = _recording_rules(seen)
    check(ast.parse(SOURCE), "app/views.py", Settings(use_cache=False), [every, writes], SOURCE)
    every_calls = [(line, func) for who, line, func in seen if who == "every"]
    assert len(every_calls) == 8  # every call node of the source, the nested ones too
    assert [(w, line) for w, line, _ in seen if line in (2, 4)] == [
        ("every", 2), ("writes", 2), ("every", 4), ("writes", 4)]
    assert [line for w, line, _ in seen if w == "writes"] == [2, 4, 7]


def test_callbacks_on_one_call_run_in_the_rules_order():
    seen: list = []
    writes, every = _recording_rules(seen)
    check(ast.parse(SOURCE), "app/views.py", Settings(use_cache=False), [writes, every], SOURCE)
    on_line_4 = [who for who, line, _ in seen if line == 4]
    assert on_line_4 == ["writes", "every"]
