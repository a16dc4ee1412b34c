"""Checking facts read back from the on-disk cache: every field of the type and shape the
code that built them could have produced, else the whole entry is rejected (a miss).

The cache file's text is already free of control and format characters (cache.py); these
checks add the types (an ``int`` is an int and not a bool, a line is positive) and, for the
text a message prints, the shape of a Python name: a model or field name is an identifier,
an app label is one too (Django refuses any other), a qualified name is dotted.
"""

from __future__ import annotations

from dataclasses import fields as fields_of
from operator import itemgetter

from .records import FrozenRecord, Record

_SCALARS = {"str": str, "int": int, "bool": bool}
_SPECS: dict[type, tuple[frozenset, list]] = {}


class Malformed(ValueError):
    """Stored data that the code could not have written."""


def checked(value, kind, item=None):
    """``value`` if it is a ``kind`` (whose values / items are ``item``s), else Malformed.
    Exact types (JSON gives exactly dict, list, str, int, bool; True is no int here)."""
    if type(value) is not kind:
        raise Malformed(f"expected {kind.__name__}")
    if item is not None:
        if kind is dict:
            if not set(map(type, value)) <= {str}:
                raise Malformed("expected string keys")
            value_items = value.values()
        else:
            value_items = value
        if not set(map(type, value_items)) <= {item}:
            raise Malformed(f"expected {item.__name__} items")
    return value


def _one(name):
    return lambda data: (data[name],)


def _declared(cls) -> list[tuple[str, str]]:
    """(name, annotation text) of each field of a facts class: a dataclass or a Record."""
    if issubclass(cls, Record):
        annotations = {}
        for klass in reversed(cls.__mro__):
            annotations.update(vars(klass).get("__annotations__", {}))
        return [(name, str(annotations[name])) for name in cls.FIELDS]
    return [(f.name, str(f.type)) for f in fields_of(cls)]


def _spec(cls) -> tuple[frozenset, list]:
    """A facts class's field names, and its scalar fields grouped by the exact types
    they may hold (with NoneType when None is allowed), each group with a getter of their
    values; containers are checked by the caller."""
    if cls not in _SPECS:
        names, groups = set(), {}
        for name, annotation in _declared(cls):
            names.add(name)
            parts = [t.strip() for t in annotation.split("|")]
            types = {_SCALARS[t] for t in parts if t in _SCALARS}
            if types:
                if "None" in parts:
                    types.add(type(None))
                groups.setdefault(frozenset(types), []).append(name)
        getters = [(itemgetter(*group) if len(group) > 1 else _one(group[0]), types)
                   for types, group in groups.items()]
        _SPECS[cls] = (frozenset(names), getters)
    return _SPECS[cls]


_SHAPES_SEEN: set = set()  # (class, keys, value types) already found valid
_MAX_SHAPES = 512  # a handful per class in practice (which optional fields are None)


def fact(cls, data: dict):
    """A facts dataclass from stored data: exactly its fields, each scalar of the declared
    type (exact types: JSON gives exactly str / int / bool, and True is no line number).

    Thousands of facts share a few shapes (the same keys, the same value types), so a shape
    found valid once is recognised by one set lookup."""
    if type(data) is not dict:
        raise Malformed(f"{cls.__name__}: expected an object")
    shape = (cls, tuple(data), tuple(map(type, data.values())))
    if shape not in _SHAPES_SEEN:
        names, getters = _spec(cls)
        if data.keys() != names:
            raise Malformed(f"fields of {cls.__name__} differ")
        for getter, types in getters:
            if not set(map(type, getter(data))) <= types:
                raise Malformed(f"{cls.__name__}: a field of an unexpected type")
        if len(_SHAPES_SEEN) < _MAX_SHAPES:
            _SHAPES_SEEN.add(shape)
    plain = _PLAIN.get(cls)
    if plain is None:
        plain = _PLAIN[cls] = _is_plain(cls)
    if not plain:
        return cls(**data)
    # every field is given and checked: set them as __init__ would, at a fraction of its cost
    obj = object.__new__(cls)
    obj.__dict__.update(data)
    return obj


