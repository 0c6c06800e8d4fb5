// Fork-join parallelism for the kernels, on a process-wide pool of worker
// threads started on first use (a kernel runs several passes per frame, and
// starting threads for each costs ~50 us). Re-entrant: concurrent callers
// share the workers; each waits only for its own chunks.
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
// dynamically between `threads` threads (the caller's thread is one of them
// and does all the work if no worker is free). After a chunk throws, the
// remaining chunks are skipped and the first exception is rethrown.
void parallel_for(std::size_t n, std::size_t grain, std::size_t threads,
                  const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace clearsight
