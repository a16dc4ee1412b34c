"""What one module's functions do, as plain data: the scan of a module's tree into its summary.

``summarize_module`` walks one parsed module once and writes, for every unit (a function or
method whose scopes are only classes, the module's own code, its ``__main__`` block), its
lines, entry kinds, transaction, calls and references, guarded calls, returns, row locks and
atomic regions, and, per module, its classes, registrations, one-row reads and constants
(project/functions.py describes each fact).  No fact of another module is asked: linking
the summaries is project/function_index.py's job.  FORMAT versions what is written here.
"""

from __future__ import annotations

import ast
import os

from . import entrypoints as ep
from . import layout, queries, staff
from .function_bodies import (_FUNCTIONS, _TRY_KINDS, _calls_in, _nested_statements, _own_returns,
                              _returns_created, _yield_split)
from .nodes import CHILD_FIELDS, child_fields
from .summary import LABEL_REF, dotted_name, model_label_call, summarize, top_level_statements

FORMAT = 12  # 2: a unit's returned model ("r"); 3: named strings and signal senders; 4: both;
# 5: module and class string constants ("consts") for loaders' app labels; 6: and the
# one-row reads ("reads"); 7: reads by keys that cannot be read (UNKNOWN_KEYS); 8: context
# managers' quiet entry and exit ("x"); 9: a unit returning what a creating call made ("f");
# 10: classes' attributes holding a class ("h") and the calls each return of a unit makes ("rc");
# 11: signals' receivers ("sigr"), sends ("signal:" calls), row locks ("lk") and atomic regions ("ab")
# 12: staff checks of units and classes ("sg", "ut", "pc", "st"), staff routes
MODULE_UNIT = "<module>"
CALL, ATOMIC_CALL, REFERENCE = 0, 1, 2
# A project context manager's facts (a unit's "x"): entering it writes nothing, leaving it
# runs no query.
QUIET_ENTER, QUIET_EXIT = 1, 2
# ``signal.send()``: a call of the signal's receivers (a text of ``c``, resolved by the index)
SIGNAL_CALL = "signal:"
SEND_NAMES = frozenset({"send", "send_robust", "asend", "asend_robust"})
LOCK = "lock:"  # an item of an atomic region (``ab``): a row lock on the class that follows
_MAX_REGION = 200  # items kept per atomic region
_MAX_RETURNS = 4  # returns of a unit, and calls of one return, kept in "rc"
MAIN_UNIT = "__main__"
# Calls that return exactly one row of a lookup and raise MultipleObjectsReturned on two.
ONE_ROW_METHODS = frozenset({"get", "aget", "get_or_create", "update_or_create",
                             "aget_or_create", "aupdate_or_create"})
ONE_ROW_SHORTCUTS = frozenset({"get_object_or_404", "aget_object_or_404"})
_READ_NAMES = ONE_ROW_METHODS | ONE_ROW_SHORTCUTS
# Queryset methods a one-row read may be chained through (filter()'s keywords add to the lookup).
_READ_CHAIN = frozenset({"filter", "all", "using", "select_related", "prefetch_related", "only",
                         "defer", "order_by", "select_for_update", "distinct", "db_manager"})
_NOT_LOOKUP = frozenset({"defaults", "create_defaults"})
# The keys of a one-row read whose lookup cannot be read whole (``get(**lookup)``, ``get(Q(...))``)
UNKNOWN_KEYS = "**"
_MAX_READS = 2000  # per module: a bound on what one file can make the index keep
_DOTTED_STRING_MAX = 200
_MAX_IMPORTED = 2000  # per module: the import statements' names kept
_MAX_WORDS = 1000  # per module: the strings kept that may name a module to load


# ---------------------------------------------------------------------- one module
def summarize_module(tree: ast.Module, name: str, is_package: bool, path: str,
                     rel: str) -> dict:
    """The plain-data summary of one module (no cross-module facts)."""
    summary = summarize(tree, name, is_package)
    imports = summary.imports
    module_kind = None
    if layout.is_migration_path(rel):
        module_kind = ep.MIGRATION
    elif _is_command_path(rel):
        module_kind = ep.COMMAND
    out = {
        "name": name, "path": path, "package": is_package, "imports": imports,
        "stars": summary.star_imports, "kind": module_kind, "classes": {}, "units": [],
        "registrations": [], "senders": [], "reads": [],
    }
    scanner = _Scanner(out, imports)
    scanner.defined = {s.name for s in top_level_statements(tree.body)
                       if isinstance(s, (*_FUNCTIONS, ast.ClassDef))}
    scanner.staff_tests = {s.name for s in top_level_statements(tree.body)
                           if isinstance(s, _FUNCTIONS) and staff.staff_test_function(s)}
    consts = _module_constants(tree, scanner)
    if consts:
        out["consts"] = consts
    scanner.body(tree.body, [])
    scanner.claim_reads(MODULE_UNIT)
    if not out["reads"]:
        del out["reads"]
    out["module_calls"] = scanner.kept(scanner.module_refs)
    out["named"] = sorted(scanner.named)
    if scanner.words:
        out["words"] = sorted(scanner.words)
    out["imp"] = sorted(summary.imported)[:_MAX_IMPORTED]
    loaded = _module_model_calls(tree, scanner)
    if loaded:
        out["loaded"] = loaded
    return out


def is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return (any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides)
            and any(isinstance(x, ast.Constant) and x.value == "__main__" for x in sides))


def _path_last_name(text: str) -> str | None:
    """``f`` for a string naming a dotted path (``"app.hooks.f"``, ``"app.hooks:f"``)."""
    if len(text) > _DOTTED_STRING_MAX or ("." not in text and ":" not in text):
        return None
    parts = text.replace(":", ".").split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts):
        return None
    return parts[-1]


def _last_word(text: str) -> str | None:
    last = text.replace(":", ".").rpartition(".")[2]
    return last if last.isidentifier() and len(last) < 100 else None


def _is_command_path(rel: str) -> bool:
    parts = os.path.normpath(rel).split(os.sep)
    return len(parts) >= 3 and parts[-3] == "management" and parts[-2] == "commands"


class _LeaveAtomic:
    """On the scan's stack below the body of a ``with`` that enters ``atomic()``: popped once
    the body's nodes are done, it ends the transaction for the nodes after it."""

    __slots__ = ()


