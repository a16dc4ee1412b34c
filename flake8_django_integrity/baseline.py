"""Adopting the plugin on a project with history: the baseline and ``dji-migrations-since``.

**The baseline** (``.dji-baseline.json``, written by ``python -m flake8_django_integrity
baseline``) lists the findings a team has accepted; the plugin then reports only the others.
An entry is keyed on what a finding is about, never on its line, so that an edit elsewhere
in the file keeps it: the code, the file (relative to the baseline's folder, ``/``
separated), the subject (the model and field or unique set, where the finding has one) and
the flagged statement's text with comments, line breaks, spacing, quote style and trailing
commas normalised away.  Two identical statements in one file are one entry with a count.
The file is written sorted, one entry a line, so that its diff in a review shows exactly
which findings were accepted or fixed.

Which baseline applies to a linted file: the ``dji-baseline`` option (a path; in a config
file relative to that file) or else the nearest ``.dji-baseline.json`` found from the file's
folder upward, up to the top of its git repository (the folder holding ``.git``) or, outside
one, up to the project root.

**``dji-migrations-since``** (``shop:0042_order_uuid, library:0007_x``): per app, the last
migration already applied in production.  That migration and every migration it depends on
ran on the production database long ago: their DJI002 / DJI004 findings (a unique constraint
or a NOT NULL column added to a table with rows) have already failed or succeeded, and are
not reported.  The dependency graph is the migration state's (project/migrations.py).

Both are untrusted input (a pull request can edit them): the file is read through the
bounded reader (project/files.py), its JSON checked type by type; option values are checked
for shape and count.  A problem is reported, never ignored: the findings it would have
filtered stay reported, and each file that has one gets a ``DJI000`` finding on line 1 that
says what is wrong (so the run fails and says why).

``filter_findings`` is the plugin's one filter point (checker.py).  With the hidden
``--dji-baseline-record`` option (set only by the ``baseline`` command's own flake8 run) it
filters nothing and appends each finding's entry to its message instead, so that the
command records exactly what flake8 reports after ``noqa``, ``per-file-ignores`` and
``select`` / ``ignore``.
"""

from __future__ import annotations

import ast
import functools
import io
import json
import os
import re
import sys
import tokenize

from . import import_stdlib
from .context import Finding
from .project import layout
from .project.files import read_regular
from .project.records import replace
from .project.stored import Malformed, checked, require

DEFAULT_NAME = ".dji-baseline.json"
FORMAT_VERSION = 1
# A baseline of 16 MiB holds some 80,000 entries: far above any project's findings.
MAX_BASELINE_BYTES = 16 * 1024 * 1024
MAX_FILE_CHARS = 1024
MAX_SUBJECT_CHARS = 512
# A statement longer than this is kept as its start and a hash of the whole text.
MAX_STATEMENT_CHARS = 300
MAX_COUNT = 1_000_000
MAX_SINCE_ENTRIES = 1000
MIGRATION_CODES = frozenset({"DJI002", "DJI004", "DJI005"})
# What the plugin's record mode appends to a message (then the entry as JSON).
RECORD_MARKER = " \x1f dji-baseline-entry "
_CODE = re.compile(r"DJI\d{3}")
_MIGRATION_NAME = re.compile(r"[A-Za-z0-9_]{1,200}")
_ENTRY_KEYS = frozenset({"code", "file", "subject", "statement", "count"})
_HEADER = ("findings accepted when the plugin was adopted: flake8-django-integrity reports only "
           "findings not listed here; rewrite with `python -m flake8_django_integrity baseline`")


# ====================================================================== statements
def statement_text(tree: ast.AST, source: str | None, line: int, col: int, lines=None) -> str:
    """The normalised text of what a finding at (``line``, ``col``) flags: the outermost node
    that starts there (the whole call, field declaration or migration operation; for a
    compound statement or an ``except`` clause, its header up to the body), as tokens without
    comments and line breaks, spaced only between words, strings in one quote style, no
    trailing comma.  The physical line when no node starts there.  ``lines`` (the source's,
    with their ends) saves splitting it again for each finding of a file."""
    if lines is None:
        lines = (source or "").splitlines(keepends=True)
    node = node_at(tree, line, col)
    if node is not None:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = (body[0].lineno, body[0].col_offset)
        else:
            end = (getattr(node, "end_lineno", None) or line, getattr(node, "end_col_offset", None))
        text = _segment(lines, (line, col), end)
    else:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
    return _bounded(_normalise(text))


