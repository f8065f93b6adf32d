#!/usr/bin/env bash
# with_filecache.sh CMD…  — runs CMD with a Django FileBasedCache directory filled by REAL Celery:
#   real Celery 5.2.6 workers with django-celery-results' CacheBackend over Django's
#   FileBasedCache (tools/fixtures/redis/make_redis_fixtures.py with STALK_FILECACHE; a private
#   redis-server is their broker, the cache itself needs no server) write the results, and
#   upstream's code computes the expectations, then exports
#     STALK_FILECACHE_DIR           the cache directory (tests copy it before deleting in it)
#     STALK_FILECACHE_EXPECTATIONS  expectations.json ({"filecache": …})
#   runs CMD and always stops the broker and removes the directory. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
check_tools
SECONDS=0

start_redis
mkdir -p "$WORK/filecache"
STALK_FILECACHE="$WORK/filecache" \
    "$PY" "$SERVERS_HERE/../fixtures/redis/make_redis_fixtures.py" "$BROKER" "$WORK/filecache-expectations.json"
echo "with_filecache: data written by real workers (${SECONDS}s)" >&2

export STALK_FILECACHE_DIR="$WORK/filecache"
export STALK_FILECACHE_EXPECTATIONS="$WORK/filecache-expectations.json"
run_wrapped "$@"
