"""Tally and compare a reader's verdicts on a fresh corpus (benchmarks/review-fresh*/).

A review directory holds ``<project>.findings.txt`` (``flake8 --isolated --select=DJI -j1
--dji-no-cache .`` in the project's root) and ``<project>.verdicts.tsv``, one line per finding:
``current<TAB>./path:LINE<TAB>CODE<TAB>REAL|DOUBTFUL|FALSE<TAB>reason``.

    python benchmarks/fresh_review.py tally DIR            # the tables of DIR/README.md
    python benchmarks/fresh_review.py compare DIR NEWDIR   # a newer run against the verdicts

``compare`` reads ``NEWDIR/<project>.findings.txt``, counts the verdicts of the findings still
reported, and lists the judged findings that are gone and the new ones nobody has read.
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

RACE = ("DJI003", "DJI006", "DJI007")
FINDING = re.compile(r"(\S+?):(\d+):\d+: (DJI\d+)")


def verdicts(directory: Path) -> dict[str, dict[tuple[str, str], str]]:
    """project -> {(path:line, code): verdict}, for every project the directory judged."""
    out = {}
    for tsv in sorted(directory.glob("*.verdicts.tsv")):
        judged = {}
        for line in tsv.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 4:
                judged[(parts[1], parts[2])] = parts[3]
        out[tsv.name[:-len(".verdicts.tsv")]] = judged
    return out


def findings(path: Path) -> set[tuple[str, str]]:
    if not path.is_file():
        return set()
    return {(f"{m[1]}:{m[2]}", m[3]) for m in map(FINDING.match, path.read_text().splitlines())
            if m}


def race_line(counts: collections.Counter, unread: int = 0) -> str:
    total = counts["REAL"] + counts["DOUBTFUL"] + counts["FALSE"] + unread
    extra = f", unread {unread}" if unread else ""
    return (f"DJI003+DJI006+DJI007: {counts['REAL']} REAL of {total} = "
            f"{100 * counts['REAL'] / max(1, total):.1f}% (DOUBTFUL {counts['DOUBTFUL']}, "
            f"FALSE {counts['FALSE']}{extra})")


def tally(directory: Path) -> None:
    judged = verdicts(directory)
    rows = [(p, code, v) for p, js in judged.items() for (_, code), v in js.items()]
    print("| code | REAL | DOUBTFUL | FALSE | total |")
    print("|---|---|---|---|---|")
    for code in sorted({c for _, c, _ in rows}) + ["all"]:
        cnt = collections.Counter(v for _, c, v in rows if code in ("all", c))
        print(f"| {code} | {cnt['REAL']} | {cnt['DOUBTFUL']} | {cnt['FALSE']} | {sum(cnt.values())} |")
    print("\n" + race_line(collections.Counter(v for _, c, v in rows if c in RACE)))
    print("\nper project:")
    for project in sorted(judged):
        cnt = collections.Counter(v for p, _, v in rows if p == project)
        print(f"- {project}: {sum(cnt.values())} findings, REAL {cnt['REAL']}, "
              f"DOUBTFUL {cnt['DOUBTFUL']}, FALSE {cnt['FALSE']}")


def compare(directory: Path, new: Path) -> None:
    race, gone, unread = collections.Counter(), [], []
    for project, judged in verdicts(directory).items():
        current = findings(new / f"{project}.findings.txt")
        gone += [(project, key, v) for key, v in judged.items() if key not in current]
        for key in sorted(current):
            if key not in judged:
                unread.append((project, key))
            elif key[1] in RACE:
                race[judged[key]] += 1
    print(race_line(race, sum(1 for _, (_, code) in unread if code in RACE)))
    print(f"gone ({len(gone)}):")
    for project, (where, code), verdict in gone:
        print(f"  {project} {where} {code} {verdict}")
    print(f"new, unread ({len(unread)}):")
    for project, (where, code) in unread:
        print(f"  {project} {where} {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tally").add_argument("dir", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("dir", type=Path)
    cmp.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "tally":
        tally(args.dir)
    else:
        compare(args.dir, args.new)


if __name__ == "__main__":
    main()
