"""Where a function runs: which entry points reach it, and which transaction surrounds it.

Both answers walk the call edges of project/functions.py upwards from the function:

- **reach**: every entry-point kind found on the way (project/entrypoints.py), each with the
  chain of calls that leads from it to the function.  A function on the way that nobody in
  the project calls and that is no known entry point stands for callers the plugin cannot see
  (``unknown``): a library's public API, a hook named by a dotted path in settings.  Code
  reached only from single-run kinds (management commands, migrations, ``AppConfig.ready``,
  ``post_migrate``, scheduled jobs, scripts) never runs twice at once; code reached only
  from those and from requests only staff can make (``staff``: the Django admin, staff- or
  superuser-only views, Wagtail's admin) runs twice at once only when two staff members act
  on the same row together.  A function that no
  production code calls but the test modules do, and that no production string names as a
  dotted path, is test code (``test``, project/test_callers.py), not a public API.
- **transaction**: the nearest transaction that can be open when the function runs: its own
  ``@transaction.atomic``, a caller that calls it inside ``with transaction.atomic():`` or is
  itself atomic, Django's admin change form, the deletion that sends ``pre_delete`` /
  ``post_delete`` to a receiver, or the request transaction of a request handler
  when a database sets ``ATOMIC_REQUESTS`` (and the view is not ``@non_atomic_requests``).
  A function passed as a value (``on_commit(f)``) does not run inside its caller's block.
  Only resolved calls count here: an ``obj.m()`` the plugin cannot resolve is not taken to
  call every method named ``m`` (for reach it is: there it can only add callers).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from . import entrypoints as ep
from .function_index import FunctionIndex
from .function_scan import ATOMIC_CALL, MODULE_UNIT, REFERENCE

_MAX_VISITED = 5000  # a bound on one walk up the call graph


@dataclass
class Reach:
    """The entry-point kinds that reach a function, each with one chain of calls (the entry
    first, the function last)."""

    kinds: dict[str, list[str]] = field(default_factory=dict)

    @property
    def single_run_only(self) -> bool:
        """Reached from single-run entry points (and perhaps tests), from nothing concurrent."""
        kinds = set(self.kinds)
        return bool(kinds & ep.SINGLE_RUN) and kinds <= ep.SINGLE_RUN | {ep.TEST}

    @property
    def staff_only(self) -> bool:
        """Reached from staff-only requests (and perhaps single-run code and tests), from
        nothing else concurrent."""
        kinds = set(self.kinds)
        return ep.STAFF in kinds and kinds <= ep.SINGLE_RUN | {ep.TEST, ep.STAFF}

    @property
    def test_only(self) -> bool:
        """Reached from test code only: not production code."""
        return set(self.kinds) == {ep.TEST}


def short(index: FunctionIndex, qual: str) -> str:
    """``Class.method`` / ``function`` (the module left out), ``module`` for its top level."""
    unit = index.units.get(qual)
    if unit is None:
        return qual
    local = qual[len(unit.module) + 1:]
    return unit.module if local == MODULE_UNIT else local


def reach(index: FunctionIndex, qual: str) -> Reach:
    memo = index.__dict__.setdefault("_reach_memo", {})
    if qual in memo:
        return memo[qual]
    result = Reach()
    parent: dict[str, str | None] = {qual: None}
    todo = deque([qual])
    while todo and len(parent) < _MAX_VISITED:
        current = todo.popleft()
        unit = index.units.get(current)
        if unit is None:
            continue
        if test_support(index, unit.module) is not None:
            # test support code as a whole, its ``__main__`` block too; a resolved call from
            # production code still counts (``import app`` then ``app.factories.make()``),
            # an unresolved ``obj.m()`` does not: its object comes from a module that imports
            # this one, and none in production does
            callers = index.callers_of(current, by_name=False)
            found = {ep.TEST}
        else:
            callers = index.callers_of(current)
            found = set(unit.kinds)
            if not callers and not found:
                found.add(ep.TEST if _only_tests_call(index, unit) else ep.UNKNOWN)
        for kind in found:
            if kind not in result.kinds:
                result.kinds[kind] = _chain(parent, current)
        for caller, _flag in callers:
            if caller not in parent:
                parent[caller] = current
                todo.append(caller)
    if todo:  # the walk was cut short: what lies beyond is not known
        result.kinds.setdefault(ep.UNKNOWN, [qual])
    memo[qual] = result
    return result


def test_support(index: FunctionIndex, module: str) -> list[str] | None:
    """``module`` is test support code: every production module that imports it is test
    support code too, the test modules import it or one of those, each module the tests
    import directly has a name that says it serves them (``marked_as_test_support``: a module
    only its tests import may be the app's API), and nothing else makes it production
    (project/function_index.py's ``support_candidates``).  The chain of imports from
    the test module's path down to ``module``; None when it is production code, or unknown
    (imported by nobody, or by a module imported by nobody: its callers are not known)."""
    memo = index.__dict__.setdefault("_support_memo", {})
    if module in memo:
        return memo[module]
    memo[module] = None
    tests = getattr(index, "tests", None)
    try:
        candidates = index.support_candidates
    except Exception:  # an odd project: no module is taken for test code
        candidates = {}
    if tests is None or module not in candidates:
        return None
    # every module above it through production imports (all candidates): each one that no
    # production module imports must be imported by the tests, and one of them at least is
    parent: dict[str, str | None] = {module: None}
    todo = deque([module])
    found = None
    while todo:
        if len(parent) >= _MAX_VISITED:
            return None
        current = todo.popleft()
        try:
            path = tests.importer(current)
        except Exception:  # an odd test module: not known to import it
            path = None
        importers = candidates.get(current, ())
        if path is None and not importers:
            return None  # a root nobody imports: callers unknown
        if path is not None and not marked_as_test_support(current):
            # the tests use it directly and its name does not say it serves them: a module
            # of the app's API (a hook its users' settings name), its callers unknown
            memo[module] = None
            return None
        if path is not None and found is None:
            found = [path, *_chain(parent, current)]
        for importer in importers:
            if importer not in parent:
                parent[importer] = current
                todo.append(importer)
    memo[module] = found
    return found


# Words that name a module as serving the tests (populate_test_data, testutils, factories,
# fixtures, fakes, mocks, dummies, stubs): conventions of Django projects and factory_boy, as
# ``tests/`` and ``test_*.py`` are for test modules themselves.
_SUPPORT_WORDS = ("test", "factor", "fixture", "fake", "mock", "dummy", "stub")


def marked_as_test_support(module: str) -> bool:
    """A name below the top package (``shop.testutils``, ``shop.testing.seed``) says the
    module serves the tests."""
    return any(word in part.lower() for part in module.split(".")[1:] for word in _SUPPORT_WORDS)


def _only_tests_call(index: FunctionIndex, unit) -> bool:
    """No production caller (asked before), and the test modules call it; a production string
    naming it as a dotted path (a setting, a registry) means callers the plugin cannot see."""
    tests = getattr(index, "tests", None)
    if tests is None or unit.name in index.named_in_strings:
        return False
    try:
        return tests.call(index, unit.qualname)
    except Exception:  # an odd test module: its callers stay unknown, never a crash
        return False


def _chain(parent: dict[str, str | None], entry: str) -> list[str]:
    chain = [entry]
    while parent.get(chain[-1]) is not None:
        chain.append(parent[chain[-1]])  # type: ignore[arg-type]
    return chain


@dataclass
class Transaction:
    description: str  # "the atomic() of `import_rows`", "the request transaction (...)"
    chain: list[str]  # from the function that opens it down to the function asked about
    # the transaction ends when the function asked about returns (its own atomic(), the
    # request transaction of a view): a return from it leaves the transaction, where a caller's
    # transaction (or the admin's change form, or the view sending a signal) carries on
    ends_with_function: bool = False


def transaction(index: FunctionIndex, qual: str) -> Transaction | None:
    """The nearest transaction that can surround every statement of ``qual``, or None."""
    parent: dict[str, str | None] = {qual: None}
    todo = deque([qual])
    outside = None  # the first function on the way whose callers are outside the project
    while todo and len(parent) < _MAX_VISITED:
        current = todo.popleft()
        unit = index.units.get(current)
        if unit is None:
            continue
        # the callers the walk follows: an unresolved ``obj.save()`` somewhere in the app is
        # not taken for a caller of every ``save()`` override (a model's save() in a reusable
        # app is its users' to call)
        if outside is None and not unit.kinds and not current.endswith(MODULE_UNIT) \
                and not index.callers_of(current, by_name=False):
            outside = current
        if unit.atomic:
            where = unit.atomic_in or short(index, current)
            return Transaction(f"the atomic() of `{where}`", _chain(parent, current),
                               current == qual)
        if unit.admin_atomic:
            return Transaction(ep.ADMIN_TRANSACTION, _chain(parent, current))
        if unit.delete_atomic:
            return Transaction(ep.DELETE_TRANSACTION, _chain(parent, current))
        if index.atomic_requests and not unit.non_atomic_requests:
            if ep.REQUEST in unit.kinds or ep.STAFF in unit.kinds:
                return Transaction(request_transaction(index.atomic_requests),
                                   _chain(parent, current), current == qual)
            if ep.SIGNAL in unit.kinds:  # a receiver runs inside the view that sends its signal
                return Transaction(request_transaction(index.atomic_requests, signal=True),
                                   _chain(parent, current))
        for caller, flag in index.callers_of(current, by_name=False):
            if flag == REFERENCE:
                continue
            if flag == ATOMIC_CALL:
                parent.setdefault(caller, current)
                return Transaction(f"the atomic() of `{short(index, caller)}`",
                                   _chain(parent, caller))
            if caller not in parent:
                parent[caller] = current
                todo.append(caller)
    if outside is not None and index.atomic_requests == ["?"]:
        # a reusable app (no settings module): a function its own code never calls is called
        # by its users' code or another library's hook, inside whatever transaction that runs
        # in, as its views run under its users' ATOMIC_REQUESTS
        return Transaction(f"any transaction of the code that calls `{short(index, outside)}` "
                           "(called from outside this app: its users' atomic() blocks or "
                           "ATOMIC_REQUESTS)", _chain(parent, outside))
    return None


def request_transaction(aliases: list[str], signal: bool = False) -> str:
    what = "the request transaction" + (" of a view that sends the signal" if signal else "")
    if aliases == ["?"]:
        return f"{what}, if ATOMIC_REQUESTS is set (no settings module here: its users' decide)"
    if not aliases or aliases == ["default"]:
        return f"{what} (ATOMIC_REQUESTS)"
    return f"{what} (ATOMIC_REQUESTS on {', '.join(aliases)})"