_LEAVE_ATOMIC = _LeaveAtomic()


class _Scanner:
    """One walk of a module: units, classes, calls, references and registrations."""

    def __init__(self, out: dict, imports: dict[str, str]):
        self.out = out
        self.imports = imports
        self.defined: set[str] = set()  # top-level names of the module (functions, classes)
        self.module_refs: dict[str, int] = {}
        self.registered: dict[int, set[str]] = {}  # id(refs) -> texts registered there
        self.named: set[str] = set()  # last names of the strings that name a dotted path
        # identifiers a string of the module may load a module by: a call's identifier
        # argument, the last word of a dotted text (not a dotted path: "%s.hooks")
        self.words: set[str] = set()
        self.tries: list = []  # the try statements scan() passed, in order (see unit())
        self.constants: set[str] = set()  # top-level names bound to a string or a dotted name
        self.reads: list = []  # one-row reads scan() met, not yet given to a unit
        self.locks: list = []  # the select_for_update() calls scan() passed (see unit())
        self.calls: list = []  # every call scan() passed (see unit(): atomic regions' order)
        self.atomic_blocks: list = []  # the outermost ``with atomic():`` statements it passed
        self.staff_tests: set[str] = set()  # top-level functions that are staff tests
        self.admin_urls = False  # scanning a Wagtail ``register_admin_urls`` hook
        self.staff_views: set[int] = set()  # ``V.as_view()`` calls a staff wrapper routes

    def kept(self, refs: dict[str, int]) -> list[list]:
        """The calls and references of a unit, without the functions it only registers
        (``path("x/", view)``, ``signal.connect(f)``): registering is not calling."""
        registered = self.registered.get(id(refs), set())
        return [[text, flag] for text, flag in refs.items()
                if not (flag == REFERENCE and text in registered)]

    def full(self, dotted: str) -> str:
        """A dotted name with its head replaced by what the module imported under it."""
        head, _, rest = dotted.partition(".")
        target = self.imports.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    def body(self, stmts: list[ast.stmt], classes: list[str]) -> None:
        """Module or class statements: classes and functions become summaries; any other
        statement's code belongs to the module unit."""
        for stmt in stmts:
            if isinstance(stmt, _FUNCTIONS):
                self.unit(stmt, classes)
                for default in [*stmt.args.defaults, *stmt.args.kw_defaults]:
                    if default is not None:
                        self.scan(default, self.module_refs, False, classes)
                for deco in stmt.decorator_list:
                    self.scan(deco, self.module_refs, False, classes)
            elif isinstance(stmt, ast.ClassDef):
                qual = ".".join([*classes, stmt.name])
                self.out["classes"][qual] = {
                    "bases": [b for b in (dotted_name(x) for x in stmt.bases) if b],
                    "line": stmt.lineno,
                    # @method_decorator(transaction.atomic, name="dispatch"): every method runs
                    # inside it (dispatch calls them)
                    "atomic": any(self._decorates_atomic(d) for d in stmt.decorator_list),
                }
                self.out["classes"][qual].update(_class_model_refs(stmt))
                self._class_staff(stmt, self.out["classes"][qual])
                for node in [*stmt.bases, *stmt.keywords, *stmt.decorator_list]:
                    self.scan(node, self.module_refs, False, classes)
                self._admin_actions(stmt, qual)
                if not classes and any(staff.admin_register_decorator(d, self.full)
                                       for d in stmt.decorator_list):
                    self.out["registrations"].append([ep.STAFF, qual, None])  # @admin.register
                self.body(stmt.body, [*classes, stmt.name])
            elif isinstance(stmt, ast.If) and not classes and is_main_guard(stmt.test):
                self.main(stmt)
                self.body(stmt.orelse, classes)
            elif isinstance(stmt, (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try))) and not classes:
                self.scan_fields(stmt, classes, exclude=("body", "orelse", "handlers", "finalbody"))
                self.body(stmt.body, classes)
                for handler in getattr(stmt, "handlers", ()):
                    self.body(handler.body, classes)
                self.body(stmt.orelse, classes)
                self.body(getattr(stmt, "finalbody", []), classes)
            else:
                self.scan(stmt, self.module_refs, False, classes)

    def scan_fields(self, stmt, classes, exclude):
        for name in stmt._fields:
            if name in exclude:
                continue
            value = getattr(stmt, name, None)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, ast.AST):
                    self.scan(item, self.module_refs, False, classes)

    def main(self, stmt: ast.If) -> None:
        """The ``if __name__ == "__main__":`` block: a script's code, a unit of its own."""
        refs: dict[str, int] = {}
        mark = len(self.reads)
        self.scan_body(stmt.body, refs, [])
        self.claim_reads(MAIN_UNIT, mark)
        self.out["units"].append({
            "q": MAIN_UNIT, "l": stmt.lineno,
            "e": getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno,
            "k": [ep.SCRIPT], "a": False, "n": False, "c": self.kept(refs),
        })

    def _class_staff(self, cls: ast.ClassDef, out: dict) -> None:
        """A class's staff checks (project/staff.py): ``method_decorator(<staff gate>)`` on
        the class (``sg``; ``ut``: an imported test), ``permission_classes`` (``pc``)."""
        pending = []
        for deco in cls.decorator_list:
            found = staff.gate(deco, self.full, self.staff_tests)
            if found == staff.GATE:
                out["sg"] = 1
            elif found:
                pending.append(found[len(staff.TEST_PREFIX):])
        if pending:
            out["ut"] = pending
        permissions = staff.class_permissions(cls)
        if permissions is not None:
            out["pc"] = permissions

    def unit(self, func, classes: list[str]) -> None:
        qual = ".".join([*classes, func.name])
        names, receiver_args, atomic, non_atomic = [], [], False, False
        gated, pending, permissions, admin_urls = False, [], None, False
        for deco in func.decorator_list:
            found = staff.gate(deco, self.full, self.staff_tests)
            if found == staff.GATE:
                gated = True
            elif found:
                pending.append(found[len(staff.TEST_PREFIX):])
            hook = staff.wagtail_hook(deco, self.full)
            if hook in ep.ADMIN_URL_HOOKS:
                admin_urls = True
            elif hook and staff.admin_action_hook(hook):
                gated = True
            permissions = staff.decorator_permissions(deco, self.full) or permissions
            target = deco.func if isinstance(deco, ast.Call) else deco
            dotted = dotted_name(target) or ""
            last = self.full(dotted).rpartition(".")[2] if dotted else ""
            if last == "method_decorator" and isinstance(deco, ast.Call) and deco.args:
                inner = dotted_name(deco.args[0].func if isinstance(deco.args[0], ast.Call)
                                    else deco.args[0]) or ""
                last = self.full(inner).rpartition(".")[2]
            names.append(last)
            if last in ep.ATOMIC_NAMES:
                atomic = True
            elif last in ep.NON_ATOMIC_REQUESTS:
                non_atomic = True
            if last in ep.RECEIVER_DECORATORS and isinstance(deco, ast.Call) and deco.args:
                receiver_args = _signal_names(deco.args[0], self.full)
                self._sender(receiver_args, deco, qual, classes)
                self._receives(deco.args[0], qual, None)
        refs: dict[str, int] = {}
        mark = len(self.tries)
        reads_mark = len(self.reads)
        locks_mark, blocks_mark, calls_mark = len(self.locks), len(self.atomic_blocks), len(self.calls)
        outer_admin_urls, self.admin_urls = self.admin_urls, self.admin_urls or admin_urls
        try:
            self.scan_body(func.body, refs, classes)
        finally:
            self.admin_urls = outer_admin_urls
        self.claim_reads(qual, reads_mark)
        tries = self.tries[mark:]  # every try of the body, nested functions' too
        del self.tries[mark:]
        locks, blocks = self.locks[locks_mark:], self.atomic_blocks[blocks_mark:]
        calls = self.calls[calls_mark:] if atomic or blocks else []
        del self.locks[locks_mark:], self.atomic_blocks[blocks_mark:], self.calls[calls_mark:]
        unit = {
            "q": qual, "l": func.lineno, "e": getattr(func, "end_lineno", func.lineno) or func.lineno,
            "k": list(ep.decorator_kinds(names, receiver_args, gated)),
            "a": atomic, "n": non_atomic,
            "c": self.kept(refs),
        }
        if gated:
            unit["sg"] = 1
        if pending:
            unit["ut"] = pending
        if permissions is not None:
            unit["pc"] = permissions
        if classes or func.name in self.staff_tests:
            if func.name in self.staff_tests or staff.staff_test_function(func):
                unit["st"] = 1  # a test_func / has_permission, or a user_passes_test test
        own = list(_own_returns(func))  # read once for the three questions about returns
        returned = self._returned_model(func, own)
        if returned:
            unit["r"] = returned
        if _returns_created(func, own):
            unit["f"] = True
        made = self._returned_calls(own)
        if made:
            unit["rc"] = made
        guarded = self._guarded_calls(tries, classes)
        if guarded:
            unit["g"] = guarded
        quiet = self._quiet_context(func, names, classes)
        if quiet:
            unit["x"] = quiet
        cls = ".".join(classes) if classes else None
        owners = sorted({o for o in (self._lock_owner(c, cls) for c in locks) if o})
        if owners:
            unit["lk"] = owners
        if atomic:
            regions = [calls]
        else:  # the calls inside each outermost ``with atomic():`` (by lines: blocks do not nest)
            regions = [[c for c in calls if b.lineno <= c.lineno <= (b.end_lineno or b.lineno)]
                       for b in blocks]
        ordered = self._atomic_order(regions, cls)
        if ordered:
            unit["ab"] = ordered
        self.out["units"].append(unit)

    def _lock_owner(self, call: ast.Call, cls: str | None) -> str | None:
        """The class whose rows ``Model.objects.filter(...).select_for_update()`` locks, as the
        module names it (fully qualified through its imports); None for a queryset of a name
        (``qs.select_for_update()``) or a class the module does not know."""
        base = call.func.value  # type: ignore[attr-defined]
        while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
            base = base.func.value
        if not isinstance(base, ast.Attribute):
            return None
        text = dotted_name(base.value)
        return self._owner(text, cls) if text else None

    def _atomic_order(self, regions: list[list[ast.Call]], cls: str | None) -> list:
        """Per ``atomic()`` region of a function (each outermost ``with atomic():`` body, or
        the whole body of an ``@atomic`` function), the calls it makes in the order of their
        lines, as ``[line, text]`` (the texts of ``c``), and its row locks as ``[line,
        LOCK + class]``: which rows are locked, in the same transaction, before each call
        (FunctionIndex.callers_lock)."""
        out = []
        for calls in regions:
            calls.sort(key=lambda n: (n.lineno, n.col_offset))
            items: list[list] = []
            for call in calls:
                func = call.func
                if isinstance(func, ast.Attribute) and func.attr == "select_for_update":
                    owner = self._lock_owner(call, cls)
                    if owner:
                        items.append([call.lineno, LOCK + owner])
                    continue
                dotted = dotted_name(func)
                if dotted is None or dotted.count(".") > 1 and dotted.rpartition(".")[2] \
                        not in SEND_NAMES:
                    continue  # ``Model.objects.create()``, ``obj.m()`` chains: no project call
                refs: dict[str, int] = {}
                self._call(call, refs, False, cls, dotted)
                items.extend([call.lineno, t] for t in refs
                             if not t.startswith((".", "command:")))
            if len(items) > _MAX_REGION:
                return []  # a call left out could be the one asked about: no regions at all
            if items:  # every region with a call: a call found in none is in no region
                out.append(items)
        return out

    def _receives(self, node: ast.expr, receiver: str, cls: str | None) -> None:
        """``@receiver(signal)`` / ``signal.connect(receiver)``: the signal object (qualified
        as the module names it) and the receiver, kept so that the index links each
        ``signal.send()`` of a signal the project defines to its receivers."""
        items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        for item in items:
            dotted = dotted_name(item)
            signal = self._signal(dotted) if dotted else None
            self.out.setdefault("sigr", []).append([signal or "", receiver, cls])

    def _signal(self, dotted: str) -> str | None:
        """A signal object's name, qualified: through the module's imports, or a name of the
        module itself; None for ``self.x`` and names the module cannot have bound."""
        head = dotted.partition(".")[0]
        if head in ("self", "cls"):
            return None
        if head in self.imports:
            return self.full(dotted)
        return f"{self.out['name']}.{dotted}" if self.out["name"] else None

    def _quiet_context(self, func, decorators: list[str], classes: list[str]) -> int:
        """For a context manager of the project (a ``@contextmanager`` generator, a class's
        ``__enter__`` / ``__exit__``): QUIET_ENTER when the code that runs on entering (before
        the ``yield``) writes nothing (it may read), QUIET_EXIT when the code that runs on
        leaving normally (after the ``yield``: the statements after it, ``finally`` clauses)
        makes no query at all (project/queries.py).  0 for every other function."""
        def resolve(f):
            return self.full(dotted_name(f) or "") or None

        def shadowed(name):
            return name in self.imports or name in self.defined

        def no_query(call: ast.Call) -> bool:
            return queries.no_query_call(call, resolve, shadowed)

        def no_write(call: ast.Call) -> bool:
            return queries.no_write_call(call, resolve, shadowed)

        if classes and func.name in ("__enter__", "__aenter__"):
            return QUIET_ENTER if queries.runs_no_query(func.body, no_write) else 0
        if classes and func.name in ("__exit__", "__aexit__"):
            return QUIET_EXIT if queries.runs_no_query(func.body, no_query) else 0
        if not any(d in ("contextmanager", "asynccontextmanager") for d in decorators):
            return 0
        found = _yield_split(func)
        if found is None:
            return 0
        before, after = found
        return ((QUIET_ENTER if queries.runs_no_query(before, no_write) else 0)
                | (QUIET_EXIT if queries.runs_no_query(after, no_query) else 0))

    def _guarded_calls(self, tries: list, classes: list[str]) -> list[str]:
        """The calls (as recorded in ``c``) a function makes in the body of a ``try`` whose
        handler catches IntegrityError or a parent of it: a duplicate the callee inserts is
        handled here.  ``tries`` are the function's try statements, collected by the scan of
        its body (no second walk of every function); only those that catch are scanned again."""
        out: list[str] = []
        for node in tries:
            if not any(_handler_catches_integrity(h, self.full) for h in node.handlers):
                continue
            mark = len(self.out["registrations"])
            tries_mark = len(self.tries)
            reads_mark = len(self.reads)
            refs: dict[str, int] = {}
            self.scan_body(node.body, refs, classes)
            del self.out["registrations"][mark:]  # registrations were recorded by the main scan
            del self.tries[tries_mark:]
            del self.reads[reads_mark:]  # so were the reads
            out.extend(t for t, flag in refs.items() if flag != REFERENCE and t not in out)
        return out

    def _returned_calls(self, own: list) -> list[list[str]] | None:
        """Per ``return`` of the function (``own``: its own return statements), the calls its
        value makes (fully qualified as the module imports them: ``uuid.uuid4``), when every
        return has a value that makes one and there are few (a rule then asks whether each
        return is a fresh value); None otherwise."""
        out = []
        for node in own:
            if node.value is None or len(out) >= _MAX_RETURNS:
                return None
            names = sorted({self.full(d) for d in (dotted_name(c.func) for c in _calls_in(node.value)) if d})
            if not names or len(names) > _MAX_RETURNS:
                return None
            out.append(names)
        return out or None

    def _returned_model(self, func, own: list) -> str | None:
        """What a function returns when every ``return`` of it (``own``) names one model class:
        ``apps.get_model("app", "Model")`` (kept as ``<label>app.Model``) or a class name the
        module imports or defines (kept fully qualified); None otherwise.  Lets a rule read
        ``enrollment_model().objects.create(...)`` as a write of that model."""
        found = set()
        for node in own:
            if node.value is None:
                return None
            label = model_label_call(node.value) or _loader_label(node.value, func, self)
            dotted = dotted_name(node.value) if label is None else None
            if label is not None:
                found.add(LABEL_REF + label)
            elif dotted and dotted.partition(".")[0] in self.imports:
                found.add(self.full(dotted))
            elif dotted and dotted in self.defined:
                found.add(f"{self.out['name']}.{dotted}")
            else:
                return None
        return found.pop() if len(found) == 1 else None

    def _admin_actions(self, cls: ast.ClassDef, qual: str) -> None:
        """``actions = [f, "method"]`` in a class body: admin actions run from a request (a
        staff request when the class is an admin's, settled when the project is linked); the
        list names them, it does not call them."""
        registered = self.registered.setdefault(id(self.module_refs), set())
        for stmt in cls.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == "actions"
                    and isinstance(stmt.value, (ast.List, ast.Tuple))):
                continue
            for elt in stmt.value.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    self.out["registrations"].append([ep.REQUEST, f"self:{elt.value}", qual])
                else:
                    dotted = dotted_name(elt)
                    if dotted:
                        self.out["registrations"].append([ep.REQUEST, dotted, qual])
                        registered.add(dotted)

    # ------------------------------------------------------------------ expressions
    def scan(self, root: ast.AST, refs: dict[str, int], in_atomic: bool, classes: list[str]):
        """Record the calls and references of ``root`` (nested functions included)."""
        self._walk([root], refs, in_atomic, classes)

    def scan_body(self, stmts: list[ast.stmt], refs: dict[str, int], classes: list[str]):
        """``scan`` each statement of ``stmts`` in turn (one walk: the first statement's nodes,
        then the second's, as separate scans would visit them)."""
        if stmts:
            self._walk(stmts[::-1], refs, False, classes)

    def _walk(self, stack: list, refs: dict[str, int], atomic: bool, classes: list[str]):
        """One pass over the nodes on ``stack`` (the last first) by type: this walk is most of
        the cost of the function index.  Whether a node is inside ``with atomic():`` is the
        walk's current ``atomic``: a ``with`` that enters a transaction sets it for its body
        and leaves _LEAVE_ATOMIC below the body on the stack, which sets it back once the body's
        nodes are all done (before the ``with``'s own context expressions)."""
        cls = ".".join(classes) if classes else None
        pop, push = stack.pop, stack.append
        node_type = ast.AST
        known_fields = CHILD_FIELDS.get  # the fields that may hold nodes (project/nodes.py)
        imports, defined, stars = self.imports, self.defined, bool(self.out["stars"])
        Name, Attribute, Constant, Call = ast.Name, ast.Attribute, ast.Constant, ast.Call
        Load, With, AsyncWith, leave = ast.Load, ast.With, ast.AsyncWith, _LeaveAtomic
        named, words, tries = self.named, self.words, self.tries
        while stack:
            node = pop()
            kind = type(node)
            if kind is Name:
                if type(node.ctx) is Load:
                    name = node.id  # _known(), inline: most nodes of a tree are names
                    if (name in imports or name in defined or stars) and name not in refs:
                        refs[name] = REFERENCE  # _add(), inline: the weakest use
                continue
            if kind is Attribute and type(node.ctx) is Load:
                dotted = dotted_name(node)
                if dotted:
                    self._reference(dotted, refs)
                    continue
            elif kind is Constant:
                value = node.value
                if type(value) is str and ("." in value or ":" in value):
                    last = _path_last_name(value)
                    if last:
                        named.add(last)
                    elif "." in value and len(words) < _MAX_WORDS:
                        word = _last_word(value)  # "%s.wagtail_hooks", ".jobs"
                        if word:
                            words.add(word)
                continue
            elif kind is Call:
                func = node.func
                dotted = dotted_name(func)  # read once for both
                self._call(node, refs, atomic, cls, dotted)
                self.calls.append(node)
                if type(func) is Attribute and func.attr == "select_for_update":
                    self.locks.append(node)
                if dotted is not None and dotted.rpartition(".")[2] in _REGISTER_NAMES:
                    self._registration(node, refs, cls, dotted)
                if type(func) is Attribute:
                    if func.attr in _READ_NAMES:
                        self._one_row_read(node, cls)
                    base = func.value
                    while type(base) is Attribute:
                        base = base.value
                    if type(base) is not Name:
                        push(base)
                elif type(func) is Name:
                    if func.id in ONE_ROW_SHORTCUTS:
                        self._one_row_read(node, cls)
                else:
                    push(func)
                stack.extend(node.args)
                for keyword in node.keywords:
                    push(keyword.value)
                continue
            elif kind is leave:
                atomic = False
                continue
            if kind in _TRY_KINDS:
                tries.append(node)  # then scanned as any other statement, below
            elif kind is With or kind is AsyncWith:
                inside = atomic or any(self._is_atomic(item.context_expr) for item in node.items)
                if inside and not atomic:
                    self.atomic_blocks.append(node)
                for item in node.items:
                    push(item.context_expr)
                if inside and not atomic:
                    push(_LEAVE_ATOMIC)
                    atomic = True
                stack.extend(node.body)
                continue
            fields = known_fields(kind)
            for name in fields if fields is not None else child_fields(kind):
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, node_type):
                            push(item)
                elif isinstance(value, node_type):
                    push(value)

    def symbol(self, node: ast.expr) -> str | None:
        """``@pkg:apps:ShopConfig:label`` for a dotted name (``ShopConfig.label``, ``APP``) that
        the module imports or binds at its top level, fully qualified: a constant the index
        reads when a rule asks (FunctionIndex.constant); None for anything else."""
        dotted = dotted_name(node)
        if not dotted:
            return None
        head = dotted.partition(".")[0]
        if head in self.imports:
            full = self.full(dotted)
        elif head in self.defined or head in self.constants:
            full = f"{self.out['name']}.{dotted}"
        else:
            return None
        return SYMBOL + full.replace(".", ":")
    def claim_reads(self, unit: str, mark: int = 0) -> None:
        """Give the one-row reads met since ``mark`` to ``unit`` (``[unit, owner, manager,
        fields, line]``: the class as written, resolved through the imports, or "" for a
        related manager of an instance; the manager's attribute name)."""
        if len(self.reads) <= mark:
            return
        room = _MAX_READS - len(self.out["reads"])
        self.out["reads"].extend([unit, *r] for r in self.reads[mark:][:max(room, 0)])
        del self.reads[mark:]

    def _one_row_read(self, call: ast.Call, cls: str | None) -> None:
        """Record ``call`` when it reads exactly one row by a lookup of keywords; a lookup
        that cannot be read whole (``**lookup``, ``Q(...)``) is recorded by UNKNOWN_KEYS."""
        func = call.func
        fields: list[str] = []
        readable = True
        if isinstance(func, ast.Attribute) and func.attr in ONE_ROW_METHODS:
            readable = _lookup_fields(call, fields, skip=_NOT_LOOKUP)
            base = func.value
        elif isinstance(func, (ast.Name, ast.Attribute)) and call.args and (
                (dotted_name(func) or "").rpartition(".")[2] in ONE_ROW_SHORTCUTS):
            readable = _lookup_fields(call, fields, skip=frozenset(), first_arg=True)
            base = call.args[0]
            owner_text = dotted_name(base)
            if owner_text is not None:  # get_object_or_404(Model, ...): the default manager
                owner = self._owner(owner_text, cls)
                if owner and (fields or not readable):
                    self.reads.append([owner, "", _read_keys(fields, readable), call.lineno])
                return
        else:
            return
        while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
            if base.func.attr not in _READ_CHAIN:
                return  # values(), annotate(), a method of the project's own: not read here
            if base.func.attr == "filter":
                readable = _lookup_fields(base, fields, skip=frozenset()) and readable
            base = base.func.value
        if not isinstance(base, ast.Attribute) or (readable and not fields):
            return
        fields = _read_keys(fields, readable)
        owner_text = dotted_name(base.value)
        if owner_text is None:
            return
        if owner_text in ("cls", "self.__class__") or _class_like(owner_text):
            owner = self._owner(owner_text, cls)  # Model.objects, Model._default_manager
        else:
            owner = ""  # parent.children: a related manager, matched by its accessor's name
        if owner is None:
            return
        self.reads.append([owner, base.attr, fields, call.lineno])

    def _owner(self, text: str, cls: str | None) -> str | None:
        """The class a read names, as far as this module can tell: imported names fully
        qualified, the enclosing class for ``cls`` / ``self.__class__``."""
        if text in ("cls", "self.__class__"):
            return f"{self.out['name']}.{cls}" if cls else None
        if not _class_like(text):
            return None
        head = text.partition(".")[0]
        if head in self.imports:
            return self.full(text)
        if head in self.defined:
            return f"{self.out['name']}.{text}"
        return text if self.out["stars"] else None

    def _known(self, head: str) -> bool:
        """A name that can lead to a function of the project: imported, defined at the top
        of the module, or possibly from a star import."""
        return head in self.imports or head in self.defined or bool(self.out["stars"])

    def _decorates_atomic(self, deco: ast.expr) -> bool:
        if not (isinstance(deco, ast.Call) and deco.args):
            return False
        name = dotted_name(deco.func) or ""
        return self.full(name).rpartition(".")[2] == "method_decorator" and self._is_atomic(
            deco.args[0])

    def _is_atomic(self, expr: ast.expr) -> bool:
        func = expr.func if isinstance(expr, ast.Call) else expr
        dotted = dotted_name(func)
        return bool(dotted) and self.full(dotted).rpartition(".")[2] in ep.ATOMIC_NAMES

    def _call(self, call: ast.Call, refs: dict[str, int], atomic: bool, cls: str | None,
              dotted: str | None) -> None:
        """``dotted``: ``dotted_name(call.func)``."""
        func = call.func
        # autodiscover_modules("jobs"), get_app_submodules("hooks"): a module found by name;
        # and whether any argument is a list, tuple or dict (an argv list: _argv_commands)
        words = self.words
        room = len(words) < _MAX_WORDS
        sequence = False
        for arg in call.args:
            kind = type(arg)
            if kind is ast.Constant:
                if room and type(arg.value) is str and len(arg.value) < 100 \
                        and arg.value.isidentifier():
                    words.add(arg.value)
            elif kind in _SEQUENCES:
                sequence = True
        for keyword in call.keywords:
            arg = keyword.value
            kind = type(arg)
            if kind is ast.Constant:
                if room and type(arg.value) is str and len(arg.value) < 100 \
                        and arg.value.isidentifier():
                    words.add(arg.value)
            elif kind in _SEQUENCES:
                sequence = True
        flag = ATOMIC_CALL if atomic else CALL
        if dotted is None:
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                    and isinstance(func.value.func, ast.Name) and func.value.func.id == "super"):
                _add(refs, f"super:{func.attr}", flag)  # super().m()
            elif isinstance(func, ast.Attribute):
                _add(refs, f".{func.attr}", flag)
                built = func.value
                if isinstance(built, ast.Call):  # Cls(...).m(): the method of that class
                    cls_text = dotted_name(built.func)
                    if cls_text and self._known(cls_text.partition(".")[0]):
                        _add(refs, f"{cls_text}().{func.attr}", flag)
            return
        head, _, rest = dotted.partition(".")
        last = dotted.rpartition(".")[2]
        if last in SEND_NAMES and rest:
            signal = self._signal(dotted.rpartition(".")[0])
            if signal:  # signal.send(...): runs its receivers here (FunctionIndex._receivers)
                _add(refs, SIGNAL_CALL + signal, flag)
        if dotted == "getattr" and len(call.args) >= 2 and isinstance(call.args[0], ast.Name) \
                and call.args[0].id in ("self", "cls"):
            name = call.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                _add(refs, f"self:{name.value}", flag)
            else:  # getattr(self, f"build_{stage}")(): any method of the class may run here
                _add(refs, "self:*", flag)
        if last == "call_command" and call.args and isinstance(call.args[0], ast.Constant) \
                and isinstance(call.args[0].value, str):
            _add(refs, f"command:{call.args[0].value}", flag)  # runs that command's handle()
        for name in _argv_commands(call) if sequence else ():
            # a command line handed to a call (subprocess, multiprocessing, execute_from_
            # command_line): that command runs from here, in another process
            _add(refs, f"command:{name}", REFERENCE)
        if head in ("self", "cls") and rest and "." not in rest:
            _add(refs, f"self:{rest}", flag)
        elif self._known(head):
            _add(refs, dotted, flag)
            if rest:
                _add(refs, f".{last}", flag)
        elif rest:
            _add(refs, f".{last}", flag)

    def _reference(self, dotted: str, refs: dict[str, int]) -> None:
        # _add(refs, text, REFERENCE), inline: a reference is the weakest use, kept only when
        # the name has none yet
        head, _, rest = dotted.partition(".")
        if head in ("self", "cls") and rest and "." not in rest:
            text = f"self:{rest}"
            if text not in refs:
                refs[text] = REFERENCE
        elif self._known(head) and dotted not in refs:
            refs[dotted] = REFERENCE

    def _registration(self, call: ast.Call, refs: dict[str, int], cls: str | None,
                      dotted: str | None) -> None:
        """URL routes, ``.as_view()``, ``signal.connect(f)`` and ``RunPython(f)``;
        ``dotted``: ``dotted_name(call.func)``."""
        if dotted is None:
            return
        last = dotted.rpartition(".")[2]
        if last not in _REGISTER_NAMES:
            return  # most calls: nothing _register() reads
        start = len(self.out["registrations"])
        self._register(call, dotted, last, cls)
        added = self.out["registrations"][start:]
        if added:
            self.registered.setdefault(id(refs), set()).update(r[1] for r in added)

    def _register(self, call: ast.Call, dotted: str, last: str, cls: str | None) -> None:
        regs = self.out["registrations"]
        if last == "connect" and "." in dotted and call.args:
            signal = self.full(dotted.rpartition(".")[0]).rpartition(".")[2]
            kind = ep.signal_kind([signal])
            for text in _callable_texts(call.args[0]):
                regs.append([kind, text, cls])
                self._sender([signal], call, text, [cls] if cls else [])
                self._receives(call.func.value, text, cls)  # type: ignore[attr-defined]
        elif last == "RunPython":
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                for text in _callable_texts(arg):
                    regs.append([ep.MIGRATION, text, cls])
        elif last in ep.URL_CALLS and len(call.args) >= 2:
            view = call.args[1]
            kind = ep.REQUEST
            if staff.admin_registration(call, dotted):
                kind = ep.STAFF  # admin.site.register(Model, SomeAdmin): an admin class
            elif self.admin_urls or staff.wrapped_view(view, self.full, self.staff_tests):
                kind = ep.STAFF
                # the ``V.as_view()`` inside is a route of this staff URL, not one of its own
                self.staff_views.update(id(n) for n in ast.walk(view) if isinstance(n, ast.Call))
            for text in _callable_texts(view):
                regs.append([kind, text, cls])
        elif last == "as_view" and isinstance(call.func, ast.Attribute):
            target = dotted_name(call.func.value)
            if target:
                kind = ep.STAFF if self.admin_urls or id(call) in self.staff_views else ep.REQUEST
                regs.append([kind, target, cls])
        elif last == "add_action" and call.args:  # admin.site.add_action(f): every admin's
            for text in _callable_texts(call.args[0]):
                regs.append([ep.STAFF, text, cls])

    def _sender(self, signals: list[str], call: ast.Call, receiver: str,
                classes: list[str]) -> None:
        """``pre_save`` / ``post_save`` with ``sender=Model``: the receiver runs inside that
        model's save(); ``pre_delete`` / ``post_delete`` (any sender): inside the deletion's
        atomic() (kept with the sender ``""``)."""
        if signals and all(s in ep.DELETE_SIGNALS for s in signals):
            self.out["senders"].append(["", receiver, ".".join(classes) or None])
            return
        if not signals or not all(s in ep.SAVE_SIGNALS for s in signals):
            return
        for keyword in call.keywords:
            if keyword.arg == "sender":
                sender = dotted_name(keyword.value)
                if sender:
                    self.out["senders"].append([sender, receiver, ".".join(classes) or None])


