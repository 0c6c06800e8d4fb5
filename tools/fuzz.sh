#!/usr/bin/env bash
# Runs every atheris harness in fuzz/ for a fixed number of executions
# against the ASan + UBSan build of clearsight._core (tools/sanitize.sh).
#
#   tools/fuzz.sh [harness ...]          # default: all of fuzz/fuzz_*.py
#
# Environment:
#   RUNS       executions per harness (default 2000; the bindings harness,
#              which covers every C++ entry point, gets BINDINGS_RUNS,
#              default 4 * RUNS)
#   SECONDS_PER_HARNESS  if set, run each harness this long instead (-max_total_time)
#   PYTHON     the Python whose packages the sanitized venv sees (see sanitize.sh)
#   FUZZ_OUT   where corpora, crash artifacts and logs go (default build/fuzz)
#
# Each harness keeps a growing corpus in $FUZZ_OUT/corpus/<name>/, seeded
# from build/fuzz-corpus/seeds/<name>/ (fuzz/make_corpora.py). A crash, a
# sanitizer report, a broken invariant, a timeout (60 s for one input) or an
# out-of-memory (4 GB) stops that harness with its input saved as
# $FUZZ_OUT/artifacts/<name>-crash-*; the script then exits non-zero after
# running the others. Reproduce one with:
#   LD_PRELOAD=$(gcc -print-file-name=libasan.so) build/asan/venv/bin/python fuzz/fuzz_<name>.py <artifact>
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS=${RUNS:-2000}
BINDINGS_RUNS=${BINDINGS_RUNS:-$((4 * RUNS))}
FUZZ_OUT=${FUZZ_OUT:-$ROOT/build/fuzz}

tools/sanitize.sh build-asan || exit 1
PY="$ROOT/build/asan/venv/bin/python"
"$PY" fuzz/make_corpora.py "$ROOT/build/fuzz-corpus" >/dev/null || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
RUNTIME=$(gcc -print-file-name=libasan.so)

if [[ $# -gt 0 ]]; then HARNESSES=("$@"); else
  HARNESSES=()
  for f in fuzz/fuzz_*.py; do HARNESSES+=("$(basename "$f" .py | sed 's/^fuzz_//')"); done
fi

mkdir -p "$FUZZ_OUT/artifacts" "$FUZZ_OUT/logs"
failed=()
printf '%-16s %10s %8s %8s %s\n' harness executions seconds exec/s result
for name in "${HARNESSES[@]}"; do
  corpus="$FUZZ_OUT/corpus/$name"
  mkdir -p "$corpus"
  runs=$RUNS
  [[ $name == bindings ]] && runs=$BINDINGS_RUNS
  limit=(-runs="$runs")
  [[ -n "${SECONDS_PER_HARNESS:-}" ]] && limit=(-max_total_time="$SECONDS_PER_HARNESS")
  log="$FUZZ_OUT/logs/$name.log"
  start=$(date +%s)
  LD_PRELOAD="$RUNTIME" "$PY" "fuzz/fuzz_$name.py" "${limit[@]}" -max_len=4096 -len_control=20 -timeout=60 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$FUZZ_OUT/artifacts/$name-" \
    "$corpus" "$ROOT/build/fuzz-corpus/seeds/$name" >"$log" 2>&1
  rc=$?
  seconds=$(($(date +%s) - start))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(( ${execs:-0} / (seconds > 0 ? seconds : 1) ))
  result=ok
  if [[ $rc -ne 0 ]]; then result="FINDING (exit $rc, see $log)"; failed+=("$name"); fi
  printf '%-16s %10s %8s %8s %s\n' "$name" "${execs:-?}" "$seconds" "$rate" "$result"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "findings in: ${failed[*]} (inputs in $FUZZ_OUT/artifacts)"
  exit 1
fi
