//===- KernelData.h - what a compiled kernel is made of ----------*- C++
//-*-===//
#ifndef BI_JIT_KERNELDATA_H
#define BI_JIT_KERNELDATA_H

#include "JIT/CudaDriver.h"
#include "bi/JIT.h"
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace bi {
struct Kernel::Data {
  std::string name;
  std::string fingerprint;
  /// PTX (NVVM backend) or CUDA C++ (NVRTC backend).
  std::string code;
  std::string cubin;
  /// The specialised, scheduled bi kernel, for the CPU reference.
  std::string scheduledSource;
  std::vector<Param> params;
  std::vector<Dim> dims;
  int64_t threads = 0;
  int64_t rows = 0;
  Backend backend = Backend::NVVM;
  bool fromDiskCache = false;

  /// For each parameter, the index in `dims` of each of its axes.
  std::vector<std::vector<int>> paramAxisDims;

  /// Keeps the compiler (and its MLIR context) alive for reference runs.
  std::shared_ptr<CompilerImpl> compiler;

  /// Loaded functions, one per CUDA context.
  mutable std::mutex loadMutex;
  mutable std::map<cuda::Context, cuda::Function> functions;

  /// bi.matmul kernels (empty `gemm` for row kernels): the generator's
  /// input (GemmSemantics::serialize()), the argument indices of a, b, c,
  /// bias and residual (-1: absent), whether the Hopper schedules apply
  /// (a wgmma contract) and a schedule forced by the specialisation.
  std::string gemm;
  int gemmRoles[5] = {-1, -1, -1, -1, -1};
  bool gemmHopper = false;
  std::string gemmForcedSchedule;
  /// Source of helpers the epilogue calls (bi_exp_portable), if any.
  std::string gemmHelpers;
  /// The cache key of this kernel; schedule variants extend it.
  std::string cacheKey;
  /// The contract's K chunk and b's layout (parsed from `gemm` once).
  int64_t gemmChunk = 0;
  bool gemmNnLinear = true;
  /// Hopper schedule variants by index in hopperGemmSchedules(), compiled
  /// on first use (under loadMutex).
  struct GemmVariant;
  mutable std::vector<std::shared_ptr<GemmVariant>> gemmVariants;
  /// bi-lower-to-gpu's kernels that serve launches while the generator's
  /// of a schedule compile in the background (quickGemmFirstLaunch), by
  /// index; the schedules whose generator's kernel compiles or compiled in
  /// the background; those compiles (joined when the kernel goes). All
  /// under loadMutex.
  mutable std::vector<std::shared_ptr<GemmVariant>> gemmQuickVariants;
  mutable bool gemmQuickUnavailable = false; // bi-lower-to-gpu refused it
  mutable std::set<int> gemmBackground;
  mutable std::vector<std::thread> gemmCompiles;
  /// The tensor maps of the last launch (a, b, b in whole boxes for the
  /// range pairs after a tile pair launch, and c for TMA stores) and what
  /// they describe: weights rarely move, so most launches reuse b's (under
  /// loadMutex).
  struct TensorMapCache {
    const void *data = nullptr;
    int64_t rows = 0, cols = 0, stride = 0, box = 0;
    alignas(64) uint64_t map[16] = {};
  };
  mutable TensorMapCache tensorMaps[4];
  /// Split schedules' workspaces, one per context and stream (stream order
  /// makes reuse safe), under loadMutex: `bytes` in all, the first
  /// `counterBytes` of them the tile counters.
  struct Workspace {
    uint64_t pointer = 0;
    size_t bytes = 0, counterBytes = 0;
  };
  mutable std::map<std::pair<cuda::Context, cuda::Stream>, Workspace>
      workspaces;

  Data() = default;
  Data(const Data &) = delete;
  Data &operator=(const Data &) = delete;
  /// Frees the workspaces (the driver waits for work still using them).
  ~Data();
};

/// The function `entry` of the kernel's cubin, loaded into `context` on
/// first use (under loadMutex).
cuda::Function loadedFunction(const Kernel::Data &data, cuda::Context context,
                              const char *entry);

/// Serialises what a cache entry stores (everything but the live state).
std::string serializeKernel(const Kernel::Data &data);
/// Parses a cache entry; returns false (and why) if it is corrupt.
bool deserializeKernel(const std::string &bytes, Kernel::Data &data,
                       std::string &why);
} // namespace bi

#endif // BI_JIT_KERNELDATA_H
