#!/usr/bin/env bash
# Runs the whole suite against the machine's PostgreSQL and Redis (see tests/conftest.py for defaults).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
exec python -m pytest "$@"
