"""Score the plugin on the real-bug benchmark: each case's file linted alone from its package root.

    python benchmarks/realbugs/score.py [--cache DIR] [--cases DIR ...] [-v]

Run it in the virtualenv where flake8-django-integrity is installed: flake8 runs as
``python -m flake8 --isolated --select=DJI --dji-no-cache <file>`` with the package root as the
working directory (what pre-commit does for one changed file; --isolated so that a package's own
flake8 configuration cannot exclude or ignore anything, --dji-no-cache so that no earlier run's
facts are reused).

A buggy version is FLAGGED when the case's code is reported on a line inside the span of the
case's function (for 'operations[N]', that operation of the migration); a fixed version is
RIGHT when the code is reported nowhere in that span (or the function is gone); a control is an
ALARM when the code is reported inside its span.  Prints one row per case and the totals per
code and overall.  Always exits 0: it measures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import ast
import collections
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from caseformat import OPERATION, entries, load_cases  # noqa: E402
from fetch import DEFAULT_CACHE, FetchError, fetch_entries  # noqa: E402

FORMAT = "%(row)d:%(code)s:%(text)s"


def _start(node: ast.AST) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def _operations_list(tree: ast.Module):
    """The list assigned to `operations` in the module's migration class (or at module level)."""
    scopes = [tree.body] + [n.body for n in tree.body if isinstance(n, ast.ClassDef)]
    for body in reversed(scopes):
        for stmt in body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else (
                [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
            if any(isinstance(t, ast.Name) and t.id == "operations" for t in targets) and \
                    isinstance(stmt.value, (ast.List, ast.Tuple)):
                return stmt.value.elts
    return None


def span(source: str, function: str) -> tuple[int, int] | None:
    """(first line, last line) of a qualified function/class name or 'operations[N]'."""
    tree = ast.parse(source)
    match = OPERATION.fullmatch(function)
    if match:
        operations = _operations_list(tree)
        index = int(match.group(1))
        if operations is None or index >= len(operations):
            return None
        node = operations[index]
        return node.lineno, node.end_lineno
    body, node = tree.body, None
    for part in function.split("."):
        found = [n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                   ast.ClassDef)) and n.name == part]
        if not found:
            return None
        node = found[-1]  # the last definition is the one that stands
        body = node.body
    return _start(node), node.end_lineno


def lint(root: Path, file: str) -> list[tuple[int, str, str]]:
    """(line, code, message) of every DJI finding on one file, linted from root."""
    command = [sys.executable, "-m", "flake8", "--isolated", "--select=DJI", "--dji-no-cache",
               f"--format={FORMAT}", file]
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not proc.stdout.strip()):
        raise RuntimeError(f"flake8 failed on {root / file}: {proc.stderr.strip()[-500:]}")
    findings = []
    for line in proc.stdout.splitlines():
        row, code, text = line.split(":", 2)
        findings.append((int(row), code, text))
    return findings


def judge(case: dict, folders: dict[str, Path]) -> dict:
    """{role: {"hit": bool | None, "lines": [...], "error": str | None}} for one case."""
    verdicts = {}
    for role, entry in entries(case):
        root = folders[entry["dist"]] / entry.get("root", ".")
        verdict = {"hit": None, "lines": [], "error": None, "other": []}
        path = root / entry["file"]
        try:
            source = path.read_text(encoding="utf-8")
            where = span(source, entry["function"])
            if where is None and role != "fixed":
                raise LookupError(f"{entry['function']} not found in {entry['file']}")
            findings = lint(root, entry["file"])
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError, RuntimeError) as exc:
            verdict["error"] = f"{type(exc).__name__}: {exc}"
            verdicts[role] = verdict
            continue
        inside = [f for f in findings if where and where[0] <= f[0] <= where[1]]
        verdict["lines"] = [f for f in inside if f[1] == case["code"]]
        verdict["other"] = [f for f in findings if f not in verdict["lines"]]
        verdict["hit"] = bool(verdict["lines"])
        verdicts[role] = verdict
    return verdicts


def _cell(verdict: dict | None, yes: str, no: str) -> str:
    if verdict is None:
        return "-"
    if verdict["error"]:
        return "ERROR"
    return yes if verdict["hit"] else no


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--cases", type=Path, action="append",
                        help="a folder of case files (repeatable; default: cases/ here)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the findings in each span and every error")
    args = parser.parse_args(argv)
    try:
        cases = load_cases(*(args.cases or []))
        folders = fetch_entries(cases, args.cache, log=lambda m: print(m, file=sys.stderr))
    except (ValueError, FetchError, OSError) as exc:
        print(f"cannot run the benchmark: {exc}", file=sys.stderr)
        return 0
    width = max([len(c["id"]) for c in cases] + [4])
    print(f"{'case':<{width}}  code    buggy    fixed   control")
    totals = collections.defaultdict(collections.Counter)
    for case in cases:
        verdicts = judge(case, folders)
        buggy, fixed, control = (verdicts.get(r) for r in ("buggy", "fixed", "control"))
        print(f"{case['id']:<{width}}  {case['code']}  "
              f"{_cell(buggy, 'FLAGGED', 'missed'):<7}  {_cell(fixed, 'wrong', 'RIGHT'):<7} "
              f"{_cell(control, 'ALARM', 'quiet')}")
        for key in (case["code"], "all"):
            count = totals[key]
            if case["kind"] == "bug":
                count["bugs"] += 1
                count["flagged"] += bool(buggy["hit"] and not buggy["error"])
                count["right"] += bool(fixed["hit"] is False and not fixed["error"])
                count["errors"] += bool(buggy["error"]) + bool(fixed["error"])
            else:
                count["controls"] += 1
                count["alarms"] += bool(control["hit"] and not control["error"])
                count["errors"] += bool(control["error"])
        if args.verbose:
            for role, verdict in verdicts.items():
                if verdict["error"]:
                    print(f"    {role}: {verdict['error']}")
                for row, code, text in verdict["lines"]:
                    print(f"    {role}:{row}: {code} {text}")
    print()
    print("code     bugs  flagged (recall)   fixed right        controls  alarms  errors")
    for key in sorted(k for k in totals if k != "all") + ["all"]:
        count = totals[key]
        bugs, controls = count["bugs"], count["controls"]
        recall = f"{count['flagged']}/{bugs} ({100 * count['flagged'] / bugs:.0f}%)" if bugs \
            else "-"
        right = f"{count['right']}/{bugs} ({100 * count['right'] / bugs:.0f}%)" if bugs else "-"
        alarms = f"{count['alarms']}/{controls}" if controls else "-"
        print(f"{key:<7}  {bugs:>4}  {recall:<17}  {right:<17}  {controls:>8}  {alarms:>6}  "
              f"{count['errors']:>6}")
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
