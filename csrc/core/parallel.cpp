#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__) || defined(__APPLE__)
#include <pthread.h>
#endif
#if defined(__linux__)
#include <sched.h>
#endif

namespace clearsight {

std::size_t available_cpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<std::size_t>(count);
  }
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? hw : 1;
}

std::size_t effective_threads(std::size_t requested, std::size_t items) {
  const std::size_t cap = 4 * available_cpus();
  std::size_t t = std::min(requested, cap);
  t = std::min(t, items);
  return std::max<std::size_t>(t, 1);
}

namespace {

// One parallel_for call. Chunks are claimed with an atomic counter; the
// caller waits until every chunk is accounted for. Helpers that arrive after
// the work is gone only touch this object, which they co-own, never the
// caller's stack.
struct Job {
  const std::function<void(std::size_t, std::size_t)>* body = nullptr;
  std::size_t n = 0, grain = 1, chunks = 0;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished;
  std::size_t completed = 0;  // guarded by mutex

  void work() {
    std::size_t done = 0;
    for (;;) {
      const std::size_t chunk = next.fetch_add(1, std::memory_order_relaxed);
      if (chunk >= chunks) break;
      if (!failed.load(std::memory_order_relaxed)) {
        const std::size_t begin = chunk * grain;
        try {
          (*body)(begin, std::min(n, begin + grain));
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex);
          if (!error) error = std::current_exception();
          failed.store(true);
        }
      }
      ++done;
    }
    if (done > 0) {
      std::lock_guard<std::mutex> lock(mutex);
      completed += done;
      if (completed == chunks) finished.notify_all();
    }
  }
};

// Worker threads started on first use and kept, so that a kernel's several
// passes per frame do not each pay for starting threads (~50 us apiece).
// The pool is never destroyed: idle workers simply end with the process.
class Pool {
 public:
  void submit(const std::shared_ptr<Job>& job, std::size_t helpers) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (workers_ < helpers) {
      try {
        std::thread(&Pool::serve, this).detach();
      } catch (...) {
        break;  // cannot start more threads: the caller still does all the work
      }
      ++workers_;
    }
    for (std::size_t i = 0; i < helpers; ++i) queue_.push_back(job);
    wake_.notify_all();
  }

 private:
  void serve() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job->work();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::size_t workers_ = 0;
};

std::mutex pool_mutex;
Pool* pool = nullptr;

Pool& shared_pool() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  if (pool == nullptr) {
    pool = new Pool();
#if defined(__linux__) || defined(__APPLE__)
    static bool registered = false;
    if (!registered) {
      registered = true;
      // A forked child has none of the parent's threads: give it a new,
      // empty pool (the old one is abandoned, not destroyed: its mutexes
      // may have been held at the fork).
      pthread_atfork(nullptr, nullptr, [] {
        new (&pool_mutex) std::mutex();
        pool = nullptr;
      });
    }
#endif
  }
  return *pool;
}

}  // namespace

void parallel_for(std::size_t n, std::size_t grain, std::size_t threads,
                  const std::function<void(std::size_t, std::size_t)>& body) {
  if (n == 0) return;
  grain = std::max<std::size_t>(grain, 1);
  const std::size_t chunks = (n + grain - 1) / grain;
  threads = effective_threads(threads, chunks);
  if (threads == 1) {
    body(0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->body = &body;
  job->n = n;
  job->grain = grain;
  job->chunks = chunks;
  shared_pool().submit(job, threads - 1);
  job->work();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(job->mutex);
    job->finished.wait(lock, [&] { return job->completed == job->chunks; });
    // Taken out of the job: a helper may still hold the job and destroy it
    // after we return, and the exception must then not die with it while
    // pybind11 reads its message here. The reference counts that made that
    // safe live in the uninstrumented libstdc++, so TSan reported the
    // helper's delete against our read (CI, 2026-11-26); now this thread
    // holds the last reference and frees it.
    error = std::move(job->error);
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace clearsight