_ROW_SPECS: dict[type, tuple] = {}


def facts_from_rows(cls, rows: list) -> list:
    """Records of scalar fields from their stored rows: each row the list of a record's field
    values in the class's field order (``record_row``), each value of the declared type
    (exact types, as ``fact``); Malformed otherwise.  A row is a third of the size of the
    same fact stored as an object, and decodes faster: the names are not repeated in every
    fact.  The rows are checked column by column (one set of types per field, in C loops),
    and the records made by one ``map`` over the columns."""
    if type(rows) is not list:
        raise Malformed(f"{cls.__name__}: expected a list of rows")
    if not rows:
        return []
    spec = _ROW_SPECS.get(cls)
    if spec is None:
        spec = _ROW_SPECS[cls] = _row_spec(cls)
    if set(map(type, rows)) != {list}:
        raise Malformed(f"{cls.__name__}: expected rows")
    if set(map(len, rows)) != {len(spec)}:
        raise Malformed(f"{cls.__name__}: a row of another length than its fields")
    columns = list(zip(*rows))
    for column, allowed in zip(columns, spec):
        if not set(map(type, column)) <= allowed:
            raise Malformed(f"{cls.__name__}: a field of an unexpected type")
    return list(map(cls, *columns))  # a Record's __init__ only assigns its fields (records.py)


def fact_row(cls, row: list):
    """One record from its stored row (``facts_from_rows``)."""
    if type(row) is not list:
        raise Malformed(f"{cls.__name__}: expected a row")
    return facts_from_rows(cls, [row])[0]


def record_row(record: Record) -> list:
    """What ``fact_row`` reads back: the record's field values in order."""
    return list(record._values(record))


def _row_spec(cls) -> tuple:
    """The types each field of a Record of scalars may hold, in field order."""
    if not issubclass(cls, Record) or issubclass(cls, FrozenRecord):
        raise TypeError(f"{cls.__name__} is not stored as rows")
    spec = []
    for name, annotation in _declared(cls):
        parts = [t.strip() for t in annotation.split("|")]
        if not all(t in _SCALARS or t == "None" for t in parts):
            raise TypeError(f"{cls.__name__}.{name} is not a scalar")
        types = {_SCALARS[t] for t in parts if t in _SCALARS}
        if "None" in parts:
            types.add(type(None))
        spec.append(frozenset(types))
    return tuple(spec)


def _is_plain(cls) -> bool:
    """A class whose __init__ only assigns its fields: a Record that is not frozen, or a
    dataclass without __post_init__, slots or frozen."""
    if issubclass(cls, Record):
        return not issubclass(cls, FrozenRecord) and "__slots__" not in vars(cls)
    params = getattr(cls, "__dataclass_params__", None)
    return (params is not None and not params.frozen and not hasattr(cls, "__post_init__")
            and "__slots__" not in vars(cls))


_PLAIN: dict[type, bool] = {}


# ---------------------------------------------------------------------- shapes
def require(ok: bool, what: str) -> None:
    if not ok:
        raise Malformed(what)


def is_identifier(value) -> bool:
    return isinstance(value, str) and value.isidentifier()


def is_dotted(value) -> bool:
    """``a.b.C``: dotted identifiers."""
    return isinstance(value, str) and all(part.isidentifier() for part in value.split("."))


def is_module_name(value) -> bool:
    """``app.migrations.0001_initial``: dotted names whose parts are identifiers or the file
    names of migrations (ASCII letters, digits and underscores, a digit first allowed)."""
    # [A-Za-z0-9_]+, without a regular expression compiled when the plugin loads
    return isinstance(value, str) and value.isascii() and all(
        part.replace("_", "a").isalnum() for part in value.split("."))


def is_position(line, col, first_line: int = 1) -> bool:
    """A line (``first_line`` or more: 0 stands for "no source line" in facts of Django's
    contrib models) and a column (0 or more), both true ints."""
    return type(line) is int and type(col) is int and line >= first_line and col >= 0


def is_str_map(value) -> bool:
    """A dict of strings to strings (an import table)."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
