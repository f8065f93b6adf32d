#!/usr/bin/env bash
# with_couchdb.sh CMD…  — runs CMD with a real, loaded CouchDB-compatible server:
#   installs pouchdb-server 4.2.0 (npm ci, idempotent), starts it in memory on a free
#   127.0.0.1 port, writes the fixture database 'stalk' with a real Celery worker
#   (make_couch_fixtures.py), exports
#     STALK_COUCH_URL=http://admin:secret@127.0.0.1:PORT
#     STALK_COUCH_DB=stalk
#     STALK_COUCH_EXPECTATIONS=<dir>/couch-expectations.json
#   runs CMD, and always stops the server. Exit status = CMD's.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }

dir=$(mktemp -d /tmp/stalk-couch.XXXXXX)
cleanup() {
    "$here/couchdb_server.sh" stop "$dir" || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

url=$("$here/couchdb_server.sh" start "$dir")
/usr/bin/python3 "$here/make_couch_fixtures.py" "$url" stalk "$dir/couch-expectations.json"

export STALK_COUCH_URL="$url"
export STALK_COUCH_DB=stalk
export STALK_COUCH_EXPECTATIONS="$dir/couch-expectations.json"
set +e
"$@"
status=$?
set -e
exit $status
