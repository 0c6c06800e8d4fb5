# pocketfft (C++ header-only, BSD-3-Clause) is taken at build time from the
# PyPI package `pythran`, which ships it as pythran/pythonic/numpy/fft/pocketfft.hpp.
# pythran is listed in build-system.requires, so the isolated build environment
# has it; nothing of pocketfft is committed to this repository.
execute_process(
  COMMAND "${Python_EXECUTABLE}" -c
    "import os, pythran; print(os.path.join(os.path.dirname(pythran.__file__), 'pythonic', 'numpy', 'fft'), end='')"
  OUTPUT_VARIABLE CLEARSIGHT_POCKETFFT_DIR
  RESULT_VARIABLE _pocketfft_rc)
if(NOT _pocketfft_rc EQUAL 0 OR NOT EXISTS "${CLEARSIGHT_POCKETFFT_DIR}/pocketfft.hpp")
  message(FATAL_ERROR
    "pocketfft.hpp not found. It comes from the Python package 'pythran' "
    "(pip install pythran) in the Python that runs this build: ${Python_EXECUTABLE}")
endif()
message(STATUS "pocketfft: ${CLEARSIGHT_POCKETFFT_DIR}/pocketfft.hpp")

add_library(pocketfft INTERFACE)
# SYSTEM: the header is not ours, so its warnings are not ours to fix.
target_include_directories(pocketfft SYSTEM INTERFACE "${CLEARSIGHT_POCKETFFT_DIR}")

# The wheel carries the licences of everything compiled into it.
set(CLEARSIGHT_NOTICES "${CMAKE_CURRENT_BINARY_DIR}/THIRD_PARTY_NOTICES.txt")
execute_process(
  COMMAND "${Python_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/third_party/notices.py"
          "${CLEARSIGHT_NOTICES}" "${CLEARSIGHT_POCKETFFT_DIR}/pocketfft.hpp"
  RESULT_VARIABLE _notices_rc)
if(NOT _notices_rc EQUAL 0)
  message(FATAL_ERROR "could not write the third-party licence notices")
endif()
