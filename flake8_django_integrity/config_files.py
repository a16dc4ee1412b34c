"""The project's flake8 configuration, read as flake8 (and Flake8-pyproject) would read it, for
the command-line tools (``python -m flake8_django_integrity``); the plugin itself gets its
options from flake8.

Order: ``[tool.flake8]`` of ``pyproject.toml`` when it has one (Flake8-pyproject then uses it
and ignores the other files), else the first of ``setup.cfg``, ``tox.ini``, ``.flake8`` with a
``[flake8]`` section (flake8's own order).  ``pyproject.toml`` needs a TOML parser: ``tomllib``
(Python 3.11+) or ``tomli`` when installed; on Python 3.10 without ``tomli`` it is skipped.
Every file is untrusted input: a file that cannot be read or parsed is skipped.
"""

from __future__ import annotations

import configparser
import os

INI_FILES = ("setup.cfg", "tox.ini", ".flake8")
MAX_BYTES = 1 << 20  # a config file larger than this is not a config file

try:  # Python 3.11+
    import tomllib as _toml
except ImportError:  # pragma: no cover - Python 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef]
    except ImportError:
        _toml = None


def _regular_file(path: str) -> bool:
    try:
        return (os.path.isfile(path) and not os.path.islink(path)
                and os.path.getsize(path) <= MAX_BYTES)
    except OSError:
        return False


def _toml_value(value) -> str | None:
    """A TOML value as the text an ini file would hold (lists comma separated)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def _pyproject(root: str) -> tuple[dict[str, str], str] | None:
    path = os.path.join(root, "pyproject.toml")
    if _toml is None or not _regular_file(path):
        return None
    try:
        with open(path, "rb") as f:
            data = _toml.load(f)
    except (OSError, ValueError, RecursionError):  # TOMLDecodeError is a ValueError
        return None
    tool = data.get("tool")
    section = tool.get("flake8") if isinstance(tool, dict) else None
    if not isinstance(section, dict):
        return None
    out = {}
    for key, value in section.items():
        text = _toml_value(value)
        if isinstance(key, str) and text is not None:
            out[key.lower().replace("_", "-")] = text
    return out, path


def _ini(root: str) -> tuple[dict[str, str], str] | None:
    for name in INI_FILES:
        path = os.path.join(root, name)
        if not _regular_file(path):
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        if parser.has_section("flake8"):
            return {k.replace("_", "-"): v for k, v in parser.items("flake8")}, path
    return None


def flake8_section(root: str) -> tuple[dict[str, str], str | None]:
    """The ``[flake8]`` settings that apply in ``root`` (keys lower-case, dashed) and the file
    they came from (None when there is none)."""
    found = _pyproject(root) or _ini(root)
    return found if found else ({}, None)
