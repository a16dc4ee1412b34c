"""The function index as the on-disk cache stores it, read back lazily and checked.

One segment per module summary (cache.Segments), each decoded, checked (``_checked_modules``:
every field of the type the linker reads) and linked only when a question first needs that
module; and the linked call graph (``_Graph``), stored by columns, whose units and caller
lists are made on first use.  The index (project/function_index.py) asks these; building
and storing is project/functions.py's.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from typing import TYPE_CHECKING

from . import entrypoints as ep
from .function_scan import MAIN_UNIT, MODULE_UNIT, SYMBOL, _MAX_REGION, _MAX_RETURNS
from .function_units import Unit
from .stored import is_dotted, is_identifier, is_module_name, is_str_list, is_str_map, require

if TYPE_CHECKING:  # only named in annotations: the index imports this module
    from .function_index import FunctionIndex

# The function index is stored as one segment per module summary (cache.Segments) plus the
# linked call graph: linting one file decodes the summaries of the modules its questions
# reach (its own, the modules its names resolve through) and, for a where-question (reach,
# transaction, callers), the graph; never every summary of the project, never a link.
GRAPH_SEGMENT = "<graph>"  # no module name: a module name is dotted words
_GRAPH_FORMAT = 3  # 2: the test-support candidates and their importers; 3: project signals
_ATOMIC, _NON_ATOMIC, _ADMIN_ATOMIC, _DELETE_ATOMIC, _PROJECT_SIGNAL = 1, 2, 4, 8, 16
_MISSING = object()


class _StoredIndex:
    """What a FunctionIndex read from the cache still holds of its entry."""

    def __init__(self, segments, rebuild=None):
        names = [n for n in segments.names if n != GRAPH_SEGMENT]
        if not all(is_module_name(n) for n in names):
            raise ValueError("a stored module name that is no module name")
        self.segments = segments
        self.rebuild = rebuild
        self.names: dict[str, None] = dict.fromkeys(names)  # ordered, fast membership
        self.order: dict[str, tuple[list[str], list[str]]] = {}  # module -> its classes, units
        self.asked: set[str] = set()  # qualnames whose modules were loaded


class _LazyModules(Mapping):
    """The stored module summaries of an index, each decoded, checked and linked on first
    use (``FunctionIndex._load_module``); every name is known without decoding anything."""

    def __init__(self, index: "FunctionIndex", stored: _StoredIndex):
        self._index = index
        self._names = stored.names
        self._loaded: dict[str, dict] = {}

    def __contains__(self, name) -> bool:
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, name: str) -> dict:
        found = self.get(name, _MISSING)
        if found is _MISSING:
            raise KeyError(name)
        return found

    def get(self, name, default=None):
        found = self._loaded.get(name, _MISSING)
        if found is not _MISSING:
            return found
        index = self._index
        if index.modules is not self:  # materialized, or rebuilt after a bad segment
            return index.modules.get(name, default)
        if name not in self._names:
            return default
        found = index._load_module(name)
        return default if found is None else found


class _LazyTable(dict):
    """``classes`` / ``_units`` of a stored index: a lookup of a qualname first loads the
    stored modules it may belong to (``FunctionIndex._load_owners``).  Only looked up, never
    iterated, until ``_materialize`` replaces it with a plain dict."""

    def __init__(self, index: "FunctionIndex"):
        super().__init__()
        self._index = index

    def __contains__(self, key) -> bool:
        if not dict.__contains__(self, key):
            self._index._load_owners(key)
        return dict.__contains__(self, key)

    def get(self, key, default=None):
        if not dict.__contains__(self, key):
            self._index._load_owners(key)
        return dict.get(self, key, default)

    def __getitem__(self, key):
        if not dict.__contains__(self, key):
            self._index._load_owners(key)
        return dict.__getitem__(self, key)


class _Graph:
    """The linked call graph as stored: every unit's entry kinds, transaction facts and
    lines, who calls it, and who calls each method name.  ``units``, ``callers`` and
    ``by_name`` are read-only mappings whose values (Unit objects, caller lists) are made
    on first use; a unit from here has no forward edges (``calls``, ``by_name``) and no
    returned model: those are only linking's and the class questions' (module summaries).

    Stored by columns (``FunctionIndex.graph_json``): the units' local names, module ids,
    lines, end lines and entry kinds (a bit per word of the kinds' vocabulary), the few
    units with transaction facts or guarded calls, then the callers of each callee and of
    each method name as codes ``caller id * 3 + flag``."""

    def __init__(self, modules: list[str], paths: list[str], vocabulary: list[str],
                 locals_: list[str], mods: list[int], lines: list[int], ends: list[int],
                 kinds: list[int], extras: dict[int, list], callers: dict, by_name: dict,
                 named: set[str]):
        self.modules, self.paths, self.vocabulary = modules, paths, vocabulary
        self.locals, self.mods, self.lines, self.ends = locals_, mods, lines, ends
        self.kinds, self.extras, self.named = kinds, extras, named
        self.support: dict[str, list[str]] = {}  # FunctionIndex.support_candidates
        self.quals = [f"{modules[m]}.{local}" for m, local in zip(mods, locals_)]
        self.ids = {q: i for i, q in enumerate(self.quals)}
        self.units = _GraphUnits(self)
        self.callers = _GraphEdges(self, callers, self.ids.get)
        self.by_name = _GraphEdges(self, by_name, lambda key: key)

    @classmethod
    def from_json(cls, data, module_names) -> "_Graph":
        """Checked as every stored fact is (stored.py): exact types, names a message prints
        are dotted names, every id in range."""
        modules = list(module_names)
        require(type(data) is list and len(data) == 15 and data[0] == _GRAPH_FORMAT, "graph")
        (_, paths, vocabulary, locals_, mods, lines, ends, kinds, extras, callees, callers,
         names, by_name, named, support) = data
        require(is_str_list(paths) and len(paths) == len(modules), "graph paths")
        require(is_str_list(vocabulary) and len(vocabulary) <= 60
                and all(map(is_identifier, vocabulary)), "graph kinds")
        size = len(locals_) if type(locals_) is list else -1
        require(is_str_list(locals_) and _dotted_names([x for x in locals_ if x != MODULE_UNIT]),
                "graph unit names")
        _ints(mods, size, len(modules))
        _ints(lines, size, None)
        _ints(ends, size, None)
        _ints(kinds, size, 1 << len(vocabulary))
        require(type(extras) is list, "graph unit facts")
        facts = {}
        for entry in extras:
            require(type(entry) is list and len(entry) == 4 and type(entry[0]) is int
                    and 0 <= entry[0] < size and type(entry[1]) is int and 0 <= entry[1] < 32
                    and type(entry[2]) is str and (not entry[2] or is_dotted(entry[2]))
                    and is_str_list(entry[3]), "graph unit facts")
            facts[entry[0]] = entry
        _ints(callees, len(callees) if type(callees) is list else -1, size)
        require(type(callers) is list and len(callers) == len(callees), "graph callers")
        require(is_str_list(names) and all(map(str.isidentifier, names))
                and type(by_name) is list and len(by_name) == len(names), "graph callers by name")
        require(set(map(type, callers)) <= {list} and set(map(type, by_name)) <= {list},
                "graph callers")
        codes = list(chain.from_iterable(callers)) + list(chain.from_iterable(by_name))
        _ints(codes, len(codes), size * 3)
        require(is_str_list(named), "graph named strings")
        require(type(support) is list and all(
            type(e) is list and len(e) == 2 and type(e[0]) is int and type(e[1]) is list
            for e in support), "graph test-support candidates")
        ids = [e[0] for e in support] + list(chain.from_iterable(e[1] for e in support))
        _ints(ids, len(ids), len(modules))
        graph = cls(modules, paths, vocabulary, locals_, mods, lines, ends, kinds, facts,
                    dict(zip(callees, callers)), dict(zip(names, by_name)), set(named))
        graph.support = {modules[m]: [modules[i] for i in importers] for m, importers in support}
        return graph

    def unit(self, i: int) -> Unit:
        mod = self.mods[i]
        mask = self.kinds[i]
        kinds = {k for bit, k in enumerate(self.vocabulary) if mask >> bit & 1}
        unit = Unit(self.quals[i], self.modules[mod], self.paths[mod], self.lines[i],
                    self.ends[i], kinds)
        facts = self.extras.get(i)
        if facts is not None:
            _, bits, unit.atomic_in, guarded = facts
            unit.atomic = bool(bits & _ATOMIC)
            unit.non_atomic_requests = bool(bits & _NON_ATOMIC)
            unit.admin_atomic = bool(bits & _ADMIN_ATOMIC)
            unit.delete_atomic = bool(bits & _DELETE_ATOMIC)
            unit.project_signal = bool(bits & _PROJECT_SIGNAL)
            unit.guarded = set(guarded)
        return unit

    def method_counts(self) -> dict[str, int]:
        """How many methods of the project have each name (FunctionIndex._method_names)."""
        counts: dict[str, int] = {}
        for local in self.locals:
            if "." in local:
                name = local.rpartition(".")[2]
                counts[name] = counts.get(name, 0) + 1
        return counts


def _dotted_names(values: list[str]) -> bool:
    """Every value is a dotted name (one pass over all their parts)."""
    return all(map(str.isidentifier, ".".join(values).split("."))) if values else True


def _ints(values, size: int, limit: int | None) -> None:
    """``values`` is a list of ``size`` true ints, each at least 0 and below ``limit``."""
    require(type(values) is list and len(values) == size
            and set(map(type, values)) <= {int}
            and (not values or (min(values) >= 0 and (limit is None or max(values) < limit))),
            "graph numbers")


class _GraphUnits(Mapping):
    def __init__(self, graph: _Graph):
        self._graph = graph
        self._made: dict[str, Unit] = {}

    def __getitem__(self, qual: str) -> Unit:
        unit = self._made.get(qual)
        if unit is None:
            unit = self._made[qual] = self._graph.unit(self._graph.ids[qual])
        return unit

    def __contains__(self, qual) -> bool:
        return qual in self._graph.ids

    def __iter__(self):
        return iter(self._graph.ids)

    def __len__(self) -> int:
        return len(self._graph.ids)


class _GraphEdges(Mapping):
    def __init__(self, graph: _Graph, edges: dict, key_of):
        self._graph, self._edges, self._key_of = graph, edges, key_of
        self._made: dict[str, list[tuple[str, int]]] = {}

    def __getitem__(self, key: str) -> list[tuple[str, int]]:
        found = self._made.get(key)
        if found is None:
            codes = self._edges.get(self._key_of(key))
            if codes is None:
                raise KeyError(key)
            quals = self._graph.quals
            found = self._made[key] = [(quals[c // 3], c % 3) for c in codes]
        return found

    def __contains__(self, key) -> bool:
        return self._key_of(key) in self._edges

    def __iter__(self):
        quals = self._graph.quals
        return (quals[k] if type(k) is int else k for k in self._edges)

    def __len__(self) -> int:
        return len(self._edges)


def _checked_modules(data) -> dict[str, dict]:
    """Stored module summaries, every field of the type the linker reads (a crafted cache
    file can describe a wrong project, never crash or execute anything)."""
    if not isinstance(data, dict):
        raise ValueError("modules")
    for name, m in data.items():
        ok = (
            isinstance(name, str) and is_module_name(name) and isinstance(m, dict)
            and m.get("name") == name and isinstance(m.get("path"), str)
            and is_str_map(m.get("imports")) and is_str_list(m.get("stars"))
            and m.get("kind") in (None, ep.MIGRATION, ep.COMMAND)
            and isinstance(m.get("classes"), dict)
            and all(isinstance(k, str) and isinstance(c, dict) and is_str_list(c.get("bases"))
                    and isinstance(c.get("atomic"), bool)
                    and (c.get("m") is None or (isinstance(c["m"], str) and len(c["m"]) < 500))
                    and (c.get("b") is None or is_str_map(c["b"]))
                    and (c.get("h") is None or is_str_map(c["h"]))
                    and _staff_facts_ok(c)
                    for k, c in m["classes"].items())
            and isinstance(m.get("units"), list) and all(_unit_ok(u) for u in m["units"])
            and _unit_ok({"q": "", "l": 0, "e": 0, "k": [], "a": False, "n": False,
                          "c": m.get("module_calls")})
            and is_str_list(m.get("named", []))
            and is_str_list(m.get("imp", [])) and all(map(is_dotted, m.get("imp", [])))
            and is_str_list(m.get("words", []))
            and isinstance(m.get("senders", []), list)
            and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
                    and isinstance(r[1], str) and (r[2] is None or isinstance(r[2], str))
                    for r in m.get("senders", []))
            and (m.get("loaded") is None or (isinstance(m["loaded"], dict) and all(
                isinstance(k, str) and isinstance(v, list) and len(v) == 2
                and isinstance(v[0], str) and is_str_list(v[1]) for k, v in m["loaded"].items())))
            and (m.get("consts") is None or (is_str_map(m["consts"]) and all(
                v.startswith(("=", SYMBOL)) for v in m["consts"].values())))
            and isinstance(m.get("reads", []), list)
            and all(isinstance(r, list) and len(r) == 5 and isinstance(r[0], str)
                    and (r[0] in (MODULE_UNIT, MAIN_UNIT) or is_dotted(r[0]))
                    and isinstance(r[1], str) and len(r[1]) < 500 and isinstance(r[2], str)
                    and len(r[2]) < 200 and is_str_list(r[3]) and type(r[4]) is int
                    for r in m.get("reads", []))
            and isinstance(m.get("sigr", []), list)
            and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
                    and (not r[0] or is_dotted(r[0])) and isinstance(r[1], str)
                    and (r[2] is None or isinstance(r[2], str)) for r in m.get("sigr", []))
            and isinstance(m.get("registrations"), list)
            and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
                    and isinstance(r[1], str) and (r[2] is None or isinstance(r[2], str))
                    for r in m["registrations"])
        )
        if not ok:
            raise ValueError(f"malformed function summary of {name!r}")
    return data


def _staff_facts_ok(d: dict) -> bool:
    """A unit's or class's staff checks (project/staff.py) as the linker reads them."""
    return ((d.get("sg") is None or (type(d["sg"]) is int and d["sg"] == 1))
            and (d.get("ut") is None or (is_str_list(d["ut"]) and all(map(is_dotted, d["ut"]))))
            and (d.get("pc") is None or (isinstance(d["pc"], list) and all(
                is_str_list(alt) for alt in d["pc"]))))


def _unit_ok(u) -> bool:
    return (
        isinstance(u, dict) and isinstance(u.get("q"), str)
        and (u["q"] == "" or is_dotted(u["q"]))  # printed in messages: a dotted name only
        and type(u.get("l")) is int and type(u.get("e")) is int
        and is_str_list(u.get("k"))
        and isinstance(u.get("a"), bool) and isinstance(u.get("n"), bool)
        and (u.get("r") is None or (isinstance(u["r"], str) and len(u["r"]) < 500))
        and (u.get("f") is None or u["f"] is True)
        and (u.get("g") is None or is_str_list(u["g"]))
        and (u.get("rc") is None or (isinstance(u["rc"], list) and len(u["rc"]) <= _MAX_RETURNS
                                     and all(is_str_list(r) and len(r) <= _MAX_RETURNS
                                             and all(map(is_dotted, r)) for r in u["rc"])))
        and (u.get("x") is None or (type(u["x"]) is int and 0 <= u["x"] <= 3))
        and (u.get("lk") is None or (is_str_list(u["lk"]) and all(map(is_dotted, u["lk"]))))
        and (u.get("ab") is None or (isinstance(u["ab"], list) and all(
            isinstance(region, list) and len(region) <= _MAX_REGION and all(
                isinstance(i, list) and len(i) == 2 and type(i[0]) is int
                and isinstance(i[1], str) for i in region) for region in u["ab"])))
        and _staff_facts_ok(u) and (u.get("st") is None or (type(u["st"]) is int and u["st"] == 1))
        and isinstance(u.get("c"), list)
        and all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str)
                and type(c[1]) is int for c in u["c"])
    )
