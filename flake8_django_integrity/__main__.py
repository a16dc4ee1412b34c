"""``python -m flake8_django_integrity models [PATH]``: the project as the plugin sees it.

Prints each model with its unique sets, foreign keys and managers, the auth user model, and
each app's drift between its models and its migrations, so that a user can see why a finding
fired or did not.  Reads the ``dji-*`` options of the project's flake8 configuration
(``setup.cfg``, ``tox.ini``, ``.flake8``); command-line flags override them.
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys

from . import __version__, rule_docs
from .project import layout
from .project.facts import ModelFact
from .project.index import IndexOptions, ProjectIndex, get_index

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flake8_django_integrity")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    models = sub.add_parser("models", help="print each model with its unique sets and foreign keys")
    models.add_argument("path", nargs="?", default=".", help="a file or folder of the project (default: .)")
    models.add_argument("--dji-project-root", help="the project root (default: found from PATH)")
    models.add_argument("--dji-model-bases", help="extra model base classes, comma separated")
    models.add_argument("--dji-managers", help="extra manager attribute names, comma separated")
    models.add_argument("--dji-cache-dir", help="where the facts cache is kept")
    models.add_argument("--dji-no-cache", action="store_true", help="do not read or write the cache")
    models.add_argument("--all", action="store_true", help="also list Django's contrib models")
    rule_docs.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "rule":
        return rule_docs.run(args, sys.stdout)
    return print_models(args, sys.stdout)


def _config(root: str) -> dict[str, str]:
    """The ``dji-*`` keys of the ``[flake8]`` section of the root's config file."""
    for name in CONFIG_FILES:
        parser = configparser.RawConfigParser()
        try:
            parser.read(os.path.join(root, name), encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        if parser.has_section("flake8"):
            return {k: v for k, v in parser.items("flake8") if k.startswith("dji-")}
    return {}


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").replace("\n", ",").split(",") if v.strip())


def _config_path(value: str, config_dir: str) -> str:
    """A path option of a config file, resolved as flake8 resolves it for the plugin."""
    from flake8.utils import normalize_path

    return os.path.abspath(os.path.expanduser(normalize_path(value.strip(), config_dir)))


def find_root(path: str) -> str | None:
    path = os.path.abspath(path)
    probe = os.path.join(path, "__init__.py") if os.path.isdir(path) else path
    root = layout.find_project_root(probe)
    if root is None and os.path.isdir(path) and any(
        os.path.isfile(os.path.join(path, entry, "__init__.py")) for entry in os.listdir(path)
    ):
        return path  # a folder named explicitly that holds packages (an unpacked wheel)
    return root


def print_models(args, out) -> int:
    root = os.path.abspath(args.dji_project_root) if args.dji_project_root else find_root(args.path)
    if root is None:
        print(f"{args.path}: not inside a project (no manage.py, pyproject.toml, setup.cfg, "
              "setup.py, .git or package)", file=sys.stderr)
        return 2
    config = _config(root)
    if not args.dji_project_root and config.get("dji-project-root"):
        root = _config_path(config["dji-project-root"], root)
    options = IndexOptions(
        _names(args.dji_model_bases or config.get("dji-model-bases")),
        _names(args.dji_managers or config.get("dji-managers")),
    )
    no_cache = args.dji_no_cache or config.get("dji-no-cache", "").lower() in ("1", "true", "yes", "on")
    cache_dir = args.dji_cache_dir or config.get("dji-cache-dir")
    if cache_dir and not args.dji_cache_dir:
        cache_dir = _config_path(cache_dir, root)
    index = get_index(root, options, cache_dir=cache_dir, use_cache=not no_cache)
    print(f"project root: {root}", file=out)
    user = index.user_model()
    print(f"auth user model: {user.label if user else index.user_model_label}", file=out)
    shown = sorted(
        (f for f in index.models.values() if args.all or not f.builtin),
        key=lambda f: (f.app_label, f.name, f.qualname),
    )
    print(f"{len(shown)} models", file=out)
    app = None
    for fact in shown:
        if fact.app_label != app:
            app = fact.app_label
            print(f"\napp {app}", file=out)
        describe_model(index, fact, root, out)
    print_drift(index, root, out)
    return 0


def describe_model(index: ProjectIndex, fact: ModelFact, root: str, out) -> None:
    flags = [name for name, on in (("abstract", fact.abstract), ("proxy", fact.proxy),
                                   ("unmanaged", not fact.managed), ("built-in", fact.builtin)) if on]
    if not fact.complete:
        flags.append("incomplete: a base class is outside the project, fields may be missing")
    where = f"{os.path.relpath(fact.path, root)}:{fact.line}" if fact.path else "django"
    print(f"  {fact.label}  ({fact.qualname}, {where})" + (f"  [{'; '.join(flags)}]" if flags else ""), file=out)
    if fact.bases:
        print(f"    bases: {', '.join(fact.bases)}", file=out)
    for u in fact.unique_sets:
        extra = [u.source]
        if u.name:
            extra.append(f"name={u.name}")
        if u.conditional:
            extra.append("conditional: not a lookup guard")
        if u.expressions:
            extra.append("over expressions")
        fields = ", ".join(u.fields) if u.fields else "..."
        print(f"    unique ({fields})  [{'; '.join(extra)}]", file=out)
    for f in fact.fields.values():
        if not f.relation:
            continue
        target = f.to or "? (unresolved)"
        details = [f.relation]
        if f.on_delete:
            details.append(f"on_delete={f.on_delete}")
        if f.null:
            details.append("null")
        if not f.db_constraint:
            details.append("db_constraint=False")
        print(f"    {f.name} -> {target}  [{', '.join(details)}]", file=out)
    managers = {name: classes for name, classes in fact.managers.items() if classes}
    for name, classes in managers.items():
        print(f"    manager {name}: {', '.join(classes)}", file=out)


# ---------------------------------------------------------------------- migrations drift
# The migration-state component (project/migrations.py) is written on another branch.  When it
# is there, this section prints each app's drift between its models and its migrations; until
# then it says so.  Wire it here: call the component's entry point for ``index.root`` and print
# one block per app (uniquenesses / NOT NULL columns the models declare that no migration
# creates, and the reverse).
def print_drift(index: ProjectIndex, root: str, out) -> None:
    """Each app's drift between its models and its replayed migrations (DJI002/DJI004)."""
    from .project import migrations

    print("\nmigrations drift", file=out)
    try:
        for line in migrations.describe_drift(index):
            print(f"  {line}", file=out)
    except Exception as exc:  # a report, never a crash
        print(f"  (could not read the migrations: {exc.__class__.__name__}: {exc})", file=out)


if __name__ == "__main__":
    sys.exit(main())
