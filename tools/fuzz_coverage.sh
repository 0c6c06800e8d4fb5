#!/usr/bin/env bash
# Coverage of csrc/ reached by the fuzz harnesses: builds _core with gcov
# instrumentation (build/coverage, -O0, baseline kernels), replays every
# harness's corpus (build/fuzz/corpus/<name>, left by tools/fuzz.sh, plus the
# seeds, plus build/fuzz-long/corpus/<name> where a longer run left one)
# through it, and prints line coverage per source file and the C++ functions
# no input reached (tools/coverage_report.py).
#
#   tools/fuzz_coverage.sh [harness ...]
#
# MUTATIONS=N (default 0) adds N seeded mutations of the corpus after the
# replay: the guided phase keeps only inputs that reach new *Python* lines
# (atheris cannot see the C++ coverage of a gcc build), so an input that
# reached new C++ may have run without being kept; the mutations count what
# a fuzzing run of that length executes.
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
  for corpus in build/fuzz/corpus build/fuzz-long/corpus; do
    [[ -d "$ROOT/$corpus/$name" ]] && dirs+=("$ROOT/$corpus/$name")
  done
  # The corpus once, then MUTATIONS mutations (none by default). Findings are not the point here.
  "$PY" "fuzz/fuzz_$name.py" -runs="${MUTATIONS:-0}" -seed=1 "${dirs[@]}" >"build/coverage/replay-$name.log" 2>&1 || \
    echo "note: replaying $name stopped early (see build/coverage/replay-$name.log)"
done
"$PY" tools/coverage_report.py build/coverage csrc
