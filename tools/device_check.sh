#!/usr/bin/env bash
# The whole test suite on a lent GPU machine (its own Python 3.12, NumPy and
# CUDA PyTorch), CUDA tests included: one device call, about 90 s there.
#
# Prepare here, once per session (both folders are git-ignored through
# .git/info/exclude and travel with `carry`):
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
#     --platform manylinux2014_x86_64 -d .whl pythran==0.19.0 beniget==0.5.0 gast==0.7.0 ply==3.11 PyWavelets
#   mkdir -p .devdata/data && cp -r ../shared/data/{README.md,deblur,kernels,niqe,sr,denoise} .devdata/data/
# then run `bash tools/device_check.sh` there with carry [".whl", ".devdata"].
# (The machine has no network: pythran, for pocketfft's header, and
# PyWavelets, a test dependency, travel as wheels; the evaluation data as a
# copy, since ../shared does not travel.)
set -o pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 3
export PYTHONPATH=/tmp/site CLEARSIGHT_DATA=$PWD/.devdata/data
nvidia-smi -L
python3 -c "import sys, numpy, torch; print(sys.version.split()[0], 'numpy', numpy.__version__, 'torch', torch.__version__, 'cuda', torch.cuda.is_available())"
t0=$SECONDS
python3 -m pip install --no-build-isolation --no-deps --no-index -q -Cbuild-dir=/tmp/csbuild . >"$OUT/build.log" 2>&1 || {
  tail -40 "$OUT/build.log"
  exit 4
}
echo "build $((SECONDS - t0)) s"
t0=$SECONDS
(cd /tmp && python3 -c "import clearsight; print('backends', clearsight.backends())")
# tests/test_static.py needs mypy and ruff, which that machine lacks.
timeout 400 python3 -m pytest -q -n 16 -p no:cacheprovider --ignore tests/test_static.py 2>&1 | tee "$OUT/pytest.log" | tail -30
status=$?
echo "pytest rc=$status, $((SECONDS - t0)) s"
timeout 60 python3 -m pytest -q -p no:cacheprovider -m gpu -v 2>&1 | tail -6
exit $status
