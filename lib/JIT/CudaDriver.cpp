//===- CudaDriver.cpp - the CUDA driver API, loaded lazily ----------------===//
#include "JIT/CudaDriver.h"
#include "bi/JIT.h"
#include <dlfcn.h>
#include <mutex>

using namespace bi;

namespace {
struct LoadedDriver {
  cuda::Driver driver{};
  std::string error; // empty when loaded
};

LoadedDriver load() {
  LoadedDriver loaded;
  void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    loaded.error = std::string("cannot load the CUDA driver (libcuda.so.1): ") +
                   dlerror() +
                   "; launching needs an NVIDIA GPU and its driver (compiling "
                   "does not)";
    return loaded;
  }
  auto resolve = [&](auto &slot, const char *name) {
    slot = reinterpret_cast<std::decay_t<decltype(slot)>>(dlsym(handle, name));
    if (!slot && loaded.error.empty())
      loaded.error = std::string("the CUDA driver lacks ") + name;
  };
  cuda::Driver &d = loaded.driver;
  resolve(d.init, "cuInit");
  resolve(d.deviceGet, "cuDeviceGet");
  resolve(d.deviceGetCount, "cuDeviceGetCount");
  resolve(d.ctxGetCurrent, "cuCtxGetCurrent");
  resolve(d.ctxSetCurrent, "cuCtxSetCurrent");
  resolve(d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(d.moduleLoadData, "cuModuleLoadData");
  resolve(d.moduleGetFunction, "cuModuleGetFunction");
  resolve(d.launchKernel, "cuLaunchKernel");
  resolve(d.launchKernelEx, "cuLaunchKernelEx");
  resolve(d.getErrorString, "cuGetErrorString");
  resolve(d.funcSetAttribute, "cuFuncSetAttribute");
  resolve(d.occupancyMaxActiveBlocksPerMultiprocessor,
          "cuOccupancyMaxActiveBlocksPerMultiprocessor");
  resolve(d.ctxGetDevice, "cuCtxGetDevice");
  resolve(d.deviceGetAttribute, "cuDeviceGetAttribute");
  resolve(d.tensorMapEncodeTiled, "cuTensorMapEncodeTiled");
  resolve(d.memAlloc, "cuMemAlloc_v2");
  resolve(d.memFree, "cuMemFree_v2");
  resolve(d.memsetD32Async, "cuMemsetD32Async");
  resolve(d.streamSynchronize, "cuStreamSynchronize");
  if (loaded.error.empty()) {
    if (cuda::Result rc = d.init(0)) {
      const char *text = nullptr;
      d.getErrorString(rc, &text);
      loaded.error = std::string("cuInit failed: ") +
                     (text ? text : "unknown error") +
                     " (is there an NVIDIA GPU?)";
    }
  }
  return loaded;
}
} // namespace

const cuda::Driver &cuda::getDriver() {
  static const LoadedDriver loaded = load();
  if (!loaded.error.empty())
    throw Error(loaded.error);
  return loaded.driver;
}

void cuda::check(Result result, const std::string &what) {
  if (result == 0)
    return;
  const char *text = nullptr;
  getDriver().getErrorString(result, &text);
  throw Error(what + " failed: " + (text ? text : "unknown CUDA error") +
              " (code " + std::to_string(result) + ")");
}

cuda::Context cuda::ensureContext() {
  const Driver &d = getDriver();
  Context context = nullptr;
  check(d.ctxGetCurrent(&context), "cuCtxGetCurrent");
  if (context)
    return context;
  int count = 0;
  check(d.deviceGetCount(&count), "cuDeviceGetCount");
  if (count == 0)
    throw Error("no CUDA device is visible; launching needs an NVIDIA GPU");
  int device = 0;
  check(d.deviceGet(&device, 0), "cuDeviceGet");
  check(d.primaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
  check(d.ctxSetCurrent(context), "cuCtxSetCurrent");
  return context;
}
