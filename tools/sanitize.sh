#!/usr/bin/env bash
# Builds clearsight._core with sanitizers and runs tests against it.
#
#   tools/sanitize.sh [asan|tsan|all] [extra pytest arguments]
#
# asan: AddressSanitizer + UndefinedBehaviorSanitizer (every report fatal) in
#       build/asan; runs the whole test suite (AVX2 kernels where the CPU has
#       them), then the parity, bindings and fuzz-regression tests on the
#       portable kernels.
# tsan: ThreadSanitizer in build/tsan; runs the concurrency tests.
# all:  both (the default).
#
# CPython is not instrumented, so the sanitizer runtime is preloaded
# (LD_PRELOAD), together with libstdc++: ASan resolves its __cxa_throw
# interceptor when it starts, and python does not link libstdc++, so without
# it the first C++ exception (any ValueError from a binding) aborts with
# "CHECK failed: real___cxa_throw != 0". The sanitized extension is loaded in place of the normal
# one from a throwaway virtual environment (build/<mode>/venv) whose only
# clearsight is build/<mode>/site/clearsight: the package sources copied from
# src/ plus the sanitized _core*.so. The environment sees the packages of the
# Python that runs this script (numpy, pytest, hypothesis, ...) through a .pth
# file that lists their folders, which does not run *their* .pth files, so an
# editable install's import hook cannot slip the normal build back in.
#
# Environment: PYTHON (default .venv/bin/python if present, else python3),
# JOBS (parallel compile jobs, default 2). Exit status: non-zero on any test
# failure or sanitizer report. tools/fuzz.sh reuses build/asan.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

