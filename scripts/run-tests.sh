#!/usr/bin/env bash
# Runs every test (called by `make test`, which has installed the packages first).
# As root, starts a local PostgreSQL for the store tests (.ci/postgres.sh); otherwise they run only
# when REGEN_TEST_POSTGRES_URL points at a server, and are reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${REGEN_TEST_POSTGRES_URL:-}" ]; then
  if [ "$(id -u)" = "0" ]; then
    REGEN_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"
    export REGEN_TEST_POSTGRES_URL
  else
    echo "Note: PostgreSQL store tests will be skipped (not root and REGEN_TEST_POSTGRES_URL unset)." >&2
  fi
fi
export BROWSER_PATH="${BROWSER_PATH:-/usr/bin/chromium}"
exec .venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
