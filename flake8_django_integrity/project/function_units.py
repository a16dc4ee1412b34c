"""What one function of the project is once the index links it (``Unit``: its entry kinds,
transaction, calls and callers), and a one-row read the index found in it (``OneRowRead``).

Plain records shared by the linked index (project/function_index.py) and its stored form
(project/function_store.py), which makes the same units from the cached call graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Unit:
    """One function or method of the project, linked: who it calls and who calls it."""

    qualname: str
    module: str
    path: str
    line: int
    end_line: int
    kinds: set[str] = field(default_factory=set)  # the entry kinds it is by itself
    atomic: bool = False  # @transaction.atomic
    non_atomic_requests: bool = False
    admin_atomic: bool = False  # a ModelAdmin method Django runs inside atomic()
    delete_atomic: bool = False  # a pre/post_delete receiver: inside the deletion's atomic()
    atomic_in: str = ""  # where the atomic() is when not on the function itself
    calls: list[tuple[str, int]] = field(default_factory=list)  # (callee qualname, flag)
    by_name: list[tuple[str, int]] = field(default_factory=list)  # (method name, flag)
    returns_model: str = ""  # "<label>app.Model" or a class's qualified name; "" when none
    returns_created: bool = False  # every return hands back what a creating call returned
    returns_calls: list = field(default_factory=list)  # per return, the calls it makes ("rc")
    guarded: set[str] = field(default_factory=set)  # callees called inside an IntegrityError try
    quiet: int = 0  # a context manager's QUIET_ENTER / QUIET_EXIT bits (module summaries only)
    # a receiver of signals the project defines, and only of those, each sent by a call the
    # index linked to it: Django never calls it, the project's ``send()`` calls do
    project_signal: bool = False

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def is_method(self) -> bool:
        return "." in self.qualname[len(self.module) + 1:]


@dataclass(frozen=True)
class OneRowRead:
    """A call that expects one row of a lookup (``get()``, ``get_or_create()``, ...)."""

    # the lookup's field names as written (``author_id``, ``pk``); (UNKNOWN_KEYS,) when the
    # lookup cannot be read whole (``**lookup``, ``Q(...)``)
    fields: tuple[str, ...]
    unit: str  # the function it is in (qualified)
    path: str
    line: int
    manager: str  # the manager attribute (``objects``, a related accessor); "" for a shortcut
