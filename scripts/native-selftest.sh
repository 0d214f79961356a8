#!/bin/sh
# Build and run the C++-only kernel self-test (kernels/tests/selftest.cc): every ISA path the CPU
# runs against a double-precision reference, then GEMM throughput. Needs only g++ (x86-64).
set -e
cd "$(dirname "$0")/.."
out=${1:-/tmp/onnxflow-selftest}
mkdir -p "$out"
CXX=${CXX:-g++}
F="-O3 -std=c++17 -pthread -DONNXFLOW_X86"
$CXX $F -mavx2 -mfma -c kernels/arch/x86/gemm_avx2.cc -o "$out/gemm_avx2.o"
$CXX $F -mavx2 -mfma -c kernels/arch/x86/peak_avx2.cc -o "$out/peak_avx2.o"
$CXX $F -mavx2 -mfma -c kernels/arch/x86/vec_avx2.cc -o "$out/vec_avx2.o"
$CXX $F -mavx512f -mavx512bw -mavx512vl -mfma -c kernels/arch/x86/gemm_avx512.cc -o "$out/gemm_avx512.o"
$CXX $F -mavx512f -mavx512bw -mavx512vl -mfma -c kernels/arch/x86/peak_avx512.cc -o "$out/peak_avx512.o"
$CXX $F kernels/tests/selftest.cc kernels/cpu/gemm.cc kernels/cpu/gemm_scalar.cc kernels/cpu/conv.cc kernels/cpu/winograd.cc kernels/cpu/attention.cc kernels/cpu/ops.cc kernels/cpu/vec_scalar.cc \
  kernels/runtime/thread_pool.cc kernels/runtime/buffer_pool.cc kernels/arch/x86/cpu_features.cc \
  "$out"/*.o -o "$out/selftest"
"$out/selftest"
