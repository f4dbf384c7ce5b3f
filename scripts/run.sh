#!/usr/bin/env bash
# `make run`: THE DEMO. Migrate, seed the demo once, start the worker (when Redis answers) and the app in
# production mode on http://localhost:${PORT:-3000}, with DEMO_MODE=1 (demo accounts with published
# passwords) and SANDBOX_ENABLED=1 (the built-in sandbox payment provider; no money moves). Not a
# production launcher: see docs/security.md. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
mkdir -p var
export PORT="${PORT:-3000}"
export BASE_URL="${BASE_URL:-http://localhost:$PORT}"
export VOELGOED_ENV="${VOELGOED_ENV:-prod}"
# a demo, said out loud: the start-up check refuses these next to a real provider (PAYSTACK_SECRET_KEY…)
export DEMO_MODE=1 SANDBOX_ENABLED=1
# the demo may send webhooks to a receiver on this machine (refused next to a real provider, like the above)
export WEBHOOKS_ALLOW_PRIVATE="${WEBHOOKS_ALLOW_PRIVATE:-1}"
echo "VoelgoedEvents DEMO (not for production): DEMO_MODE=1 with published demo passwords, SANDBOX_ENABLED=1 (sandbox payment provider, no money moves)."
# Web worker processes. Reflex defaults to 2 × cores + 1 (5 here); on 2 cores shared with PostgreSQL,
# 2 workers gave more holds/s and a 7× lower scan p99 (docs/performance.md). Override per machine.
export GRANIAN_WORKERS="${GRANIAN_WORKERS:-2}"
# sync API routes: 8 threads per web process, first come first served (docs/performance.md: 0 errors at 256
# connections where anyio's default 40 gave 503s)
export WEB_THREADS="${WEB_THREADS:-8}"
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || python -c "import secrets; print(secrets.token_urlsafe(48))" > var/secret_key
  SECRET_KEY="$(cat var/secret_key)"; export SECRET_KEY
fi
if [ -z "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL is not set: using the embedded SQLite file var/voelgoed.db"
fi
export REDIS_URL="${REDIS_URL-redis://127.0.0.1:6379/0}"
if [ -n "$REDIS_URL" ] && python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$REDIS_URL" 2>/dev/null; then
  export REFLEX_REDIS_URL="$REDIS_URL"
  HAVE_REDIS=1
else
  echo "Redis is not reachable at '${REDIS_URL}': jobs run inside the web process, Reflex keeps state on disk."
  export REDIS_URL="" REFLEX_REDIS_URL=""
  HAVE_REDIS=0
fi
python -m voelgoed db upgrade
python -m voelgoed seed demo

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping…"
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if [ "$HAVE_REDIS" = 1 ]; then
  setsid python -m voelgoed worker > var/worker.log 2>&1 &
  pids+=($!)
  echo "worker started (log: var/worker.log)"
fi
setsid reflex run --env prod --loglevel warning &
pids+=($!)

for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$PORT/" >/dev/null 2>&1; then
    python -m voelgoed urls || true
    break
  fi
  sleep 1
done
wait "${pids[@]}"
