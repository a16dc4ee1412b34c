"""Where the project's code is entered from: which kind of entry point a function is.

Django, its task queues and its admin call the project's code from a few places, each
recognisable in the source without importing it:

- a request: a function routed in a URL pattern (``path("x/", views.f)``), a class-based view
  (any method of a class whose bases end in ``View`` / ``ViewSet``, or one routed with
  ``.as_view()`` / ``router.register``), a DRF serializer, a function decorated as only views
  are (``@api_view``, ``@require_POST``, ...);
- a staff request: a request only staff members (or superusers, or a CMS's editors) can make:
  a method of a ``ModelAdmin`` / ``InlineModelAdmin`` / ``AdminSite`` subclass and an admin
  action (``actions = [...]``, ``@admin.action``, ``admin.site.add_action``); a view behind a
  staff check (``@staff_member_required``, ``@superuser_required``, ``@user_passes_test`` whose
  test reads only ``is_staff`` / ``is_superuser``, ``UserPassesTestMixin.test_func`` returning
  such a test, ``StaffuserRequiredMixin`` / ``SuperuserRequiredMixin``, DRF
  ``permission_classes`` holding ``IsAdminUser`` or a project permission whose
  ``has_permission`` tests only that); a view routed only from an admin site's URLs (a
  ``get_urls()`` of an admin class, ``admin_site.admin_view(v)``) or from Wagtail's admin
  (a ``register_admin_urls`` hook, a class built on ``wagtail.admin`` / ``wagtail.snippets``
  views and viewsets).  ``@permission_required`` / ``PermissionRequiredMixin`` do not count: a
  model permission is often granted to ordinary users' groups;
- a task: ``@shared_task`` / ``@app.task`` (Celery), ``@job`` (RQ), ``@actor`` (Dramatiq),
  ``@task`` / ``@db_task`` (Huey), a ``Task`` subclass's ``run``;
- a signal receiver: ``@receiver(...)`` or ``signal.connect(f)``;
- once per deployment or command: ``BaseCommand`` methods, a migration's code (``RunPython``),
  ``AppConfig.ready`` and ``post_migrate`` / ``pre_migrate`` receivers, a scheduled job
  (django-extensions' ``runjobs``: a ``HourlyJob`` / ``DailyJob`` / ... class, run from cron
  like any management command), a module's ``if __name__ == "__main__":`` block (a script);
- test code: a function of a test module (tests are not linted by default; a helper that only
  tests call is test code too, project/reach.py).

This module only names kinds from what the source says (decorator, base class and
registration names); which function they land on is project/functions.py's job.
"""

from __future__ import annotations

REQUEST = "request"
TASK = "task"
SIGNAL = "signal"
COMMAND = "command"
MIGRATION = "migration"
READY = "ready"
POST_MIGRATE = "post_migrate"
JOB = "job"
SCRIPT = "script"
STAFF = "staff"
TEST = "test"
UNKNOWN = "unknown"  # no caller the plugin can see: a library's public API, a dotted-path hook

# Entry points that run once, in one process: a race needs two runs at once.
SINGLE_RUN = frozenset({COMMAND, MIGRATION, READY, POST_MIGRATE, JOB, SCRIPT})
CONCURRENT = frozenset({REQUEST, TASK, SIGNAL, UNKNOWN})
# STAFF, requests only staff members can make, is in neither: two staff members racing on the
# same new row are as unlikely as two overlapping runs of a command (the race rules leave
# them out unless asked), yet Django serves them as any request (ATOMIC_REQUESTS wraps them).

DESCRIPTIONS = {
    REQUEST: "a request handler",
    STAFF: "a staff-only request handler (Django admin, staff- or superuser-only views, "
           "Wagtail admin)",
    TASK: "a task-queue task",
    SIGNAL: "a signal receiver",
    COMMAND: "a management command",
    MIGRATION: "a migration",
    READY: "AppConfig.ready()",
    POST_MIGRATE: "a post_migrate / pre_migrate receiver",
    JOB: "a scheduled job (django-extensions runjobs)",
    SCRIPT: "a script (if __name__ == \"__main__\")",
    TEST: "test code (a test module, not linted by default)",
    UNKNOWN: "callers the plugin cannot see (public API, dotted-path hooks)",
}

# Decorators (last name of the dotted path) that make a function a task.
TASK_DECORATORS = frozenset(
    {"shared_task", "task", "job", "actor", "db_task", "periodic_task", "db_periodic_task"}
)
# Decorators only request handlers take.
VIEW_DECORATORS = frozenset(
    {"api_view", "require_POST", "require_GET", "require_http_methods", "require_safe",
     "login_required", "permission_required", "csrf_exempt",
     "csrf_protect", "action"}  # DRF's @action (viewset extra routes); @admin.action: staff
)
# Decorators (or wrappers, ``staff_member_required(view)`` in a URL pattern) that let only
# staff members or superusers through: Django's own, and the name projects give the same
# check (``superuser_required``: a superuser is staff by Django's admin).  The name is taken
# for what it says: a project's decorator of that name that lets others through under a
# setting is not read.
STAFF_DECORATORS = frozenset({"staff_member_required", "superuser_required", "staff_required"})
# Mixins of class-based views that let only staff members or superusers through (django-braces'
# and the same names in projects).
STAFF_MIXINS = frozenset({"StaffuserRequiredMixin", "SuperuserRequiredMixin",
                          "StaffRequiredMixin", "StaffMemberRequiredMixin"})