def node_at(tree: ast.AST, line: int, col: int):
    """The outermost node starting at (``line``, ``col``): down from the module through the
    nodes whose span holds that position (a few per level), not a walk of the whole tree."""
    where = (line, col)
    node = tree
    while True:
        for child in _positioned_children(node):
            start = (child.lineno, child.col_offset)
            if start == where:
                return child
            end = (getattr(child, "end_lineno", None) or start[0],
                   getattr(child, "end_col_offset", None) or 0)
            first = start  # a decorated definition starts at ``def``, its decorators above
            for decorator in getattr(child, "decorator_list", ()):
                first = min(first, (decorator.lineno, decorator.col_offset))
            if first <= where < end:
                node = child
                break
        else:
            return None


def _positioned_children(node: ast.AST):
    """The children of ``node`` that have a position, looking through those that have none
    (``arguments``, a comprehension, a ``with`` item, an operator)."""
    todo = list(ast.iter_child_nodes(node))
    todo.reverse()
    while todo:
        child = todo.pop()
        if getattr(child, "lineno", None) is None:
            grand = list(ast.iter_child_nodes(child))
            grand.reverse()
            todo.extend(grand)
        else:
            yield child


def _segment(lines: list[str], start: tuple[int, int], end: tuple[int, int | None]) -> str:
    """The source between two (line, byte column) positions (ast columns count UTF-8 bytes)."""
    (first, first_col), (last, last_col) = start, end
    if not 0 < first <= last <= len(lines):
        return lines[first - 1] if 0 < first <= len(lines) else ""
    chunk = [lines[i].encode("utf-8") for i in range(first - 1, last)]
    if last_col is not None:
        chunk[-1] = chunk[-1][:last_col]
    chunk[0] = chunk[0][first_col:]  # after the end's cut: on one line both apply
    return b"".join(chunk).decode("utf-8", "replace")


_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}


# Python 3.12+ splits an f-string (3.14+ a t-string) into tokens; 3.10 and 3.11 give one
# STRING token.  Joined back into one, the text is the same on every version.
_STRING_STARTS = {getattr(tokenize, name) for name in ("FSTRING_START", "TSTRING_START")
                  if hasattr(tokenize, name)}
_STRING_ENDS = {getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END")
                if hasattr(tokenize, name)}


def _tokens(text: str) -> list[tuple[int, str]]:
    """(type, text) of each token that counts, an f-string as one STRING token."""
    lines = text.splitlines(keepends=True)
    out: list[tuple[int, str]] = []
    depth, start = 0, (0, 0)
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in _STRING_STARTS:
            if depth == 0:
                start = tok.start
            depth += 1
        elif tok.type in _STRING_ENDS:
            depth -= 1
            if depth == 0:
                out.append((tokenize.STRING, _between(lines, start, tok.end)))
        elif depth == 0 and tok.type not in _SKIPPED:
            out.append((tok.type, tok.string))
    return out


