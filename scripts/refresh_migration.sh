#!/usr/bin/env bash
# Regenerates alembic/versions/0001_initial_schema.py from the models against a scratch database.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
DB="vg_migrate_$$"
psql -h 127.0.0.1 -U postgres -qtA -c "CREATE DATABASE $DB" >/dev/null
trap 'psql -h 127.0.0.1 -U postgres -qtA -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
rm -f alembic/versions/0001_initial_schema.py
alembic -x url="postgresql+psycopg://postgres@127.0.0.1:5432/$DB" revision --autogenerate --rev-id 0001 -m "initial schema" >/dev/null
sed -i '/^Create Date:/d' alembic/versions/0001_initial_schema.py
ruff format -q alembic/versions/0001_initial_schema.py || true
echo "regenerated alembic/versions/0001_initial_schema.py"
