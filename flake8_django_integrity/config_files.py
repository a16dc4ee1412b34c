"""The project's flake8 configuration, read as flake8 (and Flake8-pyproject) would read it, for
the command-line tools (``python -m flake8_django_integrity``); the plugin itself gets its
options from flake8.

Order: ``[tool.flake8]`` of ``pyproject.toml`` when it has one (Flake8-pyproject then uses it
and ignores the other files), else the first of ``setup.cfg``, ``tox.ini``, ``.flake8`` with a
``[flake8]`` section (flake8's own order).  ``pyproject.toml`` needs ``tomllib`` (Python
3.11+); on Python 3.10 it is skipped.
Every file is untrusted input: a file that cannot be read or parsed is skipped.
"""

from __future__ import annotations

import configparser
import os

from . import import_stdlib
from .project.files import MAX_SOURCE_BYTES, read_regular

INI_FILES = ("setup.cfg", "tox.ini", ".flake8")

try:  # Python 3.11+
    _toml = import_stdlib("tomllib")
except ImportError:  # pragma: no cover - Python 3.10: pyproject.toml is skipped
    _toml = None


def _read(path: str) -> str | None:
    """The text of a regular file of bounded size (project/files.py: no FIFO, size cap)."""
    data = read_regular(path, MAX_SOURCE_BYTES)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


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
    text = _read(path) if _toml is not None else None
    if text is None:
        return None
    try:
        data = _toml.loads(text)
    except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError
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
        text = _read(path)
        if text is None:
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read_string(text, source=path)
        except configparser.Error:
            continue
        if parser.has_section("flake8"):
            return {k.replace("_", "-"): v for k, v in parser.items("flake8")}, path
    return None


def flake8_section(root: str) -> tuple[dict[str, str], str | None]:
    """The ``[flake8]`` settings that apply in ``root`` (keys lower-case, dashed) and the file
    they came from (None when there is none)."""
    found = _pyproject(root) or _ini(root)
    return found if found else ({}, None)
