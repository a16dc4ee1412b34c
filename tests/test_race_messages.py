"""DJI003 / DJI007 messages name the model, the check or lookup, and the fix that applies."""

from __future__ import annotations

import pytest

from harness import FIXTURES, line_of as _line_of, messages_by_row as _messages

DJI003 = FIXTURES / "dji003_check_then_insert"
DJI007 = FIXTURES / "dji007_get_or_create_lookup"


@pytest.fixture(scope="module")
def dji003():
    return _messages(DJI003, "shop/views.py")


@pytest.fixture(scope="module")
def dji007():
    return _messages(DJI007, "library/views.py")


def test_dji003_unique_lookup_suggests_get_or_create(dji003):
    row = _line_of(DJI003, "shop/views.py", "def tag_if_missing(name):") + 2
    (text,) = dji003[row]
    assert text.startswith(
        "DJI003 check-then-insert race on Tag: exists() does not stop a concurrent create()")
    assert "get_or_create() on the unique lookup (name)" in text


def test_dji003_without_constraint_says_to_add_one(dji003):
    row = _line_of(DJI003, "shop/views.py", "if Note.objects.filter(owner=owner).count() > 0:") + 2
    (text,) = dji003[row]
    assert "race on Note: count()" in text
    assert "no unique constraint of Note covers (owner): add one" in text
    assert "the one-row read of Note by (owner) in `shop.readers.note_of` (shop/readers.py:10)" in text


def test_dji003_bulk_create_suggests_ignore_conflicts(dji003):
    row = _line_of(DJI003, "shop/views.py", "for n in names if n not in existing])  # expect")
    (text,) = dji003[row]
    assert "the set of existing keys does not stop a concurrent bulk_create()" in text
    assert "ignore_conflicts=True" in text


def test_dji003_unresolved_model_is_named_as_written(dji003):
    row = _line_of(DJI003, "shop/views.py", "Widget.objects.create(slug=slug)  # expect")
    (text,) = dji003[row]
    assert "race on Widget" in text
    assert "if a unique constraint covers the lookup (slug); otherwise add one" in text


def test_dji003_reverse_one_to_one_says_the_constraint_exists(dji003):
    row = _line_of(DJI003, "shop/views.py", "venue = Venue.objects.create(conference=conference")
    (text,) = dji003[row]
    assert "race on Venue: Venue.DoesNotExist does not stop a concurrent create()" in text
    assert "get_or_create() on the unique lookup (conference)" in text
    assert "add a unique constraint" not in text


def test_dji003_parent_link_of_a_multi_table_child_is_named(dji003):
    row = _line_of(DJI003, "shop/views.py", "restaurant = Restaurant.objects.create(place_ptr=")
    (text,) = dji003[row]
    assert "get_or_create() on the unique lookup (place_ptr)" in text


def test_dji003_one_to_one_child_checked_by_parent_only(dji003):
    row = _line_of(DJI003, "shop/views.py",
                   "        Venue.objects.create(conference=conference, city=city)")
    (text,) = dji003[row]
    assert "get_or_create() on the unique lookup (conference)" in text


def test_dji003_default_row_that_sets_a_unique_set_names_it(dji003):
    row = _line_of(DJI003, "shop/views.py",
                   "Slot.objects.create(conference=conference, position=0)")
    (text,) = dji003[row]
    assert "the unique (conference, position) rejects a row inserted meanwhile" in text
    assert "no unique constraint" not in text


def test_dji003_natural_key_without_constraint_says_to_add_one(dji003):
    row = _line_of(DJI003, "shop/views.py",
                   "Phase.objects.create(conference=conference, name=name)")
    (text,) = dji003[row]
    assert "no unique constraint of Phase covers (conference, name): add one" in text


def test_dji003_nulls_not_distinct_set_is_named(dji003):
    row = _line_of(DJI003, "shop/views.py", "return Track.objects.create(conference=conference")
    (text,) = dji003[row]
    assert ("the unique (conference, group, slug) with nulls_distinct=False rejects the "
            "duplicate when group is NULL") in text
    assert "no unique constraint" not in text