_SEQUENCES = (ast.List, ast.Tuple, ast.Dict)
# The last names of the calls _register() records (read per call by the scan: a set test).
_REGISTER_NAMES = frozenset({"connect", "RunPython", "as_view", "add_action", *ep.URL_CALLS})


def _argv_commands(call: ast.Call) -> list[str]:
    """The command names of the argv lists among a call's arguments (a dict's values too):
    ``["manage.py", "cmd", ...]``, ``[sys.executable, "manage.py", "cmd"]``, ``["prog", "cmd"]``.
    Only a name that is one of the project's management commands links anything."""
    found: list[str] = []
    for arg in call.args:
        if type(arg) in _SEQUENCES:
            break
    else:
        for keyword in call.keywords:
            if type(keyword.value) in _SEQUENCES:
                break
        else:
            return found  # most calls: no list, tuple or dict among the arguments
    values = [*call.args, *(k.value for k in call.keywords)]
    for value in list(values):
        if isinstance(value, ast.Dict):
            values.extend(v for v in value.values if v is not None)
    for value in values:
        if not isinstance(value, (ast.List, ast.Tuple)) or len(value.elts) < 2:
            continue
        strings = [e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None
                   for e in value.elts]
        name = next((strings[i + 1] for i, text in enumerate(strings[:-1])
                     if text and text.endswith("manage.py")), None)
        if name is None and strings[0]:
            name = strings[1]
        if name and name.isidentifier():
            found.append(name)
    return found