def _between(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    (first, first_col), (last, last_col) = start, end
    if first == last:
        return lines[first - 1][first_col:last_col]
    middle = "".join(lines[first:last - 1])
    return lines[first - 1][first_col:] + middle + lines[last - 1][:last_col]


def _normalise(text: str) -> str:
    try:
        tokens = _tokens(text)
    except (tokenize.TokenError, SyntaxError, ValueError):  # a header cut at its colon is fine
        return " ".join(text.split())
    out: list[str] = []
    for i, (kind, value) in enumerate(tokens):
        if kind == tokenize.STRING:
            value = _string(value)
        elif value == "," and i + 1 < len(tokens) and tokens[i + 1][1] in (")", "]", "}"):
            continue  # a trailing comma: what a formatter adds when it splits a call
        if out and _wordy(out[-1][-1:]) and _wordy(value[:1]):
            out.append(" ")
        out.append(value)
    return "".join(out)


def _wordy(char: str) -> bool:
    return char.isalnum() or char in "_'\""


def _string(token: str) -> str:
    """A plain string literal in one quote style; an f-string or bytes as written."""
    prefix = token[: len(token) - len(token.lstrip("rRbBuUfF"))].lower()
    if "f" in prefix or "b" in prefix:
        return token
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return token
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else token


def _bounded(text: str) -> str:
    """Printable (a control character shown as an escape) and at most MAX_STATEMENT_CHARS."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    if len(text) <= MAX_STATEMENT_CHARS:
        return text
    digest = import_stdlib("hashlib").sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{text[:MAX_STATEMENT_CHARS - 40]}... sha256:{digest}"


def entry_key(finding: Finding, file: str, tree: ast.AST, source: str | None,
              lines=None) -> tuple[str, str, str, str]:
    return (finding.code, file, _bounded(finding.subject),
            statement_text(tree, source, finding.line, finding.col, lines))


# ====================================================================== the file
class Baseline:
    """A baseline read and checked: its folder and how many times each key is accepted."""

    def __init__(self, path: str, counts: dict[tuple, int]):
        self.path = path
        self.folder = os.path.dirname(path)
        self.counts = counts
        self.files = {key[1] for key in counts}


class Problem:
    """A baseline or option that could not be used, and why (reported as DJI000)."""

    def __init__(self, text: str):
        self.text = text


def load(path: str) -> Baseline | Problem:
    """The baseline at ``path``, checked (read once per process while the file is unchanged)."""
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    except (OSError, ValueError):
        stamp = None
    return _load(path, stamp)


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp) -> Baseline | Problem:
    name = _shown(path)
    if stamp is None:
        return Problem(f"baseline {name} not found")
    data = read_regular(path, MAX_BASELINE_BYTES)
    if data is None:
        return Problem(f"baseline {name} is not a regular file of at most "
                       f"{MAX_BASELINE_BYTES // (1024 * 1024)} MiB")
    try:
        counts = parse(data)
    except Malformed as exc:
        return Problem(f"baseline {name} is malformed ({exc})")
    return Baseline(os.path.abspath(path), counts)


def parse(data: bytes) -> dict[tuple[str, str, str, str], int]:
    """The entries of a baseline file's bytes; Malformed (with the reason) when they are not
    a baseline this module could have written."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Malformed(f"not JSON: {str(exc)[:80]}") from None
    checked(document, dict)
    require(document.get("version") == FORMAT_VERSION and type(document.get("version")) is int,
            f"version is not {FORMAT_VERSION}")
    require(set(document) <= {"version", "comment", "findings"}, "unknown top-level keys")
    counts: dict[tuple[str, str, str, str], int] = {}
    for number, entry in enumerate(checked(document.get("findings"), list, dict), 1):
        try:
            _check_entry(entry)
        except Malformed as exc:
            raise Malformed(f"entry {number}: {exc}") from None
        key = (entry["code"], entry["file"], entry["subject"], entry["statement"])
        require(key not in counts, f"entry {number}: listed twice")
        counts[key] = entry["count"]
    return counts


def _check_entry(entry: dict) -> None:
    require(entry.keys() == _ENTRY_KEYS, "keys are not " + ", ".join(sorted(_ENTRY_KEYS)))
    code, file, subject = entry["code"], entry["file"], entry["subject"]
    statement, count = entry["statement"], entry["count"]
    require(type(code) is str and _CODE.fullmatch(code) is not None, "code is no DJInnn")
    require(type(file) is str and 0 < len(file) <= MAX_FILE_CHARS and not file.startswith("/")
            and ":" not in file[:2] and "\\" not in file and file.isprintable(),
            "file is not a relative path")
    require(type(subject) is str and len(subject) <= MAX_SUBJECT_CHARS and subject.isprintable(),
            "subject is not a short text")
    require(type(statement) is str and len(statement) <= MAX_STATEMENT_CHARS
            and statement.isprintable(),
            "statement is not a short text")
    require(type(count) is int and 0 < count <= MAX_COUNT, "count is not a positive integer")


def dumps(counts: dict[tuple[str, str, str, str], int]) -> str:
    """A baseline's text: sorted, one entry a line (a review's diff shows each change)."""
    lines = [json.dumps({"code": code, "file": file, "subject": subject, "statement": statement,
                         "count": count}, ensure_ascii=False)
             for (code, file, subject, statement), count in sorted(counts.items(), key=_order)]
    body = ",\n    ".join(lines)
    findings = f"[\n    {body}\n  ]" if lines else "[]"
    return (f'{{\n  "comment": {json.dumps(_HEADER)},\n  "version": {FORMAT_VERSION},\n'
            f'  "findings": {findings}\n}}\n')


def _order(item):
    (code, file, subject, statement), _ = item
    return (file, code, subject, statement)


def _shown(path: str) -> str:
    """A path for a message: relative to the working directory when it is below it."""
    rel = os.path.relpath(path) if os.path.isabs(path) else path
    return path if rel.startswith(os.pardir) else rel


# ====================================================================== which baseline
def baseline_path(filename: str, settings) -> str | None:
    """The baseline that applies to a linted file (see the module's docstring)."""
    if settings.baseline:
        return settings.baseline
    if filename in ("-", "stdin"):
        return None
    directory = os.path.dirname(os.path.abspath(filename))
    root = settings.project_root or layout.find_project_root(filename)
    return _nearest(directory, root)


@functools.lru_cache(maxsize=1024)
def _nearest(directory: str, root: str | None) -> str | None:
    top = _repository_top(directory) or root
    current = directory
    while True:
        candidate = os.path.join(current, DEFAULT_NAME)
        if os.path.lexists(candidate):  # whatever it is: a file that cannot be read is reported
            return candidate
        parent = os.path.dirname(current)
        if current == top or parent == current:
            return None
        current = parent


@functools.lru_cache(maxsize=1024)
def _repository_top(directory: str) -> str | None:
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def relative_file(filename: str, folder: str) -> str | None:
    """A linted file's name in a baseline kept in ``folder`` (``../`` when the baseline is kept
    below the project's top, e.g. ``ci/known.json``)."""
    if filename in ("-", "stdin"):
        return None
    try:
        rel = os.path.relpath(os.path.abspath(filename), folder)
    except ValueError:  # another drive
        return None
    return rel.replace(os.sep, "/")


# ====================================================================== migrations-since
def parse_since(entries) -> tuple[dict[str, str], list[str]]:
    """``dji-migrations-since`` as app label -> migration name, and what is wrong with it."""
    since: dict[str, str] = {}
    problems: list[str] = []
    if len(entries) > MAX_SINCE_ENTRIES:
        return {}, [f"more than {MAX_SINCE_ENTRIES} entries"]
    for entry in entries:
        app, sep, name = entry.partition(":")
        app, name = app.strip(), name.strip()
        if not sep or not app.isidentifier() or not _MIGRATION_NAME.fullmatch(name):
            problems.append(f"{entry[:80]!r} is not app_label:migration_name")
        elif app in since and since[app] != name:
            problems.append(f"app {app} is named twice")
        else:
            since[app] = name
    return since, problems


def _since_filter(findings, filename: str, settings, get_index):
    """Drop the migration findings of a migration already applied in production; the
    option's problems as text (reported in this file when it has a migration finding)."""
    if not settings.migrations_since or not any(f.code in MIGRATION_CODES for f in findings):
        return findings, []
    from .project import migrations

    since, problems = parse_since(settings.migrations_since)
    index = get_index(filename, settings)
    if index is None:
        return findings, problems
    applied, unknown = migrations.applied_before(index, since)
    problems += [f"{app}:{name} is no migration of the project" for app, name in unknown]
    path = os.path.abspath(filename) if filename not in ("-", "stdin") else filename
    if path in applied:
        findings = [f for f in findings if f.code not in MIGRATION_CODES]
    if problems:
        problems = [f"dji-migrations-since: {'; '.join(problems)} (the migrations it would leave "
                    "out are judged)"]
    return findings, problems


def _index(filename: str, settings):
    """The project's model index, as the linted file's FileContext got it (one per process)."""
    from .project.index import IndexOptions, get_index

    if settings.project_root:
        root = settings.project_root
    else:
        root = None if filename in ("-", "stdin") else layout.find_project_root(filename)
    if root is None:
        return None
    options = IndexOptions(settings.model_bases, settings.managers, settings.exclude)
    return get_index(root, options, cache_dir=settings.cache_dir, use_cache=settings.use_cache)


# ====================================================================== the filter point
def filter_findings(findings: list[Finding], tree: ast.AST, filename: str, source: str | None,
                    settings) -> list[Finding]:
    """The findings of one file that are reported: those of migrations applied before
    ``dji-migrations-since`` dropped, then those the baseline accepts (at most as many of
    each key as it counts, the first in line order).  Never raises: a failure here reports
    every finding and a DJI000 that says so."""
    if not findings:
        return findings
    try:
        return _filter(findings, tree, filename, source, settings)
    except Exception as exc:  # a bug here must not hide findings, nor abort flake8
        return [*findings, _problem(f"baseline filter failed ({exc.__class__.__name__}); "
                                    "nothing is filtered")]


def _filter(findings, tree, filename, source, settings):
    problems: list[str] = []
    if settings.migrations_since:
        findings, problems = _since_filter(findings, filename, settings, _index)
    if settings.baseline_record:
        recorded = _recorded(findings, tree, filename, source, settings)
        return recorded + [_problem(p) for p in problems]
    path = baseline_path(filename, settings)
    if path is not None and findings:
        baseline = load(path)
        if isinstance(baseline, Problem):
            problems.append(f"{baseline.text}: nothing is filtered; fix it or rewrite it with "
                            "`python -m flake8_django_integrity baseline`")
        else:
            findings = _not_in(baseline, findings, tree, filename, source)
    if problems and findings:
        findings = [_problem("; ".join(problems)), *findings]
    return findings


def _not_in(baseline: Baseline, findings, tree, filename, source):
    file = relative_file(filename, baseline.folder)
    if file is None or file not in baseline.files:
        return findings
    left = dict(baseline.counts)
    kept = []
    lines = (source or "").splitlines(keepends=True)
    for f in sorted(findings, key=lambda f: (f.line, f.col, f.code)):
        key = entry_key(f, file, tree, source, lines)
        if left.get(key, 0) > 0:
            left[key] -= 1
        else:
            kept.append(f)
    return kept


def _recorded(findings, tree, filename, source, settings):
    """Record mode: every finding with its baseline entry appended to its message."""
    path = settings.baseline or os.path.join(os.getcwd(), DEFAULT_NAME)
    file = relative_file(filename, os.path.dirname(os.path.abspath(path)))
    if file is None:
        return findings
    out = []
    lines = (source or "").splitlines(keepends=True)
    for f in findings:
        code, file_, subject, statement = entry_key(f, file, tree, source, lines)
        entry = json.dumps({"code": code, "file": file_, "subject": subject,
                            "statement": statement}, ensure_ascii=True)
        out.append(replace(f, message=f.message + RECORD_MARKER + entry))
    return out


def _problem(text: str) -> Finding:
    return Finding(1, 0, "DJI000", f"DJI000 {text}")


# ====================================================================== the command
def add_parser(sub) -> None:
    parser = sub.add_parser(
        "baseline", help="record today's findings in the baseline file; the plugin then "
        "reports only new ones")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="what flake8 lints (default: the project root)")
    parser.add_argument("--dji-baseline", metavar="FILE",
                        help="the baseline file to write (default: the config's dji-baseline, "
                        f"else {DEFAULT_NAME} in the project root)")
    parser.add_argument("--dji-project-root", help="the project root (default: found from .)")
    parser.add_argument("--flake8-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for the flake8 run (repeat for several)")