# ``user_passes_test(test)``: staff-only when ``test`` reads only these (with is_active /
# is_authenticated beside them: narrower still).
STAFF_FLAGS = frozenset({"is_staff", "is_superuser"})
NEUTRAL_FLAGS = frozenset({"is_active", "is_authenticated"})
# DRF permission classes that let only staff members through.
STAFF_PERMISSIONS = frozenset({"IsAdminUser"})
# A wrapper that admin sites put around their own views (AdminSite.admin_view: has_permission,
# is_active and is_staff by default).
ADMIN_VIEW_WRAPPERS = frozenset({"admin_view"})
# Wagtail's hook that registers admin URL patterns (every one behind the admin's access check).
ADMIN_URL_HOOKS = frozenset({"register_admin_urls"})
# Packages whose class-based views and viewsets serve only an admin (editors with admin access).
ADMIN_VIEW_PACKAGES = ("wagtail.admin.", "wagtail.snippets.views", "wagtail.snippets.viewsets",
                       "wagtail.contrib.modeladmin.", "wagtail.contrib.settings.views")
ADMIN_ACTION_DECORATORS = frozenset({"django.contrib.admin.action",
                                     "django.contrib.admin.decorators.action", "admin.action"})
RECEIVER_DECORATORS = frozenset({"receiver"})
MIGRATE_SIGNALS = frozenset({"post_migrate", "pre_migrate"})
# Model signals Django sends from inside Model.save() (so inside any transaction around it).
SAVE_SIGNALS = frozenset({"pre_save", "post_save"})
# Model signals Django sends from inside the atomic() of its deletion (Collector.delete).
DELETE_SIGNALS = frozenset({"pre_delete", "post_delete"})
DELETE_TRANSACTION = "the atomic() Django's delete() opens around its signals (Collector.delete)"
# django-extensions' job bases (``manage.py runjobs hourly`` from cron).
JOB_BASES = frozenset({"BaseJob", "MinutelyJob", "QuarterHourlyJob", "HourlyJob", "DailyJob",
                       "WeeklyJob", "MonthlyJob", "YearlyJob"})
ATOMIC_NAMES = frozenset({"atomic"})
NON_ATOMIC_REQUESTS = frozenset({"non_atomic_requests"})
# Calls that route a URL to a view (the view is an argument after the first).
URL_CALLS = frozenset({"path", "re_path", "url", "register"})
# Methods of ModelAdmin that Django's changeform_view / delete_view run inside atomic().
ADMIN_ATOMIC_METHODS = frozenset(
    {"save_model", "save_related", "save_formset", "delete_model", "log_addition",
     "log_change", "log_deletion", "construct_change_message", "response_add",
     "response_change", "delete_queryset"}
)
ADMIN_TRANSACTION = "the atomic() of the admin's change form (ModelAdmin.changeform_view)"


def class_kind(chain_names: set[str]) -> str | None:
    """What a class is, from the last names of every class in its base chain (its own name
    excluded): "command", "job", "appconfig", "admin", "task" or "request"; None for anything
    else."""
    if chain_names & {"BaseCommand", "LabelCommand", "AppCommand", "TemplateCommand"}:
        return "command"
    if chain_names & JOB_BASES:
        return JOB
    if "AppConfig" in chain_names:
        return "appconfig"
    if any(n.endswith(("ModelAdmin", "Inline", "AdminSite")) for n in chain_names):
        return "admin"
    if "Task" in chain_names and not any(n.endswith("View") for n in chain_names):
        return "task"
    if any(n.endswith(("View", "ViewSet", "Viewset", "ViewSetMixin", "Serializer", "Consumer"))
           for n in chain_names):
        return REQUEST
    return None


def method_kinds(kind: str | None, method: str) -> tuple[str, ...]:
    """The entry kinds a method of a class of ``kind`` is by itself."""
    if kind == "command":
        return (COMMAND,)
    if kind == JOB:
        return (JOB,)
    if kind == "appconfig":
        return (READY,) if method == "ready" else ()
    if kind == "admin":
        return (STAFF,)
    if kind == REQUEST:
        return (REQUEST,)
    if kind == "task":
        return (TASK,) if method in ("run", "__call__") else ()
    return ()


def decorator_kinds(last_names: list[str], receiver_args: list[str],
                    staff_gate: bool = False) -> tuple[str, ...]:
    """The entry kinds a function is by its decorators (``last_names``: the last name of each
    decorator's dotted path; ``receiver_args``: the last names of ``@receiver``'s signals;
    ``staff_gate``: one of them lets only staff through, project/staff.py: the function is
    a staff request handler, whatever else says it is a view)."""
    kinds = []
    for name in last_names:
        if name in TASK_DECORATORS:
            kinds.append(TASK)
        elif name in VIEW_DECORATORS:
            kinds.append(STAFF if staff_gate else REQUEST)
        elif name in RECEIVER_DECORATORS:
            kinds.append(signal_kind(receiver_args))
    if staff_gate and STAFF not in kinds:
        kinds.append(STAFF)
    return tuple(kinds)


def signal_kind(signal_names: list[str]) -> str:
    """post_migrate / pre_migrate receivers run once per ``migrate``; any other signal may be
    sent from a request."""
    if signal_names and all(n in MIGRATE_SIGNALS for n in signal_names):
        return POST_MIGRATE
    return SIGNAL
