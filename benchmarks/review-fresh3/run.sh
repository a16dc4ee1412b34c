#!/bin/bash
# usage: run_fresh3.sh VENV OUTDIR [project ...]
VENV=$1; OUT=$2; shift 2; mkdir -p $OUT
PROJECTS=${@:-$(cd /work/fresh3 && ls -d */ | tr -d / | grep -v '^dl$')}
for p in $PROJECTS; do
  d=/work/fresh3/$p
  s=$(date +%s)
  ( cd $d && nice -n 10 $VENV/bin/python -m flake8 --isolated --select=DJI -j1 --dji-no-cache . > $OUT/$p.findings.txt 2>$OUT/$p.err ); rc=$?
  echo "$p rc=$rc $(( $(date +%s)-s ))s $(wc -l < $OUT/$p.findings.txt) findings"
done
