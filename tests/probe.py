"""A test-only rule that reports what the project index answers, so that "same answer
everywhere" tests compare the facts behind findings even where no real rule fires.

DJI990 on every model class statement (its fields, unique sets and relations), DJI991 on every
query through a manager (the model it resolves to), DJI992 on every name or attribute that
names a model.  The message carries the facts: two runs agree only if the index agrees.
"""

from __future__ import annotations

import ast

from flake8_django_integrity import orm
from flake8_django_integrity.context import Finding
from flake8_django_integrity.project.facts import ModelFact
from flake8_django_integrity.rules import ANY, Rule

rule = Rule("DJI990", ANY)


def describe(fact: ModelFact | None) -> str:
    if fact is None:
        return "-"
    fields = ",".join(
        f"{f.name}:{f.kind}:{f.relation or ''}>{f.to or ''}:{int(f.unique)}{int(f.null)}"
        for f in fact.fields.values()
    )
    sets = ";".join(
        f"{'+'.join(u.fields)}/{u.source}/{int(u.plain)}" for u in fact.unique_sets
    )
    return f"{fact.label}[{fields}][{sets}][{','.join(sorted(fact.managers))}]"


def _add(ctx, node, code, text):
    ctx.findings.append(Finding(node.lineno, node.col_offset, code, f"{code} {text}"))


@rule.register(ast.ClassDef)
def model_class(ctx, node):
    fact = ctx.class_model(node)
    if fact is not None:
        reverse = sorted(ctx.index.reverse.get(fact.qualname, {}))
        _add(ctx, node, "DJI990", describe(fact) + f" reverse={','.join(reverse)}")


@rule.register(ast.Call)
def query(ctx, node):
    q = orm.query_of(ctx, node)
    if q is not None and q.model is not None:
        _add(ctx, node, "DJI991", f"{q.receiver} -> {q.model.label} {[c for c, _ in q.calls]}")


@rule.register(ast.Name, ast.Attribute)
def name(ctx, node):
    if isinstance(ctx.parent(node), ast.Attribute):
        return  # only whole chains
    fact = ctx.model_named(node)
    if fact is not None:
        _add(ctx, node, "DJI992", f"{ast.unparse(node)} = {fact.label}")


# A rule-like load for benchmarks (DJI_PROBE=light): what a runtime rule asks per file, the
# model behind each ``<...>.objects.<write>(...)`` call, nothing more.
light_rule = Rule("DJI993", ANY)
_WRITES = frozenset({"create", "get_or_create", "update_or_create", "bulk_create", "save"})


@light_rule.register(ast.Call)
def light_query(ctx, node):
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _WRITES:
        q = orm.query_of(ctx, node)
        if q is not None and q.model is not None:
            _add(ctx, node, "DJI993", f"{q.receiver} -> {q.model.label}")
