"""DJI003 / DJI007 advice where a unique set holds a column the insert leaves NULL: NULLs never
collide, so get_or_create() is no fix there; and a ``**LOOKUP`` the function binds again in
an ``except`` clause is read as the dict literal that reaches each call."""

from __future__ import annotations

import pytest

from harness import FIXTURES, line_of as _line_of, messages_by_row as _messages

PROJECT = FIXTURES / "race_null_messages"
NULL_KEYS = FIXTURES / "null_keys"


@pytest.fixture(scope="module")
def numbers():
    return _messages(PROJECT, "books/numbers.py")


def test_rebound_lookup_is_read_and_null_defeats_the_set(numbers):
    (text,) = numbers[_line_of(PROJECT, "books/numbers.py", "return Counter.objects.create(**LOOKUP)")]
    assert text.startswith("DJI003 check-then-insert race on Counter")
    assert "cannot be read" not in text  # both bindings of LOOKUP are dict literals
    assert "(entity, unit, year, key) is unique, but the lookup sets unit to None" in text
    assert "NULLs never collide" in text and "get_or_create" not in text
    assert "UniqueConstraint(fields=['entity', 'unit', 'year', 'key'], nulls_distinct=False)" in text
    assert "UniqueConstraint(fields=['entity', 'year', 'key'], condition=Q(unit__isnull=True))" in text
    assert "select_for_update()" in text


def test_unknown_model_with_a_null_insert_warns_about_nulls(numbers):
    (text,) = numbers[_line_of(PROJECT, "books/numbers.py",
                               "return CounterModel.objects.create(**LOOKUP)")]
    assert "if a unique constraint covers the lookup (entity_id, unit_id, year, key)" in text
    assert "the insert leaves unit NULL and NULLs never collide" in text
    assert "nulls_distinct=False" in text and "condition=Q(unit__isnull=True)" in text


def test_covered_lookup_with_a_nullable_value_warns_about_nulls(numbers):
    (text,) = numbers[_line_of(PROJECT, "books/numbers.py",
                               'Counter.objects.create(entity=entity, unit=unit')]
    assert "get_or_create() on the unique lookup (entity, unit, year, key)" in text
    assert "where unit is None that set rejects nothing (NULLs never collide)" in text


def test_covered_lookup_without_nullable_field_has_no_null_note():
    text = _messages(FIXTURES / "dji003_check_then_insert", "shop/views.py")
    row = _line_of(FIXTURES / "dji003_check_then_insert", "shop/views.py",
                   "def tag_if_missing(name):") + 2
    (msg,) = text[row]
    assert "get_or_create() on the unique lookup (name)" in msg
    assert "NULLs never collide" not in msg


def test_dji007_lookup_pinning_none_names_the_constraints_that_work():
    messages = _messages(NULL_KEYS, "prefs/views.py")
    (msg,) = messages[_line_of(NULL_KEYS, "prefs/views.py",
                               "organization=None, kind=None)  # expect: DJI007")]
    assert "the lookup sets organization, kind to None and NULLs never collide" in msg
    assert "nulls_distinct=False) on Django 5.0+" in msg
    assert "condition=Q(organization__isnull=True, kind__isnull=True)" in msg


def test_nullable_field_written_never_none_has_no_null_note(numbers):
    (text,) = numbers[_line_of(PROJECT, "books/numbers.py",
                               "Shelf.objects.create(entity=entity, label=str(label))")]
    assert "get_or_create() on the unique lookup (entity, label)" in text
    assert "NULLs never collide" not in text