def test_dji007_lookup_part_of_a_unique_set_names_the_missing_field(dji007):
    row = _line_of(DJI007, "library/views.py", "Shelf.objects.get_or_create(room=room)  # expect")
    (text,) = dji007[row]
    assert text.startswith(
        "DJI007 get_or_create() on a lookup no unique constraint covers: lookup (room) on Shelf;")
    assert text.endswith("add number to the lookup: (room, number) is unique")


def test_dji007_transform_and_conditional_constraint(dji007):
    row = _line_of(DJI007, "library/views.py", "Book.objects.get_or_create(isbn__iexact=isbn)")
    assert "exact values only, not isbn__iexact" in dji007[row][0]
    snippet = "Book.objects.get_or_create(shelf=shelf, title=title)"
    row = _line_of(DJI007, "library/views.py", snippet)
    expected = "book_title_per_shelf_without_isbn on (shelf, title) has a condition"
    assert expected in dji007[row][0]


def test_dji007_new_constraint_goes_on_the_concrete_model(dji007):
    row = _line_of(DJI007, "library/views.py", "ArchivedBook.objects.get_or_create(title=name)")
    (text,) = dji007[row]
    assert "lookup (title) on ArchivedBook;" in text
    assert "to Book.Meta" in text


def test_dji007_isnull_lookup_suggests_a_conditional_constraint(dji007):
    row = _line_of(DJI007, "library/views.py", "room.notes.get_or_create(version__isnull=True)")
    (text,) = dji007[row]
    assert text.endswith(
        "add UniqueConstraint(fields=['room'], condition=Q(version__isnull=True)) to Note.Meta "
        "(with a migration) or look up by a unique field (id)")


def test_dji007_isnull_false_is_not_advised_a_condition(dji007):
    row = _line_of(DJI007, "library/views.py", "room=room, version__isnull=False)")
    (text,) = dji007[row]
    assert "condition=" not in text
    assert "exact values only, not version__isnull" in text


def test_dji007_missing_nullable_field_warns_that_nulls_are_distinct(dji007):
    row = _line_of(DJI007, "library/views.py", "Slot.objects.get_or_create(number=number)  #")
    (text,) = dji007[row]
    assert text.endswith(
        "add room to the lookup: (number, room) is unique, but rows with a NULL room never "
        "collide unless a UniqueConstraint sets nulls_distinct=False")


def test_dji007_missing_non_null_field_has_no_null_warning(dji007):
    row = _line_of(DJI007, "library/views.py", "Shelf.objects.get_or_create(room=room)  # expect")
    assert "nulls_distinct" not in dji007[row][0]


NULL_KEYS = FIXTURES / "null_keys"


@pytest.fixture(scope="module")
def null_keys():
    return _messages(NULL_KEYS, "prefs/views.py")


def test_dji007_lookup_pinning_none_says_nulls_never_collide(null_keys):
    line = _line_of(NULL_KEYS, "prefs/views.py",
                    "organization=None, kind=None)  # expect: DJI007")
    (msg,) = null_keys[line]
    assert msg.startswith("DJI007") and "on Setting" in msg
    assert "(organization, kind, user) is unique, but the lookup sets organization, kind to None" in msg
    assert "NULLs never collide" in msg


def test_dji003_check_pinning_none_does_not_advise_get_or_create(null_keys):
    line = _line_of(NULL_KEYS, "prefs/views.py", "filter(owner=request.user, code=None)") + 1
    (msg,) = null_keys[line]
    assert msg.startswith("DJI003") and "NULLs never collide" in msg
    assert "get_or_create" not in msg and "no unique constraint" not in msg


NO_UNIQUE = FIXTURES / "dji003_no_unique"


def test_dji003_without_constraint_names_the_read_that_breaks():
    messages = _messages(NO_UNIQUE, "press/views.py")
    row = _line_of(NO_UNIQUE, "press/views.py", "Translation.objects.create(  # expect")
    (text,) = messages[row]
    assert text.startswith("DJI003 check-then-insert race on Translation: exists() does not stop")
    assert ("the one-row read of Translation by (language, publication) in "
            "`press.views.show_translation` (this file) then raises "
            "MultipleObjectsReturned") in text
    assert "no unique constraint of Translation covers (publication, language): add one" in text
    row = _line_of(NO_UNIQUE, "press/views.py", "Review.objects.create(publication=publication")
    (text,) = messages[row]
    assert "read of Review by (publication, reviewer) in `press.views.my_review`" in text


