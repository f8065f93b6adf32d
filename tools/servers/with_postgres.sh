#!/usr/bin/env bash
# with_postgres.sh CMD…  — runs CMD against a private PostgreSQL 15 filled by REAL Celery:
#   starts a fresh cluster (initdb, temp dir) on a free 127.0.0.1 port, creates the role
#   `stalk` (password auth over TCP) and its databases, runs the real Django migrations
#   (django-celery-results 2.4.0) and Celery's own SQLAlchemy backend against them, writes
#   results with real Celery workers (tools/fixtures/project in server mode), computes the
#   expectations with the real Django admin/ORM on this server, then exports
#     STALK_PG_URL                 postgresql://stalk:…@127.0.0.1:PORT/stalk_django
#     STALK_PG_TASKMETA_URL        …/stalk_taskmeta        (celery_taskmeta, result_extended)
#     STALK_PG_TASKMETA_PLAIN_URL  …/stalk_taskmeta_plain  (narrow celery_taskmeta)
#     STALK_PG_LIVE_WRITER, _LIVE_BROKER, _LIVE_WORKDIR  live_writer.py and its redis broker
#     STALK_PG_EXPECTATIONS        expectations.json computed on this server
#     STALK_PG_DBCACHE_URL         …/stalk_dbcache  (Django's DatabaseCache stalk_cache holding
#                                  django-celery-results' CacheBackend results)
#     STALK_PG_DBCACHE_EXPECTATIONS  its expectations (make_redis_fixtures.py: {"dbcache": …})
#   runs CMD and always stops the server and removes its directory. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
check_tools
SECONDS=0

PGBIN=/usr/lib/postgresql/15/bin
[[ -x $PGBIN/initdb ]] || { echo "$0: PostgreSQL 15 is not installed ($PGBIN)" >&2; exit 1; }
SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stalk-pg.XXXXXX")
chmod 755 "$SERVER_DIR"
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$SERVER_DIR"
    as_pg=(runuser -u postgres --)   # initdb refuses root
fi
PORT=$(free_port)
PW=stalk-pg-secret

server_stop() {
    if [[ -f "$SERVER_DIR/data/postmaster.pid" ]]; then
        "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$SERVER_DIR/data" -m immediate -w stop >/dev/null 2>&1
    fi
}

"${as_pg[@]}" "$PGBIN/initdb" -D "$SERVER_DIR/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --no-locale >"$SERVER_DIR/initdb.log" 2>&1
# The tests' server trades durability for speed; STALK_SERVERS_PRODUCTION=1 (the bench at
# production size) runs durable (fsync, synchronous commits, full-page writes) with shared
# buffers and a WAL size for a 1M-row table, as a production server runs.
if [[ "${STALK_SERVERS_PRODUCTION:-0}" == 1 ]]; then
    settings="-c shared_buffers=1GB -c max_wal_size=4GB -c effective_cache_size=4GB"
else
    settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$SERVER_DIR/data" -l "$SERVER_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SERVER_DIR $settings" \
    -w start >/dev/null
psql_admin() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SERVER_DIR" -p "$PORT" -U postgres -d postgres "$@"; }
psql_admin -c "CREATE ROLE stalk LOGIN CREATEDB PASSWORD '$PW'"
for db in stalk_django stalk_taskmeta stalk_taskmeta_plain stalk_dbcache; do
    psql_admin -c "CREATE DATABASE $db OWNER stalk"
done
BASE="postgresql://stalk:$PW@127.0.0.1:$PORT"
echo "with_postgres: server up on 127.0.0.1:$PORT (${SECONDS}s)" >&2

write_server_fixtures "$WORK/pg-expectations.json"
write_dbcache_fixture "$BASE/stalk_dbcache" "$WORK/pg-dbcache-expectations.json"
echo "with_postgres: data written by real workers (${SECONDS}s)" >&2

export STALK_PG_URL="$BASE/stalk_django"
export STALK_PG_TASKMETA_URL="$BASE/stalk_taskmeta"
export STALK_PG_TASKMETA_PLAIN_URL="$BASE/stalk_taskmeta_plain"
export STALK_PG_EXPECTATIONS="$WORK/pg-expectations.json"
export STALK_PG_DBCACHE_URL="$BASE/stalk_dbcache"
export STALK_PG_DBCACHE_EXPECTATIONS="$WORK/pg-dbcache-expectations.json"
export_live_writer PG
run_wrapped "$@"
