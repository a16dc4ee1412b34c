"""The linted project is untrusted input (issue 13): linting it never runs its code, never
reads what flake8 would not read, never blocks on a file, and decodes odd but valid source.

Each attack is a small project written here; a payload is judged by its effect (a marker
file, text in the output, the exit status) against the same project made harmless.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_django_integrity.project import layout
from flake8_django_integrity.project.index import IndexOptions, ProjectIndex

MODELS = """\
from django.db import models
from {name}.base import Base


class Book(Base):
    title = models.CharField(max_length=10)


class Shelf(models.Model):
    code = models.CharField(max_length=10, unique=True, blank=True)
"""
# A package named like a standard-library module whose __init__.py would abort the run (and
# leave a trace) if anything imported it.
# (``# noqa``: flake8's own checks of the payload file leave the outputs comparable.)
PAYLOAD = """\
import pathlib  # noqa
pathlib.Path({marker!r}).write_text("imported")  # noqa
print("The Zen of Python, by Tim Peters")  # noqa
raise SystemExit(3)  # noqa
"""
STDLIB_NAMES = ("profile", "this", "secrets", "html", "http", "code", "numbers", "decimal",
                "uuid", "wsgiref", "zoneinfo", "statistics")


def make_project(where: Path, name: str, hostile: bool) -> tuple[Path, Path]:
    """A project whose models import ``<name>.base`` (which does not exist) from its own
    package ``<name>/``; (project, marker file the payload would write)."""
    project = where / "project"
    marker = where / "MARKER"
    (project / "shop").mkdir(parents=True)
    (project / "manage.py").write_text("")
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "models.py").write_text(MODELS.format(name=name))
    (project / name).mkdir()
    (project / name / "__init__.py").write_text(
        PAYLOAD.format(marker=str(marker)) if hostile else "# nothing to run\n")
    return project, marker


def run(args: list[str], cwd: Path, env: dict | None = None, timeout: int = 120):
    full_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    full_env.update({"XDG_CACHE_HOME": str(cwd.parent / "cache"), **(env or {})})
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=timeout)


# Each way of running from the issue: (arguments, extra environment, working directory relative
# to the project).  ``PYTHONPATH`` puts the project itself on sys.path; ``--select=E501`` still
# loads and runs every installed plugin.
WAYS = {
    "python -m flake8": (["-m", "flake8", "--jobs=1", "."], {}),
    "PYTHONPATH=<project> python -m flake8": (["-m", "flake8", "--jobs=1", "."], {"PYTHONPATH": "."}),
    "python -m flake8 --select=E501": (["-m", "flake8", "--jobs=1", "--select=E501", "."], {}),
    "python -m flake8_django_integrity models .": (["-m", "flake8_django_integrity", "models", "."], {}),
}


def outcome(tmp: Path, name: str, hostile: bool, way: str):
    project, marker = make_project(tmp, name, hostile)
    args, env = WAYS[way]
    env = {k: str(project) if v == "." else v for k, v in env.items()}
    result = run(args, project, env)
    return result, marker, project


@pytest.mark.parametrize("way", sorted(WAYS))
def test_a_stdlib_named_project_package_is_never_imported(tmp_path, way):
    hostile, marker, project = outcome(tmp_path / "hostile", "profile", True, way)
    harmless, _, other = outcome(tmp_path / "harmless", "profile", False, way)
    assert not marker.exists(), f"{way} ran the project's profile/__init__.py"
    assert hostile.returncode == harmless.returncode, hostile.stderr
    assert "Traceback" not in hostile.stderr
    assert hostile.stdout.replace(str(project), "<p>") == harmless.stdout.replace(str(other), "<p>")
    if "E501" not in way:  # the plugin did run: the unique blank CharField is reported
        assert "DJI008" in hostile.stdout or "unique (code)" in hostile.stdout


def test_a_this_package_prints_nothing_into_the_output(tmp_path):
    way = "python -m flake8"
    hostile, marker, _ = outcome(tmp_path / "hostile", "this", True, way)
    harmless, _, _ = outcome(tmp_path / "harmless", "this", False, way)
    assert "Zen of Python" not in hostile.stdout
    assert not marker.exists()
    assert (hostile.returncode, hostile.stdout) == (harmless.returncode, harmless.stdout)


@pytest.mark.parametrize("name", STDLIB_NAMES)
def test_module_lookup_of_a_missing_submodule_imports_nothing(tmp_path, name):
    """The index's own lookup, in this process: every name of the issue's list (whether or
    not the standard library module is already loaded here)."""
    project, marker = make_project(tmp_path, name, True)
    before = sys.modules.get(name)
    index = ProjectIndex(str(project)).build()
    assert index.find_module(f"{name}.base") is None
    assert index.find_module(name) == str(project / name / "__init__.py")
    assert index.models["shop.models.Shelf"].unique_sets
    assert not marker.exists()
    assert sys.modules.get(name) is before


# ---------------------------------------------------------------------- the path lookup
def index_over(root: Path, *roots: Path, exclude=()) -> ProjectIndex:
    index = ProjectIndex(str(root), IndexOptions(exclude=tuple(exclude)))
    index.source_roots = [str(r) for r in roots]
    return index


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_lookup_finds_modules_packages_and_namespace_packages(tmp_path):
    src, lib = tmp_path / "src", tmp_path / "lib"
    pkg_init = touch(src / "pkg" / "__init__.py")
    mod = touch(src / "pkg" / "mod.py")
    ns_a = touch(src / "ns" / "a.py")  # a namespace package split over two source roots
    ns_b = touch(lib / "ns" / "sub" / "b.py")
    index = index_over(tmp_path, src, lib)
    assert index._find_in_source_roots(["pkg"]) == str(pkg_init)
    assert index._find_in_source_roots(["pkg", "mod"]) == str(mod)
    assert index._find_in_source_roots(["ns", "a"]) == str(ns_a)
    assert index._find_in_source_roots(["ns", "sub", "b"]) == str(ns_b)
    assert index._find_in_source_roots(["ns"]) is None  # a namespace package has no file
    assert index._find_in_source_roots(["pkg", "mod", "x"]) is None  # a module has no submodule
    assert index._find_in_source_roots(["pkg", "missing"]) is None
    assert index._find_in_source_roots(["..", "pkg"]) is None


def test_lookup_follows_pythons_precedence(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    both_init = touch(first / "both" / "__init__.py")  # package beats module in one folder
    touch(first / "both.py")
    only_mod = touch(first / "mod.py")  # a module beats a namespace portion in one folder
    touch(first / "mod" / "x.py")
    touch(second / "mod" / "__init__.py")  # an earlier folder wins over a later package
    ns_then_pkg = touch(second / "late" / "__init__.py")
    touch(first / "late" / "y.py")  # a namespace portion loses to a package in a later folder
    index = index_over(tmp_path, first, second)
    assert index._find_in_source_roots(["both"]) == str(both_init)
    assert index._find_in_source_roots(["mod"]) == str(only_mod)
    assert index._find_in_source_roots(["late"]) == str(ns_then_pkg)
    assert index._find_in_source_roots(["late", "y"]) is None


def test_lookup_skips_links_and_excluded_folders(tmp_path):
    root = tmp_path / "root"
    outside = touch(tmp_path / "outside" / "evil" / "models.py")
    (root).mkdir()
    os.symlink(outside.parent, root / "evil")
    touch(root / "vendor" / "lib" / "models.py")
    index = index_over(root, root, exclude=[str(root / "vendor")])
    assert index._find_in_source_roots(["evil", "models"]) is None
    assert index._find_in_source_roots(["vendor", "lib", "models"]) is None
    assert index_over(root, root)._find_in_source_roots(["vendor", "lib", "models"]) == str(
        root / "vendor" / "lib" / "models.py")


FORBIDDEN_CALLS = {"find_spec", "exec", "eval", "__import__", "import_module",
                   "file_from_modpath", "run_module", "run_path", "spec_from_file_location"}
FORBIDDEN_MODULES = {"astroid", "importlib", "runpy", "pkgutil", "imp"}


def test_the_plugin_never_calls_an_import_machinery_on_project_names():
    """No module of the plugin names importlib, astroid or runpy, nor calls exec / eval /
    find_spec: the one dynamic import left loads the plugin's own rule modules, found by
    their file names in its own folder (rules/__init__.py)."""
    import ast

    package = Path(layout.__file__).parent.parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        # the plugin's own rule modules by their file names; its own standard-library list
        own_rules = path.relative_to(package).as_posix() in ("rules/__init__.py", "__init__.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name.partition(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [(node.module or "").partition(".")[0]]
            elif isinstance(node, ast.Name):
                names = [node.id] if node.id in FORBIDDEN_CALLS else []
            elif isinstance(node, ast.Attribute):
                names = [node.attr] if node.attr in FORBIDDEN_CALLS else []
            else:
                continue
            for name in names:
                if name in FORBIDDEN_MODULES | FORBIDDEN_CALLS and not (
                        own_rules and name in ("importlib", "pkgutil", "import_module")):
                    offenders.append((path.relative_to(package).as_posix(), node.lineno, name))
    assert offenders == []


def test_every_stdlib_import_of_the_plugin_is_imported_from_the_installation():
    """flake8_django_integrity.STDLIB_IMPORTS names every module the plugin imports (a new
    import left off the list would be looked up on a sys.path that starts with the checkout)."""
    import ast

    import flake8_django_integrity

    package = Path(flake8_django_integrity.__file__).parent
    imported = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                imported.add(node.module)
    # __future__ is the compiler's; multiprocessing's util is imported only once flake8 has
    # loaded multiprocessing itself (a submodule is found through its package, not sys.path)
    imported -= {"__future__", "multiprocessing"}
    assert imported <= set(flake8_django_integrity.STDLIB_IMPORTS)
    # the modules imported on first use go through import_stdlib, never a plain import
    assert set(flake8_django_integrity.ON_DEMAND) <= set(flake8_django_integrity.STDLIB_IMPORTS)
    assert not imported & set(flake8_django_integrity.ON_DEMAND)
    assert all(name.partition(".")[0] in sys.stdlib_module_names for name in imported)


# Standard-library modules the plugin imports that flake8 itself (with pyflakes, pycodestyle,
# mccabe) had not imported when it loaded the plugin (python -X importtime -m flake8).
PLUGIN_ONLY_STDLIB = ("dataclasses", "hashlib", "pkgutil", "_blake2")


# The models command is the plugin's own process: every module it imports counts.
MODELS_COMMAND_STDLIB = ("argparse", "configparser", "dataclasses", "json", "tokenize", "hashlib",
                         "tomllib")


@pytest.mark.parametrize("way, names", [
    ("python -m flake8", PLUGIN_ONLY_STDLIB),
    ("PYTHONPATH=<project> python -m flake8", PLUGIN_ONLY_STDLIB),
    ("python -m flake8_django_integrity models .", MODELS_COMMAND_STDLIB),
])
def test_the_checkout_does_not_shadow_the_plugins_own_imports(tmp_path, way, names):
    outputs = []
    for hostile in (True, False):
        project, marker = make_project(tmp_path / str(hostile), "profile", False)
        for name in names:
            touch(project / name / "__init__.py",
                  PAYLOAD.format(marker=str(marker)) if hostile else "# nothing to run\n")
        args, env = WAYS[way]
        result = run(args, project, {k: str(project) for k in env})
        assert not marker.exists(), f"{way} ran a package of the checkout"
        outputs.append((result.returncode, result.stdout.replace(str(project), "<p>")))
    assert outputs[0] == outputs[1]
    assert "DJI008" in outputs[0][1] or "unique (code)" in outputs[0][1]


# ---------------------------------------------------------------------- what is read
SHOP_MODELS = """\
from django.db import models


