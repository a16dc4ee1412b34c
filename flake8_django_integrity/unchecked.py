"""What the plugin could not check in this run, said once per run: DJI000.

Where findings would be lost without a word (a ``dji-project-root`` that does not exist or
holds no Django project; a models, migrations, settings or ``apps.py`` file that does not
parse, whose facts are then missing; a cache directory the plugin cannot write), the plugin
reports one DJI000 finding per problem and project, on line 1 of one file of the run: the
first file, in path order, of the files flake8 lints in this run that belong to the project
(flake8's own list: its arguments expanded with its ``exclude`` and ``filename`` patterns,
the ``--stdin-display-name`` for stdin).  A finding, not a warning on stderr: editors,
pre-commit, CI logs and SARIF all show findings, and every flake8 worker (``-jN``) picks the
same file, so the answer is the same at ``-j1`` and ``-jN`` and a 2,000-file run gets one copy.
The problems are found first (project facts the run has anyway); only when there is one is
the run's file list walked, once per process, and each file asks "am I that file?".
"""

from __future__ import annotations

import os
import sys

from .context import Finding
from .messages import format_message
from .options import Settings
from .project import layout
from .project.records import FrozenRecord

_MAX_LISTED = 3  # unparsed files named in the message; the rest are counted


class RunFiles(FrozenRecord):
    """What flake8 was asked to lint (its options), to find the files of the run again."""

    paths: tuple[str, ...] = ()
    stdin_display_name: str = "stdin"
    filename_patterns: tuple[str, ...] = ("*.py",)
    exclude: tuple[str, ...] = ()
    known: bool = False  # False: the options were never parsed (the plugin used as a library)

    def __init__(self, paths: tuple[str, ...] = (), stdin_display_name: str = "stdin",
                 filename_patterns: tuple[str, ...] = ("*.py",), exclude: tuple[str, ...] = (),
                 known: bool = False):
        setattr_ = object.__setattr__
        setattr_(self, "paths", paths)
        setattr_(self, "stdin_display_name", stdin_display_name)
        setattr_(self, "filename_patterns", filename_patterns)
        setattr_(self, "exclude", exclude)
        setattr_(self, "known", known)

    @classmethod
    def from_options(cls, options) -> "RunFiles":
        def strings(value) -> tuple[str, ...]:
            if isinstance(value, str):
                value = value.split(",")
            if not isinstance(value, (list, tuple)):
                return ()
            return tuple(v for v in value if isinstance(v, str) and v)

        display = getattr(options, "stdin_display_name", "stdin")
        return cls(
            paths=strings(getattr(options, "filenames", ())),
            stdin_display_name=display if isinstance(display, str) and display else "stdin",
            filename_patterns=strings(getattr(options, "filename", ("*.py",))) or ("*.py",),
            exclude=strings(getattr(options, "exclude", ())) + strings(getattr(options, "extend_exclude", ())),
            known=True,
        )

    def files(self) -> list[str]:
        """The run's files as flake8 names them to plugins, as absolute paths, in path order:
        flake8's own ``expand_paths`` (loaded by flake8 before any plugin; the plugin imports
        nothing outside the standard library, tests/test_security.py)."""
        expand_paths = sys.modules["flake8.discover_files"].expand_paths
        found = expand_paths(paths=list(self.paths), stdin_display_name=self.stdin_display_name,
                             filename_patterns=list(self.filename_patterns), exclude=list(self.exclude))
        return sorted({_absolute(self.stdin_display_name if f == "-" else f) for f in found})


def _absolute(filename: str) -> str:
    return os.path.abspath(filename) if filename not in ("-", "stdin") else filename


# per process: the run's files (expanded once), and each project's anchor file
_RUN: dict = {}


def _run_files(run: RunFiles) -> list[str]:
    if _RUN.get("run") != run:
        _RUN.clear()
        _RUN["run"] = run
        try:
            _RUN["files"] = run.files()
        except Exception:  # a flake8 without discover_files: every file may be the one
            _RUN["files"] = None
    return _RUN["files"]


def _root_of(filename: str, settings: Settings) -> str | None:
    if settings.project_root:
        return settings.project_root
    if filename in ("-", "stdin"):
        return None
    return layout.find_project_root(filename)


