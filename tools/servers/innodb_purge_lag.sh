#!/usr/bin/env bash
# One bare DELETE against `stalk purge` on MariaDB, each timed twice: until it returns, and
# until InnoDB's purge threads have removed the rows it delete-marked (what a DELETE leaves
# them to do after its commit).
#
#   STALK_SERVERS_PRODUCTION=1 tools/servers/with_mariadb.sh \
#       tools/servers/innodb_purge_lag.sh TSV_PREFIX TRIAL…
#
# TSV_PREFIX: the bench's exported rows (e.g. ~/.cache/stalk-bench/stalk-bench-1M.sqlite3,
# written by `stalk-bench --engines mariadb`). TRIAL: `bare` (DELETE … WHERE date_done <
# cutoff), `stalk` (`stalk purge --yes`, its batches logged to /tmp), `stalkhold` (the same
# while another session holds a consistent snapshot, so that the purge threads wait, as they
# do behind one bare DELETE). Each trial reloads the rows, then runs with two writers storing a
# result every 50 ms: one stopped when the statement/process returns, one when the rows are
# purged (information_schema.INNODB_METRICS purge_del_mark_records, read as root over the
# wrapper's socket). Needs build/app/stalk and the wrapper's STALK_MYSQL_URL.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
[[ $# -ge 2 ]] || { echo "usage: $0 TSV_PREFIX bare|stalk|stalkhold…" >&2; exit 2; }
PREFIX="$1"; shift
URL="$STALK_MYSQL_URL"
rest="${URL#*://}"; cred="${rest%%@*}"; hp="${rest#*@}"; hp="${hp%%/*}"
USER="${cred%%:*}"; PASS="${cred#*:}"; HOST="${hp%%:*}"; PORT="${hp#*:}"
SOCK=$(ps -eo args | grep "[m]ariadbd.*--port=$PORT" | grep -o -- '--socket=[^ ]*' | head -1 | cut -d= -f2)
root() { mariadb --no-defaults --socket="$SOCK" -uroot -N -B "$@"; }
my() { mariadb --no-defaults -h "$HOST" -P "$PORT" -u "$USER" -p"$PASS" --local-infile=1 -N -B "$@"; }
BENCH_URL="${URL%/*}/stalk_bench"
T=django_celery_results_taskresult
G=django_celery_results_groupresult
CUTOFF='2025-01-31 00:00:00'
WORK=$(mktemp -d "${TMPDIR:-/tmp}/purge-lag.XXXXXX")
root -e "SET GLOBAL innodb_monitor_enable='purge%'"
now_ms() { date +%s%3N; }
expired() { my stalk_bench -e "SELECT (SELECT COUNT(*) FROM $T WHERE date_done < '$CUTOFF') + (SELECT COUNT(*) FROM $G WHERE date_done < '$CUTOFF')"; }
purged() { root -e "SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME='purge_del_mark_records'"; }
load() {
    local t0; t0=$(now_ms)
    my -e "DROP DATABASE IF EXISTS stalk_bench; CREATE DATABASE stalk_bench CHARACTER SET utf8mb4"
    sed '/-- stalk-bench: rows are loaded here/,$d' "$ROOT/bench/schema/mariadb.sql" | my stalk_bench
    my stalk_bench -e "LOAD DATA LOCAL INFILE '$PREFIX.$T.tsv' INTO TABLE $T CHARACTER SET utf8mb4 (id, task_id, status, content_type, content_encoding, result, date_done, traceback, meta, task_args, task_kwargs, task_name, worker, date_created, periodic_task_name);
        LOAD DATA LOCAL INFILE '$PREFIX.$G.tsv' INTO TABLE $G CHARACTER SET utf8mb4;
        LOAD DATA LOCAL INFILE '$PREFIX.django_migrations.tsv' INTO TABLE django_migrations CHARACTER SET utf8mb4;
        ANALYZE TABLE $T; ANALYZE TABLE $G;" >/dev/null
    echo "load: $(( $(now_ms) - t0 )) ms, $(expired) expired rows"
}
settled() { # the purge counter once it has not moved for 2 s
    local a b; a=$(purged)
    while true; do sleep 2; b=$(purged); [[ $a == "$b" ]] && break; a=$b; done
    echo "$b"
}
writer() { # $1 = output file; returns once the writer is connected
    "$HERE/steady_writer.py" "$BENCH_URL" >"$1" &
    WRITER_PID=$!
    until grep -q READY "$1" 2>/dev/null; do sleep 0.1; done
}
trial() {
    local kind="$1" before expected hold="" w1 w2 t0 t1 c1 gone
    before=$(settled); expected=$(expired)
    writer "$WORK/w1"; w1=$WRITER_PID
    writer "$WORK/w2"; w2=$WRITER_PID
    if [[ $kind == stalkhold ]]; then
        root -e "START TRANSACTION WITH CONSISTENT SNAPSHOT; SELECT COUNT(*) FROM stalk_bench.django_migrations; SELECT SLEEP(3600)" >/dev/null 2>&1 &
        hold=$!; sleep 0.5
    fi
    t0=$(now_ms)
    case "$kind" in
        bare) my stalk_bench -e "DELETE FROM $T WHERE date_done < '$CUTOFF'; DELETE FROM $G WHERE date_done < '$CUTOFF'" ;;
        stalk|stalkhold) QT_LOGGING_RULES="stalk.purge.info=true" "$ROOT/build/app/stalk" purge "$BENCH_URL" \
                             --before 2025-01-31T00:00:00Z --yes >"$WORK/$kind.$(date +%H%M%S).log" 2>&1 ;;
        *) echo "unknown trial $kind" >&2; exit 2 ;;
    esac
    t1=$(now_ms); c1=$(purged)
    kill -TERM "$w1"; wait "$w1"
    if [[ -n $hold ]]; then
        root -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(3600)%'" |
            while read -r id; do root -e "KILL $id"; done
        wait "$hold"
    fi
    gone=$(( expected - $(expired) ))
    for _ in $(seq 1 3000); do [[ $(purged) -ge $((before + gone)) ]] && break; sleep 0.2; done
    kill -TERM "$w2"; wait "$w2"
    echo "$kind: returned after $(( t1 - t0 )) ms (writer: $(tail -1 "$WORK/w1")); $((c1 - before)) of $gone rows purged by then;" \
         "all purged after $(( $(now_ms) - t0 )) ms (writer: $(tail -1 "$WORK/w2"))"
}
for kind in "$@"; do
    load
    trial "$kind"
done
echo "logs: $WORK"
