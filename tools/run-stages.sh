#!/usr/bin/env bash
# run-stages.sh BUILD_DIR… -- [CTEST ARGS…]
# Runs CTest in each build directory in turn (test.sh: the normal build, then the sanitizer
# build); a build whose CMakeCache says STALK_SANITIZE=ON runs with STALK_SANITIZED=1.
# Every stage runs even when an earlier one fails; the exit status says whether all passed.
set -uo pipefail
dirs=()
while [[ $# -gt 0 && "$1" != "--" ]]; do dirs+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
status=0
for dir in "${dirs[@]}"; do
    echo "=== CTest in $dir ==="
    rm -f "$dir/Testing/failures.txt"
    if grep -q '^STALK_SANITIZE:BOOL=ON' "$dir/CMakeCache.txt"; then
        # Qt keeps some caches alive until exit: leak reports would be noise, not findings.
        STALK_SANITIZED=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            ctest --test-dir "$dir" --output-on-failure -j2 "$@" || status=1
    else
        ctest --test-dir "$dir" --output-on-failure -j2 "$@" || status=1
    fi
    # What failed, in a few lines, for the end of test.sh's output (a CI log keeps its tail).
    grep -h -A4 -E '^(FAIL!|XPASS) ' "$dir/Testing/Temporary/LastTest.log" > "$dir/Testing/failures.txt" 2>/dev/null || true
done
exit $status
