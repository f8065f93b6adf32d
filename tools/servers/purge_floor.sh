#!/usr/bin/env bash
# `stalk purge` against one bare DELETE at production size, on PostgreSQL and MariaDB.
#
#   tools/servers/with_postgres.sh tools/servers/with_mariadb.sh \
#       tools/servers/purge_floor.sh [--rows N] [--engines postgres,mariadb] [--stalk PATH] [--runs R]
#
# Per engine: loads N rows (default 1,000,000) into a copy of the django-celery-results 2.4
# schema the wrapper migrated (every index of `migrate`), dates one second apart, then purges
# the oldest half twice on fresh copies of the same rows: once with one bare
# `DELETE … WHERE date_done < cutoff` (psql / mariadb), once with the whole
# `stalk purge URL --before CUTOFF --yes` process. Meanwhile steady_writer.py inserts a row
# every 50 ms; its longest INSERT + COMMIT is printed with each time. Prints one line per
# run and the ratio stalk / bare. Needs the wrappers' STALK_PG_URL / STALK_MYSQL_URL.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROWS=1000000
ENGINES=postgres,mariadb
STALK="$HERE/../../build/app/stalk"
RUNS=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rows) ROWS="$2"; shift 2 ;;
        --engines) ENGINES="$2"; shift 2 ;;
        --stalk) STALK="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        *) echo "usage: $0 [--rows N] [--engines postgres,mariadb] [--stalk PATH] [--runs R]" >&2; exit 2 ;;
    esac
done
HALF=$((ROWS / 2))
# Row x is done at BASE + x s (x = 1…ROWS); the cutoff keeps rows HALF+1… .
BASE='2025-01-01 00:00:00'
CUTOFF_SQL="TIMESTAMP '$BASE' + INTERVAL '$((HALF + 1))' SECOND"
cutoff_iso() { date -u -d "$BASE UTC + $((HALF + 1)) seconds" +%Y-%m-%dT%H:%M:%SZ; }
CUTOFF="$(cutoff_iso)"
CUTOFF_TEXT="${CUTOFF/T/ }"; CUTOFF_TEXT="${CUTOFF_TEXT%Z}"
TASK=django_celery_results_taskresult
COLUMNS="task_id, status, content_type, content_encoding, result, date_done, meta, task_args, task_kwargs, task_name, worker, date_created"

now_ms() { date +%s%3N; }

# parse URL -> U_USER U_PASS U_HOST U_PORT
parse_url() {
    local rest="${1#*://}"
    local cred="${rest%%@*}" hostpart="${rest#*@}"
    U_USER="${cred%%:*}"; U_PASS="${cred#*:}"
    hostpart="${hostpart%%/*}"
    U_HOST="${hostpart%%:*}"; U_PORT="${hostpart#*:}"
}

