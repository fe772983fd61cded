//===- fake_libcuda.cpp - a CUDA driver that does nothing -----------------===//
//
// Every call succeeds at once. Loaded as libcuda.so.1 (LD_LIBRARY_PATH), it
// lets host_overhead.cpp time bi's own host path per launch without a GPU,
// the driver's share left out, and the launcher's tests
// (test/Unit/LaunchTest.cpp) see what bi asked to launch: it records each
// launch's grid, block, cluster and shared memory, and counts workspace
// allocations (fake_libcuda.h). Only the entry points bi resolves, with
// the types and enum values bi passes them in (lib/JIT/CudaDriver.h), plus
// the ones NVRTC looks up in an already-loaded driver (without them NVRTC
// crashes).
//
//===----------------------------------------------------------------------===//
#include "fake_libcuda.h"
#include "JIT/CudaDriver.h"
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace bi::cuda;

namespace {
int context, module, function;
char memory[1 << 20];

/// What the launches since the last bi_fake_reset() asked for.
constexpr int kMaxLaunches = 64;
BiFakeLaunch launches[kMaxLaunches];
int launchCount, allocations;
void record(unsigned grid, unsigned block, unsigned cluster, unsigned shared) {
  if (launchCount < kMaxLaunches)
    launches[launchCount] = {grid, block, cluster, shared};
  ++launchCount;
}
} // namespace

extern "C" {
void bi_fake_reset() { launchCount = allocations = 0; }
int bi_fake_launch_count() { return launchCount; }
const BiFakeLaunch *bi_fake_launch(int index) {
  return index >= 0 && index < launchCount && index < kMaxLaunches
             ? &launches[index]
             : nullptr;
}
int bi_fake_allocations() { return allocations; }

Result cuInit(unsigned flags) { return 0; }
Result cuDeviceGet(int *device, int ordinal) {
  *device = 0;
  return 0;
}
Result cuDeviceGetCount(int *count) {
  *count = 1;
  return 0;
}
Result cuCtxGetCurrent(void **current) {
  *current = &context;
  return 0;
}
Result cuCtxSetCurrent(void *current) { return 0; }
Result cuDevicePrimaryCtxRetain(void **primary, int device) {
  *primary = &context;
  return 0;
}
Result cuModuleLoadData(void **loaded, const void *image) {
  *loaded = &module;
  return 0;
}
Result cuModuleGetFunction(void **found, void *from, const char *name) {
  *found = &function;
  return 0;
}
Result cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                      unsigned bx, unsigned by, unsigned bz, unsigned shared,
                      void *stream, void **params, void **extra) {
  record(gx * gy * gz, bx * by * bz, 0, shared);
  return 0;
}
Result cuLaunchKernelEx(const LaunchConfig *config, void *f, void **params,
                        void **extra) {
  unsigned cluster = 0;
  for (unsigned i = 0; i < config->numAttrs; ++i)
    if (config->attrs[i].id == kLaunchAttributeClusterDimension)
      cluster = config->attrs[i].value.clusterDim.x *
                config->attrs[i].value.clusterDim.y *
                config->attrs[i].value.clusterDim.z;
  record(config->gridDimX * config->gridDimY * config->gridDimZ,
         config->blockDimX * config->blockDimY * config->blockDimZ, cluster,
         config->sharedMemBytes);
  return 0;
}
Result cuGetErrorString(Result error, const char **text) {
  *text = "fake driver";
  return 0;
}
Result cuFuncSetAttribute(void *f, int attribute, int value) { return 0; }
Result cuOccupancyMaxActiveBlocksPerMultiprocessor(int *blocks, void *f,
                                                   int threads, size_t shared) {
  *blocks = 1;
  return 0;
}
Result cuCtxGetDevice(int *device) {
  *device = 0;
  return 0;
}
// An H200's 132 multiprocessors.
Result cuDeviceGetAttribute(int *value, int attribute, int device) {
  *value = attribute == kDeviceAttributeMultiprocessorCount ? 132 : 1;
  return 0;
}
Result cuTensorMapEncodeTiled(void *map, unsigned type, unsigned rank,
                              void *address, const uint64_t *dims,
                              const uint64_t *strides, const unsigned *box,
                              const unsigned *elementStrides,
                              unsigned interleave, unsigned swizzle,
                              unsigned promotion, unsigned fill) {
  memset(map, 0, 128);
  return 0;
}
Result cuMemAlloc_v2(uint64_t *pointer, size_t bytes) {
  *pointer = (uint64_t)(uintptr_t)memory;
  ++allocations;
  return 0;
}
Result cuMemFree_v2(uint64_t pointer) { return 0; }
Result cuMemsetD32Async(uint64_t pointer, unsigned value, size_t count,
                        void *stream) {
  return 0;
}
Result cuStreamSynchronize(void *stream) { return 0; }
// Looked up by NVRTC: "not supported" answers.
Result cuDriverGetVersion(int *version) {
  *version = 13000;
  return 0;
}
Result cuGetExportTable(const void **table, const void *id) {
  *table = nullptr;
  return 801;
}
Result cuGetProcAddress(const char *symbol, void **pointer, int version,
                        unsigned long long flags) {
  *pointer = nullptr;
  return 500;
}
Result cuGetProcAddress_v2(const char *symbol, void **pointer, int version,
                           unsigned long long flags, void *status) {
  *pointer = nullptr;
  return 500;
}
} // extern "C"
