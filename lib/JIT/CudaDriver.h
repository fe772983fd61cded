//===- CudaDriver.h - the CUDA driver API, loaded lazily ---------*- C++
//-*-===//
#ifndef BI_JIT_CUDADRIVER_H
#define BI_JIT_CUDADRIVER_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace bi::cuda {
using Result = int;
using Context = void *;
using Module = void *;
using Function = void *;
using Stream = void *;

/// The few driver entry points bi uses, resolved from libcuda.so.1 on first
/// use so that compiling works on machines without a driver or a GPU.
struct Driver {
  Result (*init)(unsigned);
  Result (*deviceGet)(int *, int);
  Result (*deviceGetCount)(int *);
  Result (*ctxGetCurrent)(Context *);
  Result (*ctxSetCurrent)(Context);
  Result (*primaryCtxRetain)(Context *, int);
  Result (*moduleLoadData)(Module *, const void *);
  Result (*moduleGetFunction)(Function *, Module, const char *);
  Result (*launchKernel)(Function, unsigned, unsigned, unsigned, unsigned,
                         unsigned, unsigned, unsigned, Stream, void **,
                         void **);
  // Launches with attributes (thread-block clusters).
  Result (*launchKernelEx)(const struct LaunchConfig *, Function, void **,
                           void **);
  Result (*getErrorString)(Result, const char **);
  // For kernels with more than 48 KiB of shared memory and a persistent
  // grid (the Hopper GEMM).
  Result (*funcSetAttribute)(Function, int, int);
  Result (*occupancyMaxActiveBlocksPerMultiprocessor)(int *, Function, int,
                                                      size_t);
  Result (*ctxGetDevice)(int *);
  Result (*deviceGetAttribute)(int *, int, int);
  // Tensor maps (TMA descriptors); the enums are passed as their values.
  Result (*tensorMapEncodeTiled)(void *, unsigned, unsigned, void *,
                                 const uint64_t *, const uint64_t *,
                                 const unsigned *, const unsigned *, unsigned,
                                 unsigned, unsigned, unsigned);
  // Workspaces of split schedules.
  Result (*memAlloc)(uint64_t *, size_t);
  Result (*memFree)(uint64_t);
  Result (*memsetD32Async)(uint64_t, unsigned, size_t, Stream);
  Result (*streamSynchronize)(Stream);
};

/// CUlaunchAttribute and CUlaunchConfig (cuda.h), for launches with a
/// cluster shape.
struct LaunchAttribute {
  int id;
  char pad[4];
  union {
    char bytes[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
};
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  Stream stream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};
inline constexpr int kLaunchAttributeClusterDimension = 4;

// Driver enum values bi passes (cuda.h).
inline constexpr int kFuncAttributeMaxDynamicSharedBytes = 8;
inline constexpr int kDeviceAttributeMultiprocessorCount = 16;
inline constexpr unsigned kTensorMapFloat16 = 6, kTensorMapBFloat16 = 9;
inline constexpr unsigned kTensorMapSwizzle128B = 3;
inline constexpr unsigned kTensorMapL2Promotion256B = 3;

/// The driver, or throws bi::Error saying why there is none.
const Driver &getDriver();

/// Makes sure a context is current (the caller's, else device 0's primary
/// context) and returns it.
Context ensureContext();

/// Throws bi::Error naming `what` and the driver's message if `result` is
/// not CUDA_SUCCESS.
void check(Result result, const std::string &what);
} // namespace bi::cuda

#endif // BI_JIT_CUDADRIVER_H
