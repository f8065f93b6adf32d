# Shared by with_postgres.sh and with_mariadb.sh (sourced, not executed).
#
# Reuses tools/fixtures/lib.sh (PY, PROJECT, WORK, start_redis -> BROKER, drive, fin) and
# replaces its EXIT trap with one that also stops the database server: server_stop is
# defined by the calling script. Provides free_port and run_wrapped.

SERVERS_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../fixtures/lib.sh
source "$SERVERS_HERE/../fixtures/lib.sh"
SERVER_DIR=""        # the server's own temp dir (owned by its system user)
COMMAND_RAN=0        # once the wrapped command ran, its failure is not a set-up failure

_servers_cleanup() {
    local rc=$?
    set +e
    if [[ -f "$WORK/work/pids" ]]; then
        while read -r pid; do
            [[ -n "$pid" ]] && kill -KILL -- "-$pid" 2>/dev/null
        done < "$WORK/work/pids"
    fi
    if [[ -n "$REDIS_PID" ]]; then
        kill "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    fi
    declare -F server_stop >/dev/null && server_stop
    if [[ $rc -ne 0 && $COMMAND_RAN -eq 0 ]]; then
        echo "$(basename "$0"): set-up FAILED (rc=$rc); logs:" >&2
        for f in "$WORK"/work/*.log "$SERVER_DIR"/*.log; do
            [[ -f "$f" ]] || continue
            echo "---- $f" >&2
            tail -n 30 "$f" >&2
        done
    fi
    [[ -n "$SERVER_DIR" ]] && rm -rf "$SERVER_DIR"
    rm -rf "$WORK"
    exit $rc
}
trap _servers_cleanup EXIT
trap 'exit 130' INT TERM HUP

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Runs the wrapped command and exits with its status (the EXIT trap stops everything).
run_wrapped() {
    COMMAND_RAN=1
    set +e
    "$@"
    local status=$?
    set -e
    exit $status
}

# Fills the server's three databases ($BASE/stalk_django, …/stalk_taskmeta and
# …/stalk_taskmeta_plain) with rows written by real Celery workers, and writes the Django
# admin's expectations for stalk_django to $1. Needs BASE; starts Redis.
write_server_fixtures() {
    start_redis
    mkdir -p "$WORK/out"
    drive --set fixtures --backend django --extended 1 --broker "$BROKER/0" --db "$WORK/out/unused.sqlite3" \
        --server-url "$BASE/stalk_django"
    STALK_FIX_SERVER_URL="$BASE/stalk_django" fin expectations "$WORK/out/unused.sqlite3" "$1"
    drive --set fixtures --backend sqla --extended 1 --broker "$BROKER/1" --db "$WORK/out/unused.sqlite3" \
        --server-url "$BASE/stalk_taskmeta"
    drive --set fixtures --backend sqla --extended 0 --narrow-taskmeta --broker "$BROKER/2" \
        --db "$WORK/out/unused.sqlite3" --server-url "$BASE/stalk_taskmeta_plain"
}

# Fills the database $1 (a URL on this server, created empty) with django-celery-results'
# CacheBackend over Django's DatabaseCache (table stalk_cache), written by real Celery
# workers (tools/fixtures/redis/make_redis_fixtures.py, STALK_DBCACHE), and writes the
# expectations computed with upstream's code to $2 ({"dbcache": …}). Needs BROKER.
write_dbcache_fixture() {
    STALK_DBCACHE="$1" "$PY" "$SERVERS_HERE/../fixtures/redis/make_redis_fixtures.py" "$BROKER" "$2"
}

# Exports STALK_<$1>_LIVE_*: for tests that purge while a real worker keeps writing
# (tools/servers/live_writer.py); its worker pid goes to pids, killed on exit.
export_live_writer() {
    export "STALK_$1_LIVE_WRITER=$SERVERS_HERE/live_writer.py"
    export "STALK_$1_LIVE_BROKER=$BROKER/9"
    export "STALK_$1_LIVE_WORKDIR=$WORK/work"
}
