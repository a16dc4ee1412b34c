"""Run the real flake8 (plugin loaded through its entry point) and read fixture expectations.

A fixture project is a folder under tests/fixtures/ with a ``manage.py`` (its root marker) and
a ``setup.cfg`` whose ``[flake8]`` section selects DJI (and sets any option the case needs).
Every line that must be reported ends with an expectation comment::

    Tag.objects.create(name=name)  # expect: DJI003
    obj.save()  # expect: DJI001, DJI005

A line without one must not be reported.

``run_flake8`` starts flake8 as a new process (forked from a warm interpreter:
tests/forked_python.py), and shares the result of a run between the tests that make the same
one: same working directory inside a fixture project (tests/fixtures/*, tests/projects/*),
same arguments, stdin and environment, with that project's files and the plugin's cache
entries for it as they were.  A run that reads or writes anything else, or whose inputs
changed (a cold cache that the first run filled, an edited file), runs again.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import forked_python

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
# Folders whose projects are never edited by a test (a test edits a copy under tmp_path):
# runs inside one of their projects may be shared (see run_flake8).
SHARED_TREES = [FIXTURES, HERE / "projects"]
EXPECT = re.compile(r"#\s*expect:\s*(DJI\d{3}(?:\s*,\s*DJI\d{3})*)")
FORMAT = "%(path)s\t%(row)d\t%(code)s"


def fixture_projects() -> list[str]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "manage.py").exists())


def expected(project: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(project.rglob("*.py")):
        rel = path.relative_to(project).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    found.add((rel, lineno, code.strip()))
    return found


def run_flake8(cwd: Path, *args: str, stdin: str | None = None, env=None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.setdefault("FLAKE8_DJI_TESTING", "1")
    if env:
        full_env.update(env)
    command = ["-m", "flake8", f"--format={FORMAT}", *args]
    key = _shared_run_key(Path(cwd), command, stdin, full_env)
    if key is None or key not in _RUNS:
        result = forked_python.run(command, cwd=cwd, input=stdin, env=full_env, timeout=600)
        if key is None:
            return result
        _RUNS[key] = result
    run = _RUNS[key]
    return subprocess.CompletedProcess(run.args, run.returncode, run.stdout, run.stderr)


# (cwd, command, stdin, environment, project state, cache state) -> the finished run
_RUNS: dict[tuple, subprocess.CompletedProcess] = {}
# The variables pytest changes from test to test; flake8 and the plugin never read them.
_PER_TEST_VARIABLES = ("PYTEST_CURRENT_TEST", "PYTEST_XDIST_TESTRUNUID")


def _shared_run_key(cwd: Path, command: list[str], stdin, env) -> tuple | None:
    """What a run's result depends on, or None when it may depend on more (then it is not
    shared): the run stays inside one project of SHARED_TREES, so its inputs are that
    project's files, the arguments, stdin, the environment and the plugin's cache."""
    cwd = cwd.resolve()
    project = next((t / cwd.relative_to(t).parts[0] for t in map(Path.resolve, SHARED_TREES)
                    if cwd != t and cwd.is_relative_to(t)), None)
    if project is None:
        return None
    for arg in command[2:]:
        value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        if arg.startswith("--dji-cache-dir"):
            continue  # its content is part of the key
        if value.startswith("-") or not (os.sep in value or (cwd / value).exists()):
            continue
        if not (cwd / value).resolve().is_relative_to(project):
            return None  # a file or folder elsewhere: not watched here
    if any("dji-cache-dir" in config.read_text(errors="replace") for config in project.rglob("*")
           if config.name in ("setup.cfg", "tox.ini", ".flake8")):
        return None  # a cache folder set in the project's configuration: not watched here
    caches = [] if "--dji-no-cache" in command else _cache_dirs(cwd, command, env)
    return (
        str(cwd), tuple(command), stdin,
        tuple(sorted((k, v) for k, v in env.items() if k not in _PER_TEST_VARIABLES)),
        _tree_state(project),
        tuple((str(d), _cache_state(d, project)) for d in caches),
    )


def _tree_state(root: Path) -> tuple:
    state = []
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files) + dirs:
            st = os.stat(os.path.join(directory, name))
            state.append((os.path.join(directory, name), st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(state)


def _cache_dirs(cwd: Path, command: list[str], env) -> list[Path]:
    dirs = [Path(cwd, a.split("=", 1)[1]) for a in command if a.startswith("--dji-cache-dir=")]
    base = env.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        dirs.append(Path(base, "flake8-django-integrity"))
    elif env.get("HOME"):
        dirs.append(Path(env["HOME"], ".cache", "flake8-django-integrity"))
    return dirs


_MENTIONS: dict[tuple, frozenset] = {}  # (cache file, mtime, size, inode) -> projects it names


def _cache_state(directory: Path, project: Path) -> tuple:
    """The cache files that may concern ``project``, by (name, mtime, size, inode): all but
    those that name another shared project and not this one."""
    roots = [p for t in SHARED_TREES if t.is_dir() for p in t.resolve().iterdir() if p.is_dir()]
    state = []
    for directory_, _, files in os.walk(directory):
        for name in sorted(files):
            path = os.path.join(directory_, name)
            try:
                st = os.stat(path)
                ident = (path, st.st_mtime_ns, st.st_size, st.st_ino)
                if ident not in _MENTIONS:
                    with open(path, "rb") as fh:
                        data = fh.read()
                    _MENTIONS[ident] = frozenset(r for r in roots if _names(data, r))
            except OSError:
                return (("unreadable", path),)  # never shared
            named = _MENTIONS[ident]
            if project in named or not named:
                state.append(ident)
    return tuple(state)


def _names(data: bytes, root: Path) -> bool:
    text = str(root).encode()
    return any(text + end in data for end in (b'"', b"/", b"\\"))


def findings(result: subprocess.CompletedProcess, project: Path) -> set[tuple[str, int, str]]:
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise AssertionError(f"flake8 failed ({result.returncode}):\n{result.stderr}")
    out = set()
    for line in result.stdout.splitlines():
        if not line.strip():
            continue
        path, row, code = line.split("\t")
        rel = Path(os.path.normpath(project / path) if not os.path.isabs(path) else path)
        try:
            rel_s = rel.resolve().relative_to(project.resolve()).as_posix()
        except ValueError:
            rel_s = path
        if code.startswith("DJI"):
            out.add((rel_s, int(row), code))
    return out


def messages_by_row(project: Path, path: str) -> dict[int, list[str]]:
    """Every message of one linted file, by line: ``{row: ["DJInnn text", ...]}``."""
    result = run_flake8(project, "-j1", "--format=%(row)d\t%(code)s %(text)s", path)
    assert result.returncode in (0, 1), result.stderr
    out: dict[int, list[str]] = {}
    for line in result.stdout.splitlines():
        row, text = line.split("\t", 1)
        out.setdefault(int(row), []).append(text)
    return out


def line_of(project: Path, path: str, snippet: str) -> int:
    """The one line of ``path`` that holds ``snippet`` (a test names lines by their code)."""
    lines = (project / path).read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines, 1) if snippet in line]
    assert len(found) == 1, (snippet, found)
    return found[0]
