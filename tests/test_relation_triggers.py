"""The words that let DJI005 read a file naming none of Django's relation classes: the names
of the project's own ForeignKey / OneToOneField subclasses and their aliases, the same from
a fresh index and from its stored form (flake8 runs with and without the cache must agree)."""

from __future__ import annotations

import json

from flake8_django_integrity.project.index import ProjectIndex

from harness import FIXTURES

PROJECT = FIXTURES / "dji005_foreign_key"


def test_relation_names_fresh_and_stored():
    fresh = ProjectIndex(str(PROJECT)).build()
    # the project's subclasses and the alias another app imports (not field classes of other
    # kinds, nor Django's own names, which the trigger words already hold)
    assert {"ShopFK", "Ref", "AuthorKey", "LabelledKey", "NullableKey"} <= fresh.relation_field_names
    assert "Model" not in fresh.relation_field_names
    stored = ProjectIndex.from_json(str(PROJECT), None, json.loads(json.dumps(fresh.to_json())))
    assert stored.relation_field_names == fresh.relation_field_names
