"""The plugin's settings, read through flake8's own option machinery.

Every option can go on the command line or in ``setup.cfg`` / ``tox.ini`` / ``.flake8``
(``[flake8]`` section) and, with Flake8-pyproject, in ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
import os

from .project.records import FrozenRecord


class Settings(FrozenRecord):
    """The plugin's options, as flake8 parsed them."""

    lint_tests: bool = False
    lint_single_run: bool = False
    lint_staff: bool = False
    lint_install_once: bool = False
    model_bases: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    fresh_functions: tuple[str, ...] = ()
    project_root: str | None = None
    cache_dir: str | None = None
    use_cache: bool = True
    # flake8's exclude + extend-exclude: the project's facts are read only from files flake8
    # itself would lint (a vendored tree, a *.egg, a fixture of hostile files stays unread)
    exclude: tuple[str, ...] = ()
    # baseline.py: the baseline file (None: the nearest .dji-baseline.json, if any), whether
    # this run records findings for `python -m flake8_django_integrity baseline`, and the
    # migrations already applied in production ("app:name" entries, checked when used)
    baseline: str | None = None
    baseline_record: bool = False
    migrations_since: tuple[str, ...] = ()

    def __init__(self, lint_tests: bool = False, lint_single_run: bool = False,
                 lint_staff: bool = False, lint_install_once: bool = False,
                 model_bases: tuple[str, ...] = (), managers: tuple[str, ...] = (),
                 fresh_functions: tuple[str, ...] = (), project_root: str | None = None,
                 cache_dir: str | None = None, use_cache: bool = True, exclude: tuple[str, ...] = (),
                 baseline: str | None = None, baseline_record: bool = False,
                 migrations_since: tuple[str, ...] = ()):
        setattr_ = object.__setattr__
        setattr_(self, "lint_tests", lint_tests)
        setattr_(self, "lint_single_run", lint_single_run)
        setattr_(self, "lint_staff", lint_staff)
        setattr_(self, "lint_install_once", lint_install_once)
        setattr_(self, "model_bases", model_bases)
        setattr_(self, "managers", managers)
        setattr_(self, "fresh_functions", fresh_functions)
        setattr_(self, "project_root", project_root)
        setattr_(self, "cache_dir", cache_dir)
        setattr_(self, "use_cache", use_cache)
        setattr_(self, "exclude", exclude)
        setattr_(self, "baseline", baseline)
        setattr_(self, "baseline_record", baseline_record)
        setattr_(self, "migrations_since", migrations_since)


