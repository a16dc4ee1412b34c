"""The test harness itself: a forked run answers as a new interpreter does, and a shared flake8
run is shared only while nothing it read has changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

import forked_python
import harness
from harness import FIXTURES

SCRIPT = textwrap.dedent("""
    import atexit, json, os, sys
    import flake8
    atexit.register(lambda: print("atexit ran"))
    print(json.dumps({
        "argv": sys.argv, "cwd": os.getcwd(), "var": os.environ.get("DJI_TEST_VAR"),
        "path": sys.path, "stdin": sys.stdin.read(), "main": __name__,
        "left over": getattr(flake8, "left_over", None),
    }))
    flake8.left_over = "from an earlier run"
    print("to stderr", file=sys.stderr)
    sys.exit(int(sys.argv[1]))
""")


def both(args, **kwargs):
    """The forked run and the same command through subprocess."""
    forked = forked_python.run(args, **kwargs)
    plain = subprocess.run([sys.executable, *args], capture_output=True, text=True, **kwargs)
    return forked, plain


@pytest.mark.skipif(not forked_python.enabled(), reason="DJI_TEST_FORK=0: nothing forked")
def test_a_forked_script_run_is_a_new_interpreter_run(tmp_path):
    script = tmp_path / "bin" / "script.py"
    script.parent.mkdir()
    script.write_text(SCRIPT)
    extra = tmp_path / "extra"
    env = {**os.environ, "DJI_TEST_VAR": "seen", "PYTHONPATH": str(extra)}
    for _ in range(2):  # a second run sees nothing of the first
        forked, plain = both([str(script), "3", "x y"], cwd=tmp_path, input="from stdin\n", env=env)
        assert forked.args == plain.args
        assert (forked.returncode, forked.stdout, forked.stderr) \
            == (plain.returncode, plain.stdout, plain.stderr) == (3, forked.stdout, "to stderr\n")
        assert '"left over": null' in forked.stdout and forked.stdout.endswith("atexit ran\n")
        assert str(extra) in forked.stdout and '"stdin": "from stdin\\n"' in forked.stdout


@pytest.mark.skipif(not forked_python.enabled(), reason="DJI_TEST_FORK=0: nothing forked")
def test_a_forked_module_run_and_an_uncaught_exception(tmp_path):
    (tmp_path / "boom.py").write_text("import sys\nprint(sys.argv[1:])\nraise ValueError('x')\n")
    forked, plain = both(["-m", "boom", "--flag"], cwd=tmp_path)
    assert forked.returncode == plain.returncode == 1
    assert forked.stdout == plain.stdout == "['--flag']\n"
    assert forked.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1] == "ValueError: x"
    forked, plain = both(["-m", "flake8", "--version"], cwd=tmp_path)
    assert (forked.returncode, forked.stdout) == (plain.returncode, plain.stdout)
    assert plain.returncode == 0 and plain.stdout


def test_what_the_interpreter_reads_at_start_is_honoured(tmp_path):
    """A seed or a flag for the interpreter's start cannot reach a forked child: such a command
    runs as a new interpreter."""
    (tmp_path / "seed.py").write_text("import sys\nprint(hash('seed'), sys.flags.optimize)\n")
    env = {**os.environ, "PYTHONHASHSEED": "123", "PYTHONOPTIMIZE": "1"}
    forked, plain = both([str(tmp_path / "seed.py")], cwd=tmp_path, env=env)
    assert forked.stdout == plain.stdout and plain.stdout.endswith(" 1\n")
    forked, plain = both(["-c", "print(1 + 1)"], cwd=tmp_path)
    assert forked.stdout == plain.stdout == "2\n"


@pytest.mark.skipif(not forked_python.enabled(), reason="DJI_TEST_FORK=0: nothing forked")
def test_a_forked_run_that_hangs_times_out(tmp_path):
    (tmp_path / "hang.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as caught:
        forked_python.run([str(tmp_path / "hang.py")], cwd=tmp_path, timeout=1)
    assert time.monotonic() - started < 30
    assert caught.value.output == "started\n"
    assert forked_python.run(["-m", "flake8", "--version"], cwd=tmp_path).returncode == 0


# --- runs shared between tests ------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """A shared tree in tmp_path holding a copy of a fixture project; counts real flake8 runs."""
    tree = tmp_path / "fixtures"
    project = tree / "blank_unique"
    shutil.copytree(FIXTURES / "dji008_blank_unique_string", project)
    monkeypatch.setattr(harness, "SHARED_TREES", [tree])
    calls = []
    real = forked_python.run

    def run(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(forked_python, "run", run)
    return project, calls


def _codes(result):
    return sorted(line.split("\t")[2] for line in result.stdout.splitlines())


def test_the_same_run_on_an_unchanged_project_is_shared(counted):
    project, calls = counted
    first = harness.run_flake8(project, "-j1", "--dji-no-cache", ".")
    second = harness.run_flake8(project, "-j1", "--dji-no-cache", ".")
    assert len(calls) == 1
    assert second.stdout == first.stdout and "DJI008" in first.stdout
    harness.run_flake8(project, "-j1", "--dji-no-cache", "--select=DJI008", ".")  # other args
    harness.run_flake8(project / "catalog", "-j1", "--dji-no-cache", ".")  # another folder
    harness.run_flake8(project, "-j1", "--dji-no-cache", "-", stdin="x = 1\n")  # stdin
    harness.run_flake8(project, "-j1", "--dji-no-cache", ".", env={"DJI_TEST_VAR": "1"})
    assert len(calls) == 5


def test_an_edited_project_runs_again(counted):
    project, calls = counted
    before = harness.run_flake8(project, "-j1", "--dji-no-cache", ".")
    models = project / "catalog" / "models.py"
    text = models.read_text()
    field = "code = models.CharField(max_length=20, unique=True, blank=True)"
    assert field in text
    models.write_text(text.replace(field, field.replace(", blank=True", "")))
    after = harness.run_flake8(project, "-j1", "--dji-no-cache", ".")
    assert len(calls) == 2
    assert _codes(after) != _codes(before)


def test_a_run_that_fills_the_cache_is_not_shared_with_the_next(counted, tmp_path):
    """A cold run and the warm one after it both run: the cache is one of the inputs."""
    project, calls = counted
    cache = f"--dji-cache-dir={tmp_path / 'cache'}"
    cold = harness.run_flake8(project, "-j1", cache, ".")
    assert list((tmp_path / "cache").iterdir())
    warm = harness.run_flake8(project, "-j1", cache, ".")
    assert len(calls) == 2 and warm.stdout == cold.stdout
    harness.run_flake8(project, "-j1", ".")  # the default cache (XDG_CACHE_HOME) likewise
    harness.run_flake8(project, "-j1", ".")
    assert len(calls) == 4


def test_a_run_that_reads_outside_the_project_is_not_shared(counted, tmp_path):
    project, calls = counted
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    for _ in range(2):
        harness.run_flake8(project, "-j1", "--dji-no-cache", str(outside))
        harness.run_flake8(tmp_path, "-j1", "--dji-no-cache", str(project))  # cwd outside
    assert len(calls) == 4
    config = project / "setup.cfg"  # a cache folder the configuration names
    config.write_text(config.read_text() + f"dji-cache-dir = {tmp_path / 'cache'}\n")
    for _ in range(2):
        harness.run_flake8(project, "-j1", ".")
    assert len(calls) == 6


# --- flake8's start-up done once in the forking helper (forked_python._shortcuts) --------------


@pytest.mark.parametrize("args, stdin", [
    (["-j2", "--select=DJI", "--dji-no-cache", "."], None),  # a DJI-only run: no F/E/W checker
    (["--select=DJI", "--dji-no-cache", "--stdin-display-name=shop/views.py", "-"], "views"),
    (["-j1", "--select=DJI,E501", "--dji-no-cache", "shop/views.py"], None),  # E501 stays
    (["-j1", "--dji-no-cache", "--isolated", "shop/views.py"], None),  # every default checker
    (["--bug-report"], None),  # lists every plugin, the configuration selecting DJI or not
], ids=["j2", "stdin", "dji and pycodestyle", "defaults", "bug report"])
def test_a_forked_flake8_run_answers_as_a_new_interpreter(args, stdin):
    """The same output, exit code and stderr as ``python -m flake8`` through subprocess, on
    the entry point's paths (whole tree with -j2, stdin, one file) with and without the
    checkers a DJI-only run leaves out."""
    project = FIXTURES / "dji003_check_then_insert"
    if stdin:
        stdin = (project / "shop" / "views.py").read_text(encoding="utf-8")
    forked, plain = both(["-m", "flake8", *args], cwd=project, input=stdin)
    assert (forked.returncode, forked.stdout, forked.stderr) \
        == (plain.returncode, plain.stdout, plain.stderr)
    assert plain.stdout and "Traceback" not in plain.stderr
    if "--isolated" in args or "--select=DJI,E501" in args:
        assert any(" E" in line for line in plain.stdout.splitlines()), plain.stdout


def test_a_plugin_of_a_distribution_in_the_working_directory_is_found(tmp_path):
    """``python -m flake8`` puts the working directory on sys.path: a distribution's metadata
    there adds its plugins, in a forked run too (plugins found once in the helper are not
    reused then)."""
    (tmp_path / "localcheck.py").write_text(
        "class Plugin:\n    def __init__(self, tree):\n        pass\n\n"
        "    def run(self):\n        yield 1, 0, 'XLC100 found by the local plugin', type(self)\n")
    dist = tmp_path / "localcheck-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: localcheck\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[flake8.extension]\nXLC = localcheck:Plugin\n")
    (tmp_path / "linted.py").write_text("x = 1\n")
    forked, plain = both(["-m", "flake8", "--select=XLC", "--isolated", "linted.py"], cwd=tmp_path)
    assert (forked.returncode, forked.stdout) == (plain.returncode, plain.stdout)
    assert "XLC100 found by the local plugin" in plain.stdout
