// JIT latency of the built-in GEMM from C++, in a fresh process: the first
// call (compile, or load from the disk cache, plus the first launch, which
// compiles or loads the schedule it needs) and the host time per launch.
// With --prepare: Kernel::prepare() of every schedule at once (an engine's
// start-up), then the first launches at M = 1 and M = 1024. With
// --mlir-split: the first call with the M = 1 split schedule pinned in the
// source, which the NVVM backend builds through MLIR and nvJitLink instead
// of NVRTC.
//
//   g++ -std=c++17 bench/gemm_latency.cpp -Iinclude -L<dir of libbi.so> -lbi \
//       -I/usr/local/cuda/include -L/usr/local/cuda/lib64 -lcudart -lcuda
//   BI_CACHE_DIR=<dir> ./a.out [--prepare | --mlir-split]   # one JSON line
#include "bi/JIT.h"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cuda.h>
#include <cuda_runtime.h>
#include <string>
#include <thread>

using Clock = std::chrono::steady_clock;
static double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Zeroed device buffers for an M x K times N x K product.
struct Buffers {
  void *a = nullptr, *w = nullptr, *c = nullptr;
  Buffers(int64_t M, int64_t N, int64_t K) {
    cudaMalloc(&a, M * K * 2);
    cudaMalloc(&w, N * K * 2);
    cudaMalloc(&c, M * N * 2);
    cudaMemset(a, 0, M * K * 2);
    cudaMemset(w, 0, N * K * 2);
    cudaDeviceSynchronize();
  }
};

/// Prepares every schedule, then times the first launch at M = 1 and at
/// M = 1024 (a split and a serial schedule: loading only).
static int prepareAll() {
  const int64_t N = 4096, K = 4096, bigM = 1024;
  Buffers buffers(bigM, N, K);
  void *a = buffers.a, *w = buffers.w, *c = buffers.c;
  bi::Compiler compiler;
  bi::Specialization spec;
  spec.dims = {{"N", N}, {"K", K}};
  auto kernel = compiler.compileBuiltin("gemm", spec);
  auto t0 = Clock::now();
  std::vector<std::string> prepared = kernel->prepare();
  auto t1 = Clock::now();
  auto firstLaunch = [&](int64_t M) {
    auto begin = Clock::now();
    kernel->launch({bi::Arg::buffer(a, bi::DType::bf16, {M, K}),
                    bi::Arg::buffer(w, bi::DType::bf16, {N, K}),
                    bi::Arg::buffer(c, bi::DType::bf16, {M, N})},
                   nullptr);
    cudaDeviceSynchronize();
    return ms(begin, Clock::now());
  };
  const double m1 = firstLaunch(1), m1024 = firstLaunch(bigM);
  bi::CacheStats stats = compiler.cacheStats();
  printf("{\"prepare_all_ms\": %.1f, \"schedules\": %zu, \"threads\": %u, "
         "\"first_launch_m1_ms\": %.3f, \"first_launch_m1024_ms\": %.3f, "
         "\"compiles\": %lld, \"disk_hits\": %lld, \"error\": \"%s\"}\n",
         ms(t0, t1), prepared.size(), std::thread::hardware_concurrency(), m1,
         m1024, (long long)stats.compiles, (long long)stats.diskHits,
         cudaGetErrorString(cudaGetLastError()));
  return 0;
}

