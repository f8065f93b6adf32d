#!/usr/bin/env bash
# run-fuzz.sh [TARGET…]
# Builds the libFuzzer targets (tests/fuzz_*.cpp: clang, -fsanitize=fuzzer,address,undefined)
# in a build directory of their own and runs each for a bounded time on its seed corpus
# (tests/fuzz/corpus/<target>/). A crash, a leak, a sanitizer report, a timeout or an
# out-of-memory fails the run; the input that caused it is saved and its path printed, with
# the command that replays it. ./test.sh runs this as its last stage.
#   STALK_FUZZ_SECONDS=45     seconds per target
#   STALK_FUZZ_SEED=1         libFuzzer's seed; 0 draws a new one each run. ./test.sh (and so
#                             CI) replays the same search each time; explore with 0 and longer.
#   STALK_FUZZ_JOBS=$(nproc)  targets run at the same time (each uses one core)
#   STALK_FUZZ_BUILD_DIR=build-fuzz
# Inputs a run finds that reach new code are kept in BUILD_DIR/fuzz-corpus/<target>/ (the
# next run starts from them); the repo's seeds are only read.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${STALK_FUZZ_SECONDS:-45}
seed=${STALK_FUZZ_SEED:-1}
jobs=${STALK_FUZZ_JOBS:-$(nproc)}
build=${STALK_FUZZ_BUILD_DIR:-build-fuzz}
[[ "$build" = /* ]] || build="$root/$build"

# Every tests/fuzz_<name>.cpp is a target (tests/CMakeLists.txt builds each).
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    for source in tests/fuzz_*.cpp; do
        name=${source#tests/fuzz_}
        targets+=("${name%.cpp}")
    done
fi

echo "=== Fuzzing ${targets[*]} for ${seconds} s each ($jobs at a time, seed $seed) in $build ==="
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTALK_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSTALK_FUZZ=ON "${launcher[@]}" >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" || exit 1

# Reports name source lines; a leak is a finding (libFuzzer checks each input for one).
symbolizer=$(command -v llvm-symbolizer || ls /usr/lib/llvm-*/bin/llvm-symbolizer 2>/dev/null | tail -1)
export ASAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export QT_QPA_PLATFORM=offscreen TZ=UTC LC_ALL=C.UTF-8

# fuzz TARGET: runs one target; its output goes to BUILD_DIR/fuzz-logs/TARGET.log, its exit
# status to TARGET.rc.
fuzz() {
    local target=$1
    local corpus="$build/fuzz-corpus/$target" artifacts="$build/fuzz-artifacts/$target"
    rm -rf "$artifacts"
    mkdir -p "$corpus" "$artifacts" "$build/fuzz-logs"
    # The first corpus directory receives what the run finds; the seeds are read only.
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GB is a runaway.
    "$build/tests/fuzz_$target" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "$root/tests/fuzz/corpus/$target" >"$build/fuzz-logs/$target.log" 2>&1
    echo $? >"$build/fuzz-logs/$target.rc"
}

for target in "${targets[@]}"; do
    if [[ ! -d "tests/fuzz/corpus/$target" ]]; then
        echo "run-fuzz.sh: no target $target (no tests/fuzz/corpus/$target)" >&2
        exit 2
    fi
    while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n; done
    fuzz "$target" &
done
wait

status=0
for target in "${targets[@]}"; do
    rc=$(cat "$build/fuzz-logs/$target.rc")
    log="$build/fuzz-logs/$target.log"
    # "#123456 DONE cov: 1234 ft: 5678 corp: 90/12Kb lim: … exec/s: 1234 rss: 98Mb"
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    if [[ $rc -eq 0 ]]; then
        echo "fuzz_$target: ok, ${seconds} s: ${done_line#*DONE }"
        continue
    fi
    status=1
    echo "fuzz_$target: FAILED (exit $rc); the end of $log:" >&2
    tail -n 60 "$log" >&2
    for input in "$build/fuzz-artifacts/$target"/*; do
        [[ -f "$input" ]] || continue
        echo "fuzz_$target: the failing input is $input; replay it with:" >&2
        echo "    $build/tests/fuzz_$target $input" >&2
    done
done
exit $status
