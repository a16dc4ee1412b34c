import glob, collections, os
d = os.path.dirname(os.path.abspath(__file__))
rows = []
for f in sorted(glob.glob(os.path.join(d, "*.verdicts.tsv"))):
    name = os.path.basename(f)[:-len(".verdicts.tsv")]
    for line in open(f):
        if line.strip():
            p = line.rstrip("\n").split("\t")
            rows.append((name, p[2], p[3]))
codes = sorted({c for _, c, _ in rows})
print("| code | REAL | DOUBTFUL | FALSE | total |")
print("|---|---|---|---|---|")
for c in codes:
    cnt = collections.Counter(v for _, cc, v in rows if cc == c)
    print(f"| {c} | {cnt['REAL']} | {cnt['DOUBTFUL']} | {cnt['FALSE']} | {sum(cnt.values())} |")
cnt = collections.Counter(v for _, c, v in rows)
print(f"| all | {cnt['REAL']} | {cnt['DOUBTFUL']} | {cnt['FALSE']} | {sum(cnt.values())} |")
race = [v for _, c, v in rows if c in ("DJI003", "DJI006", "DJI007")]
rc = collections.Counter(race)
print(f"\nDJI003+DJI006+DJI007: {rc['REAL']} REAL of {len(race)} = {100*rc['REAL']/max(1,len(race)):.1f}% (DOUBTFUL {rc['DOUBTFUL']}, FALSE {rc['FALSE']})")
print("\nper project:")
for name in sorted({n for n, _, _ in rows} | {os.path.basename(f)[:-13] for f in glob.glob(os.path.join(d,'*.verdicts.tsv'))}):
    cnt = collections.Counter(v for n, _, v in rows if n == name)
    print(f"- {name}: {sum(cnt.values())} findings, REAL {cnt['REAL']}, DOUBTFUL {cnt['DOUBTFUL']}, FALSE {cnt['FALSE']}")
