// bi's own host cost per GEMM launch, the driver's left out: run against
// fake_libcuda.cpp (every driver call returns at once), so no GPU is needed.
// The GPU machine's figure (bench/gemm_latency.cpp, host_us_per_launch) is
// this plus the real driver's cuLaunchKernel, which that benchmark times
// alone as driver_empty_kernel_us_per_launch. See run.sh.
#include "bi/JIT.h"
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
  const int64_t N = 4096, K = 4096, maxM = 1024;
  // Addresses the fake driver never reads, far enough apart not to overlap.
  void *a = reinterpret_cast<void *>(uintptr_t(1) << 36);
  void *w = reinterpret_cast<void *>(uintptr_t(2) << 36);
  void *c = reinterpret_cast<void *>(uintptr_t(3) << 36);
  bi::CompilerOptions options;
  options.quickGemmFirstLaunch = false; // one kernel per schedule: NVRTC's
  bi::Compiler compiler(options);
  bi::Specialization spec;
  spec.dims = {{"N", N}, {"K", K}};
  auto kernel = compiler.compileBuiltin("gemm", spec);
  for (int64_t M : {int64_t(1), maxM}) {
    std::vector<bi::Arg> args = {bi::Arg::buffer(a, bi::DType::bf16, {M, K}),
                                 bi::Arg::buffer(w, bi::DType::bf16, {N, K}),
                                 bi::Arg::buffer(c, bi::DType::bf16, {M, N})};
    kernel->launch(args, nullptr); // compiles the schedule
    std::vector<double> rounds;
    for (int round = 0; round < 21; ++round) {
      auto begin = std::chrono::steady_clock::now();
      for (int i = 0; i < 10000; ++i)
        kernel->launch(args, nullptr);
      rounds.push_back(std::chrono::duration<double, std::nano>(
                           std::chrono::steady_clock::now() - begin)
                           .count() /
                       10000);
    }
    std::sort(rounds.begin(), rounds.end());
    std::printf("{\"M\": %lld, \"bi_host_ns_per_launch\": %.0f}\n",
                static_cast<long long>(M), rounds[10]);
  }
  return 0;
}
