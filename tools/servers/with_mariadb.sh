#!/usr/bin/env bash
# with_mariadb.sh CMD…  — runs CMD against a private MariaDB filled by REAL Celery:
#   starts a fresh server (mariadb-install-db, temp dir) on a free 127.0.0.1 port, creates
#   the user `stalk` (password auth over TCP) and utf8mb4 databases, runs the real Django
#   migrations (django-celery-results 2.4.0; plus a copy migrated with
#   DJANGO_CELERY_RESULTS_TASK_ID_MAX_LENGTH=191, the utf8mb4 advice for old MySQL) and
#   Celery's own SQLAlchemy backend, writes results with real Celery workers
#   (tools/fixtures/project in server mode), computes the expectations with the real Django
#   admin/ORM on this server, then exports
#     STALK_MYSQL_URL                 mysql://stalk:…@127.0.0.1:PORT/stalk_django
#     STALK_MYSQL_191_URL             …/stalk_django191  (same rows, varchar(191) ids)
#     STALK_MYSQL_TASKMETA_URL        …/stalk_taskmeta   (celery_taskmeta, result_extended)
#     STALK_MYSQL_TASKMETA_PLAIN_URL  …/stalk_taskmeta_plain (narrow celery_taskmeta)
#     STALK_MYSQL_LIVE_WRITER, _LIVE_BROKER, _LIVE_WORKDIR  live_writer.py and its redis broker
#     STALK_MYSQL_EXPECTATIONS        expectations.json computed on this server
#     STALK_MYSQL_DBCACHE_URL         …/stalk_dbcache (Django's DatabaseCache stalk_cache holding
#                                     django-celery-results' CacheBackend results)
#     STALK_MYSQL_DBCACHE_EXPECTATIONS  its expectations (make_redis_fixtures.py: {"dbcache": …})
#   runs CMD and always stops the server and removes its directory. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
check_tools
SECONDS=0

command -v mariadbd >/dev/null || PATH=$PATH:/usr/sbin
for tool in mariadbd mariadb-install-db mariadb-admin mariadb; do
    command -v $tool >/dev/null || { echo "$0: $tool not found (apt-get install mariadb-server)" >&2; exit 1; }
done
SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stalk-mariadb.XXXXXX")
chmod 755 "$SERVER_DIR"
[[ $(id -u) -eq 0 ]] && chown mysql: "$SERVER_DIR"
PORT=$(free_port)
PW=stalk-my-secret
SOCK="$SERVER_DIR/sock"
SERVER_PID=""

server_stop() {
    [[ -n "$SERVER_PID" ]] || return 0
    mariadb-admin --no-defaults --socket="$SOCK" -uroot shutdown >/dev/null 2>&1 || kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 200); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    return 0
}

mariadb-install-db --no-defaults --user=mysql --datadir="$SERVER_DIR/data" --skip-test-db \
    >"$SERVER_DIR/install.log" 2>&1
# The tests' server trades durability and memory for speed; STALK_SERVERS_PRODUCTION=1 (the
# bench at production size) sizes the buffer pool for a 1M-row table (~2 GB of data and
# indexes) and the redo log for a bulk DELETE, with durable commits (doublewrite, a log
# flush per commit), as a production server runs.
if [[ "${STALK_SERVERS_PRODUCTION:-0}" == 1 ]]; then
    innodb=(--innodb-buffer-pool-size=3G --innodb-log-file-size=1G --innodb-flush-log-at-trx-commit=1
            --innodb-doublewrite=1)
else
    innodb=(--innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0)
fi
mariadbd --no-defaults --user=mysql --datadir="$SERVER_DIR/data" --socket="$SOCK" --port="$PORT" \
    --bind-address=127.0.0.1 --pid-file="$SERVER_DIR/pid" --log-error="$SERVER_DIR/server.log" \
    --skip-name-resolve --skip-log-bin "${innodb[@]}" &
SERVER_PID=$!
for _ in $(seq 1 600); do
    mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$0: mariadbd died" >&2; exit 1; }
    sleep 0.05
done
mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null
my_admin() { mariadb --no-defaults --socket="$SOCK" -uroot "$@"; }
my_admin -e "CREATE USER 'stalk'@'%' IDENTIFIED BY '$PW'; GRANT ALL ON \`stalk%\`.* TO 'stalk'@'%';"
for db in stalk_django stalk_django191 stalk_taskmeta stalk_taskmeta_plain stalk_dbcache; do
    my_admin -e "CREATE DATABASE $db CHARACTER SET utf8mb4"
done
BASE="mysql://stalk:$PW@127.0.0.1:$PORT"
echo "with_mariadb: server $(my_admin -N -e 'SELECT VERSION()') up on 127.0.0.1:$PORT (${SECONDS}s)" >&2

write_server_fixtures "$WORK/mysql-expectations.json"
write_dbcache_fixture "$BASE/stalk_dbcache" "$WORK/mysql-dbcache-expectations.json"
# The 191-wide schema from the real migrations, holding the same rows.
(cd "$PROJECT" && STALK_FIX_SERVER_URL="$BASE/stalk_django191" STALK_FIX_ID_MAX=191 \
    DJANGO_SETTINGS_MODULE=stalkfix.settings "$PY" manage.py migrate --verbosity 0)
for t in django_celery_results_taskresult django_celery_results_groupresult; do
    my_admin -e "INSERT INTO stalk_django191.$t SELECT * FROM stalk_django.$t"
done
echo "with_mariadb: data written by real workers (${SECONDS}s)" >&2

export STALK_MYSQL_URL="$BASE/stalk_django"
export STALK_MYSQL_191_URL="$BASE/stalk_django191"
export STALK_MYSQL_TASKMETA_URL="$BASE/stalk_taskmeta"
export STALK_MYSQL_TASKMETA_PLAIN_URL="$BASE/stalk_taskmeta_plain"
export STALK_MYSQL_EXPECTATIONS="$WORK/mysql-expectations.json"
export STALK_MYSQL_DBCACHE_URL="$BASE/stalk_dbcache"
export STALK_MYSQL_DBCACHE_EXPECTATIONS="$WORK/mysql-dbcache-expectations.json"
export_live_writer MYSQL
run_wrapped "$@"
