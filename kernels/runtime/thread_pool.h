// Persistent thread pool: workers sized to the cores, started once, sleeping between jobs.
// parallel_for hands out task indices through an atomic counter (dynamic scheduling); the calling
// thread works too and closes the job once every task is claimed (it never waits for a worker that
// has not started). Jobs are serialized: a second caller waits for the first job to finish (or, under
// NoWait, runs its tasks itself). A task's exception is rethrown by parallel_for once the job is done.
// Workers spin briefly (200 us by default) for the next job before sleeping, so back-to-back kernels
// and a loaded machine do not pay a scheduler wake-up per job.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace onnxflow {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /** Total threads that run tasks (workers + the caller). */
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  /** Run fn(task, thread) for task in [0, n); thread is in [0, size()). Returns when all are done. */
  void parallel_for(int64_t n, const std::function<void(int64_t, int)>& fn);

  /** The process-wide pool (ONNXFLOW_NATIVE_THREADS or the hardware concurrency). */
  static ThreadPool& global();

  /**
   * While one is alive on a thread, parallel_for calls made on that thread never wait for a pool that
   * is busy with another job: they run their tasks on the calling thread instead. The addon holds one
   * around sync jobs, which run on the JS thread: a small kernel of one pipeline must not block the
   * event loop behind another pipeline's large job.
   */
  class NoWait {
   public:
    NoWait();
    ~NoWait();
    NoWait(const NoWait&) = delete;
    NoWait& operator=(const NoWait&) = delete;

   private:
    bool prev_;
  };

  /** parallel_for calls that ran on their calling thread because the pool was busy (NoWait). */
  uint64_t serial_fallbacks() const { return serial_fallbacks_.load(std::memory_order_relaxed); }

 private:
  void worker_main(int index);
  void drain(int thread);

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one job at a time
  std::mutex m_;
  std::condition_variable cv_start_, cv_done_;
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
  bool open_ = false;  // workers may still join the current job
  const std::function<void(int64_t, int)>* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> active_{0};
  int64_t spin_us_ = 200;  // busy-wait before sleeping (ONNXFLOW_NATIVE_SPIN_US)
  std::atomic<uint64_t> serial_fallbacks_{0};
  std::exception_ptr error_;  // the current job's first task exception (under m_)
};

}  // namespace onnxflow
