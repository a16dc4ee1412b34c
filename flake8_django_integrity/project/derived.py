"""What a model computes from its own row before it is written: one fact for the model index.

A model's ``save()`` override and the ``pre_save`` receivers connected for it (``@receiver(
pre_save, sender=M)``, ``pre_save.connect(f, sender=M)``) often set a column from the row's
other columns: ``self.slug = slugify(self.label)``, ``self.path_id = uuid5(NS, self.path)``.
Two rows inserted with the same ``label`` then get the same ``slug``: a unique ``slug`` rejects
the second, even though ``label`` itself is not unique.  The rules ask for that through
``ModelFact.save_derived`` (field -> the fields it is computed from) and, for a column stored
case-normalised (``self.email = self.email.lower()``), ``ModelFact.case_folded``.

What counts as a derivation (everything else is not one, and a field assigned anything else
is dropped from the fact):

- an assignment ``me.F = <expr>`` where ``<expr>`` reads only fields of the row (``me.a``,
  ``me.a.b`` through a relation), literals, module-level names and calls whose result depends
  on their arguments alone: a function with arguments (``slugify(x)``, ``hashlib.md5(x)``,
  ``uuid.uuid5(ns, x)``), a method of a value (``me.a.lower()``, ``h.hexdigest()``, ``s.encode()``)
  and a method of the model's own class whose body is one ``return`` of such an expression of
  its parameters (``cls._get_path_id(path)``).  Not: a call whose name says it varies (random,
  uuid1/uuid4, token, now, today, time, counter, next; a part of the name that starts with
  secret, gen, salt, nonce, password, rand: ``gen_giftcard_secret(n)`` makes a new secret of
  length ``n``), a call of a module-level name without
  arguments (``now_text()``), ``hash()`` (salted per process for str and bytes: two workers
  hash one path to two values) and ``id()``, the whole instance passed on (``unique_slugify(
  self, ...)`` may read anything, the database included), a field the database fills on insert
  (the auto primary key: still None when save() runs), a local variable, a parameter of save();
- set unconditionally at the top of the body (before the first ``super().save()`` / ``return``,
  an ``if`` or a loop that is not one of the forms below ends the read), or
- set only when the field is empty: ``if not me.F:`` / ``if me.F is None:`` / ``if me.F ==
  "":`` (the test that holds for the empty value of that field: ``""`` for a NOT NULL string
  field, None otherwise), optionally ``and``-ed with truthiness tests of source fields
  (``if me.path and me.path_id is None:``) when ``F`` is NOT NULL (an empty source then leaves
  ``F`` empty, which the NOT NULL column rejects instead of storing two equal rows).  The
  field must have no default (a default fills it before the test).  An ``else`` may only
  reassign ``F``.  A caller that supplies ``F`` itself skips the derivation: the rules count a
  derived field only where the insert does not supply it (orm.row_fields), so the conditional
  and the unconditional forms are judged the same way.

Case normalisation: ``me.F = me.F.lower()`` (``upper()``, ``casefold()``, after ``strip()``
too), at the top of the body or under ``if me.F:``.  Only the statements of ``save()`` and of
the receiver functions themselves are read (no call is followed but the one-``return``
methods above), so the fact stays cheap.
"""

from __future__ import annotations

import ast
import re

from .facts import STRING_FIELDS, ModelFact
from .summary import dotted_name

