#!/usr/bin/env bash
# with_memcached.sh CMD…  — runs CMD against a private memcached filled by REAL Celery:
#   starts memcached (Debian) on a free 127.0.0.1 port, writes two data sets into it with real
#   Celery 5.2.6 workers (tools/fixtures/redis/make_redis_fixtures.py with STALK_MEMCACHED;
#   a private redis-server is their broker):
#     memcached     Celery's own cache backend (cache+memcached://, python-memcached, JSON)
#     djmemcached   django-celery-results' CacheBackend over Django's PyMemcacheCache (":1:" keys)
#   computes the expectations with upstream's code, then exports
#     STALK_MEMCACHED_URL           memcached://127.0.0.1:PORT
#     STALK_MEMCACHED_EXPECTATIONS  expectations.json (one object per data set)
#     STALK_MEMCACHED_PID           the server's pid (a test may stop it to see the error)
#   runs CMD and always stops the servers and removes their directories. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
check_tools
SECONDS=0

PORT=$(free_port)
SERVER_PID=""

server_stop() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
}

memcached -l 127.0.0.1 -p "$PORT" -U 0 -m 64 -u "$(id -un)" &
SERVER_PID=$!
for _ in $(seq 1 200); do
    "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PORT" \
        2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "with_memcached: memcached died" >&2; exit 1; }
    sleep 0.05
done
echo "with_memcached: server up on 127.0.0.1:$PORT (${SECONDS}s)" >&2

start_redis
STALK_MEMCACHED="127.0.0.1:$PORT" \
    "$PY" "$SERVERS_HERE/../fixtures/redis/make_redis_fixtures.py" "$BROKER" "$WORK/memcached-expectations.json"
echo "with_memcached: data written by real workers (${SECONDS}s)" >&2

export STALK_MEMCACHED_URL="memcached://127.0.0.1:$PORT"
export STALK_MEMCACHED_EXPECTATIONS="$WORK/memcached-expectations.json"
export STALK_MEMCACHED_PID="$SERVER_PID"
run_wrapped "$@"
