"""Shared by the benchmark scripts: the two virtualenvs compared, the corpus, timing.

"Without the plugin" is a virtualenv (benchmarks/.venvs/plain, git-ignored) holding the same
flake8 and the same flake8 plugins, at the same versions, as the environment running the
script, minus this one.  "With the plugin" is a second virtualenv (benchmarks/.venvs/dji) with
the same packages plus this repository installed (not editable: a copy, reinstalled
on every run of a script).  Both use the same Python binary, so the only difference between
the two commands timed is the plugin.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENVS = REPO / "benchmarks" / ".venvs"
PLUGIN_DIST = "flake8-django-integrity"


def corpus_dir(arg: str | None) -> Path:
    """--corpus, else $DJI_CORPUS, else ../corpus next to the repository
    (fill it with ../shared/corpus/get_corpus.sh DIR)."""
    value = arg or os.environ.get("DJI_CORPUS") or str(REPO.parent / "corpus")
    path = Path(value).resolve()
    if not path.is_dir():
        sys.exit(f"no corpus at {path}: pass --corpus DIR or set DJI_CORPUS "
                 "(fetch it with ../shared/corpus/get_corpus.sh DIR)")
    return path


def flake8_requirements() -> list[str]:
    """flake8 and every installed distribution that plugs into it, pinned, except ours."""
    pins = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name or name.lower() == PLUGIN_DIST:
            continue
        groups = {ep.group for ep in dist.entry_points}
        if name.lower() == "flake8" or groups & {"flake8.extension", "flake8.report"}:
            pins[name.lower()] = f"{name}=={dist.version}"
    return sorted(pins.values())


def venv_python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def ensure_venvs(log=print) -> tuple[Path, Path]:
    """(plain python, dji python), creating or refreshing the two virtualenvs."""
    reqs = flake8_requirements()
    # the plugin needs nothing at run time besides flake8 (setup.cfg): both hold the same
    for name, extra in (("plain", []), ("dji", [])):
        py = venv_python(name)
        stamp = VENVS / name / "requirements.txt"
        wanted = "\n".join(reqs + extra)
        if not py.exists():
            log(f"creating {VENVS / name}")
            subprocess.run([sys.executable, "-m", "venv", str(VENVS / name)], check=True)
        if not stamp.exists() or stamp.read_text() != wanted:
            subprocess.run([str(py), "-m", "pip", "install", "-q", *reqs, *extra], check=True)
            stamp.write_text(wanted)
    dji = venv_python("dji")
    with tempfile.TemporaryDirectory() as tmp:  # build from a copy: no build/ or egg-info here
        src = Path(tmp) / "src"
        shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
            ".git", ".venvs", "build", "*.egg-info", "__pycache__", "tests", ".pytest_cache"))
        subprocess.run([str(dji), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                        str(src)], check=True, capture_output=True)
    check = subprocess.run([str(venv_python("plain")), "-c",
                            "import importlib.metadata as m; print([e.name for e in "
                            "m.entry_points(group='flake8.extension')])"],
                           capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    assert "DJI" not in check.stdout, "the plain virtualenv sees the plugin"
    return venv_python("plain"), dji


def timed(command: list[str], cwd: Path, env: dict | None = None, wall: bool = False):
    """CPU seconds (user + system) of ``command`` and every process it starts (flake8's -jN
    workers included): robust to other load on the machine, unlike wall time.  With ``wall``,
    (CPU seconds, wall seconds)."""
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (cpu, time.monotonic() - start) if wall else cpu


def alternate(commands: dict[str, list[str]], runs: int, cwd: Path, env: dict | None = None,
              log=print, wall: bool = False, before=None):
    """Run each command ``runs`` times, interleaved (a, b, a, b, ...): load on the machine
    then hits both alike.  The CPU times per command; with ``wall``, (CPU times, wall times).
    ``before()``, when given, runs (untimed) before every timed command."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(runs):
        for name, command in commands.items():
            if before is not None:
                before()
            cpu, elapsed = timed(command, cwd, env, wall=True)
            times[name].append(cpu)
            walls[name].append(elapsed)
        log(f"  run {i + 1}/{runs}: " + ", ".join(f"{n} {t[-1]:.3f}s" for n, t in times.items()))
    return (times, walls) if wall else times


def median(values: list[float]) -> float:
    return statistics.median(values)
