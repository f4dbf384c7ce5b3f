#!/usr/bin/env bash
# `make bench`: run every benchmark in bench/ against a production-mode server (its own database
# `bench` and Redis db 12; see bench/common.py). Each prints ONE JSON line; all lines are also
# appended to var/bench/results.jsonl. Default sizes finish in a few minutes on a 2-core machine;
# full issue-6 sizes: BENCH_FULL=1 (or set the per-benchmark variables documented in each script).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
mkdir -p var/bench
out=var/bench/results.jsonl

if [ "${BENCH_FULL:-0}" = 1 ]; then
  export FLASH_ATTEMPTS="${FLASH_ATTEMPTS:-20000}" FLASH_TICKETS="${FLASH_TICKETS:-2000}" FLASH_CONCURRENCIES="${FLASH_CONCURRENCIES:-8,64,256}"
  export SCANS_RATE="${SCANS_RATE:-200}" SCANS_SECONDS="${SCANS_SECONDS:-30}" RACE_TICKETS="${RACE_TICKETS:-50}" RACE_DEVICES="${RACE_DEVICES:-25}"
  export DASH_SCANS="${DASH_SCANS:-100}" ORDERS_N="${ORDERS_N:-1000}" ORDERS_CLIENTS="${ORDERS_CLIENTS:-16}"
  export SESSIONS="${SESSIONS:-1000}" SESSIONS_EVENTS="${SESSIONS_EVENTS:-5}" SESSIONS_RAMP_S="${SESSIONS_RAMP_S:-20}" WR_VISITORS="${WR_VISITORS:-10000}"
else
  export FLASH_ATTEMPTS="${FLASH_ATTEMPTS:-3000}" FLASH_TICKETS="${FLASH_TICKETS:-300}" FLASH_CONCURRENCIES="${FLASH_CONCURRENCIES:-8,64,256}"
  export SCANS_RATE="${SCANS_RATE:-200}" SCANS_SECONDS="${SCANS_SECONDS:-10}" RACE_TICKETS="${RACE_TICKETS:-20}" RACE_DEVICES="${RACE_DEVICES:-25}"
  export DASH_SCANS="${DASH_SCANS:-30}" ORDERS_N="${ORDERS_N:-200}" ORDERS_CLIENTS="${ORDERS_CLIENTS:-16}"
  export SESSIONS="${SESSIONS:-200}" SESSIONS_EVENTS="${SESSIONS_EVENTS:-5}" SESSIONS_RAMP_S="${SESSIONS_RAMP_S:-5}" WR_VISITORS="${WR_VISITORS:-10000}"
fi

# bench/flash_sale.py drives the holds with Debian's `wrk` (a C load generator that leaves the two cores
# to the server); install it when missing (falls back to the httpx client if that is impossible).
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq wrk) >&2 || echo "could not install wrk: flash_sale uses httpx" >&2
  else
    sudo -n apt-get install -y -qq wrk >&2 || echo "wrk is missing (apt-get install wrk): flash_sale uses httpx" >&2
  fi
fi

status=0
for b in flash_sale scans dashboard sessions orders tickets; do
  if [ "$b" = dashboard ] && ! command -v chromium >/dev/null; then
    echo "{\"bench\": \"dashboard\", \"not_run\": \"chromium is not installed (make chromium)\"}" | tee -a "$out"
    continue
  fi
  echo "== $b" >&2
  if line="$(python "bench/$b.py")"; then
    echo "$line" | tee -a "$out"
  else
    echo "{\"bench\": \"$b\", \"failed\": true, \"log\": \"var/bench/web-<port>.log\"}" | tee -a "$out"
    status=1
  fi
done
exit $status
