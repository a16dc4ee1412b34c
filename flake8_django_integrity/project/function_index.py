"""The project's functions linked into one call graph, and the questions asked of it.

``FunctionIndex`` links the module summaries (project/function_scan.py): classes and their
chains, units with their entry kinds and transactions, the call edges resolved across
modules through the import tables, and the callers of each function and method name.  It
answers who calls a function and how (reach.py, branches.py), the test-support candidates,
staff checks, whether every caller holds a row lock, one-row reads, returned and saved models,
constants and labels.  Read from the cache, it asks the stored form (project/function_store.py)
instead of linking; building it is project/functions.py's.
"""

from __future__ import annotations

from collections import deque

from . import entrypoints as ep
from . import staff
from .cache import add_segment
from .cache import discard as cache_discard
from .function_scan import (ATOMIC_CALL, HELD_USER_MODEL, LOCK, MAIN_UNIT, MODEL_LOADERS,
                            MODULE_UNIT, QUIET_ENTER, QUIET_EXIT, REFERENCE, SIGNAL_CALL, SYMBOL,
                            _MAX_CONSTANT_DEPTH)
from .function_store import (GRAPH_SEGMENT, _ADMIN_ATOMIC, _ATOMIC, _DELETE_ATOMIC, _GRAPH_FORMAT,
                             _NON_ATOMIC, _PROJECT_SIGNAL, _Graph, _LazyModules, _LazyTable,
                             _StoredIndex, _checked_modules)
from .function_units import OneRowRead, Unit
from .summary import LABEL_REF

# Modules Django (or Celery's autodiscovery) loads by their name, whoever imports them.
DJANGO_LOADED = frozenset({"models", "admin", "apps", "urls", "tasks", "wsgi", "asgi",
                           "manage", "signals", "receivers", "handlers", "checks",
                           "context_processors", "middleware", "__main__"})
_MAX_DEPTH = 20
_MAX_LOCK_WALK = 200  # functions visited up the callers looking for a row lock
_READS_KEY = b'"reads"'  # the key as a stored summary's JSON text writes it (cache.Segments)
# Method names of Django's and Python's own APIs: ``x.save()`` on an object of unknown type is
# far more often a model's or a form's save than the one project method of that name.
COMMON_METHOD_NAMES = frozenset(
    {"save", "delete", "create", "update", "get", "set", "add", "remove", "clean", "full_clean",
     "filter", "exclude", "all", "first", "last", "exists", "count", "values", "items", "keys",
     "pop", "append", "extend", "insert", "copy", "clear", "setdefault", "format", "join",
     "split", "strip", "replace", "encode", "decode", "lower", "upper", "send", "run", "start",
     "stop", "close", "open", "read", "write", "render", "dispatch", "is_valid", "process",
     "handle", "execute", "call", "apply", "sort", "post", "put", "patch", "refresh_from_db",
     "get_or_create", "update_or_create", "bulk_create", "bulk_update", "select_for_update",
     "order_by", "using", "send_mail", "log_action", "validate", "serialize", "to_dict",
     "as_view", "__init__", "setup", "flush", "reset", "load", "dump", "dumps", "loads"}
)


def _private_method(unit: "Unit") -> bool:
    """A method named ``_name`` (not ``__name__``): its class's own helper, which no
    framework calls by name (a view's ``dispatch`` calls ``get`` / ``post`` / ``form_valid``)."""
    name = unit.name
    return unit.is_method and name.startswith("_") and not name.endswith("__")


