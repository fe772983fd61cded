//===- main.cpp - embedding bi: RMSNorm from source, checked for invariance
//===//
//
// What an engine author copies first: compile a kernel from DSL source with
// the bi JIT, run it, and check that a row's bits do not depend on how many
// other rows are in the batch. Runs on the CPU reference executor everywhere;
// on a GPU (if the CUDA runtime and a device are present) it also launches
// the kernel and compares GPU rows with the CPU reference.
//
//   bi-rms-norm-example [--bench-launch]
//
//===----------------------------------------------------------------------===//
#include "bi/JIT.h"
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
#ifdef BI_EXAMPLE_WITH_CUDA
#include <cuda_runtime.h>
#endif

// The kernel, as an engine would ship it: a DSL string.
static const char *kRmsNormSource = R"mlir(
bi.kernel @rms_norm(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                    %w: memref<?xbf16> {bi.axes = ["H"]},
                    %y: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                    %eps: f32)
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    %h = bi.dim "H" : index
    %hi = arith.index_cast %h : index to i64
    %hf = arith.uitofp %hi : i64 to f32
    %mean = arith.divf %ss, %hf : f32
    %ms = arith.addf %mean, %eps : f32
    %inv = math.rsqrt %ms : f32
    %wr = bi.load_row %w[] : memref<?xbf16> -> tensor<?xbf16>
    %wf = arith.extf %wr : tensor<?xbf16> to tensor<?xf32>
    %invb = bi.broadcast %inv : f32 -> tensor<?xf32>
    %n = arith.mulf %xf, %invb : tensor<?xf32>
    %o = arith.mulf %n, %wf : tensor<?xf32>
    %ob = arith.truncf %o : tensor<?xf32> to tensor<?xbf16>
    bi.store_row %ob, %y[%row] : tensor<?xbf16>, memref<?x?xbf16>
  }
  bi.return
}
)mlir";

using bf16 = uint16_t;

static bf16 toBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return bf16(bits >> 16);
}

/// Computes rows [first, first + count) of y as one batch.
static void runBatch(const bi::Kernel &kernel, const std::vector<bf16> &x,
                     const std::vector<bf16> &w, std::vector<bf16> &y,
                     int64_t hidden, int64_t first, int64_t count) {
  kernel.runReference({bi::Arg::buffer(x.data() + first * hidden,
                                       bi::DType::bf16, {count, hidden}),
                       bi::Arg::buffer(w.data(), bi::DType::bf16, {hidden}),
                       bi::Arg::buffer(y.data() + first * hidden,
                                       bi::DType::bf16, {count, hidden}),
                       bi::Arg::f32(1e-6f)});
}

int main(int argc, char **argv) {
  bool benchLaunch = argc > 1 && std::strcmp(argv[1], "--bench-launch") == 0;
  const int64_t hidden = 4096, rows = 97;
  try {
    bi::Compiler compiler;
    bi::Specialization spec;
    spec.dims["H"] = hidden;
    auto kernel = compiler.compileSource(kRmsNormSource, spec);
    std::printf("compiled %s: fingerprint %s, %zu bytes of PTX, %lld threads "
                "x %lld rows per block\n",
                kernel->name().c_str(), kernel->fingerprint().c_str(),
                kernel->code().size(), (long long)kernel->threadsPerRow(),
                (long long)kernel->rowsPerBlock());

    std::mt19937 rng(42);
    std::normal_distribution<float> normal;
    std::vector<bf16> x(rows * hidden), w(hidden);
    for (bf16 &v : x)
      v = toBf16(normal(rng));
    for (bf16 &v : w)
      v = toBf16(1.0f + 0.1f * normal(rng));

    // Invariance on the CPU reference: all rows at once, then in batches.
    std::vector<bf16> all(rows * hidden), batched(rows * hidden);
    runBatch(*kernel, x, w, all, hidden, 0, rows);
    for (int64_t batch : {1, 3, 64}) {
      for (int64_t first = 0; first < rows; first += batch)
        runBatch(*kernel, x, w, batched, hidden, first,
                 std::min(batch, rows - first));
      bool same = std::memcmp(all.data(), batched.data(), all.size() * 2) == 0;
      std::printf("cpu reference: batches of %lld %s the full batch\n",
                  (long long)batch, same ? "bitwise equal" : "DIFFER FROM");
      if (!same)
        return 1;
    }

#ifdef BI_EXAMPLE_WITH_CUDA
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
      std::printf("no GPU: skipped the GPU run\n");
      return 0;
    }
    void *dx, *dw, *dy;
    cudaMalloc(&dx, x.size() * 2);
    cudaMalloc(&dw, w.size() * 2);
    cudaMalloc(&dy, x.size() * 2);
    cudaMemcpy(dx, x.data(), x.size() * 2, cudaMemcpyHostToDevice);
    cudaMemcpy(dw, w.data(), w.size() * 2, cudaMemcpyHostToDevice);
    std::vector<bi::Arg> args = {
        bi::Arg::buffer(dx, bi::DType::bf16, {rows, hidden}),
        bi::Arg::buffer(dw, bi::DType::bf16, {hidden}),
        bi::Arg::buffer(dy, bi::DType::bf16, {rows, hidden}),
        bi::Arg::f32(1e-6f)};
    kernel->launch(args, nullptr);
    std::vector<bf16> gpu(x.size());
    cudaMemcpy(gpu.data(), dy, gpu.size() * 2, cudaMemcpyDeviceToHost);
    bool same = std::memcmp(gpu.data(), all.data(), gpu.size() * 2) == 0;
    std::printf("gpu: %s the cpu reference\n",
                same ? "bitwise equal to" : "DIFFERS FROM");
    if (benchLaunch) {
      // Host cost of one launch (argument checks + cuLaunchKernel), M = 1.
      args[0].shape[0] = args[2].shape[0] = 1;
      for (int i = 0; i < 100; ++i)
        kernel->launch(args, nullptr);
      cudaDeviceSynchronize();
      const int launches = 20000;
      auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < launches; ++i)
        kernel->launch(args, nullptr);
      auto stop = std::chrono::steady_clock::now();
      cudaDeviceSynchronize();
      double us =
          std::chrono::duration<double, std::micro>(stop - start).count() /
          launches;
      std::printf("{\"host_overhead_per_launch_us\": %.3f}\n", us);
    }
    cudaFree(dx);
    cudaFree(dw);
    cudaFree(dy);
    return same ? 0 : 1;
#else
    std::printf("built without the CUDA runtime: skipped the GPU run\n");
    return 0;
#endif
  } catch (const bi::Error &error) {
    std::fprintf(stderr, "bi error: %s\n%s\n", error.what(),
                 error.log().c_str());
    return 1;
  }
}
