/* A CUDA driver that does nothing: every call succeeds at once. Loaded as
 * libcuda.so.1 (LD_LIBRARY_PATH), it lets host_overhead.cpp time bi's own
 * host path per launch without a GPU, the driver's share left out. Only
 * the entry points bi resolves, plus the ones NVRTC looks up in an
 * already-loaded driver (without them NVRTC crashes). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef int Result;
static int context, module, function;
static char memory[1 << 20];

Result cuInit(unsigned flags) { return 0; }
Result cuDeviceGet(int *device, int ordinal) { *device = 0; return 0; }
Result cuDeviceGetCount(int *count) { *count = 1; return 0; }
Result cuCtxGetCurrent(void **current) { *current = &context; return 0; }
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
  return 0;
}
Result cuLaunchKernelEx(const void *config, void *f, void **params,
                        void **extra) {
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
Result cuCtxGetDevice(int *device) { *device = 0; return 0; }
/* 16: CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT (an H200's 132). */
Result cuDeviceGetAttribute(int *value, int attribute, int device) {
  *value = attribute == 16 ? 132 : 1;
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
  return 0;
}
Result cuMemFree_v2(uint64_t pointer) { return 0; }
Result cuMemsetD32Async(uint64_t pointer, unsigned value, size_t count,
                        void *stream) {
  return 0;
}
Result cuStreamSynchronize(void *stream) { return 0; }
/* Looked up by NVRTC: "not supported" answers. */
Result cuDriverGetVersion(int *version) { *version = 13000; return 0; }
Result cuGetExportTable(const void **table, const void *id) {
  *table = NULL;
  return 801;
}
Result cuGetProcAddress(const char *symbol, void **pointer, int version,
                        unsigned long long flags) {
  *pointer = NULL;
  return 500;
}
Result cuGetProcAddress_v2(const char *symbol, void **pointer, int version,
                           unsigned long long flags, void *status) {
  *pointer = NULL;
  return 500;
}
