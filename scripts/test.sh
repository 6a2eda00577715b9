#!/usr/bin/env bash
# The full check CI runs (via `make test`, after `make install`):
#   lint -> mypy -> migrations up to date -> pytest on SQLite -> pytest on PostgreSQL -> API fuzz -> browser journeys.
# Stops at the first failure. The PostgreSQL server is started here and always stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PYTEST=("$BIN/pytest" -q -p no:cacheprovider)
# A hung test must not eat CI's whole budget.
PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-900}

started=$SECONDS
step() { printf '\n\033[1m==> %s\033[0m  (%ss)\n' "$*" "$((SECONDS - started))"; }

# pytest exits 5 when it collected nothing; that is a failure here, never a silent pass.
run_pytest() {
    local label=$1; shift
    local rc=0
    timeout --signal=TERM --kill-after=30 "$PYTEST_TIMEOUT" "${PYTEST[@]}" "$@" || rc=$?
    case $rc in
        0) ;;
        5) echo "ERROR: pytest collected no tests for: $label" >&2; exit 1 ;;
        124) echo "ERROR: pytest timed out after ${PYTEST_TIMEOUT}s: $label" >&2; exit 1 ;;
        *) echo "ERROR: pytest failed (exit $rc): $label" >&2; exit "$rc" ;;
    esac
}

# The SQLite legs use the settings' default database, whatever the caller's shell has set.
unset DATABASE_URL

make lint

step "mypy"
"$BIN/mypy"

step "makemigrations --check --dry-run"
"$BIN/python" manage.py makemigrations --check --dry-run

step "pytest on SQLite (not browser)"
run_pytest "SQLite" -m "not browser and not fuzz"

step "pytest on PostgreSQL (not browser)"
pgdir=$(mktemp -d -t marketdesk-pg.XXXXXX)
cleanup() {
    scripts/pg.sh stop "$pgdir/pg" || true
    rm -rf "$pgdir"
}
trap cleanup EXIT
port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL=$(scripts/pg.sh start "$pgdir/pg" "$port")
export DATABASE_URL
echo "DATABASE_URL=$DATABASE_URL"
run_pytest "PostgreSQL" -m "not browser and not fuzz"

step "API fuzzed by schemathesis (live uvicorn, its own SQLite; prints operations and requests)"
run_pytest "fuzz" -m fuzz

step "browser journeys (Chromium, PostgreSQL)"
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are still synchronous.
DJANGO_ALLOW_ASYNC_UNSAFE=true run_pytest "browser" -m browser

step "all checks passed"
