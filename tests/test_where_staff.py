"""Staff-only code: requests only staff members, superusers or a CMS's editors can make.

The fixture project where_runs_staff holds each form the plugin recognises (silent by default
in DJI003 / DJI007) beside its nearest neighbour that anyone can reach (reported);
where_runs_staff_lint turns them back on with ``dji-lint-staff``.  Their expectations are
checked by tests/test_fixtures.py; this file checks the facts underneath and the option.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from flake8_django_integrity.project import function_store
from flake8_django_integrity.project import staff
from flake8_django_integrity.project.function_index import FunctionIndex
from flake8_django_integrity.project.function_scan import summarize_module
from flake8_django_integrity.project.functions import read_modules
from flake8_django_integrity.project.reach import reach, transaction

from harness import FIXTURES, expected, findings, run_flake8

STAFF = FIXTURES / "where_runs_staff"


@pytest.fixture(scope="module")
def index():
    return FunctionIndex(read_modules(str(STAFF), set(), set()))


@pytest.mark.parametrize("qual, kinds", [
    # the Django admin: ModelAdmin, InlineModelAdmin and AdminSite methods, admin actions
    ("shop.admin.TagAdmin.save_model", {"staff"}),
    ("shop.admin.TagAdmin.method_action", {"staff"}),  # actions = ["method_action"]
    ("shop.admin.TagInline.get_extra", {"staff"}),
    ("shop.admin.ShopSite.each_context", {"staff"}),
    ("shop.admin.tag_selected", {"staff"}),  # @admin.action
    ("shop.admin.listed_action", {"staff"}),  # actions = [listed_action]
    ("shop.admin.tag_everything", {"staff"}),  # admin.site.add_action(tag_everything)
    ("shop.staff_views.ReportView.post", {"staff"}),  # get_urls(), admin_view(...)
    ("shop.admin.PageLikeAdmin.save_form", {"staff"}),  # admin.site.register(Tag, ...)
    ("shop.admin.ImportingAdmin.get_import_formats", {"staff"}),  # @admin.register(Slot)
    # views behind a staff check
    ("shop.views.staff_view", {"staff"}),
    ("shop.views.superuser_view", {"staff"}),  # @require_POST too
    ("shop.views.lambda_test_view", {"staff"}),
    ("shop.views.imported_test_view", {"staff"}),  # the test is another module's function
    ("shop.views.wrapped_in_urls", {"staff"}),
    ("shop.views.unrouted_staff_view", {"staff"}),  # no route seen: the check decides  # staff_member_required(view) in urls.py
    ("shop.views.StaffTestView.post", {"staff"}),
    ("shop.views.InheritsTheTest.post", {"staff"}),  # test_func of a base class
    ("shop.views.DecoratedView.post", {"staff"}),  # method_decorator on the class
    ("shop.api.AdminTagViewSet.perform_create", {"staff"}),  # [IsAuthenticated, IsAdminUser]
    ("shop.api.OwnStaffPermissionViewSet.create", {"staff"}),  # the project's IsStaff
    ("shop.api.admin_api", {"staff"}),  # @permission_classes([IsAdminUser])
    # Wagtail's admin
    ("shop.editor_views.translate", {"staff"}),  # register_admin_urls
    ("shop.editor_views.TranslateView.post", {"staff"}),
    ("shop.wagtail_hooks.after_edit_page", {"staff"}),
    ("shop.wagtail_hooks.TagCreateView.save_instance", {"staff"}),
    ("shop.wagtail_hooks.TagViewSet.get_queryset", {"staff"}),
    # reached through staff code
    ("shop.services.tag_for_the_admin", {"staff"}),
    ("shop.services.slot_for_the_admin_and_a_command", {"staff", "command"}),
    # the neighbours anyone can reach
    ("shop.services.tag_for_everyone", {"staff", "request"}),
    ("shop.admin.TagAdmin.default_tag", {"staff", "request"}),  # a public view calls it
    # staff-only, but DJI007 reports its lookup by the user (shop/admin.py: changelist_view)
    ("shop.admin.TagAdmin.changelist_view", {"staff"}),
    ("shop.staff_views.RoutedByAdminViewAndPublicly.post", {"staff", "request"}),
    ("shop.views.setting_test_view", {"request"}),  # the test reads a setting
    ("shop.views.member_view", {"request"}),  # @login_required
    ("shop.views.permission_view", {"request"}),  # @permission_required
    ("shop.views.OwnerTestView.post", {"request"}),  # test_func tests something else
    ("shop.views.PermissionView.post", {"request"}),  # PermissionRequiredMixin
    ("shop.api.AdminTagViewSet.open_to_members", {"request"}),  # @action(permission_classes=)
    ("shop.api.EitherViewSet.create", {"request"}),  # IsAdminUser | IsOwner
    ("shop.api.ChoosesItsPermissions.create", {"request"}),  # get_permissions decides
    ("shop.api.public_api", {"request"}),
    ("shop.wagtail_hooks.before_serve_page", {"unknown"}),  # serves public pages
    ("shop.services.tag_nobody_calls", {"unknown"}),
    ("shop.wagtail_hooks.TagForm.save", {"unknown"}),  # a Wagtail admin form is no view
])
def test_each_staff_form_and_its_neighbour(index, qual, kinds):
    assert set(reach(index, qual).kinds) == kinds


@pytest.mark.parametrize("qual, staff_only", [
    ("shop.services.tag_for_the_admin", True),
    ("shop.services.slot_for_the_admin_and_a_command", True),  # staff and single-run only
    ("shop.services.tag_for_everyone", False),
    ("shop.views.member_view", False),
    ("shop.services.tag_nobody_calls", False),
])
def test_staff_only_when_nothing_else_concurrent_reaches_it(index, qual, staff_only):
    found = reach(index, qual)
    assert found.staff_only is staff_only
    assert not found.single_run_only  # staff requests are not single-run code


@pytest.mark.parametrize("source, is_staff", [
    ("u.is_staff", True),
    ("u.is_superuser", True),
    ("u.is_active and u.is_staff", True),
    ("request.user and request.user.is_staff", True),
    ("bool(request.user and request.user.is_superuser)", True),
    ("u.is_staff or u.is_superuser", True),
    ("getattr(u, 'is_staff', False)", True),
    ("u.is_staff is True", True),
    ("u.is_staff or u.is_authenticated", False),  # anyone signed in
    ("u.is_authenticated", False),
    ("not u.is_staff", False),
    ("u.has_perm('shop.add_tag')", False),
    ("getattr(u, 'is_staff', True)", False),
])
def test_a_staff_test_reads_only_is_staff_or_is_superuser(source, is_staff):
    assert staff.staff_test(ast.parse(source, mode="eval").body) is is_staff


def test_a_staff_view_runs_inside_the_request_transaction():
    """DJI006 is about transactions, not concurrency: a staff view is a request, and
    ATOMIC_REQUESTS wraps it as any other."""
    modules = {"app.views": summarize_module(ast.parse(
        "from django.contrib.admin.views.decorators import staff_member_required\n"
        "@staff_member_required\n"
        "def staff_view(request):\n    pass\n"
    ), "app.views", False, "app/views.py", "app/views.py")}
    index = FunctionIndex(modules, ["default"])
    assert index.units["app.views.staff_view"].kinds == {"staff"}
    found = transaction(index, "app.views.staff_view")
    assert found is not None and "ATOMIC_REQUESTS" in found.description


@pytest.mark.parametrize("bad", [
    {"sg": 2}, {"ut": "x"}, {"ut": ["a b"]}, {"pc": [["IsAdminUser"], "x"]}, {"pc": "x"},
    {"st": True}, {"sg": True},
])
def test_a_malformed_stored_staff_fact_is_rejected(bad):
    modules = {"app.views": summarize_module(ast.parse(
        "def view(request):\n    pass\n"), "app.views", False, "app/views.py", "app/views.py")}
    function_store._checked_modules(modules)  # as built: accepted
    modules["app.views"]["units"][0].update(bad)
    with pytest.raises(ValueError):
        function_store._checked_modules(modules)


def test_the_option_reports_what_the_default_leaves_out():
    """``--dji-lint-staff`` reports every write the default leaves out here, all of them
    reached from staff code (``slot_for_the_admin_and_a_command`` from a command too);
    where_runs_staff_lint shows that code only a command reaches stays silent."""
    default = findings(run_flake8(STAFF, "-j1", "."), STAFF)
    assert default == expected(STAFF)
    both = findings(run_flake8(STAFF, "-j1", "--dji-lint-staff", "."), STAFF)
    added = {(path, line) for path, line, _ in both - default}
    assert not default - both
    assert added == {
        ("shop/admin.py", 13), ("shop/admin.py", 18), ("shop/admin.py", 23),
        ("shop/admin.py", 37), ("shop/admin.py", 58), ("shop/admin.py", 64),
        ("shop/admin.py", 71), ("shop/admin.py", 78),
        ("shop/services.py", 6), ("shop/services.py", 17),
        ("shop/staff_views.py", 9),
        ("shop/views.py", 17), ("shop/views.py", 24), ("shop/views.py", 29),
        ("shop/views.py", 34), ("shop/views.py", 39), ("shop/views.py", 66),
        ("shop/views.py", 87), ("shop/views.py", 97),
        ("shop/api.py", 22), ("shop/api.py", 34), ("shop/api.py", 59),
        ("shop/editor_views.py", 8), ("shop/editor_views.py", 13),
        ("shop/wagtail_hooks.py", 21), ("shop/wagtail_hooks.py", 32),
        ("shop/wagtail_hooks.py", 41), ("shop/views.py", 103),
    }


def _where(*args):
    return subprocess.run([sys.executable, "-m", "flake8_django_integrity", "where", *args,
                           "--dji-no-cache"], cwd=STAFF, capture_output=True, text=True,
                          timeout=120)


def test_where_names_the_staff_kind_and_the_option():
    result = _where("shop/services.py:6")
    assert result.returncode == 0, result.stderr
    assert "a staff-only request handler" in result.stdout
    assert "TagAdmin.save_model -> tag_for_the_admin" in result.stdout
    assert "runs: from staff-only requests (DJI003 and DJI007 stay silent here; " \
           "--dji-lint-staff reports them)" in result.stdout


def test_where_says_staff_and_a_public_caller_run_concurrently():
    result = _where("shop/services.py:11")
    assert result.returncode == 0, result.stderr
    assert "a request handler: member_view -> tag_for_everyone" in result.stdout
    assert "runs: concurrently" in result.stdout