INTEGRITY_CATCHERS = frozenset({"IntegrityError", "DatabaseError", "Error", "Exception", "BaseException"})


def _handler_catches_integrity(handler: ast.ExceptHandler, full) -> bool:
    """``except IntegrityError`` (any import of it) or a parent: ``DatabaseError``,
    ``django.db.Error``, ``Exception``, bare ``except``."""
    if handler.type is None:
        return True
    for t in handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]:
        dotted = dotted_name(t)
        if not dotted:
            continue
        target = full(dotted)
        last = target.rpartition(".")[2]
        if last == "Error" and not target.startswith("django.db"):
            continue  # another library's Error
        if last in INTEGRITY_CATCHERS:
            return True
    return False


# The app registry's and swapper's loaders: ``apps.get_model("app", name)``,
# ``swapper.load_model("app", name)``.
MODEL_LOADERS = ("get_model", "load_model")


# An app label or model name a loader reads from a constant, kept as its fully qualified
# dotted name with ``:`` for ``.`` (``@shop:apps:ShopConfig:label``) until the index resolves it.
SYMBOL = "@"
_MAX_CONSTANT_DEPTH = 8


def _loader_label(value: ast.expr, func, scanner) -> str | None:
    """``app.model`` for ``<loader>(app, model)`` (``apps.get_model`` / ``swapper.load_model``)
    where each is a string, a constant's name (``AppConfig.label``, ``APP_LABEL``: kept as a
    symbol), or, for the model, a parameter N of ``func`` (``$N``: the function returns the
    model its caller names, ``def load_model(name): return swapper.load_model(LABEL, name)``)."""
    if not (isinstance(value, ast.Call) and len(value.args) == 2 and not value.keywords):
        return None
    name = scanner.full(dotted_name(value.func) or "")  # (``load_model as swapper_load_model``)
    if name.rpartition(".")[2] not in MODEL_LOADERS:
        return None
    app, model = value.args
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    parts = []
    for arg in (app, model):
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if "." in arg.value or arg.value.startswith((SYMBOL, "$")):
                return None
            parts.append(arg.value)
        elif arg is model and isinstance(arg, ast.Name) and arg.id in params:
            parts.append(f"${params.index(arg.id)}")
        else:
            found = scanner.symbol(arg)
            if found is None:
                return None
            parts.append(found)
    if not any(p.startswith("$") or p.startswith(SYMBOL) for p in parts):
        return None  # two strings: model_label_call's (or not a registry loader)
    return ".".join(parts)


