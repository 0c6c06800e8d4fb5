"""NumPy reference implementations: the specification of every operation.

Readable, float64, single-threaded. It is also the ``"numpy"`` backend, used
when the compiled core is unavailable or ``CLEARSIGHT_BACKEND=numpy``.
"""

from clearsight.reference.deconvolution import WienerPlan, wiener

__all__ = ["WienerPlan", "wiener"]
