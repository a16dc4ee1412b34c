"""``python -m flake8_django_integrity models [PATH]``: the project as the plugin sees it.

Prints each model with its unique sets, foreign keys and managers, the auth user model, and
each app's drift between its models and its migrations, so that a user can see why a finding
fired or did not.  Reads the ``dji-*`` options of the project's flake8 configuration
(``[tool.flake8]`` of ``pyproject.toml``, ``setup.cfg``, ``tox.ini``, ``.flake8``: see
config_files.py); command-line flags override them.  ``--json`` prints the same facts as data,
``--app`` / ``--model`` filter, and the exit status is 1 when a shown app's migrations drift
from its models (0 when they agree, 2 when the command cannot run), so CI can use it.

``python -m flake8_django_integrity where FILE:LINE`` (or ``where module:function``,
``where module:Class.method``) prints which entry points reach that function, with the chain
of calls from each, and which transaction can surround it: why DJI003 / DJI007 stayed silent
in single-run or staff-only code, why DJI006 fired or not.

Each sub-command has its own ``add_parser`` / run function; ``rule`` lives in rule_docs.py,
``sarif-rules`` (our rules' descriptions in a SARIF log) in sarif_rules.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__, baseline, config_files, rule_docs, sarif_rules
from .project import layout
from .project.facts import ModelFact
from .project.index import IndexOptions, ProjectIndex, get_index

EXIT_DRIFT = 1  # an app's migrations drift from its models
EXIT_ERROR = 2  # the command could not run (no project, migrations unreadable)
EXIT_BROKEN_PIPE = 141  # the reader went away (``| head``): 128 + SIGPIPE, as a shell reports it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flake8_django_integrity")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_models_parser(sub)
    add_where_parser(sub)
    rule_docs.add_parser(sub)
    sarif_rules.add_parser(sub)
    baseline.add_parser(sub)
    args = parser.parse_args(argv)
    commands = {"models": print_models, "where": print_where, "rule": rule_docs.run,
                "sarif-rules": sarif_rules.run, "baseline": baseline.run}
    try:
        status = commands[args.command](args, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe: stop quietly.  Point stdout at devnull so that the
        # interpreter's own flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status


def add_models_parser(sub) -> None:
    models = sub.add_parser("models", help="print each model with its unique sets and foreign keys")
    models.add_argument("path", nargs="?", default=".", help="a file or folder of the project (default: .)")
    _project_options(models, "PATH")
    models.add_argument("--all", action="store_true", help="also list Django's contrib models")
    models.add_argument("--json", action="store_true", help="print the same facts as JSON")
    models.add_argument("--app", action="append", metavar="LABEL",
                        help="only this app (by label; repeat for several)")
    models.add_argument("--model", action="append", metavar="NAME",
                        help="only this model (Name or app.Name, any case; repeat for several)")


def add_where_parser(sub) -> None:
    where = sub.add_parser("where", help="which entry points reach a function, in which transaction")
    where.add_argument("target", help="path/to/file.py:LINE, module:function or module:Class.method")
    _project_options(where, "the target")


def _project_options(parser: argparse.ArgumentParser, found_from: str) -> None:
    """The options every command that reads the project shares (the plugin's, and flake8's
    excludes)."""
    parser.add_argument("--dji-project-root", help=f"the project root (default: found from {found_from})")
    parser.add_argument("--dji-model-bases", help="extra model base classes, comma separated")
    parser.add_argument("--dji-managers", help="extra manager attribute names, comma separated")
    parser.add_argument("--dji-cache-dir", help="where the facts cache is kept")
    parser.add_argument("--dji-no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument("--exclude", help="patterns of files and folders not read, comma separated "
                        f"(as flake8's; default: the config's, else {','.join(layout.DEFAULT_EXCLUDE)})")
    parser.add_argument("--extend-exclude", help="patterns excluded besides --exclude (as flake8's)")


_CONFIG_KEYS = ("exclude", "extend-exclude")


def _config(root: str) -> dict[str, str]:
    """The ``dji-*`` keys and the excludes of the project's flake8 configuration
    (config_files.py: ``[tool.flake8]`` of pyproject.toml, setup.cfg, tox.ini, .flake8)."""
    section, _ = config_files.flake8_section(root)
    return {k: v for k, v in section.items() if k.startswith("dji-") or k in _CONFIG_KEYS}


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").replace("\n", ",").split(",") if v.strip())


def _normalize(value: str, parent: str) -> str:
    """A path-like value as flake8 normalises it (``normalize_paths``): one that holds a path
    separator (or is ``.``) is made absolute against ``parent``; a bare name (``*.egg``) is a
    pattern for base names and stays as it is."""
    separators = os.sep + (os.altsep or "")
    if value == "." or any(c in value for c in separators):
        value = os.path.abspath(os.path.join(parent, value))
    return value.rstrip(separators)


def _config_path(value: str, config_dir: str) -> str:
    """A path option of a config file, resolved as flake8 resolves it for the plugin."""
    return os.path.abspath(os.path.expanduser(_normalize(value.strip(), config_dir)))


def _excludes(args, config: dict[str, str], config_dir: str) -> tuple[str, ...]:
    """flake8's exclude + extend-exclude: a flag (paths relative to the working directory)
    replaces the config file's value (relative to its folder); ``exclude`` is flake8's
    default when neither sets it."""
    def option(flag: str | None, key: str, default: tuple[str, ...]) -> list[str]:
        if flag is not None:
            return [_normalize(p, os.getcwd()) for p in _names(flag)]
        if key in config:
            return [_normalize(p, config_dir) for p in _names(config[key])]
        return list(default)

    return tuple(option(args.exclude, "exclude", layout.DEFAULT_EXCLUDE)
                 + option(args.extend_exclude, "extend-exclude", ()))


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
    root, index, (cache_dir, use_cache) = _project(args, root)
    shown = sorted(
        (f for f in index.models.values()
         if (args.all or not f.builtin) and _wanted(args, f.app_label, f.name)),
        key=lambda f: (f.app_label, f.name, f.qualname),
    )
    drift = read_drift(index, args, cache_dir, use_cache=use_cache)
    if args.json:
        json.dump(models_as_data(index, shown, drift, root), out, indent=2)
        out.write("\n")
    else:
        print(f"project root: {root}", file=out)
        user = index.user_model()
        print(f"auth user model: {user.label if user else index.user_model_label}", file=out)
        print(f"{len(shown)} models", file=out)
        app = None
        for fact in shown:
            if fact.app_label != app:
                app = fact.app_label
                print(f"\napp {app}", file=out)
            describe_model(index, fact, root, out)
        print_drift(drift, root, out)
    if drift["error"]:
        print(f"could not read the migrations: {drift['error']}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_DRIFT if any(drift["apps"].values()) else 0


def _project(args, root: str):
    """The root (a config's dji-project-root wins over the one found), the model index and
    the cache settings, from the command line over the project's flake8 configuration."""
    config = _config(root)
    config_dir = root
    if not args.dji_project_root and config.get("dji-project-root"):
        root = _config_path(config["dji-project-root"], root)
    options = IndexOptions(
        _names(args.dji_model_bases or config.get("dji-model-bases")),
        _names(args.dji_managers or config.get("dji-managers")),
        _excludes(args, config, config_dir),
    )
    no_cache = args.dji_no_cache or config.get("dji-no-cache", "").lower() in ("1", "true", "yes", "on")
    cache_dir = args.dji_cache_dir or config.get("dji-cache-dir")
    if cache_dir and not args.dji_cache_dir:
        cache_dir = _config_path(cache_dir, config_dir)
    index = get_index(root, options, cache_dir=cache_dir, use_cache=not no_cache)
    return root, index, (cache_dir, not no_cache)


def _wanted(args, app_label: str, model_name: str) -> bool:
    """Does ``--app`` / ``--model`` keep this model (or this app, when ``model_name`` is None)?"""
    if args.app and app_label.lower() not in {a.lower() for a in args.app}:
        return False
    if args.model and model_name is not None:
        names = {m.lower() for m in args.model}
        return model_name.lower() in names or f"{app_label}.{model_name}".lower() in names
    return True


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
DRIFT_REASONS = {
    "unique_missing": "uniqueness no migration creates",
    "not_null_missing": "NOT NULL field no migration adds",
    "not_null_nullable": "NOT NULL in the model, nullable in the migrations",
}


def read_drift(index: ProjectIndex, args, cache_dir: str | None, use_cache: bool) -> dict:
    """Each shown app's drift between its models and its replayed migrations (DJI002/DJI004):
    ``{"apps": {label: [finding, ...]}, "error": None or text}``; an app with migrations whose
    list is empty agrees with its models.  With ``--model``, only the apps of those models and
    their findings."""
    from .project import migrations

    try:
        state = migrations.get_migration_state(index, cache_dir, use_cache)
        found = migrations.drift(index, state)
    except Exception as exc:  # a report, never a crash
        return {"apps": {}, "error": f"{exc.__class__.__name__}: {exc}"}
    apps = [app for app in state.apps if _wanted(args, app, None)]
    if args.model:
        model_apps = {f.app_label for f in index.models.values()
                      if _wanted(args, f.app_label, f.name)}
        apps = [app for app in apps if app in model_apps]
    by_app: dict[str, list[dict]] = {app: [] for app in apps}
    for findings in found.values():
        for f in findings:
            if f.app_label in by_app and _wanted(args, f.app_label, f.model):
                by_app[f.app_label].append({
                    "code": f.code, "reason": f.reason, "model": f.model, "fields": list(f.fields),
                    "path": os.path.relpath(f.path, index.root) if index.root else f.path,
                    "line": f.line,
                })
    for items in by_app.values():
        items.sort(key=lambda d: (d["path"], d["line"]))
    return {"apps": by_app, "error": None}


def print_drift(drift: dict, root: str, out) -> None:
    print("\nmigrations drift", file=out)
    if drift["error"]:
        print(f"  (could not read the migrations: {drift['error']})", file=out)
        return
    if not drift["apps"]:
        print("  (no migrations found)", file=out)
    for app, items in drift["apps"].items():
        if not items:
            print(f"  {app}: models and migrations agree", file=out)
            continue
        print(f"  {app}:", file=out)
        for d in items:
            what = DRIFT_REASONS.get(d["reason"], d["reason"])
            print(f"    {d['code']} {d['model']}({', '.join(d['fields'])}): {what}  "
                  f"[{d['path']}:{d['line']}]", file=out)


# ---------------------------------------------------------------------- --json
def models_as_data(index: ProjectIndex, shown: list[ModelFact], drift: dict, root: str) -> dict:
    """The facts the text output prints, as plain data (``models --json``)."""
    user = index.user_model()
    return {
        "project_root": root,
        "auth_user_model": user.label if user else index.user_model_label,
        "models": [model_as_data(fact, root) for fact in shown],
        "drift": drift,
    }


def model_as_data(fact: ModelFact, root: str) -> dict:
    return {
        "label": fact.label,
        "app": fact.app_label,
        "name": fact.name,
        "qualname": fact.qualname,
        "path": os.path.relpath(fact.path, root) if fact.path else None,
        "line": fact.line if fact.path else None,
        "abstract": fact.abstract,
        "proxy": fact.proxy,
        "managed": fact.managed,
        "builtin": fact.builtin,
        "complete": fact.complete,
        "bases": list(fact.bases),
        "unique_sets": [
            {"fields": list(u.fields), "source": u.source, "name": u.name,
             "conditional": u.conditional, "expressions": u.expressions,
             "nulls_distinct": u.nulls_distinct}
            for u in fact.unique_sets
        ],
        "relations": [
            {"field": f.name, "relation": f.relation, "to": f.to, "on_delete": f.on_delete,
             "null": f.null, "db_constraint": f.db_constraint}
            for f in fact.fields.values() if f.relation
        ],
        "managers": {name: list(classes) for name, classes in fact.managers.items() if classes},
    }


# ---------------------------------------------------------------------- where code runs
def print_where(args, out) -> int:
    from .project import entrypoints as ep
    from .project.functions import get_functions
    from .project.reach import reach, short, test_support, transaction

    target = args.target
    file_part, sep, rest = target.rpartition(":")
    if not sep:
        print(f"{target}: expected FILE:LINE or module:function", file=sys.stderr)
        return 2
    is_file = file_part.endswith(".py") or os.path.isfile(file_part)
    probe = file_part if is_file else "."
    root = os.path.abspath(args.dji_project_root) if args.dji_project_root else find_root(probe)
    if root is None:
        print(f"{probe}: not inside a project", file=sys.stderr)
        return 2
    root, index, (cache_dir, use_cache) = _project(args, root)
    functions = get_functions(root, index.atomic_requests, cache_dir=cache_dir, use_cache=use_cache,
                              exclude=index.options.exclude)
    if is_file:
        try:
            line = int(rest)
        except ValueError:
            print(f"{target}: LINE must be a number", file=sys.stderr)
            return 2
        unit = functions.unit_by_line(os.path.abspath(file_part), line)
        if unit is None:
            print(f"{target}: no function of the project's production code holds that line "
                  "(test modules are not read)", file=sys.stderr)
            return 1
        qual = unit.qualname
    else:
        qual = f"{file_part}.{rest}"
        if qual not in functions.units:
            print(f"{qual}: no such function in the project", file=sys.stderr)
            return 1
        unit = functions.units[qual]
    print(f"{qual}  ({os.path.relpath(unit.path, root)}:{unit.line})", file=out)
    found = reach(functions, qual)
    print("reached from:", file=out)
    for kind, chain in sorted(found.kinds.items()):
        path = " -> ".join(short(functions, q) for q in chain)
        print(f"  {ep.DESCRIPTIONS.get(kind, kind)}: {path}", file=out)
    support = test_support(functions, unit.module)
    if support is not None:
        where = " -> ".join([os.path.relpath(support[0], root), *support[1:]])
        print(f"module: test support code, imported only from tests: {where} (its findings "
              "are test findings unless production code calls it: --dji-lint-tests reports "
              "them)", file=out)
    if found.test_only:
        print("runs: from test code only (the runtime rules stay silent here, as in test "
              "modules; --dji-lint-tests reports them)", file=out)
    elif found.staff_only:
        others = [w for k, w in ((ep.SINGLE_RUN, "single-run code"), ({ep.TEST}, "tests"))
                  if set(found.kinds) & k]
        also = "".join(f" or from {w}" for w in others)
        print(f"runs: from staff-only requests{also} (DJI003 and DJI007 stay silent here; "
              "--dji-lint-staff reports them)", file=out)
    elif found.single_run_only:
        tests = " or from tests" if ep.TEST in found.kinds else ""
        print(f"runs: single-run only{tests} (DJI003 and DJI007 stay silent here; "
              "--dji-lint-single-run reports them)", file=out)
        if ep.MIGRATION in found.kinds and set(found.kinds) <= {ep.MIGRATION, ep.TEST}:
            print("       from migrations only: migration code, where DJI001 and DJI006 stay "
                  "silent too (--dji-lint-tests reports them, as in migration files)", file=out)
    else:
        print("runs: concurrently (DJI003 and DJI007 report here)", file=out)
        _print_branch(functions, qual, line if is_file else None, out)
    print("ATOMIC_REQUESTS: " + (", ".join(index.atomic_requests) or "not set"), file=out)
    tx = transaction(functions, qual)
    if tx is None:
        print("transaction: none can surround it (autocommit; DJI006 stays silent unless an "
              "atomic() in the function itself is around the try)", file=out)
    else:
        path = " -> ".join(short(functions, q) for q in tx.chain)
        print(f"transaction: {tx.description}  (via {path})", file=out)
    return 0


def _print_branch(functions, qual: str, line: int | None, out) -> None:
    """The reach of the branch the line sits in (project/branches.py), when it tells
    something the function's reach does not: the tests on how the function was called, and
    the entry points whose callers' constants let them pass."""
    from .project import branches
    from .project import entrypoints as ep
    from .project.reach import short

    try:
        if line is None:
            found = ([], branches.function_reach(functions, qual))
        else:
            found = branches.branch_at_line(functions, qual, line)
    except Exception:  # an odd caller's source: say nothing rather than crash
        return
    if found is None:
        return
    conds, branch = found
    kinds = set(branch.kinds)
    if kinds & ep.CONCURRENT or not kinds:
        return
    tests = " and ".join(branches.describe(c) for c in conds)
    what = "the function" if line is None else f"line {line}"
    print(f"{what} runs " + (f"only when {tests}, and " if tests else "") +
          "only for the callers whose arguments (and own tests at the call site) let it; "
          "those are reached from:", file=out)
    for kind, chain in sorted(branch.kinds.items()):
        path = " -> ".join(short(functions, q) for q in chain)
        print(f"  {ep.DESCRIPTIONS.get(kind, kind)}: {path}", file=out)
    if ep.STAFF in kinds:
        print(f"runs ({what}): from staff-only requests or single-run code (DJI003 and DJI007 "
              "stay silent here; --dji-lint-staff and --dji-lint-single-run report them)",
              file=out)
    else:
        print(f"runs ({what}): single-run only (DJI003 and DJI007 stay silent here; "
              "--dji-lint-single-run reports them)", file=out)


if __name__ == "__main__":
    sys.exit(main())
