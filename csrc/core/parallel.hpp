// Minimal fork-join parallelism for the kernels.
//
// Threads are started per call rather than pooled: a call costs tens of
// microseconds of thread start-up against milliseconds of FFT work, and there
// is no global state to share between re-entrant callers.
#pragma once

#include <cstddef>
#include <functional>

namespace clearsight {

// Number of CPUs this process may run on (its affinity mask), at least 1.
std::size_t available_cpus();

// The thread count a kernel actually uses: at least 1, at most `items`
// (more threads than work items only adds start-up cost) and at most a
// generous multiple of the CPUs, so an absurd request cannot exhaust the system.
std::size_t effective_threads(std::size_t requested, std::size_t items);

// Calls body(begin, end) over [0, n) in chunks of `grain` items, shared out
// dynamically between `threads` threads (the caller's thread is one of them).
// The first exception thrown by any chunk is rethrown after all threads join.
void parallel_for(std::size_t n, std::size_t grain, std::size_t threads,
                  const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace clearsight
