#!/usr/bin/env bash
# Runs the web app's tests against a real PostgreSQL server (Debian's), as CI does after the SQLite run.
# Needs root (or sudo) to install and start the server; the tests connect over loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main" || pg_createcluster "$ver" main >/dev/null
pg_lsclusters -h | grep "^$ver main" | grep -q online || pg_ctlcluster "$ver" main start
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='asc_assure'\"" | grep -q 1; then
  su postgres -c "psql -q -c \"CREATE ROLE asc_assure LOGIN PASSWORD 'asc_assure' CREATEDB\""
fi
export DATABASE_URL="postgres://asc_assure:asc_assure@127.0.0.1:5432/asc_assure"
echo "Web tests against PostgreSQL $ver"
.venv/bin/pytest -n 2 -q tests/web
