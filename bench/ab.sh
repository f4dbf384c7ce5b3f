#!/usr/bin/env bash
# Interleaved A/B of one benchmark: another commit's code (the baseline) and this tree, on the same machine at
# the same time, so both sides see the same load (docs/performance.md, issue 10).
#   bash bench/ab.sh <base commit> <bench name, e.g. scans> [rounds=2]
# The baseline is checked out as a git worktree in var/ab/base (sharing .venv/.tools); each side has its own
# database (bench_base / bench) and Redis db (11 / 12). Each line of var/ab/<bench>.jsonl is
# {"side": "base"|"this", "round": n, "line": <the bench's JSON line>}. Bench sizes come from the environment
# (e.g. SCANS_SECONDS=10, FLASH_ATTEMPTS=20000 FLASH_TICKETS=2000 FLASH_CONCURRENCY=8 FLASH_CONCURRENCIES=8).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
base=${1:?base commit}; b=${2:?bench name}; rounds=${3:-2}
wt="$ROOT/var/ab/base"; out="$ROOT/var/ab/$b.jsonl"
mkdir -p "$ROOT/var/ab"
if [ ! -d "$wt" ]; then git -C "$ROOT" worktree add --detach "$wt" "$base" >/dev/null; fi
git -C "$wt" checkout -q --detach "$base"
for x in .venv .tools; do [ -e "$wt/$x" ] || ln -s "$ROOT/$x" "$wt/$x"; done
for r in $(seq 1 "$rounds"); do
  for side in base this; do
    if [ "$side" = base ]; then dir="$wt"; db=bench_base; rdb=11; else dir="$ROOT"; db=bench; rdb=12; fi
    line=$(cd "$dir" && source scripts/env.sh && BENCH_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$db" \
           BENCH_REDIS_URL="redis://127.0.0.1:6379/$rdb" python "bench/$b.py" 2>>"$ROOT/var/ab/$b.$side.log")
    echo "{\"side\": \"$side\", \"round\": $r, \"line\": $line}" | tee -a "$out"
  done
done
