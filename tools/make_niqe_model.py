#!/usr/bin/env python
"""Write the NIQE pristine model that clearsight ships, from the data folder's copy.

Reads ``niqe/niqe_pristine.npz`` (the 36 means and 36×36 covariance of the
LIVE NIQE release's ``modelparameters.mat``, unchanged float64) and the
release's readme from the data folder (``$CLEARSIGHT_DATA``, default
``../shared/data``), checks them, and writes

* ``src/clearsight/models/niqe/pristine.npz`` — ``mu`` (36,) and ``cov``
  (36, 36), float64, exactly the published values;
* ``src/clearsight/models/niqe/LIVE_niqe_release_readme.txt`` — the
  release's readme, byte for byte: its copyright notice must travel with
  anything derived from the model.

Usage::

    python tools/make_niqe_model.py
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import numpy as np

from clearsight.datasets import data_path

OUT = Path(__file__).resolve().parents[1] / "src" / "clearsight" / "models" / "niqe"


def main() -> int:
    with np.load(data_path("niqe", "niqe_pristine.npz")) as source:
        mu = np.asarray(source["mu"], np.float64)
        cov = np.asarray(source["cov"], np.float64)
    if mu.shape != (36,) or cov.shape != (36, 36) or not np.array_equal(cov, cov.T):
        raise SystemExit("unexpected pristine model: want mu (36,) and a symmetric cov (36, 36)")
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(cov))):
        raise SystemExit("pristine model has non-finite values")
    OUT.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez(buffer, mu=mu, cov=cov)  # uncompressed: 11 kB, and byte-stable from run to run
    (OUT / "pristine.npz").write_bytes(buffer.getvalue())
    shutil.copyfile(data_path("niqe", "LIVE_niqe_release_readme.txt"), OUT / "LIVE_niqe_release_readme.txt")
    print(f"wrote {OUT / 'pristine.npz'} and the release readme", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
