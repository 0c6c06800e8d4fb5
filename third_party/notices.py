"""Write the licence notices of the third-party C++ compiled into clearsight._core.

Run by CMake at configure time with the build's Python (the one that has the
build requirements installed), so the notices always match the headers that
were actually compiled:

    python third_party/notices.py OUTPUT_FILE POCKETFFT_HEADER
"""

import importlib.metadata
import sys
from pathlib import Path


def pocketfft_notice(header: Path) -> str:
    # The header opens with its copyright and BSD-3-Clause licence as one comment.
    text = header.read_text(encoding="utf-8")
    start, end = text.index("/*"), text.index("*/")
    return text[start + 2 : end].strip()


def distribution_licence(name: str) -> str:
    files = importlib.metadata.files(name) or []
    for f in files:
        if f.name.upper().startswith("LICENSE"):
            return f.read_text(encoding="utf-8").strip()
    raise SystemExit(f"no licence file found in the installed distribution {name!r}")


def main() -> None:
    output, header = Path(sys.argv[1]), Path(sys.argv[2])
    sections = [
        ("pocketfft (C++ header-only FFT)", f"taken from the PyPI package pythran {importlib.metadata.version('pythran')}, "
         "file pythran/pythonic/numpy/fft/pocketfft.hpp", pocketfft_notice(header)),
        ("pybind11 (C++ headers)", f"taken from the PyPI package pybind11 {importlib.metadata.version('pybind11')}",
         distribution_licence("pybind11")),
    ]
    parts = ["Third-party software compiled into clearsight._core\n" + "=" * 52]
    for title, origin, licence in sections:
        parts.append(f"{title}\n{'-' * len(title)}\nSource: {origin}\n\n{licence}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n\n\n".join(parts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
