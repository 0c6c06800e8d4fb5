"""Backend registry and choice.

A backend is a module exposing kernels by name (``WienerPlan``,
``RichardsonLucyPlan``, ``denoise_tv``, ...); a backend need not have them all.
Choice order: the ``backend=`` argument, else ``$CLEARSIGHT_BACKEND``, else
the fastest backend that imports. Falling back from the compiled core to
NumPy without being asked warns once per process.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import warnings
from types import FrameType, ModuleType

# Fastest first.
_MODULES = {"cpp": "clearsight._core", "numpy": "clearsight.reference"}
BACKEND_NAMES = tuple(_MODULES)
_ENV = "CLEARSIGHT_BACKEND"
_warned = False


@functools.cache
def _load(name: str) -> ModuleType | Exception:
    try:
        return importlib.import_module(_MODULES[name])
    except Exception as error:  # noqa: BLE001 - any failure to load a backend means falling back
        return error


def _caller_stacklevel() -> int:
    """stacklevel for warnings.warn that points at the first frame outside clearsight."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("clearsight"):
        frame = frame.f_back
        level += 1
    return level


def backends() -> list[str]:
    """Names of the backends that are available here, the one ``"auto"`` picks first."""
    available = [name for name in BACKEND_NAMES if not isinstance(_load(name), Exception)]
    env = os.environ.get(_ENV)
    if env in available:
        available.remove(env)
        available.insert(0, env)
    return available


def _require(name: str, origin: str) -> ModuleType:
    module = _load(name)
    if isinstance(module, Exception):
        raise ValueError(f"{origin} {name!r} is not available here: {module}")
    return module


def _has(module: ModuleType, kernel: str | None) -> bool:
    return kernel is None or hasattr(module, kernel)


def resolve(backend: object = "auto", kernel: str | None = None) -> tuple[str, ModuleType]:
    """Return ``(name, module)`` of the backend to use.

    `backend` is a name or ``"auto"``. `kernel`, when given, is the attribute
    the operation needs from the backend module (``"WienerPlan"``, ...): an
    explicitly chosen backend without it is an error; ``"auto"`` takes the
    fastest backend that has it, without a warning, since an operation whose
    compiled kernel does not exist yet is not a fallback.
    """
    global _warned
    options = ("auto",) + BACKEND_NAMES
    if not isinstance(backend, str) or backend not in options:
        raise ValueError(f"backend must be one of {', '.join(map(repr, options))}, got {backend!r}")
    origin, chosen = "backend", backend
    if backend == "auto":
        env = os.environ.get(_ENV)
        if env:
            if env not in BACKEND_NAMES:
                raise ValueError(f"{_ENV} must be one of {', '.join(map(repr, BACKEND_NAMES))}, got {env!r}")
            origin, chosen = _ENV, env
    if chosen != "auto":
        module = _require(chosen, origin)
        if not _has(module, kernel):
            having = [n for n in backends() if _has(_require(n, origin), kernel)]
            raise ValueError(f"{origin} {chosen!r} has no {kernel} kernel yet; available for it: {having}")
        return chosen, module
    for name in BACKEND_NAMES:
        loaded = _load(name)
        if isinstance(loaded, Exception) or not _has(loaded, kernel):
            continue
        if name != BACKEND_NAMES[0] and isinstance(_load(BACKEND_NAMES[0]), Exception) and not _warned:
            _warned = True
            warnings.warn(
                f"clearsight's compiled core is unavailable ({_load(BACKEND_NAMES[0])}); "
                f"using the {name!r} backend, which is slower. Set {_ENV}={name} to silence this.",
                RuntimeWarning,
                stacklevel=_caller_stacklevel(),
            )
        return name, loaded
    raise RuntimeError(f"no clearsight backend provides {kernel}")  # the NumPy reference provides all
