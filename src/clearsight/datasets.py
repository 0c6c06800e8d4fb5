"""Where the evaluation and training data sets live.

The data sets come from public repositories and are never shipped or
committed; tests, benchmarks and training read them in place from one folder:
``$CLEARSIGHT_DATA`` when set, else ``../shared/data`` next to the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "data_path"]

def data_dir() -> Path:
    """Return the data folder.

    ``$CLEARSIGHT_DATA`` when set; otherwise ``../shared/data`` relative to the
    working directory, or failing that relative to the source checkout this
    module was imported from (an editable install run from elsewhere).
    """
    env = os.environ.get("CLEARSIGHT_DATA")
    if env:
        return Path(env)
    from_cwd = Path.cwd().parent / "shared" / "data"
    from_checkout = Path(__file__).resolve().parents[3] / "shared" / "data"
    return from_checkout if not from_cwd.exists() and from_checkout.exists() else from_cwd


def data_path(*parts: str) -> Path:
    """Return a path inside the data folder, raising ``FileNotFoundError`` naming it if absent.

    Examples
    --------
    >>> data_path("kernels", "kernel1.npy")  # doctest: +SKIP
    """
    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: set CLEARSIGHT_DATA to the folder holding the clearsight data sets"
        )
    return path
