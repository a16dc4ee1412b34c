"""Advice that is right: a message never suggests a constraint the model has, never names an
empty field, and suggests a unique constraint only on what the code treats as the row's
identity (tests/fixtures/race_advice)."""

from __future__ import annotations

import pytest

from harness import FIXTURES, run_flake8

PROJECT = FIXTURES / "race_advice"


@pytest.fixture(scope="module")
def messages():
    result = run_flake8(PROJECT, "-j1", "--format=%(row)d\t%(text)s", "desk/views.py")
    assert result.returncode in (0, 1), result.stderr
    out = {}
    for line in result.stdout.splitlines():
        row, text = line.split("\t", 1)
        out.setdefault(int(row), []).append(text)
    return out


def _row(snippet):
    lines = (PROJECT / "desk" / "views.py").read_text(encoding="utf-8").splitlines()
    (row,) = [i for i, line in enumerate(lines, 1) if snippet in line]
    return row


def test_lookup_by_the_written_values_suggests_a_constraint(messages):
    (text,) = messages[_row('Ticket.objects.create(owner=owner, subject=subject, status="open")')]
    assert "no unique constraint of Ticket covers (owner, subject): add one" in text


def test_check_on_a_value_the_write_does_not_set_names_the_lock(messages):
    (text,) = messages[_row('Ticket.objects.create(owner=owner, subject=subject, status="new")')]
    assert "select_for_update()" in text
    assert "add one" not in text and "UniqueConstraint" not in text


def test_unnamed_conditional_constraint_is_named_by_its_fields(messages):
    (text,) = messages[_row('Badge.objects.create(holder=holder, kind="gold")')]
    assert "the conditional unique constraint on (holder, kind) rejects" in text
    assert "  " not in text


def test_lookup_pinning_none_in_a_unique_set_has_no_empty_field(messages):
    (text,) = messages[_row("Seat.objects.get_or_create(room=room, number=None)")]
    assert "add  to the lookup" not in text and "add to the lookup" not in text
    assert "(room, number) is unique, but the lookup sets number to None" in text


def test_same_spread_in_check_and_write_is_the_identity(messages):
    (text,) = messages[_row("Ticket.objects.create(**values)")]
    assert "no unique constraint of Ticket is known to cover the fields in **values: add one" in text


def test_spread_whose_keys_cannot_be_read_names_the_unique_sets_it_may_cover(messages):
    # Subscription has unique_together (member, topic): the keys of **values may be exactly
    # those, so the message never claims that no unique constraint covers them
    (text,) = messages[_row("Subscription.objects.create(**values)")]
    assert "no unique constraint" not in text
    assert "the fields in **values cannot be read: if they are the unique (member, topic) of " \
           "Subscription, use Subscription.objects.get_or_create() on it" in text


def test_spread_of_a_dict_literal_names_the_unique_lookup(messages):
    # the keys of the spread are read from the function's dict literal: the unique set is known
    (text,) = messages[_row("subscription.save()  # expect")]
    assert "use Subscription.objects.get_or_create() on the unique lookup (member, topic)" in text
    assert "cannot be read" not in text


def test_module_constant_spread_is_read_as_its_keys(messages):
    (text,) = messages[_row("Setting.objects.create(data=data, **INSTALL_KEY)")]
    assert "use Setting.objects.get_or_create() on the unique lookup (module, key)" in text
    assert "no unique constraint" not in text
    (text,) = messages[_row("get_or_create(defaults={\"data\": data}, **STATS_ONLY)")]
    assert "lookup (module) on Setting;" in text
    assert text.endswith("add key to the lookup: (module, key) is unique")


def test_module_constant_changed_in_place_is_not_read(messages):
    (text,) = messages[_row("Setting.objects.create(data=data, **REWRITTEN)")]
    # unread keys: the message names the unique set they may be (messages branch), never
    # claims the spread is that set
    assert "the fields in **REWRITTEN cannot be read" in text
    assert "if they are the unique (module, key) of Setting" in text
