"""project/gc_pause.py: facts built lazily are frozen out of later collections, garbage is not.

The settle policy runs inside the test process: the state it keeps is saved and restored,
and the collector is unfrozen after each test (objects frozen here would otherwise outlive
the test).
"""

from __future__ import annotations

import gc
import weakref

import pytest

from flake8_django_integrity.project import gc_pause


class _Node:
    def __init__(self):
        self.other = None


@pytest.fixture
def policy(monkeypatch):
    monkeypatch.setattr(gc_pause, "_STATE", {"built": False, "files": 0})
    monkeypatch.setattr(gc_pause, "SETTLE_EVERY", 3)
    was_enabled = gc.isenabled()
    gc.enable()
    yield gc_pause
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


def _settle_files(n: int) -> None:
    for _ in range(n):
        gc_pause.settle()


def test_nothing_is_frozen_before_any_fact_is_built(policy):
    before = gc.get_freeze_count()
    kept = [_Node() for _ in range(100)]
    _settle_files(9)
    assert gc.get_freeze_count() == before
    assert kept


def test_every_nth_file_freezes_what_survives(policy):
    with policy.collector_paused():
        pass  # a build: from now on this process holds facts
    frozen = gc.get_freeze_count()
    kept = [_Node() for _ in range(200)]  # facts built lazily, after the build
    _settle_files(2)
    assert gc.get_freeze_count() == frozen  # not yet the third file
    _settle_files(1)
    assert gc.get_freeze_count() >= frozen + len(kept)
    assert all(gc.is_tracked(k) for k in kept)


def test_garbage_cycles_are_collected_not_frozen(policy):
    with policy.collector_paused():
        pass
    _settle_files(2)
    gc.disable()  # no automatic collection may free the cycle before the settle does
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    gone = weakref.ref(a)
    del a, b
    gc.enable()
    _settle_files(1)  # the third file: without the collection first, the cycle is frozen
    assert gone() is None


def test_a_host_with_the_collector_off_is_left_alone(policy):
    with policy.collector_paused():
        pass
    gc.disable()
    before = gc.get_freeze_count()
    kept = [_Node() for _ in range(50)]
    _settle_files(6)
    assert gc.get_freeze_count() == before
    assert kept
