"""NumPy reference implementations: the specification of every operation.

Readable, float64, single-threaded. It is also the ``"numpy"`` backend, used
when the compiled core is unavailable or ``CLEARSIGHT_BACKEND=numpy``: the
public doors find their kernels here by name.
"""

from clearsight.reference._issue5_a import *  # noqa: F403
from clearsight.reference._issue5_a import __all__ as _issue5_a_all
from clearsight.reference._issue5_b import *  # noqa: F403
from clearsight.reference._issue5_b import __all__ as _issue5_b_all
from clearsight.reference._issue5_c import *  # noqa: F403
from clearsight.reference._issue5_c import __all__ as _issue5_c_all
from clearsight.reference.deconvolution import WienerPlan, wiener

__all__ = ["WienerPlan", "wiener", *_issue5_a_all, *_issue5_b_all, *_issue5_c_all]