def run(args, out) -> int:
    """Run flake8 in record mode over the project and write the baseline: its entries for the
    files linted are replaced by today's findings (a gone finding drops its entry), entries
    of other files are kept.  Exit 0, or 2 when flake8 could not run."""
    import subprocess
    import tempfile

    from . import config_files
    from .__main__ import _config_path, find_root

    root = os.path.abspath(args.dji_project_root) if args.dji_project_root else find_root(".")
    root = root or os.getcwd()
    section, config_file = config_files.flake8_section(os.getcwd())
    if not section and root != os.getcwd():
        section, config_file = config_files.flake8_section(root)
    config_dir = os.path.dirname(config_file) if config_file else root
    if not args.dji_project_root and section.get("dji-project-root"):
        root = _config_path(section["dji-project-root"], config_dir)
    if args.dji_baseline:
        target = os.path.abspath(args.dji_baseline)
    elif section.get("dji-baseline"):
        target = _config_path(section["dji-baseline"], config_dir)
    else:
        target = os.path.join(root, DEFAULT_NAME)
    folder = os.path.dirname(target)
    paths = [os.path.abspath(p) for p in args.paths] or [root]
    with tempfile.TemporaryDirectory() as scratch:
        output = os.path.join(scratch, "findings.txt")  # not stdout: a config may name a file
        command = [sys.executable, "-m", "flake8", "--select=DJI", "--dji-baseline-record",
                   f"--dji-baseline={target}", "--no-show-source", "--exit-zero",
                   "--format=%(code)s %(text)s", f"--output-file={output}",
                   *args.flake8_arg, *paths]
        result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                                errors="replace", check=False)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            print(f"flake8 failed (exit {result.returncode}): the baseline is not written",
                  file=sys.stderr)
            return 2
        try:
            with open(output, encoding="utf-8", errors="replace") as handle:
                reported = handle.read().splitlines()
        except FileNotFoundError:  # flake8 writes the file only when it reports something
            reported = []
    found: dict[tuple[str, str, str, str], int] = {}
    for line in reported:
        text, marker, entry = line.partition(RECORD_MARKER)
        if not marker:
            if line.startswith("DJI"):
                print(f"not recorded: {line}", file=sys.stderr)  # DJI000: the plugin's own problems
            continue
        data = json.loads(entry)
        try:
            _check_entry({**data, "count": 1})
        except Malformed as exc:  # a file name no baseline can hold: reported, not recorded
            print(f"not recorded ({exc}): {text}", file=sys.stderr)
            continue
        key = (data["code"], data["file"], data["subject"], data["statement"])
        found[key] = found.get(key, 0) + 1
    linted = [relative_file(p, folder) for p in paths]
    old = _previous(target)
    kept = {key: n for key, n in old.items() if not any(_under(key[1], p) for p in linted)}
    merged = {**kept, **found}
    os.makedirs(folder, exist_ok=True)
    partial = f"{target}.{os.getpid()}.tmp"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(dumps(merged))
    os.replace(partial, target)  # a reader never sees half a file
    added = sum(max(0, n - old.get(key, 0)) for key, n in merged.items())
    dropped = sum(max(0, n - merged.get(key, 0)) for key, n in old.items())
    print(f"{_shown(target)}: {sum(merged.values())} findings recorded "
          f"({len(merged)} entries; {added} new, {dropped} gone)", file=out)
    return 0


def _under(file: str, linted: str | None) -> bool:
    if linted is None:
        return False
    return linted == "." or file == linted or file.startswith(linted.rstrip("/") + "/")


def _previous(target: str) -> dict:
    if not os.path.exists(target):
        return {}
    data = read_regular(target, MAX_BASELINE_BYTES)
    try:
        if data is None:
            raise Malformed("not a regular file within the size cap")
        return parse(data)
    except Malformed as exc:
        print(f"{_shown(target)}: the old baseline is malformed ({exc}); it is replaced",
              file=sys.stderr)
        return {}
