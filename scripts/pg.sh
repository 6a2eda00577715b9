#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server for tests and benchmarks.
#
#   scripts/pg.sh start <dir> <port>   -> prints DATABASE_URL (only that) on stdout
#   scripts/pg.sh stop <dir>
#
# The server listens on 127.0.0.1 only, trusts local connections and keeps its data, socket and
# log in <dir>. PostgreSQL refuses to run as root, so when we are root the server runs as the
# `postgres` OS user (created by Debian's postgresql package). Everything but the URL goes to
# stderr so callers can write `DATABASE_URL=$(scripts/pg.sh start ...)`.
set -euo pipefail

DB_NAME=marketdesk
DB_USER=postgres

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]] && { echo "$dir"; return; }
    fi
    # Debian keeps the server binaries out of PATH, one directory per major version: take the newest.
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$dir" && -x "$dir/pg_ctl" ]] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
    echo "$dir"
}

# Run a command as the OS user that owns the cluster (postgres when we are root).
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "OS user 'postgres' missing (apt-get install postgresql)"
        # runuser keeps stdout/stderr and needs no password or tty.
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Is the postmaster recorded in <data>/postmaster.pid alive? (A zombie counts as dead: in a
# container without an init that reaps, a killed server can linger as one.)
server_alive() {
    local data=$1 pid state
    pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    state="$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
    [[ -n "$state" && "$state" != Z ]]
}

port_in_use() {
    local port=$1
    # bash's /dev/tcp connects only if something listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

cmd_start() {
    local dir=${1:?usage: pg.sh start <dir> <port>} port=${2:?usage: pg.sh start <dir> <port>}
    [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
    local bindir; bindir="$(find_bindir)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    local data="$dir/data" sock="$dir/socket" logfile="$dir/postgres.log"

    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "OS user 'postgres' missing (apt-get install postgresql)"
        chown postgres: "$dir"
        # The postgres user must be able to reach <dir> through its parents (mktemp dirs are 0700).
        local parent; parent="$(dirname "$dir")"
        runuser -u postgres -- test -x "$parent" || chmod o+x "$parent"
        runuser -u postgres -- test -w "$dir" \
            || die "user postgres cannot reach $dir (a parent directory is private); use a directory under /tmp"
    fi

    if [[ -f "$data/postmaster.pid" ]]; then
        if server_alive "$data"; then
            die "a server is already running on $data (scripts/pg.sh stop $dir)"
        fi
        log "removing stale pid file $data/postmaster.pid (and socket lock files)"
        rm -f "$data/postmaster.pid" "$sock"/.s.PGSQL.*.lock
    fi
    if port_in_use "$port"; then
        die "port $port on 127.0.0.1 is already in use; choose another port"
    fi

    if [[ ! -f "$data/PG_VERSION" ]]; then
        log "initdb in $data ($("$bindir/postgres" --version))"
        as_owner "$bindir/initdb" -D "$data" -U "$DB_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    as_owner mkdir -p "$sock"

    # Durability off: a test database is thrown away, and fsync dominates test time otherwise.
    log "starting on 127.0.0.1:$port (log: $logfile)"
    if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$logfile" -w -t 60 start \
        -o "-h 127.0.0.1 -p $port -k $sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        >/dev/null; then
        tail -n 30 "$logfile" >&2 || true
        die "server did not start"
    fi

    local i
    for i in $(seq 1 60); do
        if as_owner "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$DB_USER"; then
            break
        fi
        [[ $i == 60 ]] && { tail -n 30 "$logfile" >&2 || true; die "server not ready after 30 s"; }
        sleep 0.5
    done

    if ! as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
        as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"
    fi
    log "ready"
    echo "postgres://$DB_USER@127.0.0.1:$port/$DB_NAME"
}

cmd_stop() {
    local dir=${1:?usage: pg.sh stop <dir>}
    local data="$dir/data"
    if [[ ! -f "$data/postmaster.pid" ]]; then
        log "no server running in $dir"
        return 0
    fi
    if ! server_alive "$data"; then
        rm -f "$data/postmaster.pid"
        log "no live server in $dir (removed stale pid file)"
        return 0
    fi
    local bindir; bindir="$(find_bindir)"
    log "stopping server in $dir"
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 \
        || as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 \
        || { rm -f "$data/postmaster.pid"; log "no live server (removed stale pid file)"; }
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    *) echo "usage: $0 start <dir> <port> | stop <dir>" >&2; exit 2 ;;
esac