/// The first call of the built-in gemm with n64m8s8split pinned in its
/// source (NVVM backend: MLIR, PTX, nvJitLink; no NVRTC).
static int mlirSplit() {
  const int64_t N = 4096, K = 4096, M = 1;
  Buffers buffers(M, N, K);
  void *a = buffers.a, *w = buffers.w, *c = buffers.c;
  std::string source = bi::Compiler::builtinSource("gemm");
  const std::string unit = "unit = wgmma.m64nNk16>";
  size_t at = source.find(unit);
  if (at == std::string::npos) {
    printf("{\"error\": \"no wgmma contract in the built-in gemm\"}\n");
    return 1;
  }
  source.insert(at + unit.size(),
                "\n      schedule #bi.matmul_schedule<block_m = 8, block_n = "
                "64, stages = 8, chunks = split>");
  auto t0 = Clock::now();
  bi::Compiler compiler;
  bi::Specialization spec;
  spec.dims = {{"N", N}, {"K", K}};
  spec.backend = bi::Backend::NVVM;
  auto t1 = Clock::now();
  auto kernel = compiler.compileSource(source, spec);
  auto t2 = Clock::now();
  kernel->launch({bi::Arg::buffer(a, bi::DType::bf16, {M, K}),
                  bi::Arg::buffer(w, bi::DType::bf16, {N, K}),
                  bi::Arg::buffer(c, bi::DType::bf16, {M, N})},
                 nullptr);
  cudaDeviceSynchronize();
  auto t3 = Clock::now();
  bi::CacheStats stats = compiler.cacheStats();
  printf("{\"schedule\": \"%s\", \"compiler_create_ms\": %.3f, "
         "\"compile_ms\": %.3f, \"first_launch_ms\": %.3f, "
         "\"first_call_ms\": %.3f, \"disk_hits\": %lld, \"compiles\": "
         "%lld, \"error\": \"%s\"}\n",
         kernel->schedules().empty() ? "" : kernel->schedules()[0].c_str(),
         ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t1, t3),
         (long long)stats.diskHits, (long long)stats.compiles,
         cudaGetErrorString(cudaGetLastError()));
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--prepare") == 0)
    return prepareAll();
  if (argc > 1 && std::strcmp(argv[1], "--mlir-split") == 0)
    return mlirSplit();
  const int64_t N = 4096, K = 4096, M = 1;
  Buffers buffers(M, N, K);
  void *a = buffers.a, *w = buffers.w, *c = buffers.c;
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
  // Host cost per launch: rounds of 100 launches (few enough that the
  // launch queue never fills, so the GPU's pace does not leak in), timed on
  // the host only; the median round. `queue` runs before each round, untimed
  // (work to keep the GPU busy meanwhile). M = 1 takes a small-M schedule.
  auto perLaunch = [&](auto launchOnce, auto queue) {
    std::vector<double> rounds;
    for (int round = 0; round < 21; ++round) {
      cudaDeviceSynchronize();
      queue();
      auto begin = Clock::now();
      for (int i = 0; i < 100; ++i)
        launchOnce();
      rounds.push_back(ms(begin, Clock::now()) * 1000.0 / 100);
    }
    cudaDeviceSynchronize();
    std::sort(rounds.begin(), rounds.end());
    return rounds[rounds.size() / 2];
  };
  auto idle = [] {};
  auto hostPerLaunch = [&](const std::vector<bi::Arg> &callArgs) {
    return perLaunch([&] { kernel->launch(callArgs, nullptr); }, idle);
  };
  const double hostSplit = hostPerLaunch(args);
  const int64_t bigM = 1024;
  void *bigA, *bigC;
  cudaMalloc(&bigA, bigM * K * 2);
  cudaMalloc(&bigC, bigM * N * 2);
  cudaMemset(bigA, 0, bigM * K * 2);
  std::vector<bi::Arg> bigArgs = {
      bi::Arg::buffer(bigA, bi::DType::bf16, {bigM, K}),
      bi::Arg::buffer(w, bi::DType::bf16, {N, K}),
      bi::Arg::buffer(bigC, bi::DType::bf16, {bigM, N})};
  kernel->launch(bigArgs, nullptr); // compiles the large-M schedule
  const double hostSerial = hostPerLaunch(bigArgs);
  // The driver's own floor on this machine, timed the same way: an empty
  // kernel launched with cuLaunchKernel, no arguments.
  const char *emptyPtx = ".version 8.0\n.target sm_90a\n.address_size 64\n"
                         ".visible .entry bi_empty()\n{\nret;\n}\n";
  CUmodule module = nullptr;
  CUfunction empty = nullptr;
  double driverFloor = -1, driverBusyFloor = -1;
  if (cuModuleLoadData(&module, emptyPtx) == CUDA_SUCCESS &&
      cuModuleGetFunction(&empty, module, "bi_empty") == CUDA_SUCCESS) {
    auto emptyLaunch = [&] {
      cuLaunchKernel(empty, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr);
    };
    driverFloor = perLaunch(emptyLaunch, idle);
    // The same behind a busy GPU, as the GEMM launches above were (each
    // round queued behind about a millisecond of M = 1024 GEMMs): what the
    // driver's call costs when the launch queue is not empty.
    driverBusyFloor = perLaunch(emptyLaunch, [&] {
      for (int i = 0; i < 20; ++i)
        kernel->launch(bigArgs, nullptr);
    });
  }
  bi::CacheStats stats = compiler.cacheStats();
  printf("{\"compiler_create_ms\": %.3f, \"compile_ms\": %.3f, "
         "\"first_launch_ms\": %.3f, \"first_call_ms\": %.3f, "
         "\"host_us_per_launch\": %.3f, \"host_us_per_launch_m1024\": %.3f, "
         "\"driver_empty_kernel_us_per_launch\": %.3f, "
         "\"driver_empty_kernel_busy_gpu_us_per_launch\": %.3f, "
         "\"disk_hits\": %lld, "
         "\"compiles\": %lld, \"error\": \"%s\"}\n",
         ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t1, t3), hostSplit, hostSerial,
         driverFloor, driverBusyFloor, (long long)stats.diskHits, (long long)stats.compiles,
         cudaGetErrorString(cudaGetLastError()));
  return 0;
}