# ---------------------------------------------------------------------- the project
class FunctionIndex:
    """The project's functions, their entry kinds and the call edges between them."""

    def __init__(self, modules: dict[str, dict], atomic_requests: list[str] | None = None,
                 stored: "_StoredIndex | None" = None):
        self.atomic_requests = list(atomic_requests or [])
        self._units: dict[str, Unit] = {}
        self.classes: dict[str, dict] = {}  # class qualname -> {"module", "bases", "methods"}
        self._callers: dict[str, list[tuple[str, int]]] = {}
        self._callers_by_name: dict[str, list[tuple[str, int]]] = {}
        self._edges_linked = False
        self._chains: dict[str, set[str]] = {}
        self._bases: dict[str, list[str]] = {}  # bases(), asked per call edge and method lookup
        self._subclasses: dict[str, list[str]] | None = None
        self._name_counts: dict[str, int] | None = None
        self._resolved: dict[tuple[str, str], str | None] = {}  # resolve(): (module, name) -> qualname
        self._resolving: set[tuple[str, str]] = set()
        self._named: set[str] | None = None
        self._support: dict[str, list[str]] | None = None
        self.inputs: set[str] = set()  # the files and folders a build read (for the cache)
        self.tests = None  # project/test_callers.TestCallers, set by get_functions()
        # Read from the cache (``_StoredIndex``): module summaries are decoded when a question
        # first needs them, and the where-facts come from the stored call graph.
        self._stored = stored
        self._graph: _Graph | None = None
        if stored is not None:
            self.modules = _LazyModules(self, stored)
            self._units = _LazyTable(self)
            self.classes = _LazyTable(self)
            return
        self.modules = modules  # module name -> summarize_module() data
        self._link_units()

    @property
    def named_in_strings(self) -> set[str]:
        """The last names of the strings that name a dotted path in production code."""
        if self._named is None:
            if self._stored is not None and self._load_graph():
                self._named = self._graph.named
            else:
                self._named = {n for data in self.modules.values() for n in data.get("named", ())}
        return self._named

    @property
    def support_candidates(self) -> dict[str, list[str]]:
        """The modules that may be test support code, each with the production modules that
        import it (every one of them a candidate too): modules no production code outside
        the candidates imports, that no production string names, that hold no entry point
        but a script's ``__main__`` block, and that Django does not load by their name (models,
        admin, apps, urls, tasks, settings, a package's ``__init__``, template tags, commands,
        migrations) or that a string of the project may load by its name
        (``autodiscover_modules("jobs")``, ``"%s.hooks" % app``).  Whether the test modules import one is asked of the tests
        (project/reach.py, test_callers.py): the production facts are stored with the graph."""
        if self._support is None:
            if self._stored is not None and self._load_graph():
                self._support = self._graph.support
            else:
                self._support = self._support_from_modules()
        return self._support

    def _support_from_modules(self) -> dict[str, list[str]]:
        units = self.units  # linked: the entry kinds of every unit
        modules = self.modules
        names = set(modules)
        importers: dict[str, set[str]] = {}
        for mod, data in modules.items():
            for text in data.get("imp", ()):
                target = text
                while target:
                    if target in names and target != mod:
                        importers.setdefault(target, set()).add(mod)
                    target = target.rpartition(".")[0]
        named = self.named_in_strings
        words = {w for data in modules.values() for w in data.get("words", ())}
        entries: set[str] = set()
        for unit in units.values():
            if unit.kinds - {ep.SCRIPT}:
                entries.add(unit.module)
        candidates = set()
        for mod, data in modules.items():
            parts = mod.split(".")
            if (data["kind"] or data["package"] or mod in entries
                    or parts[-1] in DJANGO_LOADED or parts[-1].startswith("settings")
                    or any(p in ("templatetags", "management", "migrations") for p in parts[:-1])
                    or parts[-1] in named or parts[-1] in words
                    or any(u["q"].partition(".")[0] in named for u in data["units"])
                    or any(c in named for c in data["classes"])):
                continue
            candidates.add(mod)
        changed = True
        while changed:
            changed = False
            for mod in list(candidates):
                if not importers.get(mod, set()) <= candidates:
                    candidates.discard(mod)
                    changed = True
        return {mod: sorted(importers.get(mod, ())) for mod in sorted(candidates)}

    # The call edges, entry kinds and transactions of the units are linked on first use of
    # ``units`` / ``callers`` (about 0.2 s on a large project): a rule that only asks about
    # classes (what a form saves, what a function returns) never pays for them.  Read from
    # the cache, they are the stored call graph's (linked when the cache was written).
    @property
    def units(self) -> dict[str, Unit]:
        if not self._edges_linked:
            self._link_where()
        return self._units if self._graph is None else self._graph.units

    @property
    def callers(self) -> dict[str, list[tuple[str, int]]]:
        if not self._edges_linked:
            self._link_where()
        return self._callers if self._graph is None else self._graph.callers

    @property
    def callers_by_name(self) -> dict[str, list[tuple[str, int]]]:
        if not self._edges_linked:
            self._link_where()
        return self._callers_by_name if self._graph is None else self._graph.by_name

    def _link_where(self) -> None:
        stored = self._stored
        if stored is not None:
            if self._load_graph():
                self._edges_linked = True
                return
            self._materialize()
        self._link_edges()
        if stored is not None and self._stored is None and self._graph is None:
            # read from an entry stored without its call graph: linked here, once, and added
            # to the entry so that later runs read it (cache.add_segment: only if the file
            # is still the one read; a bad segment met on the way discarded it)
            try:
                add_segment(stored.segments, GRAPH_SEGMENT, self.graph_json())
            except Exception:
                import logging

                logging.getLogger("flake8_django_integrity").debug(
                    "flake8-django-integrity: call graph not stored", exc_info=True)

    # ------------------------------------------------------------------ linking
    def _link_units(self) -> None:
        """Classes and units as the summaries state them (names, lines, returned models)."""
        for mod, data in self.modules.items():
            self._link_module(mod, data, self.classes, self._units)

    @staticmethod
    def _link_module(mod: str, data: dict, classes: dict, units: dict) -> None:
        """One module's classes and units, added to ``classes`` and ``units`` (plain dict
        operations: the lazy tables of a stored index call this while loading ``mod``)."""
        for cls_q, cls in data["classes"].items():
            dict.__setitem__(classes, f"{mod}.{cls_q}", {
                "module": mod, "bases": cls["bases"], "methods": set(), "local": cls_q,
                "atomic": cls.get("atomic") is True, "model": cls.get("m") or "",
                "built": cls.get("b") or {}, "held": cls.get("h") or {}})
        for u in data["units"]:
            qual = f"{mod}.{u['q']}"
            unit = Unit(qual, mod, data["path"], u["l"], u["e"], set(u["k"]),
                        bool(u["a"]), bool(u["n"]))
            unit.returns_model = u.get("r") or ""
            unit.returns_created = u.get("f") is True
            unit.returns_calls = u.get("rc") or []
            unit.quiet = u.get("x") or 0
            dict.__setitem__(units, qual, unit)
            owner = qual.rpartition(".")[0]
            if dict.__contains__(classes, owner):
                dict.__getitem__(classes, owner)["methods"].add(unit.name)
        module_unit = Unit(f"{mod}.{MODULE_UNIT}", mod, data["path"], 0, 0)
        dict.__setitem__(units, module_unit.qualname, module_unit)

    def _link_edges(self) -> None:
        """Entry kinds, transactions, call edges and callers (see ``units``)."""
        self._edges_linked = True  # first: the linking below reads ``units`` itself
        # per class, asked once (not once per method), in the order the methods ask: names
        # are resolved in the same order as when each method asked (``resolve``'s memo)
        class_atomic: dict[str, bool] = {}
        class_kinds: dict[str, str | None] = {}
        self._staff_tests = {f"{mod}.{u['q']}" for mod, data in self.modules.items()
                             for u in data["units"] if u.get("st")}
        gated: set[str] = set()  # units every way into which passes a staff check
        own_gate: set[str] = set()  # ... their own decorators' check: a view, routed or not
        ungated: set[str] = set()  # units whose own permission_classes let others in
        for mod, data in self.modules.items():
            for u in data["units"]:
                unit = self.units[f"{mod}.{u['q']}"]
                owner = unit.qualname.rpartition(".")[0]
                found = self._unit_staff_gate(mod, owner if owner in self.classes else None, u)
                if found:
                    gated.add(unit.qualname)
                    if found == "own":
                        own_gate.add(unit.qualname)
                elif "pc" in u:
                    ungated.add(unit.qualname)
                if owner in self.classes:
                    if not unit.atomic:
                        atomic = class_atomic.get(owner)
                        if atomic is None:
                            atomic = class_atomic[owner] = self._class_atomic(owner)
                        if atomic:
                            unit.atomic = True
                            unit.atomic_in = f"{self.classes[owner]['local']}.dispatch"
                    if owner in class_kinds:
                        kind = class_kinds[owner]
                    else:
                        kind = class_kinds[owner] = ep.class_kind(self.chain_names(owner))
                    unit.kinds.update(ep.method_kinds(kind, unit.name))
                    if kind == "admin" and unit.name in ep.ADMIN_ATOMIC_METHODS:
                        unit.admin_atomic = True
                if data["kind"]:
                    unit.kinds.add(data["kind"])
                cls = owner if owner in self.classes else None
                for text, flag in u["c"]:
                    self._edge(unit, mod, cls, text, flag)
                for text in u.get("g", ()):
                    if not text.startswith("."):
                        unit.guarded.update(self._targets(mod, cls, text))
            module_unit = self.units[f"{mod}.{MODULE_UNIT}"]
            if data["kind"]:
                module_unit.kinds.add(data["kind"])
            for text, flag in data["module_calls"]:
                self._edge(module_unit, mod, None, text, flag)
        routed: set[str] = set()  # units a URL pattern routes without a staff check
        for mod, data in self.modules.items():
            for sender, receiver, cls_local in data.get("senders", ()):
                self._save_signal_edge(mod, f"{mod}.{cls_local}" if cls_local else None,
                                       sender, receiver)
            for kind, text, cls_local in data["registrations"]:
                cls = f"{mod}.{cls_local}" if cls_local else None
                if kind == ep.REQUEST and cls is not None and cls in self.classes:
                    if cls not in class_kinds:
                        class_kinds[cls] = ep.class_kind(self.chain_names(cls))
                    if class_kinds[cls] == "admin":  # an admin's action, a route of get_urls()
                        kind = ep.STAFF
                for target in self._targets(mod, cls, text):
                    if target in self.units:
                        self.units[target].kinds.add(kind)
                        if kind == ep.REQUEST:
                            routed.add(target)
                        continue
                    if target not in self.classes:
                        continue
                    if target not in class_kinds:
                        class_kinds[target] = ep.class_kind(self.chain_names(target))
                    # admin.site.register(Model, SomeAdmin); a view class behind a staff
                    # check (its methods, inherited ones too, but for one whose own
                    # permission_classes let others in)
                    staff_class = class_kinds[target] == "admin" or self._class_staff_gate(target)
                    for method in self._methods_of(target):
                        each = ep.STAFF if staff_class and method not in ungated else kind
                        self.units[method].kinds.add(each)
                        if each == ep.REQUEST:
                            routed.add(method)
        # a staff request handler: behind a staff check, or a view (by its decorators or
        # class) that only staff URLs route (an admin's get_urls(), Wagtail's admin URLs)
        for qual in gated | {q for q, u in self.units.items() if ep.STAFF in u.kinds}:
            kinds = self.units[qual].kinds
            if ep.REQUEST in kinds and (qual in gated or qual not in routed) or qual in own_gate:
                kinds.discard(ep.REQUEST)
                kinds.add(ep.STAFF)
        sent = self.__dict__.get("_sent", set())
        for receiver, signals in self._receivers()[1].items():
            if receiver in self.units and signals and None not in signals and signals <= sent:
                self.units[receiver].project_signal = True
        for unit in self.units.values():
            for callee, flag in unit.calls:
                self.callers.setdefault(callee, []).append((unit.qualname, flag))
            for name, flag in unit.by_name:
                self.callers_by_name.setdefault(name, []).append((unit.qualname, flag))

    def _save_signal_edge(self, mod: str, cls: str | None, sender: str, receiver: str) -> None:
        """Django sends the signal from its own Model.save(), which the last project override
        of ``save()`` in the sender's chain reaches through ``super().save()``: that override
        calls the receiver, inside ``atomic()`` when its ``super().save()`` call is."""
        if not sender:  # a deletion signal: Django's own atomic() around the receiver
            for target in self._targets(mod, cls, receiver):
                if target in self.units:
                    self.units[target].delete_atomic = True
            return
        model = self.resolve(mod, sender)
        save = self.method(model, "save") if model in self.classes else None
        for _ in range(_MAX_DEPTH):
            if save is None:
                return
            owner = save.rpartition(".")[0]
            inner = self._targets(self.units[save].module, owner, "super:save")
            if not inner or inner[0] not in self.units:
                break
            save = inner[0]
        else:
            return
        flag = self._raw_flag(save, "super:save")
        if flag is None:
            return
        for target in self._targets(mod, cls, receiver):
            if target in self.units and target != save:
                self.units[save].calls.append((target, flag))

    def _raw_flag(self, qual: str, text: str) -> int | None:
        """How unit ``qual`` uses the call text ``text`` (as the scanner kept it), or None."""
        unit = self.units[qual]
        local = qual[len(unit.module) + 1:]
        for u in self.modules[unit.module]["units"]:
            if u["q"] == local:
                return next((flag for t, flag in u["c"] if t == text and flag != REFERENCE), None)
        return None

    def _edge(self, unit: Unit, mod: str, cls: str | None, text: str, flag: int) -> None:
        if text.startswith("."):
            if flag != REFERENCE:
                unit.by_name.append((text[1:], flag))
            return
        for target in self._targets(mod, cls, text):
            if target in self.units:
                unit.calls.append((target, flag))
            elif target in self.classes and flag != REFERENCE:
                init = self.method(target, "__init__")
                if init:
                    unit.calls.append((init, flag))

    def _targets(self, mod: str, cls: str | None, text: str) -> list[str]:
        head, _, rest = text.partition(".")
        if head in ("self", "cls") and rest and "." not in rest:
            text = f"self:{rest}"
        if text.startswith("self:") or text.startswith("super:"):
            if cls is None:
                return []
            name = text.partition(":")[2]
            if text == "self:*":
                return self._methods_of(cls)
            if text.startswith("self:"):
                found = self.method(cls, name)
                # ``self.m()`` also runs a subclass's override of m
                return ([found] if found else []) + self._overrides(cls, name)
            found = next((m for b in self.bases(cls) if (m := self.method(b, name))), None)
            return [found] if found else []
        if text.startswith(SIGNAL_CALL):
            symbol = self.signal_symbol(text[len(SIGNAL_CALL):])
            found = self._receivers()[0].get(symbol, []) if symbol else []
            if found:
                self.__dict__.setdefault("_sent", set()).add(symbol)
            return found
        if text.startswith("command:"):
            suffix = f".management.commands.{text[len('command:'):]}"
            return [found for m in self.modules if m.endswith(suffix)
                    and (found := self.method(f"{m}.Command", "handle"))]
        if "()." in text:
            cls_text, _, name = text.partition("().")
            owner = self.resolve(mod, cls_text)
            found = self.method(owner, name) if owner and owner in self.classes else None
            return [found] if found else []
        found = self.resolve(mod, text)
        return [found] if found else []

    def signal_symbol(self, qualname: str, depth: int = 0) -> str | None:
        """A signal object a module binds at its top level (``shop.signals.order_placed``),
        followed through re-exports to the module that assigns it; None for a name outside the
        project (Django's ``post_save``: Django sends it, not a call the index can see)."""
        module, _, attr = qualname.rpartition(".")
        while module and module not in self.modules:
            module, _, head = module.rpartition(".")
            attr = f"{head}.{attr}"
        if not module or depth > _MAX_DEPTH:
            return None
        head, _, rest = attr.partition(".")
        target = self.modules[module]["imports"].get(head)
        if target is not None:
            return self.signal_symbol(f"{target}.{rest}" if rest else target, depth + 1)
        return f"{module}.{attr}"

    def _receivers(self) -> tuple[dict[str, list[str]], dict[str, set]]:
        """The receivers of each signal the project defines (by ``signal_symbol``), and per
        receiver the symbols of every signal it is connected to (None for one outside the
        project).  Read from every module's ``sigr`` once, when linking."""
        found = self.__dict__.get("_receivers_memo")
        if found is not None:
            return found
        table: dict[str, list[str]] = {}
        signals: dict[str, set] = {}
        self.__dict__["_receivers_memo"] = (table, signals)
        for mod, data in self.modules.items():
            for signal, text, cls_local in data.get("sigr", ()):
                symbol = self.signal_symbol(signal) if signal else None
                cls = f"{mod}.{cls_local}" if cls_local else None
                for target in self._targets(mod, cls, text):
                    if target not in self.units:
                        continue
                    signals.setdefault(target, set()).add(symbol)
                    if symbol is not None and target not in table.setdefault(symbol, []):
                        table[symbol].append(target)
        return table, signals

    def _overrides(self, cls: str, name: str) -> list[str]:
        if self._subclasses is None:
            self._subclasses = {}
            for qual in self.classes:
                for base in self.bases(qual):
                    self._subclasses.setdefault(base, []).append(qual)
        out, seen, todo = [], {cls}, list(self._subclasses.get(cls, ()))
        while todo and len(seen) < 500:
            sub = todo.pop()
            if sub in seen:
                continue
            seen.add(sub)
            if name in self.classes[sub]["methods"]:
                out.append(f"{sub}.{name}")
            todo.extend(self._subclasses.get(sub, ()))
        return out

    def resolve(self, mod: str, dotted: str, depth: int = 0) -> str | None:
        """The unit or class qualname ``dotted`` names in module ``mod``, else None.

        Remembered per (module, name): star imports re-exported through star imports fan out,
        and without the memo a large project (thousands of modules, ``from x import *``
        chains) took minutes here.  A name met again while it is being resolved (an import
        cycle) is not found along that path."""
        key = (mod, dotted)
        memo = self._resolved
        if key in memo:
            return memo[key]
        if key in self._resolving or depth > _MAX_DEPTH:
            return None
        self._resolving.add(key)
        try:
            found = self._resolve(mod, dotted, depth)
        finally:
            self._resolving.discard(key)
        memo[key] = found
        return found

    def _resolve(self, mod: str, dotted: str, depth: int) -> str | None:
        data = self.modules.get(mod)
        if data is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in data["classes"] or f"{mod}.{head}" in self._units:
            return self._member(f"{mod}.{head}", rest)
        target = data["imports"].get(head)
        if target is not None:
            return self.qualified(f"{target}.{rest}" if rest else target, depth + 1)
        for star in data["stars"]:
            if star in self.modules:
                found = self.resolve(star, dotted, depth + 1)
                if found:
                    return found
        return None

    def qualified(self, qualname: str, depth: int = 0) -> str | None:
        """A fully qualified name (``shop.services.create``), through re-exports."""
        if qualname in self._units or qualname in self.classes:
            return qualname
        module, _, attr = qualname.rpartition(".")
        while module and module not in self.modules:
            module, _, head = module.rpartition(".")
            attr = f"{head}.{attr}"
        if not module:
            return None
        return self.resolve(module, attr, depth + 1)

    def _member(self, qual: str, rest: str) -> str | None:
        if not rest:
            return qual
        if qual in self.classes and "." not in rest:
            return self.method(qual, rest)
        return None

    def bases(self, cls: str) -> list[str]:
        """The project classes ``cls`` names as its bases (a list the caller must not change).
        Remembered once no name is being resolved: in the middle of a resolution, a base on
        an import cycle may not be found along that path (``resolve``)."""
        found = self._bases.get(cls)
        if found is not None:
            return found
        info = self.classes.get(cls)
        if info is None:
            return []
        out = []
        for base in info["bases"]:
            found = self.resolve(info["module"], base)
            if found and found in self.classes and found != cls:
                out.append(found)
        if not self._resolving:
            self._bases[cls] = out
        return out

    def method(self, cls: str, name: str, depth: int = 0) -> str | None:
        """The method ``name`` of class ``cls`` or of the nearest base that defines it."""
        info = self.classes.get(cls)
        if info is None or depth > _MAX_DEPTH:
            return None
        if name in info["methods"]:
            return f"{cls}.{name}"
        for base in self.bases(cls):
            found = self.method(base, name, depth + 1)
            if found:
                return found
        return None

    def _methods_of(self, cls: str) -> list[str]:
        """Every method a class has, its own and inherited from the project's bases."""
        seen, out, todo = set(), [], [cls]
        while todo:
            current = todo.pop(0)
            if current in seen or len(seen) > _MAX_DEPTH:
                continue
            seen.add(current)
            for name in sorted(self.classes[current]["methods"]):
                if name not in {n.rpartition(".")[2] for n in out}:
                    out.append(f"{current}.{name}")
            todo.extend(self.bases(current))
        return out

    # ------------------------------------------------------------------ staff checks
    def _unit_staff_gate(self, mod: str, cls: str | None, u: dict) -> str | None:
        """Every call of the function passes a staff check (project/staff.py): "own" by its
        own decorators or ``permission_classes`` (which decide over its class's), "class"
        by its class's checks; None when none."""
        if u.get("sg") or any(self._staff_test_named(mod, text) for text in u.get("ut", ())):
            return "own"
        if "pc" in u:
            return "own" if self._staff_permissions(mod, u["pc"]) else None
        return "class" if cls is not None and self._class_staff_gate(cls) else None

    def _class_staff_gate(self, cls: str) -> bool:
        """A view class whose every request passes a staff check: a staff mixin in its chain,
        ``UserPassesTestMixin`` with a staff ``test_func``, ``method_decorator(<staff
        gate>)`` on it or a base, DRF ``permission_classes`` that only staff pass (and no
        ``get_permissions`` of the project's choosing others), a base from an admin's view
        package (Wagtail's admin)."""
        memo = self.__dict__.setdefault("_staff_classes", {})
        if cls not in memo:
            memo[cls] = False  # a cycle of bases: no gate
            try:
                memo[cls] = self._read_class_staff_gate(cls)
            except Exception:  # an odd class: no gate, its code reported as before
                memo[cls] = False
        return memo[cls]

    def _read_class_staff_gate(self, cls: str) -> bool:
        names = self.chain_names(cls)
        if names & ep.STAFF_MIXINS:
            return True
        if "UserPassesTestMixin" in names and self.method(cls, "test_func") in self._staff_tests:
            return True
        permissions = None
        for current in self._lineage(cls):
            info = self.classes[current]
            module = info["module"]
            data = self.modules[module]["classes"].get(info["local"], {})
            if data.get("sg") or any(self._staff_test_named(module, t) for t in data.get("ut", ())):
                return True
            if permissions is None and "pc" in data:
                permissions = (module, data["pc"])
            for base in info["bases"]:
                found = self.resolve(module, base)
                if found is None or found not in self.classes:
                    full = self._full_name(module, base)
                    if full.startswith(ep.ADMIN_VIEW_PACKAGES) \
                            and ep.class_kind(names) == ep.REQUEST:  # a view, not a form
                        return True
        if permissions is not None and self.method(cls, "get_permissions") is None:
            return self._staff_permissions(*permissions)
        return False

    def _lineage(self, cls: str) -> list[str]:
        """``cls`` and its project bases, nearest first (depth first, as Python's MRO is for
        single inheritance)."""
        out, todo = [], [cls]
        while todo and len(out) <= _MAX_DEPTH:
            current = todo.pop(0)
            if current in out:
                continue
            out.append(current)
            todo[:0] = self.bases(current)
        return out

    def _full_name(self, mod: str, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        target = self.modules[mod]["imports"].get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    def _staff_test_named(self, mod: str, text: str) -> bool:
        """``user_passes_test(text)``: ``text`` names a project function that only returns a
        staff test."""
        return any(t in self._staff_tests for t in self._targets(mod, None, text))

    def _staff_permissions(self, mod: str, conjuncts) -> bool:
        """DRF permission classes (project/staff.py's conjuncts) that only staff pass: one
        conjunct whose every alternative is ``IsAdminUser`` or a project permission whose
        ``has_permission`` only returns a staff test."""
        if not isinstance(conjuncts, list):
            return False
        for alternatives in conjuncts:
            if isinstance(alternatives, list) and alternatives and all(
                    isinstance(t, str) and self._staff_permission(mod, t) for t in alternatives):
                return True
        return False

    def _staff_permission(self, mod: str, text: str) -> bool:
        if text == staff.UNREADABLE:
            return False
        found = self.resolve(mod, text)
        if found is not None and found in self.classes:
            return self.method(found, "has_permission") in self._staff_tests
        return self._full_name(mod, text).rpartition(".")[2] in ep.STAFF_PERMISSIONS

    def _class_atomic(self, cls: str, depth: int = 0) -> bool:
        info = self.classes.get(cls)
        if info is None or depth > _MAX_DEPTH:
            return False
        return info["atomic"] or any(self._class_atomic(b, depth + 1) for b in self.bases(cls))

    def chain_names(self, cls: str) -> set[str]:
        """The last names of every base in ``cls``'s chain, the project's resolved and the
        external ones as written."""
        if cls in self._chains:
            return self._chains[cls]
        self._chains[cls] = set()
        info = self.classes[cls]
        names: set[str] = set()
        for base in info["bases"]:
            names.add(base.rpartition(".")[2])
            found = self.resolve(info["module"], base)
            if found and found in self.classes and found != cls:
                names.add(found.rpartition(".")[2])
                names |= self.chain_names(found)
            elif found is None:
                full = self.modules[info["module"]]["imports"].get(base.partition(".")[0])
                if full:
                    names.add(full.rpartition(".")[2])
        self._chains[cls] = names
        return names

    # ------------------------------------------------------------------ read from the cache
    @classmethod
    def from_store(cls, segments, atomic_requests: list[str] | None = None,
                   rebuild=None) -> "FunctionIndex":
        """The index of a stored entry (cache.Segments), decoding what questions need.
        ``rebuild()``: the module summaries read from the project, for a stored segment that
        turns out bad (then the entry is discarded and the index answers from the rebuild)."""
        return cls({}, atomic_requests, _StoredIndex(segments, rebuild))

    def _load_module(self, name: str) -> dict | None:
        """Decode, check and link one stored module summary (see ``_LazyModules``)."""
        stored = self._stored
        try:
            data = stored.segments.get(name)
            _checked_modules({name: data})
        except (ValueError, TypeError, KeyError, AttributeError):
            self._unstored()
            return self.modules.get(name)
        self.modules._loaded[name] = data
        self._link_module(name, data, self.classes, self._units)
        stored.order[name] = (
            [f"{name}.{c}" for c in data["classes"]],
            [*(f"{name}.{u['q']}" for u in data["units"]), f"{name}.{MODULE_UNIT}"])
        return data

    def _load_owners(self, qual: str) -> None:
        """Load every stored module whose name is a prefix of ``qual`` (a class or unit
        qualname is its module's name, then names inside it)."""
        stored = self._stored
        if stored is None or qual in stored.asked:
            return
        stored.asked.add(qual)
        names = stored.names
        end = qual.find(".")
        while end > 0:
            mod = qual[:end]
            if mod in names and mod not in self.modules._loaded:
                self._load_module(mod)
                if self._stored is None:  # a bad segment: answered from the rebuild now
                    return
            end = qual.find(".", end + 1)

    def _materialize(self) -> None:
        """Every stored module loaded, the tables plain dicts in the order a fresh build
        makes them (a question that walks the whole project: linking, ``unit_by_line``)."""
        stored = self._stored
        if stored is None:
            return
        for name in stored.names:
            if name not in self.modules._loaded:
                self._load_module(name)
                if self._stored is None:
                    return
        classes, units = dict(self.classes), dict(self._units)
        self.classes = {q: classes[q] for name in stored.names for q in stored.order[name][0]}
        self._units = {q: units[q] for name in stored.names for q in stored.order[name][1]}
        loaded = self.modules._loaded
        self.modules = {name: loaded[name] for name in stored.names}
        self._stored = None

    def _unstored(self) -> None:
        """A stored segment failed its checks: the entry is discarded and every question
        from now on is answered from the project's files, as on a miss."""
        stored, self._stored = self._stored, None
        cache_discard(stored.segments.path)
        modules = stored.rebuild() if stored.rebuild is not None else {}
        self.modules = modules
        self._units, self.classes = {}, {}
        self._graph, self._named, self._edges_linked = None, None, False
        self._support = None
        self._chains, self._subclasses, self._name_counts = {}, None, None
        self._resolved, self._resolving, self._bases = {}, set(), {}
        self._link_units()

    def _load_graph(self) -> bool:
        """The stored call graph, decoded and checked on first use; False when the entry
        has none (then the modules are loaded and linked here)."""
        if self._graph is not None:
            return True
        stored = self._stored
        if stored is None or GRAPH_SEGMENT not in stored.segments:
            return False
        try:
            self._graph = _Graph.from_json(stored.segments.get(GRAPH_SEGMENT), stored.names)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            self._unstored()
            return False
        return True

    def graph_json(self) -> list:
        """The linked call graph as plain data (``_Graph``), stored with the module
        summaries so that a later run answers where-questions without linking."""
        units = self.units
        ids = {q: i for i, q in enumerate(units)}
        modules = list(self.modules)
        mod_ids = {m: i for i, m in enumerate(modules)}
        vocabulary = sorted({k for u in units.values() for k in u.kinds})
        kind_bits = {k: 1 << i for i, k in enumerate(vocabulary)}
        locals_, mods, lines, ends, kinds, extras = [], [], [], [], [], []
        for i, (q, u) in enumerate(units.items()):
            locals_.append(q[len(u.module) + 1:])
            mods.append(mod_ids[u.module])
            lines.append(u.line)
            ends.append(u.end_line)
            kinds.append(sum(kind_bits[k] for k in u.kinds))
            bits = (u.atomic * _ATOMIC | u.non_atomic_requests * _NON_ATOMIC
                    | u.admin_atomic * _ADMIN_ATOMIC | u.delete_atomic * _DELETE_ATOMIC
                    | u.project_signal * _PROJECT_SIGNAL)
            if bits or u.atomic_in or u.guarded:
                extras.append([i, bits, u.atomic_in, sorted(u.guarded)])
        callees = [ids[callee] for callee in self.callers]
        callers = [[ids[c] * 3 + flag for c, flag in edges] for edges in self.callers.values()]
        names = list(self.callers_by_name)
        by_name = [[ids[c] * 3 + flag for c, flag in edges]
                   for edges in self.callers_by_name.values()]
        paths = [self.modules[m]["path"] for m in modules]
        support = [[mod_ids[m], [mod_ids[i] for i in importers]]
                   for m, importers in self.support_candidates.items()]
        return [_GRAPH_FORMAT, paths, vocabulary, locals_, mods, lines, ends, kinds, extras,
                callees, callers, names, by_name, sorted(self.named_in_strings), support]

    # ------------------------------------------------------------------ queries
    def one_row_reads(self) -> tuple[dict[str, list[OneRowRead]], dict[str, list[OneRowRead]]]:
        """The project's one-row reads: by the class they name (its qualified name, or as
        written when the index does not know it), and, for ``parent.children.get(...)``, by
        the related accessor's name (``children``).  Linked once, on first use."""
        found = self.__dict__.get("_one_row_reads")
        if found is not None:
            return found
        by_class: dict[str, list[OneRowRead]] = {}
        by_accessor: dict[str, list[OneRowRead]] = {}
        for mod, data in self._modules_with_reads():
            for unit, owner, manager, fields, line in data.get("reads", ()):
                read = OneRowRead(tuple(fields), f"{mod}.{unit}", data["path"], line, manager)
                if not owner:
                    by_accessor.setdefault(manager, []).append(read)
                    continue
                qual = (self.qualified(owner) if "." in owner else None) or self.resolve(
                    mod, owner) or owner
                by_class.setdefault(qual, []).append(read)
        self.__dict__["_one_row_reads"] = found = (by_class, by_accessor)
        return found

    def _modules_with_reads(self):
        """(name, summary) of the modules that may hold one-row reads, in the index's order.
        Read from the cache, only the stored summaries whose text names ``"reads"`` are
        decoded (a warm run's DJI003 decoded every summary of the project here); once a bad
        segment turned the index into a rebuild, every module from there on."""
        stored = self._stored
        if stored is None:
            yield from self.modules.items()
            return
        segments, loaded = stored.segments, self.modules._loaded
        for name in list(stored.names):
            if self._stored is not None and name not in loaded \
                    and not segments.mentions(name, _READS_KEY):
                continue
            data = self.modules.get(name)
            if data is not None:
                yield name, data

    def returns_created(self, qual: str) -> bool:
        """Every ``return`` of the project function ``qual`` hands back the object a creating
        call made there (``return self.rpc.create_bug(...)``, ``bug = Bug.objects.create(...);
        return bug``: ``_returns_created``)."""
        found = qual if qual in self._units else self.qualified(qual)
        unit = self._units.get(found) if found else None
        return unit is not None and unit.returns_created

    def self_call_returns_created(self, cls: str, name: str) -> bool:
        """``self.name()`` in a method of ``cls`` returns a created object: the method it finds
        and every override of it in the project's subclasses do (``returns_created``)."""
        found = self.method(cls, name)
        return bool(found) and all(
            self.returns_created(q) for q in [found, *self._overrides(cls, name)])

    def returned_model(self, qual: str) -> str | None:
        """The model class the function ``qual`` (a qualified name, through re-exports)
        returns: ``<label>app.Model`` or a qualified class name as the module wrote it; None
        when it returns anything else or is not the project's."""
        found = qual if qual in self._units else self.qualified(qual)
        unit = self._units.get(found) if found else None
        return self.label_ref(unit.returns_model) if unit is not None else None

    def returned_calls(self, qual: str) -> list[list[str]]:
        """Per ``return`` of the project function ``qual``, the calls its value makes; [] when
        unknown (not the project's, a return without a call, too many)."""
        found = qual if qual in self._units else self.qualified(qual)
        unit = self._units.get(found) if found else None
        return unit.returns_calls if unit is not None else []

    def context_quiet(self, qual: str) -> int:
        """The QUIET_ENTER / QUIET_EXIT bits of the project's context manager ``qual`` (a
        ``@contextmanager`` function, or a class whose ``__enter__`` / ``__exit__`` run no
        query; through re-exports); 0 when it is not the project's or may query."""
        found = qual if qual in self._units else self.qualified(qual)
        unit = self._units.get(found) if found else None
        if unit is not None:
            return unit.quiet
        if found is None or found not in self.classes:
            return 0
        enter = self.method(found, "__enter__") or self.method(found, "__aenter__")
        leave = self.method(found, "__exit__") or self.method(found, "__aexit__")
        units = [self._units.get(q) for q in (enter, leave)]
        if None in units:
            return 0  # an __enter__ / __exit__ of a base outside the project: not known
        return (units[0].quiet & QUIET_ENTER) | (units[1].quiet & QUIET_EXIT)

    def every_caller_handles(self, qual: str) -> str | None:
        """When every caller the project has for ``qual`` calls it inside a ``try`` whose
        handler catches IntegrityError (or a parent), the first such caller; None when one does
        not, when it is only passed as a value, or when it has no caller the plugin can see (a
        public API: its callers may not handle anything)."""
        callers = self.callers_of(qual, by_name=False)
        if not callers:
            return None
        for caller, flag in callers:
            unit = self.units.get(caller)
            if flag == REFERENCE or unit is None or qual not in unit.guarded:
                return None
        return callers[0][0]

    def callers_lock(self, qual: str) -> list[set[str]] | None:
        """The row locks every way the project calls ``qual`` holds: up the callers, each
        path ends at the first call made inside an ``atomic()`` region after a
        ``select_for_update()`` (in that region, or in a function called there before it):
        per path, the classes locked there.  None when one path ends without a lock: at an
        entry point (Django, a worker or a library calls it, holding none), at a function
        nobody in the project calls (its callers are unknown), at a function passed as a value,
        or where the walk is cut short.  A receiver of the project's own signals stands for
        the calls that send them."""
        memo = self.__dict__.setdefault("_callers_lock_memo", {})
        if qual in memo:
            return memo[qual]
        memo[qual] = None
        out: list[set[str]] = []
        seen = {qual}
        todo = deque([qual])
        while todo:
            if len(seen) > _MAX_LOCK_WALK:
                return None
            current = todo.popleft()
            unit = self.units.get(current)
            if unit is None or current.endswith((MODULE_UNIT, MAIN_UNIT)):
                return None
            kinds = unit.kinds - ({ep.SIGNAL} if unit.project_signal else set())
            if kinds == {ep.REQUEST} and _private_method(unit):
                kinds = set()  # a view's own helper: Django calls its hooks, never ``_name``
            if kinds:
                return None
            callers = self.callers_of(current)
            if not callers:
                return None
            for caller, flag in callers:
                if flag == REFERENCE:
                    return None
                held = self._locks_before(caller, current, flag)
                if held:
                    out.append(held)
                elif caller not in seen:
                    seen.add(caller)
                    todo.append(caller)
        memo[qual] = out
        return out

    def _raw_unit(self, qual: str) -> dict | None:
        """The stored summary of unit ``qual`` (module data, as the scanner wrote it)."""
        unit = self.units.get(qual)
        data = self.modules.get(unit.module) if unit is not None else None
        if data is None:
            return None
        local = qual[len(unit.module) + 1:]
        return next((u for u in data["units"] if u["q"] == local), None)

    def _locks_before(self, caller: str, callee: str, flag: int) -> set[str]:
        """The classes whose rows ``caller`` has locked, inside the same ``atomic()`` region,
        before every one of its calls of ``callee``: its own ``select_for_update()`` calls
        there and those of the functions it calls there first.  Empty when a call of it is
        not inside an atomic region."""
        unit = self.units.get(caller)
        raw = self._raw_unit(caller)
        if unit is None or raw is None or (flag != ATOMIC_CALL and not raw["a"]):
            return set()
        owner = caller.rpartition(".")[0]
        cls = owner if owner in self.classes else None
        found: set[str] | None = None
        for region in raw.get("ab", ()):
            for line, text in region:
                if text.startswith(LOCK) or not self._calls(unit.module, cls, text, callee):
                    continue
                held = set()
                for at, before in region:
                    if at >= line:
                        break
                    if before.startswith(LOCK):
                        held.add(before[len(LOCK):])
                    elif not before.startswith(SIGNAL_CALL):
                        for target in self._targets(unit.module, cls, before):
                            held.update((self._raw_unit(target) or {}).get("lk", ()))
                found = held if found is None else found & held
        return found or set()

    def _calls(self, mod: str, cls: str | None, text: str, callee: str) -> bool:
        """The call text ``text`` of module ``mod`` runs ``callee``.  A signal's send runs
        the receivers its module connects with ``@receiver`` (or ``connect()``): read from
        that one module, not from every module of the project."""
        if not text.startswith(SIGNAL_CALL):
            return callee in self._targets(mod, cls, text)
        symbol = self.signal_symbol(text[len(SIGNAL_CALL):])
        unit = self.units.get(callee)
        data = self.modules.get(unit.module) if unit is not None else None
        if symbol is None or data is None:
            return False
        for signal, receiver, cls_local in data.get("sigr", ()):
            owner = f"{unit.module}.{cls_local}" if cls_local else None
            if signal and self.signal_symbol(signal) == symbol \
                    and callee in self._targets(unit.module, owner, receiver):
                return True
        return False

    def called_model(self, mod: str, callee: str, args: list[str]) -> str | None:
        """``<label>app.Model`` for a call, in module ``mod``, of a project function that
        returns the model its arguments name (``load_model("Book")``), or of the app registry's
        or swapper's loader itself (``swapper.load_model(ShopConfig.label, "Book")``)."""
        qual = f"{mod}.{callee}" if f"{mod}.{callee}" in self._units else (
            self.qualified(callee) or self.resolve(mod, callee))
        unit = self._units.get(qual) if qual else None
        if unit is None and len(args) == 2 and self._imported_name(
                callee if "." in callee else f"{mod}.{callee}").rpartition(".")[2] in MODEL_LOADERS:
            return self.label_ref(f"{LABEL_REF}{args[0]}.{args[1]}")
        ref = unit.returns_model if unit is not None else ""
        return self.label_ref(ref, args) if ref.startswith(LABEL_REF) else None

    def label_ref(self, ref: str, args: list[str] | None = None) -> str | None:
        """``<label>app.Model`` with its parameters (``$N``: the call's argument N; kept as
        ``$N`` without ``args``) and its constants (``@mod:Class:label``) replaced by their
        strings; a qualified class name as it is; None when a part cannot be read."""
        if not ref.startswith(LABEL_REF):
            return ref or None
        app, _, model = ref[len(LABEL_REF):].partition(".")
        parts = []
        for part in (app, model):
            if part.startswith("$") and args is None:
                parts.append(part)  # the model the caller names
                continue
            if part.startswith("$"):
                index = int(part[1:]) if part[1:].isdigit() else -1
                if not 0 <= index < len(args):
                    return None
                part = args[index]
            if part.startswith(SYMBOL):
                part = self.constant(part)
            if not part or "." in part or part.startswith(("$", SYMBOL)):
                return None
            parts.append(part)
        return f"{LABEL_REF}{parts[0]}.{parts[1]}"

    def _imported_name(self, dotted: str) -> str:
        """A fully qualified name followed through the project modules' imports to where it
        comes from (``app.swapper.swapper_load_model`` -> ``swapper.load_model``)."""
        for _ in range(_MAX_CONSTANT_DEPTH):
            module, _, attr = dotted.rpartition(".")
            data = self.modules.get(module)
            target = data["imports"].get(attr) if data is not None else None
            if not target or target == dotted:
                return dotted
            dotted = target
        return dotted

    def constant(self, symbol: str) -> str | None:
        """The string a module or class constant holds (``@shop:apps:ShopConfig:label``),
        followed through the imports and the names bound to other constants; None when the
        module is not the project's or the name is bound to anything else."""
        for _ in range(_MAX_CONSTANT_DEPTH):
            if not symbol.startswith(SYMBOL):
                return None
            parts = symbol[len(SYMBOL):].split(":")
            for cut in range(len(parts) - 1, 0, -1):
                data = self.modules.get(".".join(parts[:cut]))
                if data is not None:
                    break
            else:
                return None
            rest = parts[cut:]
            value = data.get("consts", {}).get(".".join(rest))
            if value is None:
                target = data["imports"].get(rest[0])
                if not target:
                    return None
                value = SYMBOL + ":".join([*target.split("."), *rest[1:]])
            if value.startswith("="):
                return value[1:]
            symbol = value
        return None

    def module_model(self, mod: str, name: str) -> str | None:
        """The model a module-level ``Name = loader("...")`` binds, through a project loader."""
        data = self.modules.get(mod)
        found = (data or {}).get("loaded", {}).get(name)
        if not found:
            return None
        return self.called_model(mod, found[0], found[1])

    def saved_model(self, cls: str) -> str | None:
        """The model a ModelForm's or ModelSerializer's ``save()`` writes: ``Meta.model`` of
        ``cls`` or of the nearest base that has one, for a class whose chain reaches Django's
        ``ModelForm`` or Django REST framework's ``ModelSerializer``; qualified (or
        ``<label>app.Model``); None for any other class."""
        if self.model_saver(cls) is None:
            return None
        for owner in [cls, *self._ancestors(cls)]:
            info = self.classes[owner]
            ref = info.get("model") or ""
            if ref:
                if ref.startswith(LABEL_REF):
                    return ref
                return (self.resolve(info["module"], ref) or self.module_model(info["module"], ref)
                        or self._imported(info["module"], ref))
        return None

    def model_saver(self, cls: str) -> str | None:
        """``"form"`` or ``"serializer"`` when ``cls``'s ``save()`` inserts a row of its
        ``Meta.model``: its chain reaches Django's ``ModelForm`` or Django REST framework's
        ``ModelSerializer``, or leaves the project at a base named ``...Form`` /
        ``...Serializer`` the plugin cannot read (another library's model serializer) while the
        class or a base of the project declares ``Meta.model`` (a plain form or serializer has
        no model); None for any other class."""
        if cls not in self.classes:
            return None
        chain = self.chain_names(cls)
        for kind, name in (("form", "ModelForm"), ("serializer", "ModelSerializer")):
            if any(n.endswith(name) for n in chain):
                return kind
        owners = [cls, *self._ancestors(cls)]
        if not any(self.classes[o].get("model") for o in owners):
            return None
        for owner in owners:
            info = self.classes[owner]
            for base in info["bases"]:
                found = self.resolve(info["module"], base)
                if found and found in self.classes:
                    continue  # the project's: its own bases are among the owners
                full = self.modules[info["module"]]["imports"].get(base.partition(".")[0]) or ""
                names = {base.rpartition(".")[2], full.rpartition(".")[2]}
                if any(n.endswith("Serializer") for n in names):
                    return "serializer"
                if any(n.endswith("Form") for n in names):
                    return "form"
        return None

    def built_class(self, cls: str, attr: str) -> str | None:
        """The project class ``cls`` (or its nearest base) names in ``form_class`` /
        ``serializer_class``."""
        for owner in [cls, *self._ancestors(cls)]:
            info = self.classes[owner]
            dotted = (info.get("built") or {}).get(attr)
            if dotted:
                found = self.resolve(info["module"], dotted)
                return found if found in self.classes else None
        return None

    def held_class(self, cls: str, attr: str) -> str | None:
        """What ``self.<attr>`` holds in a method of the project class ``cls``, as the class or
        its nearest base that sets it says: a project class's qualname, HELD_USER_MODEL, or
        None (set nowhere, to something else, or to a class outside the project)."""
        if cls not in self.classes:
            return None
        for owner in [cls, *self._ancestors(cls)]:
            info = self.classes[owner]
            text = (info.get("held") or {}).get(attr)
            if text:
                if text == HELD_USER_MODEL:
                    return text
                found = self.resolve(info["module"], text)
                return found if found in self.classes else None
        return None

    def _ancestors(self, cls: str) -> list[str]:
        out, todo = [], list(self.bases(cls))
        while todo and len(out) < _MAX_DEPTH:
            base = todo.pop(0)
            if base not in out and base != cls:
                out.append(base)
                todo.extend(self.bases(base))
        return out

    def _imported(self, mod: str, dotted: str) -> str | None:
        """A dotted name as module ``mod`` imports it (a model class is not a unit or class of
        this index when its module was not read: the model index knows it by this name)."""
        head, _, rest = dotted.partition(".")
        target = self.modules.get(mod, {}).get("imports", {}).get(head)
        if target is None:
            return f"{mod}.{dotted}" if head in self.modules.get(mod, {}).get("classes", {}) else None
        return f"{target}.{rest}" if rest else target

    def unit_at(self, module: str, names: list[str]) -> Unit | None:
        return self.units.get(".".join([module, *names]))

    def unit_by_line(self, path: str, line: int) -> Unit | None:
        """The innermost-starting unit of file ``path`` whose lines hold ``line``."""
        best = None
        for unit in self.units.values():
            if unit.path == path and unit.line <= line <= unit.end_line:
                if best is None or unit.line > best.line:
                    best = unit
        return best

    def callers_of(self, qual: str, by_name: bool = True) -> list[tuple[str, int]]:
        """Who calls ``qual``: the resolved calls, and every ``obj.<name>()`` the plugin could
        not resolve, for a method that is no entry point itself: with ``by_name``, always
        (an over-approximation); without, only when the name is the project's own (one method
        of the project has it and it is no common API name), so the call is that method."""
        unit = self.units.get(qual)
        out = list(self.callers.get(qual, ()))
        if unit is None or not unit.is_method or unit.kinds or (
                unit.name.startswith("__") and unit.name.endswith("__")):
            return out
        if by_name or (self._method_names().get(unit.name) == 1
                       and unit.name not in COMMON_METHOD_NAMES):
            out.extend(self.callers_by_name.get(unit.name, ()))
        return out

    def _method_names(self) -> dict[str, int]:
        if self._name_counts is None and self._graph is not None and self._edges_linked:
            self._name_counts = self._graph.method_counts()
        if self._name_counts is None:
            self._name_counts = {}
            for unit in self.units.values():
                if unit.is_method:
                    self._name_counts[unit.name] = self._name_counts.get(unit.name, 0) + 1
        return self._name_counts
