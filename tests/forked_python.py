"""``python ARGS`` as a new process forked from a warm interpreter, for the suite's flake8 runs.

Most of a test's flake8 run is Python starting and flake8 importing itself and its plugins
(about 0.25 s of 0.3 s); the suite makes about a thousand such runs.  ``run()`` asks a helper
interpreter, started once per test process and having only *imported* flake8, its plugins'
packages and runpy (no project read, no cache opened, no option parsed), to fork a child that
runs the command.  The child is set up as ``subprocess.run([sys.executable, *args], ...)``
would start it: its own working directory, environment, ``sys.argv``, ``sys.path`` (the
command's directory or the working directory first, then ``PYTHONPATH``, then the
interpreter's own), stdin, stdout and stderr; ``-m module`` and scripts run through runpy as
Python's own ``-m`` and script modes do; atexit handlers run when it ends; an uncaught
exception or ``SystemExit`` gives the exit code and stderr Python gives.

What a child shares with its siblings: the modules imported before the fork, the hash seed,
and two pieces of flake8's start-up that give every child the same answer, done once in the
helper (``_shortcuts``; ``DJI_TEST_SHORTCUTS=0`` turns them off):

- the plugins found through the installed distributions' entry points (flake8 reads every
  distribution's metadata on each start: about a third of a small run).  A child reuses them
  while its ``sys.path`` is the helper's plus leading folders that hold no distribution
  metadata (``*.dist-info``, ``*.egg-info``), and no folder of the helper's path has changed
  (mtime); otherwise it looks them up as flake8 does;
- a run whose ``select`` (and ``extend-select``) names only DJI codes does not run pyflakes,
  pycodestyle and mccabe, whose findings (F, E, W, C9 codes) it could never report: their
  checkers are taken out after flake8 parsed its options and configuration.  E902 and E999
  come from flake8 itself and stay.

The helper is replaced every ``RESTART_AFTER`` runs, so runs still see many seeds.
Commands that are not ``-m module`` or a script, and environments that change what the
interpreter reads when it starts (``PYTHON*`` variables but PYTHONPATH, the locale), run with
subprocess.
``DJI_TEST_FORK=0`` in the environment runs every command with subprocess instead (slower,
same results: use it to rule this module out).
"""

from __future__ import annotations

import atexit
import json
import locale
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

RESTART_AFTER = 200  # a start costs about 15 runs
HERE = os.path.dirname(os.path.abspath(__file__))
# Imported before forking: flake8 itself; the plugins' packages are found through their entry
# points (see _preload).
FLAKE8_MODULES = (
    "flake8.main.cli", "flake8.main.application", "flake8.checker", "flake8.processor",
    "flake8.plugins.finder", "flake8.plugins.pyflakes", "flake8.plugins.pycodestyle",
    "flake8.style_guide", "flake8.formatting.default", "flake8.options.parse_args",
    "multiprocessing.pool", "runpy", "tokenize",
)


def enabled() -> bool:
    return os.environ.get("DJI_TEST_FORK", "1") != "0" and hasattr(os, "fork")