def _module_constants(tree: ast.Module, scanner) -> dict[str, str]:
    """The strings a module binds at its top level and in its classes' bodies (upper-case
    names, and an ``AppConfig``'s ``label``), as ``=value`` (``APP_LABEL = "shop"``;
    ``ShopConfig.label``), and the dotted names it binds to another
    name (``LABEL = ShopConfig.label``, kept as a symbol).  An ``AppConfig`` subclass with a
    ``name`` and no ``label`` has the label Django gives it: the last part of the name."""
    out: dict[str, str] = {}
    stmts = list(top_level_statements(tree.body))
    for stmt in stmts:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            scanner.constants.add(stmt.targets[0].id)
    for stmt in stmts:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            value = _constant_text(stmt.value, scanner)
            if value is not None:
                out[stmt.targets[0].id] = value
        elif isinstance(stmt, ast.ClassDef):
            values = {}
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(
                        inner.targets[0], ast.Name) and _names_text(inner.value):
                    values[inner.targets[0].id] = "=" + inner.value.value
            if any((dotted_name(b) or "").rpartition(".")[2] == "AppConfig" for b in stmt.bases):
                name = values.get("name")
                if "label" not in values and name:
                    values["label"] = "=" + name[1:].rpartition(".")[2]
                values = {"label": values["label"]} if "label" in values else {}
            for attr, value in values.items():
                if attr == "label" or attr.isupper():  # not every template_name of every view
                    out[f"{stmt.name}.{attr}"] = value
    return out