class Shelf(models.Model):
    code = models.CharField(max_length=10, unique=True, blank=True)
"""
SHOP_VIEWS = """\
from legacy.models import Tag


def tag(name):
    Tag.objects.create(name=name)
"""
LEGACY_MODELS = """\
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=10, unique=True)
"""


def clean_project(where: Path, config: str = "") -> Path:
    project = where / "project"
    touch(project / "manage.py")
    touch(project / "shop" / "__init__.py")
    touch(project / "shop" / "models.py", SHOP_MODELS)
    if config:
        touch(project / "setup.cfg", config)
    return project


def hostile_file(path: Path, kind: str) -> None:
    """``path`` made a FIFO (a reader would block), a link to /dev/zero (a reader would never
    end) or a plain models module that declares a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        os.symlink("/dev/zero", path)
    else:
        path.write_text(LEGACY_MODELS)


def both_outputs(project: Path, *flake8_args: str) -> tuple[str, str]:
    """(flake8's output, the models command's output) for the project, each run under a
    timeout: a blocked or endless read fails the test instead of hanging it."""
    lint = run(["-m", "flake8", "--jobs=1", *flake8_args], project, timeout=60)
    models = run(["-m", "flake8_django_integrity", "models", "."], project, timeout=60)
    for result in (lint, models):
        assert "Traceback" not in result.stderr, result.stderr
    return lint.stdout, models.stdout.replace(str(project), "<p>")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "models"])
