"""The pre-commit hook: pre-commit runs the hook's entry with only the changed files appended;
the plugin still reads the whole project's models, so cross-file findings come out.  Runs the
hook's command as pre-commit would (no network, no pre-commit install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml_free_reader as hooks  # tests/yaml_free_reader.py

HERE = Path(__file__).parent
REPO = HERE.parent
SHOP = HERE / "projects" / "shop"


def hook_command() -> list[str]:
    (hook,) = hooks.read(REPO / ".pre-commit-hooks.yaml")
    try:  # pre-commit reads it with PyYAML: where that is installed, agree with it
        import yaml

        assert yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) == [hook]
    except ImportError:
        pass
    assert hook["id"] == "flake8-django-integrity"
    assert hook["language"] == "python" and hook["types"] == ["python"]
    assert hook["require_serial"] is False
    return hook["entry"].split() + hook.get("args", [])


def run_hook(project: Path, files: list[str], probe: bool, user_args: list[str] | None = None):
    """pre-commit runs ``entry + args + files``; a user's ``args:`` replaces the hook's."""
    entry, *args = hook_command()
    if user_args is not None:
        args = hook_command()[1:1] + user_args  # the entry's own words only, then the user's
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if probe:  # the same command with the test probe's rule added (tests/probe_flake8.py)
        command = [sys.executable, str(HERE / "probe_flake8.py"), *args]
    else:  # the hook's entry as pre-commit runs it: the console script of this environment
        command = [shutil.which(entry, path=os.path.dirname(sys.executable)) or entry, *args]
    return subprocess.run([*command, *files], cwd=project, capture_output=True,
                          text=True, env=env, timeout=300)


def test_hook_on_one_changed_file_gets_cross_file_findings(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    changed = ["orders/api/views.py"]  # uses Order from orders/models.py, Entry from catalog
    result = run_hook(project, changed, probe=True)
    assert result.returncode == 1, result.stderr
    assert "Order.objects -> orders.Order" in result.stdout
    assert all(line.startswith("orders/api/views.py:") for line in result.stdout.splitlines())


def test_hook_entry_runs_on_only_the_changed_files(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    result = run_hook(project, ["orders/api/views.py", "orders/services.py"], probe=False)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    whole = run_hook(project, ["."], probe=False)
    wanted = sorted(line for line in whole.stdout.splitlines()
                    if line.startswith(("./orders/api/views.py:", "./orders/services.py:")))
    assert sorted("./" + line for line in result.stdout.splitlines()) == wanted


def test_hook_selects_only_the_dji_codes_by_default():
    (hook,) = hooks.read(REPO / ".pre-commit-hooks.yaml")
    assert hook["args"] == ["--select=DJI"]
    assert hook["entry"] == "flake8"  # the selection is in args, so a user's args: replace it


def test_hook_default_args_leave_other_codes_to_the_projects_own_flake8_hook(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / "setup.cfg").write_text("[flake8]\n")  # no select: flake8's defaults apply
    long_line = "x = " + repr("a" * 100) + "\n"  # E501 under flake8's defaults
    (project / "orders" / "long.py").write_text(long_line)
    files = ["orders/long.py", "orders/services.py"]  # services.py holds a DJI003
    default = run_hook(project, files, probe=False)
    assert "Traceback" not in default.stderr, default.stderr
    codes = {line.split()[1] for line in default.stdout.splitlines()}
    assert codes and all(code.startswith("DJI") for code in codes), default.stdout
    overridden = run_hook(project, files, probe=False, user_args=["--select=DJI,E501"])
    assert "orders/long.py:1:80: E501" in overridden.stdout
    assert any(" DJI" in line for line in overridden.stdout.splitlines())
