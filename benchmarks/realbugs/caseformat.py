"""The case format of the real-bug benchmark: loading case files and checking their shape.

One JSON file per case, ``cases/<package>-<short-id>.json``; README.md beside this file
describes every key.  Used by fetch.py, score.py and tests/test_realbugs_format.py; nothing
here touches the network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"

CODES = {f"DJI{n:03d}" for n in range(1, 10)}
KINDS = {"bug": ("buggy", "fixed"), "control": ("control",)}
TOP_KEYS = {"id", "code", "kind", "package", "evidence", "note"}
ENTRY_KEYS = {"version", "dist", "sha256", "file", "function"}
OPTIONAL_ENTRY_KEYS = {"root"}
SHA256 = re.compile(r"[0-9a-f]{64}")
DIST_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz")
OPERATION = re.compile(r"operations\[(\d+)\]")
QUALNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def _relative_path_problem(value: str) -> str | None:
    if not value or "\\" in value:
        return "empty or has a backslash"
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts:
        return "must be relative and without '..'"
    return None


def entry_problems(entry, where: str) -> list[str]:
    """What is wrong with one version object (buggy, fixed or control)."""
    if not isinstance(entry, dict):
        return [f"{where}: not an object"]
    problems = []
    keys = set(entry)
    if ENTRY_KEYS - keys:
        problems.append(f"{where}: missing {sorted(ENTRY_KEYS - keys)}")
    if keys - ENTRY_KEYS - OPTIONAL_ENTRY_KEYS:
        problems.append(f"{where}: unknown keys {sorted(keys - ENTRY_KEYS - OPTIONAL_ENTRY_KEYS)}")
    for key in sorted(keys & (ENTRY_KEYS | OPTIONAL_ENTRY_KEYS)):
        if not isinstance(entry[key], str) or not entry[key].strip():
            problems.append(f"{where}.{key}: not a non-empty string")
    if problems:
        return problems
    if not SHA256.fullmatch(entry["sha256"]):
        problems.append(f"{where}.sha256: not 64 lower-case hex digits")
    dist = entry["dist"]
    if "/" in dist or "\\" in dist or dist.startswith(".") or not dist.endswith(DIST_SUFFIXES):
        problems.append(f"{where}.dist: not a plain sdist or wheel file name")
    for key in ("file", "root"):
        if key in entry:
            problem = _relative_path_problem(entry[key])
            if problem:
                problems.append(f"{where}.{key}: {problem}")
    if not entry["file"].endswith(".py"):
        problems.append(f"{where}.file: not a .py file")
    function = entry["function"]
    if not (OPERATION.fullmatch(function) or QUALNAME.fullmatch(function)):
        problems.append(f"{where}.function: neither a qualified name nor 'operations[N]'")
    return problems


def case_problems(case, stem: str | None = None) -> list[str]:
    """What is wrong with one case (an empty list when its shape is right)."""
    if not isinstance(case, dict):
        return ["not a JSON object"]
    problems = []
    kind = case.get("kind")
    if kind not in KINDS:
        return [f"kind: {kind!r} is not 'bug' or 'control'"]
    wanted = TOP_KEYS | set(KINDS[kind])
    keys = set(case)
    if wanted - keys:
        problems.append(f"missing keys {sorted(wanted - keys)}")
    if keys - wanted:
        problems.append(f"unknown keys {sorted(keys - wanted)}")
    for key in sorted(TOP_KEYS & keys):
        if not isinstance(case[key], str) or not case[key].strip():
            problems.append(f"{key}: not a non-empty string")
    if problems:
        return problems
    if case["code"] not in CODES:
        problems.append(f"code: {case['code']!r} is not DJI001-DJI009")
    if stem is not None and case["id"] != stem:
        problems.append(f"id {case['id']!r} is not the file name {stem!r}")
    if not case["id"].startswith(case["package"] + "-"):
        problems.append("id does not start with '<package>-'")
    if not re.fullmatch(r"https?://\S+", case["evidence"]):
        problems.append("evidence: not a URL")
    for role in KINDS[kind]:
        problems.extend(entry_problems(case[role], role))
    if kind == "bug" and not problems:
        if case["buggy"]["version"] == case["fixed"]["version"]:
            problems.append("buggy and fixed are the same version")
    return problems


def load_cases(*dirs: Path) -> list[dict]:
    """Every case in the given folders (default cases/), sorted by id; a malformed case raises."""
    cases, seen = [], {}
    for folder in dirs or (CASES_DIR,):
        for path in sorted(Path(folder).glob("*.json")):
            case = json.loads(path.read_text(encoding="utf-8"))
            problems = case_problems(case, path.stem)
            if problems:
                raise ValueError(f"{path}: " + "; ".join(problems))
            if case["id"] in seen:
                raise ValueError(f"{path}: id {case['id']} also in {seen[case['id']]}")
            seen[case["id"]] = path
            cases.append(case)
    return sorted(cases, key=lambda c: c["id"])


def entries(case: dict):
    """(role, entry) for each published file the case names."""
    for role in KINDS[case["kind"]]:
        yield role, case[role]
