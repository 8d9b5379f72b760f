# Sourced by `make test`: environment for the test run.
# PostgreSQL store tests run when this URL answers (scripts/system-deps.sh starts a local server as root).
export REGEN_TEST_POSTGRES_URL="${REGEN_TEST_POSTGRES_URL:-postgresql+psycopg://regen:regen@127.0.0.1:5432/regen_test}"
export BROWSER_PATH="${BROWSER_PATH:-/usr/bin/chromium}"
