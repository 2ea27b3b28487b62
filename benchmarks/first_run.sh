#!/usr/bin/env bash
# README command 1 as a new user runs it: a fresh clone, a new venv, an empty pip cache.
# Prints the seconds of `pip install .`, the quick start's run and its report, and the total.
#
#     bash benchmarks/first_run.sh            # clones this checkout's HEAD into a temp dir
#
# Needs network access to the package index (or a local one); nothing else runs beside it
# if the figure is to mean anything (2 jobs at a time on a 2-core machine).
set -euo pipefail
src=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
# (the background kernel compilation may still be writing into the venv)
trap 'pkill -f "$work" || true; sleep 1; rm -rf "$work"' EXIT
git clone -q "$src" "$work/srbench-lite"
cd "$work/srbench-lite"
python3 -m venv .venv
. .venv/bin/activate
export PIP_NO_CACHE_DIR=1
now() { python3 -c 'import time; print(time.time())'; }
t0=$(now)
pip install -q . >/dev/null
t1=$(now)
run-benchmark --suite smoke --methods gp,linear,constant --time-budget 10 --n-jobs 2 \
    --out results/quickstart --no-progress >/dev/null
t2=$(now)
srbench-lite report results/quickstart --out reports/quickstart >/dev/null
t3=$(now)
python3 - "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:])
print(f"install {t1 - t0:.1f} s, run {t2 - t1:.1f} s, report {t3 - t2:.1f} s, "
      f"total {t3 - t0:.1f} s")
PY
grep -A5 "| method" reports/quickstart/README.md | head -6
