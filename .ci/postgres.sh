#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL for the test suite, then print its URL.
#
#   export REGEN_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"
#
# Idempotent: safe to run again when PostgreSQL is already installed, running and set up.
# Must run as root (it uses apt-get and `su postgres`). Progress goes to stderr; the only line on
# stdout is the SQLAlchemy URL. The role and database are throw-away test fixtures on a server that
# listens on the loopback address only; override with REGEN_PG_USER / REGEN_PG_PASSWORD / REGEN_PG_DB.
set -euo pipefail

PG_USER="${REGEN_PG_USER:-regen}"
PG_PASSWORD="${REGEN_PG_PASSWORD:-regen}"
PG_DB="${REGEN_PG_DB:-regen_test}"

log() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root"
    exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

# Highest installed major version, e.g. 15 on Debian 12, 17 on Debian 13.
PG_VERSION="$(ls -1 /usr/lib/postgresql | sort -V | tail -n 1)"
[ -n "$PG_VERSION" ] || { log "no PostgreSQL server found under /usr/lib/postgresql"; exit 1; }

if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    log "creating cluster $PG_VERSION/main"
    pg_createcluster "$PG_VERSION" main >&2
fi

PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $3}')"
STATUS="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}')"
if [ "$STATUS" != "online" ]; then
    log "starting cluster $PG_VERSION/main on port $PORT"
    pg_ctlcluster "$PG_VERSION" main start >&2
fi

for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then break; fi
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { log "PostgreSQL did not become ready on port $PORT"; exit 1; }

query_admin() { su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -qAt -c \"$1\""; }

if [ "$(query_admin "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
    log "creating role $PG_USER"
    query_admin "CREATE ROLE \\\"$PG_USER\\\" LOGIN PASSWORD '$PG_PASSWORD'" >&2
else
    query_admin "ALTER ROLE \\\"$PG_USER\\\" LOGIN PASSWORD '$PG_PASSWORD'" >&2
fi
if [ "$(query_admin "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    log "creating database $PG_DB"
    query_admin "CREATE DATABASE \\\"$PG_DB\\\" OWNER \\\"$PG_USER\\\"" >&2
fi
# Tests create one schema each; the owner of the database may do so.
query_admin "GRANT ALL ON DATABASE \\\"$PG_DB\\\" TO \\\"$PG_USER\\\"" >&2

echo "postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PORT/$PG_DB"
