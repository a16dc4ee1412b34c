"""Compare a new run on the held-out corpus with the findings readers already judged.

    python benchmarks/review_compare.py NEW_DIR [--review benchmarks/review-0.2]
                                        [--old-dir DIR_OF_0.1_RUN] [--unread OUT_DIR]

NEW_DIR holds one ``<project>.txt`` per held-out project: the output of
``flake8 --select=DJI --format='%(path)s:%(row)d:%(col)d: %(code)s %(text)s'`` run inside that
project.  A finding is keyed on (path, line, code); the verdicts of the review folder
(``<project>.verdicts.tsv``) are attached to the findings they judged.  Prints, per code and in
total, REAL / DOUBTFUL / FALSE over the findings that were read, the reviewed findings that are
gone (with their verdicts), and the count of findings nobody has read yet (``--unread`` writes
them per project, for a reader).  ``--old-dir`` (a run of an older version) adds the check that
no finding judged REAL which the old version reported is lost.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>DJI\d{3}) (?P<text>.*)$")
VERDICTS = ("REAL", "DOUBTFUL", "FALSE")


def _plain(path: str) -> str:
    """``./a/b.py`` and ``a/b.py`` name the same file."""
    return path[2:] if path.startswith("./") else path


def read_findings(path: Path) -> dict[tuple[str, int, str], str]:
    found = {}
    if not path.is_file():
        return found
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = LINE.match(raw)
        if match:
            key = (_plain(match["path"]), int(match["line"]), match["code"])
            found[key] = raw
    return found


def read_verdicts(path: Path) -> dict[tuple[str, int, str], tuple[str, str, str]]:
    verdicts = {}
    if not path.is_file():
        return verdicts
    for raw in path.read_text(encoding="utf-8").splitlines():
        parts = raw.split("\t")
        if len(parts) < 5 or parts[3] not in VERDICTS:
            continue
        file, _, line = parts[1].rpartition(":")
        verdicts[(_plain(file), int(line), parts[2])] = (parts[3], parts[4], parts[0])
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("new_dir", type=Path)
    parser.add_argument("--review", type=Path, default=Path(__file__).parent / "review-0.2")
    parser.add_argument("--old-dir", type=Path)
    parser.add_argument("--unread", type=Path)
    parser.add_argument("--codes", nargs="*", default=[])
    args = parser.parse_args()

    projects = sorted(p.name[: -len(".verdicts.tsv")] for p in args.review.glob("*.verdicts.tsv"))
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    gone_lines, lost_real = [], []
    unread_total = 0
    for project in projects:
        verdicts = read_verdicts(args.review / f"{project}.verdicts.tsv")
        new = read_findings(args.new_dir / f"{project}.txt")
        if args.codes:
            new = {k: v for k, v in new.items() if k[2] in args.codes}
        unread = []
        for key, raw in sorted(new.items()):
            verdict = verdicts.get(key)
            if verdict is None:
                unread.append(raw)
                counts[key[2]]["unread"] += 1
                continue
            counts[key[2]][verdict[0]] += 1
        unread_total += len(unread)
        if args.unread is not None:
            args.unread.mkdir(parents=True, exist_ok=True)
            (args.unread / f"{project}.findings.txt").write_text(
                "".join(line + "\n" for line in unread), encoding="utf-8"
            )
        for key, (verdict, reason, kind) in sorted(verdicts.items()):
            if kind != "current" or (args.codes and key[2] not in args.codes):
                continue
            if key not in new:
                gone_lines.append(f"{project}\t{key[0]}:{key[1]}\t{key[2]}\t{verdict}\t{reason[:110]}")
        if args.old_dir is not None:
            old = read_findings(args.old_dir / f"{project}.txt")
            for key in sorted(old):
                if args.codes and key[2] not in args.codes:
                    continue
                if key not in new and verdicts.get(key, ("",))[0] == "REAL":
                    lost_real.append(f"{project}\t{key[0]}:{key[1]}\t{key[2]}")

    total: collections.Counter = collections.Counter()
    print(f"{'code':8} {'REAL':>5} {'DOUBT':>5} {'FALSE':>5} {'read':>5} {'unread':>6}")
    for code in sorted(counts):
        c = counts[code]
        total.update(c)
        read = sum(c[v] for v in VERDICTS)
        print(f"{code:8} {c['REAL']:5} {c['DOUBTFUL']:5} {c['FALSE']:5} {read:5} {c['unread']:6}")
    read = sum(total[v] for v in VERDICTS)
    print(f"{'all':8} {total['REAL']:5} {total['DOUBTFUL']:5} {total['FALSE']:5} {read:5} {total['unread']:6}")
    if read:
        print(f"of the read: REAL {total['REAL'] / read:.1%}, FALSE {total['FALSE'] / read:.1%}")
    print(f"\nfindings the review read as current that are gone ({len(gone_lines)}):")
    for line in gone_lines:
        print("  " + line)
    if args.old_dir is not None:
        print(f"\nREAL findings of the old run lost ({len(lost_real)}):")
        for line in lost_real:
            print("  " + line)
    print(f"\nunread findings: {unread_total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