# Calls whose value differs from one call to the next: a field save() computes with one is
# not a function of the row's other fields.
_VOLATILE = ("random", "uuid", "token", "now", "today", "time", "counter", "next")
# Words a function's name starts one of its parts with (``gen_giftcard_secret``,
# ``generate_code``, ``make_salt``) when it makes a new value rather than computing one.
_MAKES_NEW = ("secret", "gen", "salt", "nonce", "password", "rand", "shortuuid", "nanoid")
# ... except these, which their names would match: a name-based UUID, a UUID parsed from text.
_STABLE = frozenset({"uuid3", "uuid5", "UUID"})
# Builtins that do not give the same value in two processes (hash() of str/bytes is salted).
_PER_PROCESS = frozenset({"hash", "id"})
CASE_METHODS = frozenset({"lower", "upper", "casefold"})
_UNREADABLE = (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda,
               ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MAX_DEPTH = 30


class Derivations:
    """What one function (a ``save()`` or a receiver) does to the row: ``derived`` field ->
    the fields it is computed from (space-separated), ``folded`` the fields it stores
    case-normalised, ``assigned`` every field it sets (to anything)."""

    __slots__ = ("derived", "folded", "assigned")

    def __init__(self):
        self.derived: dict[str, str] = {}
        self.folded: set[str] = set()
        self.assigned: set[str] = set()


def save_derivations(cls: ast.ClassDef, fact: ModelFact) -> Derivations:
    """What the class's own ``save()`` computes from the row (see the module docstring)."""
    save = next((s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and s.name == "save"), None)
    if save is None or not save.args.args:
        return Derivations()
    return derivations(save, save.args.args[0].arg, fact, cls)


def receiver_instance(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The parameter of a ``pre_save`` receiver that holds the instance: Django passes it by
    keyword, so it is the one named ``instance`` (None: read through ``**kwargs``)."""
    args = func.args
    names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    if "instance" in names:
        return "instance"
    return None


def derivations(func: ast.FunctionDef | ast.AsyncFunctionDef, me: str, fact: ModelFact,
                cls: ast.ClassDef | None) -> Derivations:
    """What ``func`` (``me`` its parameter holding the instance) sets on the row before it is
    written: its top statements, read until the first one that is not an assignment, a call
    of another method that does not save, or a guarded derivation."""
    out = Derivations()
    args = func.args
    local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
             if a is not None} - {me}  # a Name in the value that varies from call to call
    methods = _pure_methods(cls) if cls is not None else {}
    for stmt in func.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            name = _field_target(stmt.targets[0], me, fact)
            if name is None:
                if not _is_attribute_of(stmt.targets[0], me):
                    local.update(n.id for n in ast.walk(stmt.targets[0]) if isinstance(n, ast.Name))
                continue  # kwargs["update_fields"] = ..., a local: not a field of the row
            _record(out, name, stmt.value, me, fact, local, methods, guard=None)
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and not any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "save" for n in ast.walk(stmt.value)):
            continue  # self.normalize(): another method, not the write
        if isinstance(stmt, ast.If):
            guarded = _guarded_assignment(stmt, me, fact)
            if guarded is None:
                break
            name, value, guard, clean_else = guarded
            _record(out, name, value, me, fact, local, methods, guard=guard)
            if not clean_else:
                break
            continue
        break
    return out


def _record(out: Derivations, name: str, value: ast.expr, me: str, fact: ModelFact,
            local: set[str], methods: dict, guard: str | None) -> None:
    """``me.<name> = value`` (under ``guard``: None, "empty" or "set", see
    ``_guarded_assignment``): note what it makes of the field."""
    out.assigned.add(name)
    if _case_fold_of(value, me, name) and guard in (None, "set"):
        out.folded.add(name)
        out.derived.pop(name, None)
        return
    out.folded.discard(name)
    sources = None
    if guard != "set" and not any(isinstance(n, ast.Name) and n.id in local for n in ast.walk(value)):
        sources = row_sources(value, me, fact, methods)
    if sources:
        sources.discard(name)
    f = fact.fields.get(name)
    if guard is not None and guard.startswith("empty") and (f is None or not _empty_by_default(f) or (
            guard == "empty+sources" and f.null is not False)):
        sources = None
    if sources:
        out.derived[name] = " ".join(sorted(sources))
    else:
        out.derived.pop(name, None)


def _empty_by_default(f) -> bool:
    """A row that does not supply the field holds its empty value when save() runs."""
    return f.has_default is False and f.has_db_default is False and f.auto_now is False \
        and f.fills_on_save is False and not f.generated and not f.primary_key


def _field_target(target: ast.expr, me: str, fact: ModelFact) -> str | None:
    """The field ``me.<attr>`` names (``me.owner_id`` -> ``owner``), else None."""
    if not _is_attribute_of(target, me):
        return None
    attr = target.attr
    if attr in fact.fields:
        return attr
    if attr.endswith("_id") and attr[:-3] in fact.fields:
        return attr[:-3]
    return None


def _is_attribute_of(node: ast.expr, me: str) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me


def _case_fold_of(value: ast.expr, me: str, name: str) -> bool:
    """``me.<name>.lower()`` (``upper()`` / ``casefold()``, with ``strip()`` calls around)."""
    node = fold_target(value)
    return node is not None and _is_attribute_of(node, me) and node.attr == name


def _guarded_assignment(stmt: ast.If, me: str, fact: ModelFact):
    """``if <test>: me.F = value`` (else: nothing but ``me.F = ...``), where the test is an
    empty test of ``F`` (and truthiness tests of other fields: "empty+sources"), or only
    truthiness tests of ``F`` itself ("set").  -> (F, value, guard, else clean) or None."""
    body = [s for s in stmt.body if not isinstance(s, ast.Pass)]
    if len(body) != 1 or not isinstance(body[0], ast.Assign) or len(body[0].targets) != 1:
        return None
    name = _field_target(body[0].targets[0], me, fact)
    if name is None:
        return None
    test = stmt.test
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    empty = others = own = 0
    for part in parts:
        if _empty_test(part, me, name, fact):
            empty += 1
            continue
        truthy = _truthy_field(part, me, fact)
        if truthy is None:
            return None
        if truthy == name:
            own += 1
        else:
            others += 1
    if empty and not own:
        guard = "empty+sources" if others else "empty"
    elif own and not empty and not others:
        guard = "set"
    else:
        return None
    clean_else = all(isinstance(s, ast.Pass) or (
        isinstance(s, ast.Assign) and len(s.targets) == 1
        and _field_target(s.targets[0], me, fact) == name) for s in stmt.orelse)
    return name, body[0].value, guard, clean_else


def _empty_test(node: ast.expr, me: str, name: str, fact: ModelFact) -> bool:
    """A test that holds for the value a row that does not supply ``name`` has when save()
    runs: ``not me.F``; ``me.F is None`` / ``== None`` unless ``F`` is a NOT NULL string field
    (whose empty value is ""); ``me.F == ""`` for such a field."""
    f = fact.fields.get(name)
    if f is None:
        return False
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _field_target(node.operand, me, fact) == name
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1
            and _field_target(node.left, me, fact) == name):
        return False
    op, right = node.ops[0], node.comparators[0]
    if not isinstance(right, ast.Constant):
        return False
    empty_string = f.kind in STRING_FIELDS and f.null is False
    if right.value is None and isinstance(op, (ast.Is, ast.Eq)):
        return not empty_string
    if right.value == "" and isinstance(right.value, str) and isinstance(op, ast.Eq):
        return empty_string
    return False


def _truthy_field(node: ast.expr, me: str, fact: ModelFact) -> str | None:
    """The field a truthiness test reads: ``me.F``, ``me.F is not None``."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.IsNot) \
            and isinstance(node.comparators[0], ast.Constant) and node.comparators[0].value is None:
        node = node.left
    return _field_target(node, me, fact)


def row_sources(value: ast.expr, me: str | None, fact: ModelFact | None,
                methods: dict | None = None) -> set[str] | None:
    """The fields of ``me`` an expression reads, when it reads nothing else that varies
    (see the module docstring); None otherwise (or when it reads no field)."""
    sources: set[str] = set()
    if not _reads_only_row(value, me, fact, methods or {}, sources, 0):
        return None
    return sources or None


def _reads_only_row(node: ast.AST, me: str | None, fact: ModelFact | None, methods: dict,
                    sources: set[str], depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me:
        attr = node.attr[:-3] if node.attr.endswith("_id") and node.attr not in fact.fields else node.attr
        f = fact.fields.get(attr)
        if f is None or f.generated:
            return False  # a property, a method, or a column the database fills on insert
        sources.add(attr)
        return True
    if isinstance(node, ast.Name):
        return node.id != me  # the whole instance, passed on, may be read any way
    if isinstance(node, ast.Call):
        if not _stable_call(node, me, methods):
            return False
        parts = [*node.args, *(kw.value for kw in node.keywords)]
        func = node.func
        if isinstance(func, ast.Attribute) and not (
                isinstance(func.value, ast.Name) and func.value.id == me) \
                and not _module_function(func, me):
            parts.append(func.value)  # a method of a value: the value is read too
        return all(_reads_only_row(p, me, fact, methods, sources, depth + 1) for p in parts)
    if isinstance(node, _UNREADABLE):
        return False
    return all(_reads_only_row(child, me, fact, methods, sources, depth + 1)
               for child in ast.iter_child_nodes(node))


def _module_function(func: ast.expr, me: str | None) -> bool:
    """A function reached from a module-level name (``slugify``, ``hashlib.md5``), not a
    method of a value (``me.name.lower``, ``md5(x).hexdigest``)."""
    dotted = dotted_name(func)
    return dotted is not None and (isinstance(func, ast.Name) or dotted.partition(".")[0] != me)


def _stable_call(node: ast.Call, me: str | None, methods: dict) -> bool:
    """A call whose value depends on its arguments (and its receiver) alone."""
    func = node.func
    has_args = bool(node.args or node.keywords)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == me:
        return func.attr in methods  # a method of the model: only the one-return ones
    if _module_function(func, me):
        dotted = dotted_name(func)
        # a module-level function (``slugify``, ``hashlib.md5``, ``uuid.uuid5``)
        last = dotted.rpartition(".")[2]
        if isinstance(func, ast.Name) and last in _PER_PROCESS:
            return False
        if last not in _STABLE and _varies(dotted):
            return False
        return has_args
    if not isinstance(func, ast.Attribute):
        return False  # a call of a call's result, of a subscript: unknown
    # a method of a value (``me.name.lower()``, ``md5(x).hexdigest()``, ``"-".join(parts)``)
    return not _varies(func.attr)


def _varies(name: str) -> bool:
    """A function's (dotted) name says its value differs from call to call."""
    lowered = name.lower()
    if any(v in lowered for v in _VOLATILE):
        return True
    return any(part.startswith(_MAKES_NEW) for part in re.split(r"[._]", lowered))


def _pure_methods(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """The class's methods whose body is one ``return`` of an expression of their parameters
    (besides ``self`` / ``cls``, which it may not read): name -> that expression."""
    out = {}
    for stmt in cls.body:
        if not isinstance(stmt, (ast.FunctionDef,)) or stmt.name == "save":
            continue
        decorators = {dotted_name(d) for d in stmt.decorator_list}
        if not decorators <= {"classmethod", "staticmethod"}:
            continue
        body = [s for s in stmt.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            continue
        args = stmt.args
        params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        owner = params[0] if params and "staticmethod" not in decorators else None
        value = body[0].value
        if owner is not None and any(isinstance(n, ast.Name) and n.id == owner for n in ast.walk(value)):
            continue  # reads the instance or the class: not a function of its arguments
        if _reads_only_row(value, None, None, {}, set(), 0):
            out[stmt.name] = value
    return out


def fold_target(value: ast.expr) -> ast.expr | None:
    """The expression ``value`` case-normalises: ``x`` of ``x.lower()`` (``upper()``,
    ``casefold()``, ``strip()`` calls around); None when it does not."""
    folded = False
    node = value
    for _ in range(_MAX_DEPTH):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and not node.args and not node.keywords:
            if node.func.attr in CASE_METHODS:
                folded = True
            elif node.func.attr not in ("strip", "lstrip", "rstrip"):
                break
            node = node.func.value
            continue
        break
    return node if folded else None
