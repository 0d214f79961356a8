#include "thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>

namespace onnxflow {

namespace {
thread_local bool t_no_wait = false;  // see ThreadPool::NoWait
}  // namespace

static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

ThreadPool::ThreadPool(int threads) {
  if (threads < 1) threads = 1;
  if (const char* env = std::getenv("ONNXFLOW_NATIVE_SPIN_US")) spin_us_ = std::max(0, std::atoi(env));
  for (int i = 1; i < threads; i++) workers_.emplace_back([this, i] { worker_main(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_ = true;
  }
  cv_start_.notify_all();
  for (auto& t : workers_) t.join();
}

// A task that throws (bad_alloc from a scratch buffer, say) must not escape a worker (terminate) nor
// unwind the caller while workers still run the job: the first exception is kept, the remaining tasks
// are skipped, and parallel_for rethrows it once the job is closed.
void ThreadPool::drain(int thread) {
  for (;;) {
    int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= n_) break;
    try {
      (*fn_)(i, thread);
    } catch (...) {
      std::lock_guard<std::mutex> lk(m_);
      if (!error_) error_ = std::current_exception();
      next_.store(n_, std::memory_order_relaxed);  // no new tasks
    }
  }
}

void ThreadPool::worker_main(int index) {
  uint64_t seen = 0;
  for (;;) {
    // Spin a little for the next job (the lock below still orders the job's fields).
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_us_);
    while (generation_.load(std::memory_order_acquire) == seen) {
      for (int i = 0; i < 64; i++) cpu_relax();
      if (std::chrono::steady_clock::now() >= until) break;
    }
    {
      std::unique_lock<std::mutex> lk(m_);
      cv_start_.wait(lk, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      // A worker that wakes after the caller closed the job (it ran every task itself) skips it.
      if (!open_) continue;
      active_++;
    }
    drain(index);
    {
      std::lock_guard<std::mutex> lk(m_);
      if (--active_ == 0) cv_done_.notify_all();
    }
  }
}

// The caller runs tasks too and, once every task is claimed, closes the job: it then waits only for
// workers still inside a task, never for one the OS has not scheduled yet (on a loaded machine that
// would cost a whole time slice per job).
void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int)>& fn) {
  if (n <= 0) return;
  if (n == 1 || workers_.empty()) {
    for (int64_t i = 0; i < n; i++) fn(i, 0);
    return;
  }
  std::unique_lock<std::mutex> job(job_mutex_, std::defer_lock);
  if (!t_no_wait) {
    job.lock();
  } else if (!job.try_lock()) {
    serial_fallbacks_.fetch_add(1, std::memory_order_relaxed);
    for (int64_t i = 0; i < n; i++) fn(i, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(m_);
    fn_ = &fn;
    n_ = n;
    next_.store(0, std::memory_order_relaxed);
    active_.store(0);
    open_ = true;
    generation_.fetch_add(1, std::memory_order_release);
  }
  cv_start_.notify_all();
  drain(0);
  {
    std::lock_guard<std::mutex> lk(m_);
    open_ = false;  // every task is claimed: no worker joins from here on
  }
  {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_us_);
    while (active_.load(std::memory_order_acquire) != 0 && std::chrono::steady_clock::now() < until) {
      for (int i = 0; i < 64; i++) cpu_relax();
    }
  }
  std::unique_lock<std::mutex> lk(m_);
  cv_done_.wait(lk, [&] { return active_ == 0; });
  fn_ = nullptr;
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    lk.unlock();
    std::rethrow_exception(e);
  }
}

ThreadPool::NoWait::NoWait() : prev_(t_no_wait) { t_no_wait = true; }
ThreadPool::NoWait::~NoWait() { t_no_wait = prev_; }

ThreadPool& ThreadPool::global() {
  static ThreadPool* pool = [] {
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("ONNXFLOW_NATIVE_THREADS")) {
      int v = std::atoi(env);
      if (v > 0) n = v;
    }
    return new ThreadPool(n > 0 ? n : 1);  // never destroyed: workers live as long as the process
  }();
  return *pool;
}

}  // namespace onnxflow
