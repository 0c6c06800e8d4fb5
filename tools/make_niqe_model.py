#!/usr/bin/env python
"""Write the NIQE pristine model that clearsight ships, from the data folder's copy.

The data folder's rule for the NIQE model: a script reads the figures from
there and writes them in the project's own format next to the code that
uses them, with the original copyright notice beside them. This is that
script. It reads ``niqe/niqe_pristine.npz`` (the 36 means and 36×36
covariance of the LIVE NIQE release's ``modelparameters.mat``, float64) and
the release's readme from the data folder (``$CLEARSIGHT_DATA``, default
``../shared/data``), checks them, and writes

* ``src/clearsight/models/niqe/pristine.json`` — ``{"mu": [36 numbers],
  "cov": [[36 numbers] × 36]}``; JSON floats are written with Python's
  shortest round-trip repr, so reading them back gives the published float64
  values bit for bit;
* ``src/clearsight/models/niqe/NOTICE.txt`` — the release's copyright notice,
  from its "COPYRIGHT NOTICE STARTS" line to its "ENDS" line, in its
  entirety as the licence requires, with a line saying where it comes from.

Usage::

    python tools/make_niqe_model.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from clearsight.datasets import data_path

OUT = Path(__file__).resolve().parents[1] / "src" / "clearsight" / "models" / "niqe"
START = "COPYRIGHT NOTICE STARTS WITH THIS LINE"
END = "COPYRIGHT NOTICE ENDS WITH THIS LINE"


def copyright_notice(readme: str) -> str:
    """The notice block of the LIVE release readme, its first and last lines included."""
    lines = readme.splitlines()
    first = next(i for i, line in enumerate(lines) if START in line)
    last = next(i for i, line in enumerate(lines) if END in line)
    return "\n".join(lines[first : last + 1]) + "\n"


def main() -> int:
    with np.load(data_path("niqe", "niqe_pristine.npz")) as source:
        mu = np.asarray(source["mu"], np.float64)
        cov = np.asarray(source["cov"], np.float64)
    if mu.shape != (36,) or cov.shape != (36, 36) or not np.array_equal(cov, cov.T):
        raise SystemExit("unexpected pristine model: want mu (36,) and a symmetric cov (36, 36)")
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(cov))):
        raise SystemExit("pristine model has non-finite values")
    OUT.mkdir(parents=True, exist_ok=True)
    model = {"mu": mu.tolist(), "cov": cov.tolist()}
    (OUT / "pristine.json").write_text(json.dumps(model, indent=1) + "\n")
    readme = data_path("niqe", "LIVE_niqe_release_readme.txt").read_text(encoding="utf-8", errors="strict")
    header = ("The NIQE pristine model in pristine.json holds the figures of modelparameters.mat of the\n"
              "LIVE NIQE software release (http://live.ece.utexas.edu/research/quality/niqe.zip).\n"
              "Its copyright notice, in its entirety:\n\n")
    (OUT / "NOTICE.txt").write_text(header + copyright_notice(readme))
    print(f"wrote {OUT / 'pristine.json'} and {OUT / 'NOTICE.txt'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