def _names_text(value: ast.expr) -> bool:
    """Is ``value`` a string that can name an app, a model or a module (identifiers joined
    by dots, ``"shop"``, ``"shop.apps"``)?  Only those can become a label; any other string
    (a delimiter, a control character the cache refuses to store) is not kept."""
    return isinstance(value, ast.Constant) and isinstance(value.value, str) \
        and 0 < len(value.value) < 200 and all(p.isidentifier() for p in value.value.split("."))


def _constant_text(value: ast.expr, scanner) -> str | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return "=" + value.value if _names_text(value) else None
    if isinstance(value, (ast.Name, ast.Attribute)):
        return scanner.symbol(value)
    return None


def _module_model_calls(tree: ast.Module, scanner) -> dict[str, list]:
    """``Name = f("A", ...)`` at module level, every argument a constant string or a constant's
    name (kept as a symbol): name -> [f fully qualified, [arguments]] (``Book =
    load_model("Book")`` through a project loader, ``Book = swapper.load_model(APP, "Book")``)."""
    out: dict[str, list] = {}
    for stmt in top_level_statements(tree.body):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
            continue
        call = stmt.value
        callee = dotted_name(call.func)
        if not callee or call.keywords or not call.args or len(call.args) > 2:
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str)
                and not a.value.startswith(SYMBOL) else scanner.symbol(a) for a in call.args]
        if all(args):
            out[stmt.targets[0].id] = [scanner.full(callee), args]
    return out