def test_an_egg_folder_is_not_read(tmp_path, kind):
    """``*.egg`` is in flake8's default exclude: plain flake8 skips vendor.egg/, and so does
    every file the plugin reads, whatever sits there."""
    clean = both_outputs(clean_project(tmp_path / "clean"), ".")
    project = clean_project(tmp_path / "hostile")
    touch(project / "vendor.egg" / "evil" / "__init__.py")
    hostile_file(project / "vendor.egg" / "evil" / "models.py", kind)
    assert both_outputs(project, ".") == clean
    assert "DJI008" in clean[0] and "shop.Shelf" in clean[1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_models_file_that_is_no_regular_file_is_skipped_without_blocking(tmp_path, kind):
    """Not excluded, so walked: the reader refuses it without blocking or reading forever
    (flake8 is pointed at shop/ alone, since flake8 itself would open the FIFO)."""
    clean = both_outputs(clean_project(tmp_path / "clean"), "shop")
    project = clean_project(tmp_path / "hostile")
    touch(project / "evil" / "__init__.py")
    hostile_file(project / "evil" / "models.py", kind)
    os.symlink("..", project / "evil" / "loop")  # a directory link cycle is not walked
    os.symlink("/", project / "everything")  # nor one out of the project
    assert both_outputs(project, "shop") == clean


def test_extend_exclude_keeps_a_folder_out_of_the_index(tmp_path):
    """A model in a folder that extend-exclude names is unknown to the plugin: a write to it
    in a linted file is judged as a write to an unknown model (no finding)."""
    config = "[flake8]\nextend-exclude = legacy\n"
    results = {}
    for name, cfg in (("plain", ""), ("excluded", config)):
        project = clean_project(tmp_path / name, cfg)
        touch(project / "legacy" / "__init__.py")
        touch(project / "legacy" / "models.py", LEGACY_MODELS)
        touch(project / "shop" / "views.py", SHOP_VIEWS)
        results[name] = both_outputs(project, "shop")
    assert "shop/views.py:5:5: DJI001" in results["plain"][0]  # the unique Tag.name is known
    assert "legacy.Tag" in results["plain"][1]
    assert "views.py" not in results["excluded"][0]
    assert "legacy.Tag" not in results["excluded"][1]
    assert "shop.Shelf" in results["excluded"][1]


def test_excluded_paths_key_the_cache(tmp_path):
    """The same project linted with and without the exclude, one cache: each answer is its
    own, not the other's cached one."""
    project = clean_project(tmp_path)
    touch(project / "legacy" / "__init__.py")
    touch(project / "legacy" / "models.py", LEGACY_MODELS)
    touch(project / "shop" / "views.py", SHOP_VIEWS)
    for extra, expected in ((), True), (("--extend-exclude=legacy",), False), ((), True):
        out = run(["-m", "flake8", "--jobs=1", *extra, "shop"], project, timeout=60).stdout
        assert ("DJI001" in out) is expected, (extra, out)


def test_exclude_patterns_match_as_flake8_matches(tmp_path):
    match = layout.exclude_matcher(("*.egg", str(tmp_path / "vendored"), "build*"))
    assert match(str(tmp_path / "a" / "x.egg"))  # a base name
    assert match(str(tmp_path / "vendored"))  # an absolute path
    assert match(str(tmp_path / "buildout"))
    assert not match(str(tmp_path / "vendored2" / "models.py"))
    assert not match(str(tmp_path / "egg" / "models.py"))
    assert layout.exclude_matcher(()) is None


# ---------------------------------------------------------------------- odd but valid source
BOM_MODELS = "\ufeff" + LEGACY_MODELS  # written as UTF-8: the byte-order mark starts the file
LATIN1_MODELS = """\
# -*- coding: latin-1 -*-
from django.db import models


class Label(models.Model):
    name = models.CharField("libellé", max_length=10, unique=True)
"""
ODD_VIEWS = """\
from bom.models import Tag
from latin.models import Label


def tag(name):
    Tag.objects.create(name=name)


def label(name):
    Label.objects.create(name=name)
"""


def test_models_files_decode_as_python_decodes_them(tmp_path):
    """A UTF-8 file with a byte-order mark and a latin-1 file with a PEP 263 coding line are
    valid Python: their models are indexed and writes to them judged."""
    project = clean_project(tmp_path)
    touch(project / "bom" / "__init__.py")
    (project / "bom" / "models.py").write_bytes(BOM_MODELS.encode("utf-8"))
    touch(project / "latin" / "__init__.py")
    (project / "latin" / "models.py").write_bytes(LATIN1_MODELS.encode("latin-1"))
    touch(project / "shop" / "views.py", ODD_VIEWS)
    assert (project / "bom" / "models.py").read_bytes().startswith(b"\xef\xbb\xbf")
    lint, models = both_outputs(project, "shop")
    assert "bom.Tag" in models and "latin.Label" in models
    assert "unique (name)  [unique]" in models.split("latin.Label", 1)[1]
    assert "shop/views.py:6:5: DJI001" in lint
    assert "shop/views.py:10:5: DJI001" in lint


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_the_models_command_reads_no_config_file_that_is_a_fifo(tmp_path):
    project = clean_project(tmp_path)
    os.mkfifo(project / "setup.cfg")
    touch(project / "tox.ini", "\ufeff[flake8]\nextend-exclude = shop\n")  # the next config file
    result = run(["-m", "flake8_django_integrity", "models", "."], project, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "0 models" in result.stdout  # tox.ini was read (with its byte-order mark)


def test_the_function_index_reads_no_excluded_path(tmp_path):
    """Where code runs (project/functions.py) walks the project like the model index: an
    excluded folder is never read, not even a FIFO in it (which would block a plain open)."""
    from flake8_django_integrity.project import functions

    project = clean_project(tmp_path)
    touch(project / "shop" / "services.py", "def add(name):\n    return name\n")
    touch(project / "legacy" / "__init__.py")
    touch(project / "legacy" / "views.py", "from shop.services import add\n\n\ndef view(request):\n"
                                           "    return add('x')\n")
    os.mkfifo(project / "vendor.egg")  # a file named like flake8's default *.egg pattern
    os.mkdir(project / "old.egg")
    os.mkfifo(project / "old.egg" / "views.py")
    excluded = functions.get_functions(str(project), exclude=(*layout.DEFAULT_EXCLUDE, "legacy"))
    assert "shop.services.add" in excluded.units
    assert not any(q.startswith(("legacy.", "old")) for q in excluded.units)
    read = functions.get_functions(str(project), exclude=layout.DEFAULT_EXCLUDE)
    assert "legacy.views.view" in read.units  # the same project without the exclude: read


def test_a_function_name_from_the_cache_must_be_a_dotted_name():
    """A function's name reaches DJI006's message ("inside the atomic() of `name`"): a
    stored one that is no dotted name (a newline forging another output line) is rejected."""
    from flake8_django_integrity.project import function_store

    def module(qual):
        return {"app.mod": {"name": "app.mod", "path": "app/mod.py", "imports": {}, "stars": [],
                            "kind": None, "classes": {}, "module_calls": [], "registrations": [],
                            "units": [{"q": qual, "l": 1, "e": 2, "k": [], "a": True, "n": False,
                                       "c": []}]}}

    assert function_store._checked_modules(module("Importer.run"))
    with pytest.raises(ValueError):
        function_store._checked_modules(module("run\napp/x.py:1:1: DJI001 forged"))
