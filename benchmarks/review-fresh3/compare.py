import sys, glob, os, re, collections
# usage: cmp.py VERDICT_DIR NEW_DIR
vd, nd = sys.argv[1], sys.argv[2]
race = {"DJI003","DJI006","DJI007"}
tot = collections.Counter(); gone=[]; new=[]
for tsv in sorted(glob.glob(f"{vd}/*.verdicts.tsv")):
    p = os.path.basename(tsv)[:-len(".verdicts.tsv")]
    old = {}
    for line in open(tsv):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 4: continue
        old[(parts[1], parts[2])] = parts[3]
    nf = f"{nd}/{p}.findings.txt"
    cur = set()
    if os.path.exists(nf):
        for line in open(nf):
            m = re.match(r"(\S+?):(\d+):\d+: (DJI\d+)", line)
            if m: cur.add((f"{m.group(1)}:{m.group(2)}", m.group(3)))
    for k, v in old.items():
        if k not in cur: gone.append((p, k, v))
    for k in cur:
        if k not in old: new.append((p, k)); tot["UNREAD"+("-race" if k[1] in race else "")] += 1
        else:
            v = old[k]; tot[v] += 1
            if k[1] in race: tot["race-"+v] += 1
print("kept:", dict(tot))
r = tot["race-REAL"]; n = tot["race-REAL"]+tot["race-DOUBTFUL"]+tot["race-FALSE"]+tot["UNREAD-race"]
print(f"race REAL {r} of {n} read+unread = {100*r/max(n,1):.1f}%")
print("gone:"); [print("  ", *g) for g in gone]
print("new:"); [print("  ", *x) for x in new]
