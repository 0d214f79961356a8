// A 64-byte aligned float buffer that grows as needed (kernels keep one per thread, thread_local).
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>

namespace onnxflow {

struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t want) {
    if (want > n) {
      std::free(p);
      n = (want + 1023) & ~size_t(1023);
      p = static_cast<float*>(std::aligned_alloc(64, n * sizeof(float)));
      if (!p) { n = 0; throw std::bad_alloc(); }
    }
    return p;
  }
  ~Scratch() { std::free(p); }
};

}  // namespace onnxflow