MODE=${1:-all}
[[ $# -gt 0 ]] && shift
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
# Absolute, but not resolved: a venv's python is a symlink that must stay one.
if [[ "$PYTHON" == */* ]]; then PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")"
else PYTHON=$(command -v "$PYTHON"); fi
JOBS=${JOBS:-2}

# Reports we want, and why each option is set:
# - detect_leaks=0: CPython keeps interned objects, module state and arenas
#   alive at exit on purpose; LeakSanitizer would report thousands of those
#   "leaks" that are not ours.
# - allocator_may_return_null=1: tests ask for absurd sizes and expect
#   MemoryError/ValueError, as without ASan; ASan would otherwise abort on
#   the first oversized malloc.
# - abort_on_error=1 + halt_on_error=1: any report kills the run (non-zero exit).
# - UBSan: -fno-sanitize-recover=all makes reports fatal at build time;
#   print_stacktrace=1 says where.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# - TSan: halt on the first race; the fork test forks a multi-threaded
#   process, which TSan only supports with die_after_fork=0.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$ROOT/tools/tsan.supp}
# pytest captures file descriptor 2 while a test runs, so a report that ends
# the process would vanish with it: reports also go to build/<mode>/report.<pid>.
export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$ROOT/build/asan/report"
export TSAN_OPTIONS="$TSAN_OPTIONS:log_path=$ROOT/build/tsan/report"

# The whole suite (but for tests/test_static.py, which runs mypy, ruff and
# stubtest, no native code of ours) on the kernels this CPU selects (AVX2
# here), then the parity, bindings and fuzz-regression tests again on the
# portable kernels (CLEARSIGHT_CPU=baseline).
ASAN_TESTS=(tests --ignore=tests/test_static.py)
ASAN_BASELINE_TESTS=(
  tests/parity
  tests/test_bindings.py tests/test_denoise_bindings.py tests/test_filters_bindings.py tests/test_rl_bindings.py
  tests/test_metrics_bindings.py tests/test_resize_bindings.py tests/test_fuzz_regressions.py
)
TSAN_TESTS=(
  tests/test_parallel.py tests/test_bindings.py tests/test_deconv.py tests/test_rl_bindings.py
  tests/test_denoise_bindings.py tests/test_filters_bindings.py tests/parity/test_denoise_tv_parity.py
  tests/parity/test_filters_parity.py tests/test_metrics.py
)
TSAN_SELECT="thread or concurrent or pool or parallel or shared"

# build <mode> <sanitizers> [cmake args]: configure + compile build/<mode>, stage the package, make the venv.
build() {
  local mode=$1 sanitizers=$2 dir="$ROOT/build/$1"
  shift 2
  local pybind11_dir
  pybind11_dir=$("$PYTHON" -m pybind11 --cmakedir)
  local generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  if [[ ! -f "$dir/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCLEARSIGHT_SANITIZE="$sanitizers" -Dpybind11_DIR="$pybind11_dir" \
      -DPython_EXECUTABLE="$PYTHON" "$@" >"$dir.configure.log" 2>&1 ||
      { cat "$dir.configure.log"; return 1; }
  fi
  cmake --build "$dir" -j "$JOBS" >"$dir.build.log" 2>&1 || { tail -60 "$dir.build.log"; return 1; }

  local site="$dir/site"
  rm -rf "$site" && mkdir -p "$site"
  cp -r src/clearsight "$site/clearsight"
  find "$site" -name '__pycache__' -prune -exec rm -rf {} +
  rm -f "$site"/clearsight/_core*.so
  cp "$dir"/_core*.so "$site/clearsight/"

  local venv="$dir/venv"
  [[ -x "$venv/bin/python" ]] || "$PYTHON" -m venv --without-pip "$venv"
  local pth
  pth=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/_clearsight_sanitized.pth
  {
    echo "$site"
    "$PYTHON" -c 'import sys; print("\n".join(p for p in sys.path if p.endswith(("site-packages", "dist-packages"))))'
  } >"$pth"
}

# stage_plain: build/plain, the same throwaway environment around the
# extension the Python already imports (no compile): atheris's Python coverage
# works there (under ASan it does not, see tools/fuzz.sh).
stage_plain() {
  local dir="$ROOT/build/plain" so
  so=$("$PYTHON" -c 'import clearsight._core as c; print(c.__file__)')
  mkdir -p "$dir"
  rm -rf "$dir/site" && mkdir -p "$dir/site"
  cp -r src/clearsight "$dir/site/clearsight"
  find "$dir/site" -name '__pycache__' -prune -exec rm -rf {} +
  rm -f "$dir"/site/clearsight/_core*.so
  cp "$so" "$dir/site/clearsight/"
  [[ -x "$dir/venv/bin/python" ]] || "$PYTHON" -m venv --without-pip "$dir/venv"
  local pth
  pth=$("$dir/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/_clearsight_sanitized.pth
  {
    echo "$dir/site"
    "$PYTHON" -c 'import sys; print("\n".join(p for p in sys.path if p.endswith(("site-packages", "dist-packages"))))'
  } >"$pth"
}

# run <mode> <preload> <pytest args...>: the tests on the sanitized build.
run_tests() {
  local mode=$1 runtime=$2
  shift 2
  local venv_python="$ROOT/build/$mode/venv/bin/python"
  # Fails here unless the sanitized module, and not another, is what imports.
  LD_PRELOAD="$runtime" "$venv_python" - "$ROOT/build/$mode/site" <<'EOF'
import sys, clearsight._core as core
assert core.__file__.startswith(sys.argv[1]), f"wrong _core loaded: {core.__file__}"
print(f"sanitized core: {core.__file__} ({core.cpu_variant()})")
EOF
  LD_PRELOAD="$runtime" "$venv_python" -m pytest -q -p no:cacheprovider "$@"
}

# These functions are called as `asan && ...` below, where bash ignores
# `set -e` inside them: every step's status is checked explicitly.
asan() {
  echo "== ASan + UBSan: build/asan"
  build asan "address,undefined" || return 1
  local runtime status=0
  runtime="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)"
  run_tests asan "$runtime" "${ASAN_TESTS[@]}" "$@" || status=1
  echo "== ASan + UBSan: the portable kernels (CLEARSIGHT_CPU=baseline)"
  CLEARSIGHT_CPU=baseline run_tests asan "$runtime" "${ASAN_BASELINE_TESTS[@]}" "$@" || status=1
  return $status
}

tsan() {
  echo "== TSan: build/tsan"
  build tsan "thread" || return 1
  local runtime
  runtime="$(gcc -print-file-name=libtsan.so) $(gcc -print-file-name=libstdc++.so)"
  # setarch -R: gcc 12's TSan maps its shadow at fixed addresses and fails
  # ("unexpected memory mapping") when ASLR places the program elsewhere.
  local norandom=()
  command -v setarch >/dev/null && norandom=(setarch "$(uname -m)" -R)
  "${norandom[@]}" env LD_PRELOAD="$runtime" "$ROOT/build/tsan/venv/bin/python" -m pytest -q -p no:cacheprovider \
    "${TSAN_TESTS[@]}" -k "$TSAN_SELECT" "$@"
}

show_reports() {
  local found=0 f
  for f in "$ROOT"/build/"$1"/report.*; do
    [[ -f $f ]] || continue
    found=1
    echo "== sanitizer report $f"
    cat "$f"
  done
  return $found
}

case "$MODE" in
  asan) rm -f build/asan/report.*; asan "$@" && rc=0 || rc=$?; show_reports asan || rc=1; exit $rc ;;
  tsan) rm -f build/tsan/report.*; tsan "$@" && rc=0 || rc=$?; show_reports tsan || rc=1; exit $rc ;;
  all) rm -f build/asan/report.* build/tsan/report.*; (asan "$@" && tsan "$@") && rc=0 || rc=$?
       show_reports asan || rc=1; show_reports tsan || rc=1; exit $rc ;;
  build-asan) build asan "address,undefined" ;;
  build-coverage) build coverage "" -DCLEARSIGHT_COVERAGE=ON ;;
  build-tsan) build tsan "thread" ;;
  stage-plain) stage_plain ;;
  *) echo "usage: $0 [asan|tsan|all|build-asan|build-tsan|build-coverage] [pytest arguments]" >&2; exit 2 ;;
esac
