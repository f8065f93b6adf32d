#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is missing, builds with
# warnings as errors, writes fixture databases with the real Celery, starts every server the
# tests need on 127.0.0.1 (CouchDB-compatible pouchdb-server, PostgreSQL 15, MariaDB 10.11,
# and GNOME Keyring on a private D-Bus session bus),
# runs all suites with CTest — then again in an AddressSanitizer + UndefinedBehaviorSanitizer
# build — and stops the servers, also when a test fails. It also builds the command-line-only
# stalk (STALK_GUI=OFF) and checks that it loads no Qt Widgets/Gui and answers as the full
# build does. Then it builds the .deb, checks it with Debian's validators, installs it and runs it
# (tools/check-package.sh). Exits non-zero on any failure.
#   ./test.sh                  everything
#   ./test.sh --no-sanitize    skip the sanitizer stage
#   ./test.sh --no-fuzz        skip the fuzz stage
#   ./test.sh --no-package     skip the package stage (tools/check-package.sh: the .deb built,
#                              validated, installed and run)
#   ./test.sh -R sqlstore      only the CTest suites matching a regex (servers still started;
#                              no fuzz or package stage)
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD

sanitize=1
fuzz=1
package=1
ctest_args=()
for arg in "$@"; do
    case "$arg" in
        --no-sanitize) sanitize=0 ;;
        --no-fuzz) fuzz=0 ;;
        --no-package) package=0 ;;
        *) ctest_args+=("$arg") ;;
    esac
done

tools/install-deps.sh test

# Test builds keep line tables only (-g1): enough for every backtrace and sanitizer report,
# and a third less compile time than full debug information on these two cores. The sanitizer
# build is optimised at -O1, as AddressSanitizer's documentation suggests.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTALK_WERROR=ON)
release_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG")
build=${STALK_BUILD_DIR:-build}
# The STALK_GUI=OFF build below compiles models/, backends/ and bench/ with the same command
# lines as this one: through ccache (paths taken relative to the source tree, the build
# directory not hashed) it reuses these objects instead of compiling them a second time.
export CCACHE_DIR=${CCACHE_DIR:-$root/$build/ccache} CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
ccache=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja "${flags[@]}" "${release_flags[@]}" "${ccache[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"

# The command-line-only stalk (STALK_GUI=OFF, as for servers and cron): it must load neither
# Qt Widgets nor Qt Gui, and answer exactly as the full build does.
nogui="$build-nogui"
cmake -S . -B "$nogui" -G Ninja "${flags[@]}" "${release_flags[@]}" "${ccache[@]}" \
    -DSTALK_GUI=OFF -DSTALK_BUILD_TESTS=OFF >/dev/null
cmake --build "$nogui" -j"$(nproc)" --target stalk
if ldd "$nogui/app/stalk" | grep -E 'libQt6(Widgets|Gui)'; then
    echo "test.sh: $nogui/app/stalk (STALK_GUI=OFF) links Qt Widgets or Qt Gui" >&2
    exit 1
fi
same_answer() {
    if ! diff <("$nogui/app/stalk" "$@" 2>&1; echo "exit $?") <("$build/app/stalk" "$@" 2>&1; echo "exit $?"); then
        echo "test.sh: 'stalk $*' answers differently in $nogui (STALK_GUI=OFF) and $build" >&2
        exit 1
    fi
}
same_answer --version
same_answer count --read-only "sqlite:///$root/resources/demo.sqlite3"

# Fixture databases are written by a real Celery worker. Regenerate them when the scripts
# that write them change.
fixtures="$root/$build/fixtures"
stamp=$(find tools/fixtures -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 cat | sha1sum | cut -d' ' -f1)
if [[ ! -f "$fixtures/READY" || "$(cat "$fixtures/STAMP" 2>/dev/null)" != "$stamp" ]]; then
    rm -rf "$fixtures"
    tools/fixtures/make_fixtures.sh "$fixtures"
    echo "$stamp" > "$fixtures/STAMP"
fi

stages=("$root/$build")
if [[ $sanitize -eq 1 ]]; then
    asan="$build-asan"
    cmake -S . -B "$asan" -G Ninja "${flags[@]}" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
        -DSTALK_SANITIZE=ON -DSTALK_FIXTURES_DIR="$fixtures" >/dev/null
    cmake --build "$asan" -j"$(nproc)"
    stages+=("$root/$asan")
fi

export STALK_REQUIRE_SERVERS=1
# Each server wrapper starts its server on a free loopback port, exports its URL, runs the
# command and always stops the server; tools/run-stages.sh runs CTest in each build.
status=0
tools/couchdb/with_couchdb.sh tools/servers/with_postgres.sh tools/servers/with_mariadb.sh tools/servers/with_redis.sh \
    tools/servers/with_keyring.sh tools/servers/with_memcached.sh tools/servers/with_filecache.sh \
    tools/run-stages.sh "${stages[@]}" -- "${ctest_args[@]}" || status=1

# The .debs (stalk from the normal build, stalk-cli from the STALK_GUI=OFF one): Debian's
# validators, then installed and run.
if [[ $package -eq 1 && ${#ctest_args[@]} -eq 0 ]]; then
    tools/check-package.sh "$build" "$nogui" || status=1
fi

# Fuzzing, alone on the machine (the servers are stopped): each target on its seeds for a
# bounded time; a crash, leak or sanitizer report fails the run and prints the input's path.
if [[ $fuzz -eq 1 && ${#ctest_args[@]} -eq 0 ]]; then
    tools/run-fuzz.sh || status=1
fi
# The failed test functions again, last, where a truncated log still shows them.
for stage in "${stages[@]}"; do
    if [[ -s "$stage/Testing/failures.txt" ]]; then
        echo "=== Failed in $stage ==="
        head -c 6000 "$stage/Testing/failures.txt"
    fi
done
exit $status
