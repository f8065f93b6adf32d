#!/usr/bin/env bash
# Quick start: installs what is missing (Debian 12), builds Stalk and opens the window.
#   ./run.sh                 the bundled demo database
#   ./run.sh URL             e.g. sqlite:////srv/app/db.sqlite3
#   ./run.sh count URL ...   any `stalk` command line works too
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps.sh build
build=${STALK_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTALK_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target stalk -j"$(nproc)"
exec "$build/app/stalk" "$@"
