#!/usr/bin/env bash
# The full check CI runs (via `make test`, after `make install`):
#   lint -> mypy -> migrations up to date -> pytest on SQLite and PostgreSQL (side by side) -> API fuzz
#   -> browser journeys -> the topology (scripts/topology.py: haproxy, two web processes, RQ workers, faults).
# Stops at the first failure. The PostgreSQL server is started here and always stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PYTEST=("$BIN/pytest" -q -p no:cacheprovider)
# A hung test must not eat CI's whole budget.
PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-2400}

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

# The SQLite and PostgreSQL legs are independent: they run side by side (one per core), each with its own
# var/ and temporary directory so that tests counting files on disk see only their own. Each leg's output goes
# to its own log, printed whole when both have finished.
pgdir=$(mktemp -d -t marketdesk-pg.XXXXXX)
cleanup() {
    scripts/pg.sh stop "$pgdir/pg" || true
    rm -rf "$pgdir"
}
trap cleanup EXIT
port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_url=$(scripts/pg.sh start "$pgdir/pg" "$port")
echo "DATABASE_URL=$pg_url"

leg() {  # leg NAME [VAR=VALUE ...]: pytest -m "not browser" in a subshell with those variables, output to a log
    local name=$1; shift
    mkdir -p "$pgdir/$name/var" "$pgdir/$name/tmp"
    (
        for assignment in "$@"; do export "${assignment?}"; done
        export MARKETDESK_VAR_DIR="$pgdir/$name/var" TMPDIR="$pgdir/$name/tmp"
        run_pytest "$name" -m "not browser and not topology and not fuzz"
    ) >"$pgdir/$name.log" 2>&1
}

step "pytest on SQLite and on PostgreSQL (not browser), side by side"
leg sqlite &
sqlite_pid=$!
leg postgresql DATABASE_URL="$pg_url" &
pg_pid=$!
sqlite_rc=0; pg_rc=0
wait "$sqlite_pid" || sqlite_rc=$?
wait "$pg_pid" || pg_rc=$?
step "SQLite leg (exit $sqlite_rc)"
cat "$pgdir/sqlite.log"
step "PostgreSQL leg (exit $pg_rc)"
cat "$pgdir/postgresql.log"
if ((sqlite_rc != 0 || pg_rc != 0)); then
    echo "ERROR: a pytest leg failed (SQLite exit $sqlite_rc, PostgreSQL exit $pg_rc)" >&2
    exit 1
fi
export DATABASE_URL=$pg_url

step "API fuzzed by schemathesis (live uvicorn, its own SQLite; prints operations and requests)"
run_pytest "fuzz" -m fuzz

step "browser journeys (Chromium, PostgreSQL)"
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are still synchronous.
DJANGO_ALLOW_ASYNC_UNSAFE=true run_pytest "browser" -m "browser and not topology"

step "the topology: PostgreSQL, Redis, S3, haproxy, 2 web, 2 RQ workers, schedulers (own servers)"
# It starts its own PostgreSQL and everything else (scripts/topology.py); the ORM of the tests follows it.
topology_started=$SECONDS
(unset DATABASE_URL; DJANGO_ALLOW_ASYNC_UNSAFE=true run_pytest "topology" -m topology tests/topology)
echo "topology step took $((SECONDS - topology_started)) s"

step "all checks passed"