# Class attributes naming the class whose instance a view builds (Django's FormView.get_form,
# Django REST framework's GenericAPIView.get_serializer).
BUILT_CLASS_ATTRS = ("form_class", "serializer_class")


# What a class attribute holds when it is set to ``get_user_model()`` (``h``).
HELD_USER_MODEL = "get_user_model()"


def _class_model_refs(cls: ast.ClassDef) -> dict:
    """What a class body says about the rows its instances write: ``class Meta: model = M``
    (a ModelForm's or ModelSerializer's model, as written: ``m``), ``form_class`` /
    ``serializer_class`` (``b``: attribute -> class as written) and the attributes the class
    gives one class each (``h``: ``model = Tag``, ``self.user_model = get_user_model()`` in a
    method; attribute -> class as written, or HELD_USER_MODEL)."""
    out: dict = {}
    built = {}
    held = _held_classes(cls)
    if held:
        out["h"] = held
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "model" for t in inner.targets):
                    value = inner.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str) \
                            and value.value.count(".") == 1:
                        out["m"] = LABEL_REF + value.value
                    elif dotted_name(value):
                        out["m"] = dotted_name(value)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in BUILT_CLASS_ATTRS:
            dotted = dotted_name(stmt.value)
            if dotted:
                built[stmt.targets[0].id] = dotted
    if built:
        out["b"] = built
    return out


