#!/usr/bin/env bash
# with_memcached.sh CMD…  — runs CMD against private memcached servers filled by REAL Celery:
#   starts three memcached (Debian) on free 127.0.0.1 ports, writes four data sets into them
#   with real Celery 5.2.6 workers (tools/fixtures/redis/make_redis_fixtures.py with
#   STALK_MEMCACHED and STALK_MEMCACHED_MULTI; a private redis-server is their broker):
#     memcached       server 1: Celery's own cache backend (cache+memcached://, python-memcached, JSON)
#     djmemcached     server 1: django-celery-results' CacheBackend over Django's PyMemcacheCache (":1:" keys)
#     multimemcached  servers 2 and 3: Celery's own cache backend, cache+memcached://S2;S3/ (pylibmc, JSON)
#     djpylibmc       servers 2 and 3: the CacheBackend over Django's PyLibMCCache, LOCATION [S2, S3],
#                     pickles zlib-compressed by pylibmc above 1024 bytes
#   computes the expectations with upstream's code, then exports
#     STALK_MEMCACHED_URL           memcached://127.0.0.1:PORT (server 1)
#     STALK_MEMCACHED_MULTI_URL     memcached://127.0.0.1:PORT2;127.0.0.1:PORT3 (servers 2 and 3)
#     STALK_MEMCACHED_EXPECTATIONS  expectations.json (one object per data set)
#     STALK_MEMCACHED_PID           server 1's pid (a test may stop it to see the error)
#   runs CMD and always stops the servers and removes their directories. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
check_tools
SECONDS=0

PORTS=()
SERVER_PIDS=()

server_stop() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
}

# Starts one memcached on a free port: appends to PORTS and SERVER_PIDS.
start_memcached() {
    local port pid
    port=$(free_port)
    memcached -l 127.0.0.1 -p "$port" -U 0 -m 64 -u "$(id -un)" &
    pid=$!
    SERVER_PIDS+=("$pid")
    PORTS+=("$port")
    for _ in $(seq 1 200); do
        "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" \
            2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { echo "with_memcached: memcached died" >&2; exit 1; }
        sleep 0.05
    done
    echo "with_memcached: server up on 127.0.0.1:$port (${SECONDS}s)" >&2
}

start_memcached
start_memcached
start_memcached
PORT=${PORTS[0]}
MULTI="127.0.0.1:${PORTS[1]};127.0.0.1:${PORTS[2]}"

start_redis
STALK_MEMCACHED="127.0.0.1:$PORT" STALK_MEMCACHED_MULTI="$MULTI" \
    "$PY" "$SERVERS_HERE/../fixtures/redis/make_redis_fixtures.py" "$BROKER" "$WORK/memcached-expectations.json"
echo "with_memcached: data written by real workers (${SECONDS}s)" >&2

export STALK_MEMCACHED_URL="memcached://127.0.0.1:$PORT"
export STALK_MEMCACHED_MULTI_URL="memcached://$MULTI"
export STALK_MEMCACHED_EXPECTATIONS="$WORK/memcached-expectations.json"
export STALK_MEMCACHED_PID="${SERVER_PIDS[0]}"
run_wrapped "$@"
