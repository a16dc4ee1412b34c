"""The hand-written data classes (project/records.py) behave as the dataclasses they replace."""

from __future__ import annotations

import inspect

import pytest

from flake8_django_integrity.context import Finding
from flake8_django_integrity.orm import Instance, ModelClass, Query
from flake8_django_integrity.options import Settings
from flake8_django_integrity.project.facts import FieldFact, ModelFact, UniqueSet
from flake8_django_integrity.project.index import IndexOptions, _ClassInfo
from flake8_django_integrity.project.records import FrozenRecord, Record, as_dict, replace
from flake8_django_integrity.project.stored import Malformed, fact_row, record_row
from flake8_django_integrity.project.summary import ClassSummary, ModuleSummary
from flake8_django_integrity.rules import Rule
from flake8_django_integrity.rules.dji003_check_then_insert import Check, Write
from flake8_django_integrity.rules.dji005_foreign_key import _Lookup, _Raw
from flake8_django_integrity.unchecked import RunFiles

RECORDS = [Finding, Settings, FieldFact, ModelFact, UniqueSet, IndexOptions, _ClassInfo,
           ClassSummary, ModuleSummary, Rule, RunFiles, Query, ModelClass, Instance, Check, Write,
           _Raw, _Lookup]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_init_takes_exactly_the_declared_fields_in_order(cls):
    params = list(inspect.signature(cls.__init__).parameters)[1:]
    assert tuple(params) == cls.FIELDS
    annotations = {}
    for klass in reversed(cls.__mro__):
        annotations.update(vars(klass).get("__annotations__", {}))
    assert set(cls.FIELDS) == set(annotations) - {"FIELDS"}


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_init_assigns_every_field(cls):
    required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                if p.default is inspect.Parameter.empty]
    record = cls(*[f"v{i}" for i in range(len(required))])
    assert set(cls.FIELDS) <= set(vars(record))


def field(**changes):
    return FieldFact(**{"name": "sku", "kind": "CharField", "line": 3, "col": 4, **changes})


def test_equality_compares_every_field_and_the_class():
    assert field() == field()
    assert field() != field(unique=True)
    assert field(declared_in="a.B") != field(declared_in="a.C")
    assert UniqueSet(("a",), "unique", 1) == UniqueSet(("a",), "unique", 1)
    assert UniqueSet(("a",), "unique", 1) != UniqueSet(("a",), "unique", 2)
    assert field() != "sku"
    assert IndexOptions() == IndexOptions() != IndexOptions(exclude=(".git",))


def test_mutable_defaults_are_not_shared():
    a, b = ModelFact("m.A", "A", "m", "m.py", 1, "m"), ModelFact("m.B", "B", "m", "m.py", 2, "m")
    a.fields["x"] = field()
    a.bases.append("django.db.models.Model")
    assert b.fields == {} and b.bases == []
    assert ModuleSummary("m", False).imports is not ModuleSummary("m", False).imports


def test_plain_records_are_unhashable_frozen_ones_hash_and_refuse_changes():
    with pytest.raises(TypeError):
        hash(field())
    finding = Finding(3, 4, "DJI001", "message")
    assert hash(finding) == hash(Finding(3, 4, "DJI001", "message"))
    assert len({finding, Finding(3, 4, "DJI001", "message"), Finding(3, 5, "DJI001", "message")}) == 2
    with pytest.raises(AttributeError):
        finding.line = 4
    with pytest.raises(AttributeError):
        del Settings().use_cache
    assert issubclass(Settings, FrozenRecord) and not issubclass(FieldFact, FrozenRecord)


def test_repr_names_the_fields():
    assert repr(Finding(3, 4, "DJI001", "m")) == "Finding(line=3, col=4, code='DJI001', message='m', subject='')"


def test_replace_and_as_dict():
    finding = Finding(3, 4, "DJI001", "m", "shop.Product")
    assert replace(finding, message="n") == Finding(3, 4, "DJI001", "n", "shop.Product")
    with pytest.raises(TypeError):
        replace(finding, colour="red")
    model = ModelFact("m.A", "A", "m", "m.py", 1, "m", fields={"sku": field()},
                      unique_sets=[UniqueSet(("sku",), "unique", 3)])
    data = as_dict(model)
    assert data["fields"]["sku"]["kind"] == "CharField" and data["fields"]["sku"]["line"] == 3
    assert data["unique_sets"] == [{"fields": ("sku",), "source": "unique", "line": 3, "conditional": False,
                                    "expressions": False, "name": None, "declared_in": "", "nulls_distinct": True,
                                    "refs": "", "condition": ""}]
    assert list(data) == list(ModelFact.FIELDS)


def test_a_subclass_keeps_the_fields_of_its_base():
    class Wider(Record):
        a: int

        def __init__(self, a):
            self.a = a

    class Widest(Wider):
        b: int = 0

        def __init__(self, a, b=0):
            self.a, self.b = a, b

    assert Widest.FIELDS == ("a", "b") and Widest(1, 2) != Widest(1, 3) and Widest(1) == Widest(1, 0)


def test_a_stored_row_is_checked_as_a_stored_object_is():
    row = record_row(field(relation="fk", to="shop.shelf", on_delete="CASCADE"))
    assert fact_row(FieldFact, list(row)) == field(relation="fk", to="shop.shelf", on_delete="CASCADE")
    unique = FieldFact.FIELDS.index("unique")
    line = FieldFact.FIELDS.index("line")
    bad_rows = [row[:-1], row + [""], row[:4], [*row[:unique], 1, *row[unique + 1:]],
                [*row[:line], True, *row[line + 1:]], [*row[:line], "3", *row[line + 1:]],
                dict(zip(FieldFact.FIELDS, row)), tuple(row)]
    for bad in bad_rows:
        with pytest.raises(Malformed):
            fact_row(FieldFact, bad)
    with pytest.raises(TypeError):  # only records of scalars are stored as rows
        fact_row(ModelFact, ["m.A", "A", "m", "m.py", 1, "m"])


def test_replace_takes_a_dataclass_too():
    from dataclasses import dataclass

    @dataclass
    class Point:
        x: int
        y: int = 0

    assert replace(Point(1, 2), y=3) == Point(1, 3)