def run(args: list[str], *, cwd, input: str | None = None, env: dict[str, str] | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, *args], cwd=cwd, input=input, env=env,
    capture_output=True, text=True, timeout=timeout)``, in a forked child when enabled."""
    args = [str(a) for a in args]
    env = dict(os.environ if env is None else env)
    if not enabled() or not (args[0] == "-m" or not args[0].startswith("-")):
        return subprocess.run([sys.executable, *args], cwd=cwd, input=input, env=env,
                              capture_output=True, text=True, timeout=timeout)
    return _client().run(args, str(cwd), input, env, timeout)


def _startup_settings(env) -> dict[str, str]:
    """What the interpreter reads from the environment when it starts (the helper read the test
    process's): a command that sets any of them differently runs with subprocess."""
    return {k: v for k, v in env.items() if (k.startswith("PYTHON") and k != "PYTHONPATH")
            or k in ("LANG", "LC_ALL", "LC_CTYPE")}


# --- the test process's side -------------------------------------------------------------------

_CLIENT = None
_LOCK = threading.Lock()


def _client() -> _Client:
    global _CLIENT
    with _LOCK:
        if _CLIENT is None or _CLIENT.pid != os.getpid():
            _CLIENT = _Client()
        return _CLIENT


class _Client:
    def __init__(self):
        self.pid = os.getpid()
        self.dir = tempfile.mkdtemp(prefix="dji-forked-python-")
        self.helper = None
        self.runs = 0
        self.lock = threading.Lock()
        atexit.register(shutil.rmtree, self.dir, ignore_errors=True)
        atexit.register(self.close)  # (atexit runs the last registered first)

    def _start(self):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.settings = _startup_settings(env)
        boot = ("import sys; base = [p for p in sys.path if p]; sys.path.insert(0, sys.argv[1]); "
                "import forked_python; sys.path.remove(sys.argv[1]); forked_python.serve(base)")
        self.helper = subprocess.Popen([sys.executable, "-c", boot, HERE], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.runs = 0

    def close(self):
        helper, self.helper = self.helper, None
        if helper is not None:
            try:
                helper.stdin.close()
                helper.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                helper.kill()
                helper.wait()
            helper.stdout.close()

    def run(self, args, cwd, input, env, timeout):
        with self.lock:
            if self.helper is not None and self.runs >= RESTART_AFTER:
                self.close()
            if self.helper is None:
                self._start()
            if _startup_settings(env) != self.settings:
                return subprocess.run([sys.executable, *args], cwd=cwd, input=input, env=env,
                                      capture_output=True, text=True, timeout=timeout)
            self.runs += 1
            encoding = locale.getpreferredencoding(False)
            stdin = None
            if input is not None:
                stdin = os.path.join(self.dir, "stdin")
                with open(stdin, "wb") as fh:
                    fh.write(input.encode(encoding))
            out, err = os.path.join(self.dir, "stdout"), os.path.join(self.dir, "stderr")
            request = {"args": args, "cwd": cwd, "env": env, "stdin": stdin, "stdout": out,
                       "stderr": err, "timeout": timeout}
            try:
                self.helper.stdin.write(json.dumps(request).encode() + b"\n")
                self.helper.stdin.flush()
                reply = json.loads(self.helper.stdout.readline() or b"null")
            except (OSError, ValueError):
                reply = None
            if not isinstance(reply, dict):  # the helper died: a new one next time
                self.close()
                raise RuntimeError(f"the forking helper failed to run {args}")
            stdout, stderr = _text(out, encoding), _text(err, encoding)
            command = [sys.executable, *args]
            if reply.get("timeout"):
                raise subprocess.TimeoutExpired(command, timeout, stdout, stderr)
            return subprocess.CompletedProcess(command, reply["rc"], stdout, stderr)


def _text(path: str, encoding: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read()
    return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")  # as text=True does


# --- the helper interpreter ---------------------------------------------------------------------

class _Timeout(Exception):
    pass


def _preload() -> None:
    import importlib
    import pkgutil
    from importlib.metadata import entry_points

    for name in FLAKE8_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 (only a head start: the child imports what it needs)
            pass
    packages = set()
    for group in ("flake8.extension", "flake8.report"):
        for ep in entry_points(group=group):
            packages.add(ep.module.split(".")[0])
    for top in sorted(packages - {"flake8", "pyflakes", "pycodestyle", "mccabe"}):
        try:
            package = importlib.import_module(top)
            for info in pkgutil.walk_packages(getattr(package, "__path__", []), top + "."):
                last = info.name.rsplit(".", 1)[-1]
                if "test" not in info.name and last != "__main__":  # runpy runs __main__ fresh
                    importlib.import_module(info.name)
        except Exception:  # noqa: BLE001
            pass


# Checkers that report only codes of their own prefixes (F; E and W; C9): a run that selects
# nothing but DJI codes never shows their findings.
NON_DJI_CHECKERS = frozenset({"pyflakes", "pycodestyle", "mccabe"})


def _shortcuts(base_path: list[str]) -> None:
    """Plugin discovery done once, and no non-DJI checker in a DJI-only run (module docstring)."""
    try:
        from flake8.main import application
        from flake8.plugins import finder
    except Exception:  # noqa: BLE001 (only a head start)
        return
    saved = sys.path[:]
    sys.path[:] = base_path
    try:
        found = list(finder._find_importlib_plugins())
    except Exception:  # noqa: BLE001
        return
    finally:
        sys.path[:] = saved
    state = _path_state(base_path)
    find = finder._find_importlib_plugins

    def find_importlib_plugins():
        lead = sys.path[:len(sys.path) - len(base_path)]
        if (sys.path[len(lead):] == base_path and _path_state(base_path) == state
                and not any(_may_hold_metadata(p) for p in lead)):
            return iter(found)
        return find()

    parse_args = application.parse_args

    def parse_args_without_unselected_checkers(argv):
        plugins, options = parse_args(argv)
        selected = [*(options.select or ()), *(getattr(options, "extend_select", None) or ())]
        if (options.select and all(code.startswith("DJI") for code in selected)
                and not getattr(options, "bug_report", False)):  # it lists the plugins
            def keep(loaded):
                return [p for p in loaded if p.plugin.package not in NON_DJI_CHECKERS]
            checkers = plugins.checkers
            plugins = plugins._replace(checkers=checkers._replace(
                tree=keep(checkers.tree), logical_line=keep(checkers.logical_line),
                physical_line=keep(checkers.physical_line)))
        return plugins, options

    finder._find_importlib_plugins = find_importlib_plugins
    application.parse_args = parse_args_without_unselected_checkers


def _path_state(paths: list[str]) -> tuple:
    state = []
    for path in paths:
        try:
            state.append((path, os.stat(path).st_mtime_ns))
        except OSError:
            state.append((path, None))
    return tuple(state)


def _may_hold_metadata(path: str) -> bool:
    """Whether importlib.metadata may find a distribution in this sys.path entry."""
    if not path:
        return True  # the working directory: not looked at here
    if not os.path.isdir(path) or path.endswith(".egg"):
        return os.path.exists(path)  # a zip or an egg: may hold some
    try:
        return any(name.lower().endswith((".dist-info", ".egg-info")) for name in os.listdir(path))
    except OSError:
        return True


def serve(base_path: list[str]) -> None:
    """Read one JSON request a line from stdin, fork a child for it, answer its exit code."""
    requests, replies = os.dup(0), os.dup(1)  # the child's 0, 1 and 2 are its own
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    _preload()

    def on_alarm(signum, frame):
        raise _Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    if os.environ.get("DJI_TEST_SHORTCUTS", "1") != "0":
        _shortcuts(base_path)
    with os.fdopen(requests, "rb") as reader, os.fdopen(replies, "wb") as writer:
        for line in reader:
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                try:
                    _child(request, base_path, (requests, replies))
                finally:
                    os._exit(70)
            try:
                os.setpgid(pid, pid)
            except OSError:
                pass
            reply = _wait(pid, request.get("timeout"))
            writer.write(json.dumps(reply).encode() + b"\n")
            writer.flush()


def _wait(pid: int, timeout: float | None) -> dict:
    try:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        _, status = os.waitpid(pid, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        return {"timeout": True}
    return {"rc": os.waitstatus_to_exitcode(status)}


def _child(request: dict, base_path: list[str], private_fds) -> None:
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    for fd in private_fds:
        os.close(fd)
    try:
        os.setpgid(0, 0)  # so that a timeout ends flake8's -jN workers too
    except OSError:
        pass
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path, flags in ((0, request["stdin"] or os.devnull, os.O_RDONLY),
                            (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                            (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    import runpy

    args = request["args"]
    pythonpath = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    code = 0
    try:
        if args[0] == "-m":
            sys.argv = [args[1], *args[2:]]  # run_module puts the module's file in argv[0]
            sys.path[:] = [os.getcwd(), *pythonpath, *base_path]
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(args)
            sys.path[:] = [os.path.dirname(os.path.realpath(args[0])), *pythonpath, *base_path]
            runpy.run_path(args[0], run_name="__main__")
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException:  # noqa: BLE001 (as the interpreter reports it)
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def _exit_code(value) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        print(value, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1
