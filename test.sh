#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is missing, builds with
# warnings as errors, writes fixture databases with the real Celery, starts every server the
# tests need on 127.0.0.1, runs all suites with CTest, and stops the servers — also when a
# test fails. Exits non-zero on any failure.
#   ./test.sh               everything
#   ./test.sh -R sqlstore   only the CTest suites matching a regex (servers still started)
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD

tools/install-deps.sh test

build=${STALK_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTALK_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"

# Fixture databases are written by a real Celery worker. Regenerate them when the scripts
# that write them change.
fixtures="$build/fixtures"
stamp=$(find tools/fixtures -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 cat | sha1sum | cut -d' ' -f1)
if [[ ! -f "$fixtures/READY" || "$(cat "$fixtures/STAMP" 2>/dev/null)" != "$stamp" ]]; then
    rm -rf "$fixtures"
    tools/fixtures/make_fixtures.sh "$fixtures"
    echo "$stamp" > "$fixtures/STAMP"
fi

export STALK_REQUIRE_SERVERS=1

# Each server wrapper starts its server on a free loopback port, exports its URL, runs the
# command and always stops the server.
wrappers=()
[[ -x tools/couchdb/with_couchdb.sh ]] && wrappers+=(tools/couchdb/with_couchdb.sh)
wrappers+=(tools/servers/with_postgres.sh tools/servers/with_mariadb.sh)
"${wrappers[@]}" ctest --test-dir "$root/$build" --output-on-failure -j2 "$@"
