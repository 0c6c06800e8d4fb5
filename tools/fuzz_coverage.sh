#!/usr/bin/env bash
# Coverage of csrc/ reached by the fuzz harnesses: builds _core with gcov
# instrumentation (build/coverage, -O0, baseline kernels), replays every
# harness's corpus (build/fuzz/corpus/<name>, left by tools/fuzz.sh, plus the
# seeds) through it, and prints line coverage per source file and the C++
# functions no input reached (tools/coverage_report.py).
#
#   tools/fuzz_coverage.sh [harness ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
tools/sanitize.sh build-coverage
PY="$ROOT/build/coverage/venv/bin/python"
"$PY" fuzz/make_corpora.py "$ROOT/build/fuzz-corpus" >/dev/null
find build/coverage -name '*.gcda' -delete
if [[ $# -gt 0 ]]; then HARNESSES=("$@"); else
  HARNESSES=()
  for f in fuzz/fuzz_*.py; do HARNESSES+=("$(basename "$f" .py | sed 's/^fuzz_//')"); done
fi
for name in "${HARNESSES[@]}"; do
  dirs=("$ROOT/build/fuzz-corpus/seeds/$name")
  [[ -d "$ROOT/build/fuzz/corpus/$name" ]] && dirs+=("$ROOT/build/fuzz/corpus/$name")
  # -runs=0: execute the corpus once, no mutation. Findings are not the point here.
  "$PY" "fuzz/fuzz_$name.py" -runs=0 "${dirs[@]}" >"build/coverage/replay-$name.log" 2>&1 || \
    echo "note: replaying $name stopped early (see build/coverage/replay-$name.log)"
done
"$PY" tools/coverage_report.py build/coverage csrc
