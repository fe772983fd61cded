// JIT latency of the built-in GEMM from C++, in a fresh process: the first
// call (compile, or load from the disk cache, plus the first launch, which
// compiles or loads the schedule it needs) and the host time per launch.
//
//   g++ -std=c++17 bench/gemm_latency.cpp -Iinclude -L<dir of libbi.so> -lbi \
//       -I/usr/local/cuda/include -L/usr/local/cuda/lib64 -lcudart
//   BI_CACHE_DIR=<dir> ./a.out     # prints one JSON line
#include "bi/JIT.h"
#include <chrono>
#include <cstdio>
#include <cuda_runtime.h>

using Clock = std::chrono::steady_clock;
static double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int main() {
  const int64_t N = 4096, K = 4096, M = 1;
  void *a, *w, *c;
  cudaMalloc(&a, M * K * 2);
  cudaMalloc(&w, N * K * 2);
  cudaMalloc(&c, M * N * 2);
  cudaMemset(a, 0, M * K * 2);
  cudaMemset(w, 0, N * K * 2);
  cudaDeviceSynchronize();
  std::vector<bi::Arg> args = {bi::Arg::buffer(a, bi::DType::bf16, {M, K}),
                               bi::Arg::buffer(w, bi::DType::bf16, {N, K}),
                               bi::Arg::buffer(c, bi::DType::bf16, {M, N})};
  auto t0 = Clock::now();
  bi::Compiler compiler;
  bi::Specialization spec;
  spec.dims = {{"N", N}, {"K", K}};
  auto t1 = Clock::now();
  auto kernel = compiler.compileBuiltin("gemm", spec);
  auto t2 = Clock::now();
  kernel->launch(args, nullptr);
  cudaDeviceSynchronize();
  auto t3 = Clock::now();
  // Host cost per launch: enqueue many, time on the host only.
  const int launches = 2000;
  for (int i = 0; i < 100; ++i)
    kernel->launch(args, nullptr);
  cudaDeviceSynchronize();
  auto t4 = Clock::now();
  for (int i = 0; i < launches; ++i)
    kernel->launch(args, nullptr);
  auto t5 = Clock::now();
  cudaDeviceSynchronize();
  bi::CacheStats stats = compiler.cacheStats();
  printf("{\"compiler_create_ms\": %.3f, \"compile_ms\": %.3f, "
         "\"first_launch_ms\": %.3f, \"first_call_ms\": %.3f, "
         "\"host_us_per_launch\": %.3f, \"disk_hits\": %lld, "
         "\"compiles\": %lld, \"error\": \"%s\"}\n",
         ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t1, t3),
         ms(t4, t5) * 1000.0 / launches, (long long)stats.diskHits,
         (long long)stats.compiles, cudaGetErrorString(cudaGetLastError()));
  return 0;
}
