"""Checking facts read back from the on-disk cache: every field of the type and shape the
code that built them could have produced, else the whole entry is rejected (a miss).

The cache file's text is already free of control and format characters (cache.py); these
checks add the types (an ``int`` is an int and not a bool, a line is positive) and, for the
text a message prints, the shape of a Python name: a model or field name is an identifier,
an app label is one too (Django refuses any other), a qualified name is dotted.
"""

from __future__ import annotations

from dataclasses import fields as fields_of

_SCALARS = {"str": str, "int": int, "bool": bool}
_SPECS: dict[type, dict[str, tuple[tuple[type, ...], bool]]] = {}


class Malformed(ValueError):
    """Stored data that the code could not have written."""


def checked(value, kind, item=None):
    """``value`` if it is a ``kind`` (whose values / items are ``item``s), else Malformed."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Malformed(f"expected {kind.__name__}")
    if item is not None:
        items = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict) and not all(isinstance(k, str) for k in value):
            raise Malformed("expected string keys")
        if not all(isinstance(v, item) and not (item is int and isinstance(v, bool)) for v in items):
            raise Malformed(f"expected {item.__name__} items")
    return value


def _spec(cls) -> dict[str, tuple[tuple[type, ...], bool]]:
    """Per field of a facts dataclass: the scalar types it may hold and whether None is allowed
    (empty types: a container, checked by the caller)."""
    if cls not in _SPECS:
        spec = {}
        for f in fields_of(cls):
            parts = [t.strip() for t in str(f.type).split("|")]
            spec[f.name] = (tuple(_SCALARS[t] for t in parts if t in _SCALARS), "None" in parts)
        _SPECS[cls] = spec
    return _SPECS[cls]


def fact(cls, data: dict):
    """A facts dataclass from stored data: exactly its fields, each scalar of the declared
    type (exact types: JSON gives exactly str / int / bool, and True is no line number)."""
    spec = _spec(cls)
    if not isinstance(data, dict) or len(data) != len(spec):
        raise Malformed(f"fields of {cls.__name__} differ")
    for name, value in data.items():
        if name not in spec:
            raise Malformed(f"{cls.__name__}.{name}: unknown field")
        types, nullable = spec[name]
        if not types or (value is None and nullable):
            continue
        if type(value) not in types:
            raise Malformed(f"{cls.__name__}.{name}: unexpected {type(value).__name__}")
    return cls(**data)


# ---------------------------------------------------------------------- shapes
def require(ok: bool, what: str) -> None:
    if not ok:
        raise Malformed(what)


def is_identifier(value) -> bool:
    return isinstance(value, str) and value.isidentifier()


def is_dotted(value) -> bool:
    """``a.b.C``: dotted identifiers."""
    return isinstance(value, str) and all(part.isidentifier() for part in value.split("."))


def is_position(line, col, first_line: int = 1) -> bool:
    """A line (``first_line`` or more: 0 stands for "no source line" in facts of Django's
    contrib models) and a column (0 or more), both true ints."""
    return type(line) is int and type(col) is int and line >= first_line and col >= 0


def is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
