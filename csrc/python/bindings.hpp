// One registration function per binding file; module.cpp calls them all.
// A kernel family adds its file here, in CMakeLists.txt and in module.cpp.
#pragma once

#include <pybind11/pybind11.h>

namespace clearsight::bindings {

void bind_wiener(pybind11::module_& m);            // bind_wiener.cpp
void bind_richardson_lucy(pybind11::module_& m);   // bind_richardson_lucy.cpp
void bind_tv_deconvolution(pybind11::module_& m);  // bind_tv_deconvolution.cpp
void bind_denoise(pybind11::module_& m);           // bind_denoise.cpp
void bind_filters(pybind11::module_& m);           // bind_filters.cpp (blur, sharpen, estimate, colour)
void bind_resize(pybind11::module_& m);            // bind_resize.cpp
void bind_metrics(pybind11::module_& m);           // bind_metrics.cpp (psnr, ssim, ms_ssim)

}  // namespace clearsight::bindings