def add_options(manager) -> None:
    manager.add_option(
        "--dji-lint-tests", action="store_true", default=False, parse_from_config=True,
        help="flake8-django-integrity: also report runtime rules (DJI001/3/5/6/7/9) in test "
        "modules, fixtures, migrations' RunPython code, production functions only test "
        "modules call and modules only test code imports.",
    )
    manager.add_option(
        "--dji-lint-single-run", action="store_true", default=False, parse_from_config=True,
        help="flake8-django-integrity: also report the race rules (DJI003/7) in code that only "
        "single-run entry points reach (management commands, migrations, AppConfig.ready, "
        "post_migrate receivers, django-extensions jobs, __main__ scripts).",
    )
    manager.add_option(
        "--dji-lint-staff", action="store_true", default=False, parse_from_config=True,
        help="flake8-django-integrity: also report the race rules (DJI003/7) in code that only "
        "staff-only requests reach (Django admin classes and actions, staff- or "
        "superuser-only views, DRF IsAdminUser, Wagtail's admin), besides single-run code.",
    )
    manager.add_option(
        "--dji-lint-install-once", action="store_true", default=False, parse_from_config=True,
        help="flake8-django-integrity: also report the race rules (DJI003/7) on a row whose "
        "lookup is constant (literals, module constants, Model.CHOICE, a loop over a literal "
        "collection, a singleton's empty lookup), which two callers can race to insert only "
        "on its first use after an install.",
    )
    manager.add_option(
        "--dji-model-bases", default="", comma_separated_list=True, parse_from_config=True,
        help="flake8-django-integrity: extra model base classes (dotted path or class name) "
        "to treat like django.db.models.Model, e.g. a third-party base whose source is not in "
        "the project.",
    )
    manager.add_option(
        "--dji-managers", default="", comma_separated_list=True, parse_from_config=True,
        help="flake8-django-integrity: extra manager attribute names besides `objects`.",
    )
    manager.add_option(
        "--dji-fresh-functions", default="", comma_separated_list=True, parse_from_config=True,
        help="flake8-django-integrity: extra functions whose result is a fresh unique value "
        "(like uuid4 or get_random_string), by dotted path or name.",
    )
    manager.add_option(
        "--dji-project-root", default=None, parse_from_config=True, normalize_paths=True,
        help="flake8-django-integrity: the project root (default: found from each file: "
        "manage.py, pyproject.toml, setup.cfg, setup.py or .git).",
    )
    manager.add_option(
        "--dji-cache-dir", default=None, parse_from_config=True, normalize_paths=True,
        help="flake8-django-integrity: where to keep the project facts cache "
        "(default: $XDG_CACHE_HOME/flake8-django-integrity).",
    )
    manager.add_option(
        "--dji-no-cache", action="store_true", default=False, parse_from_config=True,
        help="flake8-django-integrity: do not read or write the on-disk cache.",
    )
    manager.add_option(
        "--dji-baseline", default=None, parse_from_config=True, normalize_paths=True,
        help="flake8-django-integrity: the baseline file of known findings, which are not "
        "reported (default: the nearest .dji-baseline.json from the linted file up to the "
        "repository top; written by `python -m flake8_django_integrity baseline`).",
    )
    manager.add_option(
        "--dji-migrations-since", default="", comma_separated_list=True, parse_from_config=True,
        help="flake8-django-integrity: per app, the last migration already applied in "
        "production (app_label:migration_name, comma separated): it and the migrations it "
        "depends on are not judged (DJI002, DJI004).",
    )
    manager.add_option(  # set by the baseline command's own flake8 run, not by users
        "--dji-baseline-record", action="store_true", default=False,
        help=argparse.SUPPRESS,
    )


def _names(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value if v and v.strip())


def _path(value) -> str | None:
    """An absolute path.  flake8 already made a config file's ``./x`` or ``a/b`` relative to
    that file (normalize_paths); a bare name is taken relative to the working directory."""
    if not value or not isinstance(value, str):
        return None
    return os.path.abspath(os.path.expanduser(value))


def from_flake8(options) -> Settings:
    root = _path(getattr(options, "dji_project_root", None))
    return Settings(
        lint_tests=bool(getattr(options, "dji_lint_tests", False)),
        lint_single_run=bool(getattr(options, "dji_lint_single_run", False)),
        lint_staff=bool(getattr(options, "dji_lint_staff", False)),
        lint_install_once=bool(getattr(options, "dji_lint_install_once", False)),
        model_bases=_names(getattr(options, "dji_model_bases", ())),
        managers=_names(getattr(options, "dji_managers", ())),
        fresh_functions=_names(getattr(options, "dji_fresh_functions", ())),
        project_root=root,
        cache_dir=_path(getattr(options, "dji_cache_dir", None)),
        use_cache=not getattr(options, "dji_no_cache", False),
        exclude=_patterns(getattr(options, "exclude", ())) + _patterns(getattr(options, "extend_exclude", ())),
        baseline=_path(getattr(options, "dji_baseline", None)),
        baseline_record=getattr(options, "dji_baseline_record", False) is True,
        migrations_since=_names(getattr(options, "dji_migrations_since", ())),
    )


def _patterns(value) -> tuple[str, ...]:
    """flake8's parsed exclude patterns (already split, and made absolute when they name a
    path); anything else is no pattern."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())
