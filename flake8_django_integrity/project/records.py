"""Plain data classes written out by hand, for the classes every run of the plugin defines.

``@dataclass`` builds each class's ``__init__``, ``__eq__`` and ``__repr__`` from source text
with ``exec()`` when the module is imported, and computes a signature for a class without a
docstring: for the classes loaded with the plugin, a quarter of its cost in a one-file editor
run (FieldFact's 23 fields alone cost more than checking the file).  A ``Record`` subclass
declares its fields as annotations (their order is the fields' order, read once here, and
the types are what the cache checks stored facts against: stored.py) and writes its
``__init__`` by hand, which only assigns the fields (a default where one is None: the cache
sets a stored fact's fields without calling it, stored.py); equality, ``repr`` and, for a
``FrozenRecord``, hashing and immutability behave as a dataclass's would.  tests/test_records.py checks that each
``__init__`` takes exactly the declared fields.
"""

from __future__ import annotations

from operator import attrgetter


class Record:
    """A data class: fields compared, in order, by ``==``; unhashable, as a dataclass with
    ``eq=True`` that is not frozen."""

    FIELDS: tuple[str, ...] = ()
    _values = staticmethod(lambda record: ())  # the field values, in order, as a tuple

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = tuple(vars(cls).get("__annotations__", ()))
        cls.FIELDS = (*cls.FIELDS, *(name for name in own if name not in cls.FIELDS))
        getter = attrgetter(*cls.FIELDS) if cls.FIELDS else (lambda record: ())
        cls._values = staticmethod(
            getter if len(cls.FIELDS) != 1 else (lambda record, get=getter: (get(record),)))

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._values(self) == other._values(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value!r}" for name, value in zip(self.FIELDS, self._values(self)))
        return f"{type(self).__qualname__}({values})"


class FrozenRecord(Record):
    """A frozen data class: hashed by its fields; setting or deleting a field raises
    AttributeError (``__init__`` sets them with ``object.__setattr__``)."""

    def __hash__(self) -> int:
        return hash(self._values(self))

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name):
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def replace(record, **changes):
    """A copy of ``record`` (a Record or a dataclass) with ``changes`` to its fields
    (``dataclasses.replace``)."""
    if not isinstance(record, Record):
        import dataclasses

        return dataclasses.replace(record, **changes)
    unknown = set(changes) - set(record.FIELDS)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {sorted(unknown)[0]!r}")
    return type(record)(**{**dict(zip(record.FIELDS, record._values(record))), **changes})


def as_dict(value):
    """A record as nested plain data (``dataclasses.asdict``'s answer): records become dicts
    of their fields, lists, tuples and dicts are copied, the rest is kept."""
    if isinstance(value, Record):
        return {name: as_dict(v) for name, v in zip(value.FIELDS, value._values(value))}
    if isinstance(value, list):
        return [as_dict(v) for v in value]
    if isinstance(value, tuple):
        return tuple(as_dict(v) for v in value)
    if isinstance(value, dict):
        return {k: as_dict(v) for k, v in value.items()}
    return value
