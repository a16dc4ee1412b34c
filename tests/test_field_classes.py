"""Fields by their class: the index reads a project field class's __init__ chain, and a class it
cannot read leaves the option unknown (None), never False (tests/fixtures/field_classes)."""

from __future__ import annotations

import json

import pytest

from flake8_django_integrity.project.index import ProjectIndex
from harness import FIXTURES

ROOT = FIXTURES / "field_classes"


@pytest.fixture(scope="module")
def entry():
    index = ProjectIndex(str(ROOT)).build()
    return index, index.models["ledger.models.Entry"]


@pytest.mark.parametrize("name, null, unique, blank, has_default", [
    ("identifier", True, False, False, False),  # kwargs.setdefault("null", True)
    ("code", False, True, False, False),  # kwargs["unique"] = True
    ("label", False, True, True, False),  # setdefault("blank") over a unique base
    ("optional_label", True, True, True, False),  # super().__init__(null=True, **kwargs)
    ("parent", True, False, False, False),  # a ForeignKey subclass that sets null
    ("owner", False, False, False, False),  # a ForeignKey subclass that sets nothing
    ("created", False, False, False, True),  # setdefault("default", ...)
    ("count", True, False, False, False),  # a null=True parameter passed on
    ("amount", False, False, False, False),  # ... that the caller overrides
    ("plain", False, False, False, False),  # sets only max_length
    ("configured", None, None, None, None),  # kwargs.update(OPTIONS): unknown
    ("sometimes", None, False, False, False),  # null set under a condition: unknown
    ("vendor", None, None, None, None),  # a third-party class: unknown
])
def test_effective_options(entry, name, null, unique, blank, has_default):
    _, model = entry
    f = model.fields[name]
    assert (f.null, f.unique, f.blank, f.has_default) == (null, unique, blank, has_default)


def test_relation_kind_comes_from_the_bases(entry):
    _, model = entry
    assert model.fields["parent"].relation == "fk"
    assert model.fields["owner"].relation == "fk"
    assert model.fields["parent"].to == "ledger.account"


def test_unique_sets_follow_the_class(entry):
    _, model = entry
    single = {u.fields[0] for u in model.unique_sets if u.source == "unique"}
    assert {"code", "label", "optional_label", "tag"} <= single
    assert not {"configured", "vendor", "plain"} & single


def test_stored_index_keeps_the_options_and_checks_them(entry):
    index, _ = entry
    data = json.loads(json.dumps(index.to_json()))
    again = ProjectIndex.from_json(str(ROOT), None, data)
    assert again.models["ledger.models.Entry"].fields == index.models["ledger.models.Entry"].fields
    assert again.field_classes["ledger.fields.IdentifierField"] == {
        "steps": [["null", "default", True]], "end": "django"}
    bad = json.loads(json.dumps(index.to_json()))
    bad["field_classes"]["ledger.fields.IdentifierField"]["steps"] = [["null", "exec", True]]
    with pytest.raises(ValueError):
        ProjectIndex.from_json(str(ROOT), None, bad)
