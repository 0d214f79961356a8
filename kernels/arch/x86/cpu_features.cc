// x86 feature detection: cpuid for the instruction sets, xgetbv for the OS saving the registers.
#include "../../runtime/cpu_features.h"

#include <cpuid.h>

namespace onnxflow {

static uint64_t xgetbv0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

static CpuFeatures detect_uncached() {
  CpuFeatures f{};
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = xgetbv0();
  const bool ymm = (xcr0 & 0x6) == 0x6;
  const bool zmm = (xcr0 & 0xe6) == 0xe6;
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  f.avx2_fma = ymm && fma && ((b >> 5) & 1);
  f.avx512 = zmm && f.avx2_fma && ((b >> 16) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
  return f;
}

// cpuid traps to the hypervisor in a VM (tens of microseconds): detect once.
CpuFeatures detect_cpu_features() {
  static const CpuFeatures f = detect_uncached();
  return f;
}

}  // namespace onnxflow
