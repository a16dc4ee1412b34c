"""The rules' doc pages, shipped inside the package, and ``python -m flake8_django_integrity rule``.

Each page (``docs/rules/DJInnn.md``) starts with ``# DJInnn: title`` and a line
``Name: `short-name` · Added in: X.Y.Z``; the page is the one place those facts live.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

CODE = re.compile(r"DJI\d{3}\Z")
_HEADER = re.compile(r"Name: `([a-z0-9]+(?:-[a-z0-9]+)*)` · Added in: (\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class RulePage:
    code: str
    title: str
    name: str
    added: str
    text: str

    @property
    def why(self) -> str:
        """The first paragraph of the page's "Why is this bad?" section with its wrapped lines
        joined (a list keeps one line per item; "" when the page has none): what the finding
        costs, in a few sentences."""
        _, found, rest = self.text.partition("\n## Why is this bad?\n")
        if not found:
            return ""
        paragraph = rest.lstrip("\n").split("\n\n", 1)[0]
        if paragraph.startswith("#"):  # the section is empty: the next heading follows
            return ""
        joined: list[str] = []
        for line in paragraph.splitlines():
            if joined and not line.startswith("- "):
                joined[-1] += " " + line.strip()
            else:
                joined.append(line.strip())
        return "\n".join(joined)


# Found beside this module (package data, docs/rules/*.md in setup.cfg), not through
# importlib: the plugin names no import machinery (tests/test_security.py).
FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "docs", "rules")


def codes() -> list[str]:
    try:
        names = os.listdir(FOLDER)
    except OSError:
        return []
    return sorted(name[:-3] for name in names if name.endswith(".md") and CODE.match(name[:-3]))


def page(code: str) -> RulePage | None:
    """The page of ``code`` (case-insensitive), or None for a code that has none."""
    code = code.strip().upper()
    if not CODE.match(code):
        return None
    try:
        with open(os.path.join(FOLDER, f"{code}.md"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    first, _, _ = text.partition("\n")
    title = first.partition(": ")[2].strip()
    header = _HEADER.search(text)
    name, added = header.groups() if header else ("", "")
    return RulePage(code, title, name, added, text)


def add_parser(sub) -> None:
    rule = sub.add_parser("rule", help="print a code's doc page; without a code, list the codes")
    rule.add_argument("code", nargs="?", help="a code, e.g. DJI003")
    rule.add_argument("--all", action="store_true", help="list every code with its short name")


def run(args, out) -> int:
    if args.all or not args.code:
        for code in codes():
            found = page(code)
            print(f"{code}  {found.name:<36} {found.title}", file=out)
        return 0
    found = page(args.code)
    if found is None:
        print(f"error: unknown code {args.code!r} (known: {', '.join(codes())})", file=sys.stderr)
        return 2
    out.write(found.text if found.text.endswith("\n") else found.text + "\n")
    return 0