def test_dji003_get_check_without_constraint_names_its_own_get(dji003):
    row = _line_of(DJI003, "shop/views.py", "return Track.objects.create(conference=conference, slug=slug)")
    (text,) = dji003[row]
    assert "both runs insert a row, and this check's own get() then raises MultipleObjectsReturned" in text
    row = _line_of(DJI003, "shop/views.py", "note = Note.objects.get(owner=owner, text=text)") + 5
    (text,) = dji003[row]
    assert "this check's own get()" in text  # preferred to shop/readers.py's get(owner=...)


def test_dji003_unknown_keys_name_the_read_they_may_break():
    # **params from the caller: the read by object_id breaks only if params holds object_id
    messages = _messages(NO_UNIQUE, "press/queue.py")
    (text,) = messages[_line_of(NO_UNIQUE, "press/queue.py", "Notice.objects.create(**params)")]
    assert ("both runs insert a row, and if **params holds (object_id) the one-row read of "
            "Notice by (object_id) in `press.readers.notice_for` (press/readers.py:5) then raises "
            "MultipleObjectsReturned") in text
    # a dict literal of the function: its keys are read as if written out
    (text,) = messages[_line_of(NO_UNIQUE, "press/queue.py", "Ping.objects.create(**params)")]
    assert "the one-row read of Ping by (host, port) in `press.readers.ping_of`" in text
    assert "no unique constraint of Ping covers (host, port, status): add one" in text
    assert "if **params holds" not in text and "known to cover the fields in **params" not in text
    # a one-row read whose own keys cannot be read may be by the same keys
    (text,) = messages[_line_of(NO_UNIQUE, "press/queue.py", "Job.objects.create(**params)")]
    assert ("if **params holds its keys the one-row read of Job by a lookup it cannot read in "
            "`press.readers.job_by` (press/readers.py:17)") in text


HANDLES = FIXTURES / "model_handles"


@pytest.fixture(scope="module")
def held():
    return _messages(HANDLES, "club/backends.py")


def test_model_held_in_a_base_class_attribute_is_named(held):
    # self.user_model = get_user_model() in the base's __init__: the project's user model
    (text,) = held[_line_of(HANDLES, "club/backends.py", "create(email=email, handle=email)")]
    assert text.startswith("DJI003 check-then-insert race on Member: get() ... except")
    assert "get_or_create() on the unique lookup (email)" in text
    assert "self.user_model:" not in text


def test_unique_set_filled_by_a_fresh_method_rejects_nothing(held):
    # code=self.make_code() returns a uuid4: the unique (code) is never the same twice
    (text,) = held[_line_of(HANDLES, "club/backends.py", "code=self.make_code())")]
    assert "race on Guest" in text
    assert "no unique constraint of Guest covers (email): add one" in text
    assert "the unique (code)" not in text


def test_unique_set_filled_by_the_checked_value_is_named(held):
    (text,) = held[_line_of(HANDLES, "club/backends.py", "code=email.lower())")]
    assert "the unique (code) rejects a row inserted meanwhile with IntegrityError" in text


def test_check_own_get_through_a_held_model_is_the_read_it_breaks(held):
    (text,) = held[_line_of(HANDLES, "club/backends.py", "objects.create(email=email)  # expect")]
    assert "this check's own get() then raises MultipleObjectsReturned" in text


def test_model_the_plugin_cannot_resolve_is_named_by_its_handle(held):
    (text,) = held[_line_of(HANDLES, "club/backends.py", "self.model_class.objects.create(name=name)")]
    assert text.startswith("DJI003 check-then-insert race on the model of `self.model_class`: ")


def test_dji007_related_manager_lookup_shows_its_foreign_key(dji007):
    row = _line_of(DJI007, "library/views.py", "book.reviews.get_or_create(stars=5)")
    (text,) = dji007[row]
    assert "lookup (book=book, stars) on Review;" in text
    row = _line_of(DJI007, "library/views.py", 'room.shelves.get_or_create(label="B")')
    (text,) = dji007[row]
    assert "lookup (room=room, label) on Shelf;" in text
