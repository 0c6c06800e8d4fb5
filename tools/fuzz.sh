#!/usr/bin/env bash
# Runs every atheris harness in fuzz/ for a fixed number of executions, then
# replays what it found on the ASan + UBSan build of clearsight._core.
#
#   tools/fuzz.sh [harness ...]          # default: all of fuzz/fuzz_*.py
#
# Two phases per harness, because gcc's libasan defines the
# __sanitizer_cov_* hooks too: preloaded, it takes them from atheris's
# libFuzzer ("Coverage symbols are being provided by a library other than
# libFuzzer") and the fuzzer goes blind. So:
#   1. guided: RUNS executions with atheris's coverage feedback on the normal
#      extension (build/plain: the extension this Python imports, staged
#      outside any editable-install import hook), growing the corpus;
#   2. sanitized: the whole corpus once, then ASAN_RUNS more (blind)
#      mutations, on the ASan + UBSan extension (build/asan).
#
# Environment:
#   RUNS        phase-1 executions per harness (default 2000; the bindings
#               harness, which covers every C++ entry point, gets
#               BINDINGS_RUNS, default 4 * RUNS)
#   ASAN_RUNS   phase-2 mutations after the corpus (default RUNS / 4)
#   SECONDS_PER_HARNESS  if set, phase 1 runs this long instead (-max_total_time)
#   PYTHON      the Python whose packages the environments see (see sanitize.sh)
#   FUZZ_OUT    where corpora, crash artifacts and logs go (default build/fuzz)
#   SEED        libFuzzer's -seed for both phases (CI sets it, so that a CI run
#               is reproducible: the same inputs on every run of the same code)
#
# A crash, a sanitizer report, a broken invariant, a timeout (60 s for one
# input) or an out-of-memory (4 GB) stops that harness with its input saved
# as $FUZZ_OUT/artifacts/<name>-crash-*; the script exits non-zero after
# running the others. Reproduce one with
#   build/plain/venv/bin/python fuzz/fuzz_<name>.py <artifact>
# or, for a sanitizer report,
#   LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)" \
#     build/asan/venv/bin/python fuzz/fuzz_<name>.py <artifact>
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-2000}
BINDINGS_RUNS=${BINDINGS_RUNS:-$((4 * RUNS))}
ASAN_RUNS=${ASAN_RUNS:-$((RUNS / 4))}
FUZZ_OUT=${FUZZ_OUT:-$ROOT/build/fuzz}
# Absolute: fuzz_psf_parse works in a temporary directory of its own.
mkdir -p "$FUZZ_OUT" && FUZZ_OUT=$(cd "$FUZZ_OUT" && pwd)

tools/sanitize.sh build-asan || exit 1
tools/sanitize.sh stage-plain || exit 1
PLAIN="$ROOT/build/plain/venv/bin/python"
ASAN="$ROOT/build/asan/venv/bin/python"
"$PLAIN" fuzz/make_corpora.py "$ROOT/build/fuzz-corpus" >/dev/null || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
RUNTIME="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)"
FLAGS=(-max_len=4096 -len_control=20 -timeout=60 -rss_limit_mb=4096 -print_final_stats=1)
[[ -n "${SEED:-}" ]] && FLAGS+=(-seed="$SEED")

if [[ $# -gt 0 ]]; then HARNESSES=("$@"); else
  HARNESSES=()
  for f in fuzz/fuzz_*.py; do HARNESSES+=("$(basename "$f" .py | sed 's/^fuzz_//')"); done
fi

executions() { grep -o 'stat::number_of_executed_units: *[0-9]*' "$1" | grep -o '[0-9]*$' | tail -1; }

mkdir -p "$FUZZ_OUT/artifacts" "$FUZZ_OUT/logs"
failed=()
printf '%-16s %10s %8s %10s %8s %s\n' harness guided seconds sanitized seconds result
for name in "${HARNESSES[@]}"; do
  corpus="$FUZZ_OUT/corpus/$name"
  mkdir -p "$corpus"
  runs=$RUNS
  [[ $name == bindings ]] && runs=$BINDINGS_RUNS
  limit=(-runs="$runs")
  [[ -n "${SECONDS_PER_HARNESS:-}" ]] && limit=(-max_total_time="$SECONDS_PER_HARNESS")
  result=ok

  log1="$FUZZ_OUT/logs/$name.guided.log"
  start=$(date +%s)
  "$PLAIN" "fuzz/fuzz_$name.py" "${limit[@]}" "${FLAGS[@]}" -artifact_prefix="$FUZZ_OUT/artifacts/$name-" \
    "$corpus" "$ROOT/build/fuzz-corpus/seeds/$name" >"$log1" 2>&1
  rc1=$?
  t1=$(($(date +%s) - start))
  [[ $rc1 -ne 0 ]] && result="FINDING (exit $rc1, see $log1)"

  log2="$FUZZ_OUT/logs/$name.asan.log"
  start=$(date +%s)
  LD_PRELOAD="$RUNTIME" "$ASAN" "fuzz/fuzz_$name.py" -runs="$ASAN_RUNS" "${FLAGS[@]}" \
    -artifact_prefix="$FUZZ_OUT/artifacts/$name-asan-" "$corpus" "$ROOT/build/fuzz-corpus/seeds/$name" >"$log2" 2>&1
  rc2=$?
  t2=$(($(date +%s) - start))
  if [[ $rc2 -ne 0 ]]; then
    asan_finding="FINDING under ASan (exit $rc2, see $log2)"
    if [[ $result == ok ]]; then result=$asan_finding; else result="$result; $asan_finding"; fi
  fi
  [[ $result != ok ]] && failed+=("$name")
  printf '%-16s %10s %8s %10s %8s %s\n' "$name" "$(executions "$log1")" "$t1" "$(executions "$log2")" "$t2" "$result"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "findings in: ${failed[*]} (inputs in $FUZZ_OUT/artifacts)"
  exit 1
fi