def _held_classes(cls: ast.ClassDef) -> dict[str, str]:
    """attr -> the one class ``cls`` gives it (a class-like name as written, or
    HELD_USER_MODEL), in its body (``attr = X``) or its methods (``self.attr = X`` /
    ``cls.attr = X``); an attribute also set to anything else is left out."""
    values: dict[str, set[str]] = {}

    def add(attr: str, value: ast.expr) -> None:
        text = ""
        if isinstance(value, ast.Call) and not value.args and not value.keywords and (
                dotted_name(value.func) or "").rpartition(".")[2] == "get_user_model":
            text = HELD_USER_MODEL
        elif isinstance(value, (ast.Name, ast.Attribute)):
            dotted = dotted_name(value)
            text = dotted if dotted and _class_like(dotted) else ""
        values.setdefault(attr, set()).add(text)

    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    add(t.id, stmt.value)
        elif isinstance(stmt, _FUNCTIONS):
            for sub in _nested_statements(stmt):
                if isinstance(sub, ast.Assign):
                    for t in sub.targets:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                                and t.value.id in ("self", "cls"):
                            add(t.attr, sub.value)
    return {a: next(iter(v)) for a, v in values.items() if len(v) == 1 and "" not in v}


def _class_like(text: str) -> bool:
    """``Book`` / ``models.Book``: a name written as a class is (not ``self.x``)."""
    return text.partition(".")[0] != "self" and text.rpartition(".")[2][:1].isupper()


def _read_keys(fields: list[str], readable: bool) -> list[str]:
    """A one-row read's stored keys: its field names, sorted, or [UNKNOWN_KEYS]."""
    return sorted(set(fields)) if readable else [UNKNOWN_KEYS]


def _lookup_fields(call: ast.Call, into: list[str], skip: frozenset[str],
                   first_arg: bool = False) -> bool:
    """Add the field names a call's keyword lookup names (``publication__slug`` ->
    ``publication``) to ``into``; False when the lookup cannot be read whole (``**spread``,
    a ``Q`` argument)."""
    if call.args[1 if first_arg else 0:]:
        return False
    for kw in call.keywords:
        if kw.arg is None:
            return False
        if kw.arg not in skip:
            into.append(kw.arg.partition("__")[0])
    return True


def _add(refs: dict[str, int], text: str, flag: int) -> None:
    """Keep the strongest use of a name: a call beats a reference, a call outside atomic()
    beats one inside it (the transaction may be missing on that path)."""
    old = refs.get(text)
    if old is None or (old, flag) in ((REFERENCE, CALL), (REFERENCE, ATOMIC_CALL),
                                      (ATOMIC_CALL, CALL)):
        refs[text] = flag


def _callable_texts(node: ast.expr) -> list[str]:
    """The functions or classes an argument names: ``f``, ``views.f``, ``V.as_view()``,
    ``login_required(f)``."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "as_view":
            target = dotted_name(node.func.value)
            return [target] if target else []
        out = []
        for arg in node.args:
            out.extend(_callable_texts(arg))
        return out
    dotted = dotted_name(node)
    return [dotted] if dotted else []


def _signal_names(node: ast.expr, full) -> list[str]:
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    names = []
    for item in items:
        dotted = dotted_name(item)
        if dotted:
            names.append(full(dotted).rpartition(".")[2])
        else:
            names.append("?")
    return names
