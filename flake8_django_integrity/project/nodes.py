"""Which fields of a syntax node can hold other nodes: what a walk of a tree must read.

A generic walk reads every field a node class lists (``node._fields``); most nodes of a tree
are names, constants and attributes, whose fields are mostly strings (``Name.id``,
``Attribute.attr``) or the load/store context.  Reading only the fields that can hold a node
visits the same nodes in the same order, at a fraction of the ``getattr`` and type tests
(the checker's walk of every linted file and the function index's scan of every module).
"""

from __future__ import annotations

# Fields that never hold a syntax node (names, flags, comments), by node class name; a class
# not listed keeps every field but ``ctx``, so a newer Python's nodes are still walked whole.
_LEAF_FIELDS = {
    "Name": ("id",), "Constant": ("value", "kind"), "Attribute": ("attr",),
    "FunctionDef": ("name", "type_comment"), "AsyncFunctionDef": ("name", "type_comment"),
    "ClassDef": ("name",), "arg": ("arg", "type_comment"), "keyword": ("arg",),
    "alias": ("name", "asname"), "ImportFrom": ("module", "level"), "Global": ("names",),
    "Nonlocal": ("names",), "ExceptHandler": ("name",), "Assign": ("type_comment",),
    "For": ("type_comment",), "AsyncFor": ("type_comment",), "With": ("type_comment",),
    "AsyncWith": ("type_comment",), "FormattedValue": ("conversion",), "AnnAssign": ("simple",),
    "MatchAs": ("name",), "MatchStar": ("name",), "MatchClass": ("kwd_attrs",),
    "MatchMapping": ("rest",), "TypeIgnore": ("lineno", "tag"),
}
# node class -> child_fields(); read directly by the hot loops (a dict lookup, no call)
CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(node_class: type) -> tuple[str, ...]:
    """The fields of ``node_class`` that may hold nodes (``ctx`` never: a walk skips it)."""
    fields = CHILD_FIELDS.get(node_class)
    if fields is None:
        skip = {"ctx", *_LEAF_FIELDS.get(node_class.__name__, ())}
        fields = CHILD_FIELDS[node_class] = tuple(
            f for f in getattr(node_class, "_fields", ()) if f not in skip)
    return fields
