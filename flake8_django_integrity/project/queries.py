"""Which calls never touch the database: a question about code, asked of the linted file
(orm.runs_no_query, with the file's own resolution of names) and of the project's functions
when they are summarised (project/function_scan.py: a context manager whose exit runs no query).

A call is cleared by the qualified name it resolves to (``resolve``), never by a project
function's name alone: Django's messages (stored by the middleware after the view returns,
outside the view's transaction), URL reversing and redirects, plain HTTP responses,
translation, exceptions, logging, a few builtins, a logger's methods and a string literal's
methods.  Anything else (an ORM method, a project function, an unknown callable, ``render()``
or a ``TemplateResponse`` whose template may evaluate a queryset) may query.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .summary import dotted_name

NO_QUERY_PREFIXES = (
    "django.contrib.messages.", "django.urls.reverse", "django.shortcuts.redirect",
    "django.shortcuts.resolve_url", "django.http.", "django.utils.translation.",
    "django.utils.html.", "django.utils.safestring.", "django.core.exceptions.",
    "logging.", "warnings.warn",
)
NO_QUERY_BUILTINS = frozenset(
    {"len", "str", "int", "float", "bool", "repr", "isinstance", "print", "format", "dict",
     "list", "set", "tuple", "sorted", "min", "max", "sum", "any", "all", "range", "enumerate",
     "zip", "_", "gettext", "gettext_lazy", "ngettext"}
)
# Queryset and manager methods that read (or build a query) and never write.
READ_METHODS = frozenset(
    {"get", "filter", "exclude", "all", "first", "last", "exists", "count", "values",
     "values_list", "aggregate", "annotate", "order_by", "select_related", "prefetch_related",
     "only", "defer", "using", "iterator", "in_bulk", "earliest", "latest", "distinct",
     "none", "contains", "get_queryset"}
)
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                         "log"})
_SKIPPED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def runs_no_query(nodes: list, no_query_call: Callable[[ast.Call], bool]) -> bool:
    """None of ``nodes`` (statements, their nested functions left out) can run a query: every
    call passes ``no_query_call``; a ``raise`` builds the exception it raises."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (*_SKIPPED, ast.Raise)):
            continue
        if isinstance(node, ast.Call) and not no_query_call(node):
            return False
        stack.extend(ast.iter_child_nodes(node))
    return True


def no_query_call(call: ast.Call, resolve: Callable[[ast.expr], str | None],
                  shadowed: Callable[[str], bool]) -> bool:
    """``call`` never queries.  ``resolve``: the qualified name a name of the module refers
    to (None when unknown); ``shadowed(name)``: the module binds ``name`` itself (a class or
    an import of its own), so a builtin's name is not the builtin."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant) \
            and isinstance(func.value.value, str):
        return True  # "...".format(...)
    if isinstance(func, ast.Attribute) and func.attr in LOG_METHODS \
            and isinstance(func.value, ast.Call) \
            and no_query_call(func.value, resolve, shadowed) \
            and (dotted_name(func.value.func) or "").endswith("getLogger"):
        return True  # logging.getLogger(__name__).info(...)
    if _logger_getattr(call, shadowed) or (
            isinstance(func, ast.Call) and _logger_getattr(func, shadowed)):
        return True  # getattr(logger, level)(...): a logger's method chosen at run time
    dotted = dotted_name(func)
    if not dotted:
        return False
    if dotted in NO_QUERY_BUILTINS and (
            not shadowed(dotted) or (resolve(func) or "").startswith(NO_QUERY_PREFIXES)):
        return True
    head, _, last = dotted.rpartition(".")
    if last in LOG_METHODS and _logger_name(head):
        return True  # logger.warning(...), self.log.error(...)
    return (resolve(func) or "").startswith(NO_QUERY_PREFIXES)


def _logger_getattr(call: ast.Call, shadowed) -> bool:
    """``getattr(logger, name)``: an attribute of a logger, read."""
    return (dotted_name(call.func) == "getattr" and not shadowed("getattr") and bool(call.args)
            and _logger_name(dotted_name(call.args[0]) or ""))


def _logger_name(dotted: str) -> bool:
    """``logger``, ``self.log``, ``_logger``, ``audit_logger``: a name that holds a logger."""
    owner = dotted.rpartition(".")[2].lower().lstrip("_")
    return owner in ("log", "logger", "logging") or owner.endswith(("logger", "_log"))


def no_write_call(call: ast.Call, resolve: Callable[[ast.expr], str | None],
                  shadowed: Callable[[str], bool]) -> bool:
    """``call`` writes nothing: it makes no query (``no_query_call``) or it is a method that
    only reads (``.filter()``, ``.get()``, ``.exists()``: ``READ_METHODS``).  Any other call
    (a write, a project function, an unknown callable) may write."""
    return (isinstance(call.func, ast.Attribute) and call.func.attr in READ_METHODS) \
        or no_query_call(call, resolve, shadowed)


# ---------------------------------------------------------------------- calls that create
# Words that say a ``create...`` call may hand back an object that already exists.
_NOT_ONLY_CREATING = frozenset({"or", "get", "update", "find", "ensure", "existing", "upsert"})


def name_words(name: str) -> list[str]:
    """The lower-case words of an identifier: ``create_issue`` / ``createIssue`` -> create, issue."""
    out = []
    for part in name.split("_"):
        word = ""
        for ch in part:
            if ch.isupper() and word and not word[-1].isupper():
                out.append(word.lower())
                word = ""
            word += ch
        if word:
            out.append(word.lower())
    return out


def creating_call_name(name: str) -> bool:
    """``create``, ``acreate``, ``create_issue``, ``createBug``, ``createbug``: a call that makes
    a new object.  ``create_or_update``, ``get_or_create``, ``created`` / ``creates`` are not."""
    words = name_words(name)
    if not words:
        return False
    first = words[0]
    if first == "acreate":
        first = "create"
    if not first.startswith("create") or first[len("create"):] in ("d", "s"):
        return False
    return not _NOT_ONLY_CREATING & set(words[1:])
