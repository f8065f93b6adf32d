#!/usr/bin/env bash
# with_redis.sh CMD…  — runs CMD against a private redis-server filled by REAL Celery:
#   starts redis-server (Debian) on a free 127.0.0.1 port with a password (requirepass), no
#   persistence, in a temp dir; writes the fixture data sets with real Celery 5.2.6 workers
#   and Celery's RedisBackend (tools/fixtures/redis/make_redis_fixtures.py: databases 1-4; database 5 through
#   django-celery-results' CacheBackend over django-redis),
#   computes the expectations with upstream's code, then exports
#     STALK_REDIS_URL           redis://:PASSWORD@127.0.0.1:PORT   (append /DB)
#     STALK_REDIS_SOCKET        the server's unix socket (redis+socket://PATH?virtual_host=DB)
#     STALK_REDIS_EXPECTATIONS  expectations.json (one object per data set)
#   runs CMD and always stops the server and removes its directory. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
check_tools
SECONDS=0

SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stalk-redis.XXXXXX")
PORT=$(free_port)
PW=stalk-redis-secret
SERVER_PID=""

server_stop() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
}

redis-server --port "$PORT" --bind 127.0.0.1 --requirepass "$PW" --save '' --appendonly no \
    --unixsocket "$SERVER_DIR/redis.sock" --unixsocketperm 700 --databases 16 \
    --dir "$SERVER_DIR" --daemonize no --logfile "$SERVER_DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 1 200); do
    redis-cli -h 127.0.0.1 -p "$PORT" -a "$PW" --no-auth-warning ping 2>/dev/null | grep -q PONG && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "with_redis: redis-server died" >&2; exit 1; }
    sleep 0.05
done
BASE="redis://:$PW@127.0.0.1:$PORT"
echo "with_redis: server up on 127.0.0.1:$PORT (${SECONDS}s)" >&2

"$PY" "$SERVERS_HERE/../fixtures/redis/make_redis_fixtures.py" "$BASE" "$WORK/redis-expectations.json"
echo "with_redis: data written by real workers (${SECONDS}s)" >&2

export STALK_REDIS_URL="$BASE"
export STALK_REDIS_SOCKET="$SERVER_DIR/redis.sock"
export STALK_REDIS_EXPECTATIONS="$WORK/redis-expectations.json"
run_wrapped "$@"