pg() { PGPASSWORD="$U_PASS" psql -h "$U_HOST" -p "$U_PORT" -U "$U_USER" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
my() { mariadb -h "$U_HOST" -P "$U_PORT" -u "$U_USER" -p"$U_PASS" -N -B "$@"; }

# Loads the source database stalk_floor_src once per engine.
load_postgres() {
    pg -d stalk_django -c "DROP DATABASE IF EXISTS stalk_floor_src" -c "CREATE DATABASE stalk_floor_src TEMPLATE stalk_django"
    pg -d stalk_floor_src -c "TRUNCATE $TASK, django_celery_results_groupresult, django_celery_results_chordcounter RESTART IDENTITY" \
        -c "INSERT INTO $TASK ($COLUMNS) SELECT 'floor-' || x, (ARRAY['SUCCESS','SUCCESS','SUCCESS','FAILURE','REVOKED'])[1 + x % 5],
            'application/json', 'utf-8', '{\"feed\": ' || x || ', \"items\": 12}',
            TIMESTAMPTZ '$BASE+00' + x * INTERVAL '1 second', '{\"children\": []}', '[' || x || ', \"fetch_feed\"]', '{}',
            (ARRAY['proj.feeds.fetch_feed','proj.mail.send_welcome','proj.billing.charge_invoice'])[1 + x % 3],
            'celery@worker-' || (x % 8), TIMESTAMPTZ '$BASE+00' + x * INTERVAL '1 second'
            FROM generate_series(1, $ROWS) AS x" \
        -c "VACUUM ANALYZE $TASK"
}
copy_postgres() {
    pg -d stalk_django -c "DROP DATABASE IF EXISTS stalk_floor" -c "CREATE DATABASE stalk_floor TEMPLATE stalk_floor_src"
    pg -d stalk_floor -c "VACUUM ANALYZE $TASK"
}
bare_postgres() { pg -d stalk_floor -c "DELETE FROM $TASK WHERE date_done < TIMESTAMPTZ '$CUTOFF_TEXT+00'"; }
left_postgres() { pg -d stalk_floor -c "SELECT count(*), count(*) FILTER (WHERE date_done < TIMESTAMPTZ '$CUTOFF_TEXT+00') FROM $TASK"; }

load_mariadb() {
    my -e "DROP DATABASE IF EXISTS stalk_floor_src; CREATE DATABASE stalk_floor_src;
           CREATE TABLE stalk_floor_src.$TASK LIKE stalk_django.$TASK;
           CREATE TABLE stalk_floor_src.django_celery_results_groupresult LIKE stalk_django.django_celery_results_groupresult"
    my stalk_floor_src -e "INSERT INTO $TASK ($COLUMNS) SELECT CONCAT('floor-', seq), ELT(1 + seq % 5, 'SUCCESS','SUCCESS','SUCCESS','FAILURE','REVOKED'),
            'application/json', 'utf-8', CONCAT('{\"feed\": ', seq, ', \"items\": 12}'),
            TIMESTAMP '$BASE' + INTERVAL seq SECOND, '{\"children\": []}', CONCAT('[', seq, ', \"fetch_feed\"]'), '{}',
            ELT(1 + seq % 3, 'proj.feeds.fetch_feed','proj.mail.send_welcome','proj.billing.charge_invoice'),
            CONCAT('celery@worker-', seq % 8), TIMESTAMP '$BASE' + INTERVAL seq SECOND
            FROM seq_1_to_$ROWS; ANALYZE TABLE $TASK" >/dev/null
}
copy_mariadb() {
    my -e "DROP DATABASE IF EXISTS stalk_floor; CREATE DATABASE stalk_floor;
           CREATE TABLE stalk_floor.$TASK LIKE stalk_floor_src.$TASK;
           CREATE TABLE stalk_floor.django_celery_results_groupresult LIKE stalk_floor_src.django_celery_results_groupresult;
           INSERT INTO stalk_floor.$TASK SELECT * FROM stalk_floor_src.$TASK; ANALYZE TABLE stalk_floor.$TASK" >/dev/null
}
bare_mariadb() { my stalk_floor -e "DELETE FROM $TASK WHERE date_done < '$CUTOFF_TEXT'"; }
left_mariadb() { my stalk_floor -e "SELECT count(*), SUM(date_done < '$CUTOFF_TEXT') FROM $TASK"; }

# Runs "$@" while steady_writer.py writes into URL; prints "<ms> <writer summary>".
with_writer() {
    local url="$1"; shift
    local out; out="$(mktemp)"
    "$HERE/steady_writer.py" "$url" >"$out" &
    local writer=$!
    while ! grep -q READY "$out"; do sleep 0.05; done
    sleep 0.5
    local t0 t1
    t0=$(now_ms)
    "$@" >/dev/null
    t1=$(now_ms)
    sleep 0.3
    kill -TERM "$writer"
    wait "$writer" || true
    echo "$((t1 - t0)) $(grep rows "$out")"
    rm -f "$out"
}

for engine in ${ENGINES//,/ }; do
    case "$engine" in
        postgres) url="${STALK_PG_URL:?run under tools/servers/with_postgres.sh}" ;;
        mariadb) url="${STALK_MYSQL_URL:?run under tools/servers/with_mariadb.sh}" ;;
        *) echo "unknown engine $engine" >&2; exit 2 ;;
    esac
    parse_url "$url"
    floor_url="${url%/*}/stalk_floor"
    t0=$(now_ms); "load_$engine"; echo "$engine: loaded $ROWS rows in $(( $(now_ms) - t0 )) ms; cutoff $CUTOFF"
    for ((run = 1; run <= RUNS; run++)); do
        "copy_$engine"
        read -r bare rest < <(with_writer "$floor_url" "bare_$engine")
        echo "$engine run $run: bare DELETE  ${bare} ms   writer: $rest   left: $("left_$engine" | tr '\t' ' ')"
        "copy_$engine"
        read -r stalk rest < <(with_writer "$floor_url" "$STALK" purge "$floor_url" --before "$CUTOFF" --yes)
        echo "$engine run $run: stalk purge  ${stalk} ms   writer: $rest   left: $("left_$engine" | tr '\t' ' ')"
        echo "$engine run $run: ratio $(awk -v s="$stalk" -v b="$bare" 'BEGIN { printf "%.2f", s / b }')"
    done
done
