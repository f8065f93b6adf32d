#!/usr/bin/env bash
# Starts/stops an in-memory pouchdb-server on loopback for Stalk's CouchDB tests.
#   couchdb_server.sh start DIR   installs (npm ci, idempotent), starts on a free port,
#                                 writes DIR/pid and DIR/port, prints the admin URL
#   couchdb_server.sh stop DIR    stops the server started with that DIR
# Admin account: admin / secret (config.json in DIR; log in DIR/couch.log).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmd=${1:-}; dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

install() {
    # npm ci only when the lockfile changed since the last install (idempotent and quick).
    local stamp="$here/node_modules/.stalk-installed"
    if [[ ! -x "$here/node_modules/.bin/pouchdb-server" || ! -f "$stamp" \
          || "$here/package-lock.json" -nt "$stamp" ]]; then
        # --ignore-scripts: the in-memory server (-m) needs none of the native modules
        # (leveldown, sqlite3) whose install scripts would download or compile binaries.
        (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
        touch "$stamp"
    fi
}

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
    install
    mkdir -p "$dir"
    printf '{"log":{"file":"%s/couch.log","level":"warning"},"admins":{"admin":"secret"}}\n' "$dir" > "$dir/config.json"
    port=$(free_port)
    # -m: in memory; -n: no Fauxton UI; -c: keep config/log out of the working directory.
    (cd "$dir" && exec "$here/node_modules/.bin/pouchdb-server" -m -p "$port" -o 127.0.0.1 \
        -c "$dir/config.json" -n >"$dir/server.out" 2>&1) &
    echo $! > "$dir/pid"
    echo "$port" > "$dir/port"
    for _ in $(seq 1 300); do
        if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
            echo "http://admin:secret@127.0.0.1:$port"
            exit 0
        fi
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.1
    done
    echo "pouchdb-server did not start; see $dir/server.out" >&2
    cat "$dir/server.out" >&2 || true
    exit 1
    ;;
stop)
    if [[ -f "$dir/pid" ]]; then
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/pid"
    fi
    ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