def is_anchor(filename: str, settings: Settings, run: RunFiles, schema: bool = False) -> bool:
    """Is ``filename`` the file of the run that carries its project's DJI000 findings?  The
    first of the run's files of the same project root that parses (flake8 runs no plugin on
    a file that does not: its E999 would then be the only word).  With ``schema``, the first
    models or migrations file: the problems of the migrations cost findings only in those
    files (DJI002, DJI004), and only there is the migration state read anyway.  When the
    run's files cannot be listed (options never parsed, a flake8 without discover_files),
    every such file is its own anchor: too many words, never none."""
    root = _root_of(filename, settings)
    if schema and not _schema_file(filename, root):
        return False
    files = _run_files(run) if run.known else None
    if not files:
        return True
    me = _absolute(filename)
    key = ("anchor", root, schema)
    if key not in _RUN:
        _RUN[key] = None
        for f in files:
            if _root_of(f, settings) == root and (not schema or _schema_file(f, root)) \
                    and (f == me or _parses(f)):
                _RUN[key] = f
                break
    anchor = _RUN[key]
    return anchor is None or anchor == me


def may_be_schema_anchor(filename: str, settings: Settings) -> bool:
    """Can ``filename`` carry the DJI000 of unparsed migrations?  Only a models or
    migrations file can (``is_anchor(..., schema=True)``); asked first, so that other files
    never read the migration state for it."""
    return _schema_file(filename, _root_of(filename, settings))


def _schema_file(filename: str, root: str | None) -> bool:
    if root is None or filename in ("-", "stdin"):
        return False
    rel = os.path.relpath(_absolute(filename), root)
    return layout.is_models_path(rel) or layout.is_migration_path(rel)


def _parses(path: str) -> bool:
    from .project.files import read_source
    from .project.index import parse_source

    source = read_source(path)
    return source is not None and parse_source(source, path) is not None


def problems(ctx) -> list[Finding]:
    """The DJI000 findings of the linted file's project (asked of the anchor file only):
    its root, its models, settings and apps.py files, its cache directory."""
    settings = ctx.settings
    out = []
    configured = settings.project_root
    if configured and not os.path.isdir(configured):
        return [_finding(
            f"dji-project-root is not a directory: {_printable(configured)}; no project facts, "
            f"most findings are lost; set it to the folder that holds manage.py")]
    root = ctx.root
    if root is None:
        return out  # a file in no project: nothing project-wide to lose
    index = ctx.index
    if configured and not _holds_django(index, root):
        out.append(_finding(
            f"dji-project-root holds no Django project: {_printable(configured)} has no "
            f"manage.py, models, migrations or settings; most findings are lost; set it to the "
            f"folder that holds manage.py"))
    unparsed = [p for p in index.unparsed if p != ctx.filename]  # this file's text parsed: flake8 ran us
    if unparsed:
        out.append(_finding(_unparsed_problem(sorted(unparsed), root)))
    if settings.use_cache:
        problem = _cache_problem(settings)
        if problem:
            out.append(_finding(problem))
    return out


def schema_problems(ctx) -> list[Finding]:
    """The DJI000 finding for migration files that do not parse (asked of the first models
    or migrations file of the run only)."""
    if ctx.root is None or (ctx.settings.project_root and not os.path.isdir(ctx.settings.project_root)):
        return []
    from .project import migrations

    index = ctx.index
    if not migrations.migration_paths(index):
        return []
    state = migrations.get_migration_state(index, ctx.settings.cache_dir, ctx.settings.use_cache)
    unparsed = [p for p in state.unparsed if p != ctx.filename]
    return [_finding(_unparsed_problem(sorted(unparsed), ctx.root))] if unparsed else []


def _finding(problem: str) -> Finding:
    return Finding(1, 0, "DJI000", format_message("DJI000", problem=problem))


def _holds_django(index, root: str) -> bool:
    if os.path.isfile(os.path.join(root, "manage.py")):
        return True
    if any(not m.builtin for m in index.models.values()) or index.unparsed:
        return True
    from .project import migrations

    return bool(migrations.migration_paths(index))


def _unparsed_problem(paths: list[str], root: str) -> str:
    shown = [_printable(os.path.relpath(p, root)) for p in paths[:_MAX_LISTED]]
    more = f" and {len(paths) - _MAX_LISTED} more" if len(paths) > _MAX_LISTED else ""
    return (f"project files do not parse: {', '.join(shown)}{more}; their models, migrations "
            f"or settings are missing from the project facts, and the findings that depend on "
            f"them are lost; fix the syntax error (flake8 reports it as E999)")


def _cache_problem(settings: Settings) -> str | None:
    from .project import cache

    directory = settings.cache_dir or cache.default_dir()
    if not directory:
        return None
    existing = directory
    while not os.path.exists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if os.path.isdir(existing) and os.access(existing, os.W_OK | os.X_OK):
        return None
    return (f"cache directory not writable: {_printable(directory)}; the project facts are "
            f"rebuilt by every run (slower, same findings); make it writable, set dji-cache-dir, "
            f"or pass --dji-no-cache")


def _printable(text: str) -> str:
    """A path as a message may print it: no control or format character can reach the
    output and forge a line (a folder named with a newline)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
