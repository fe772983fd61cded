//===- CudaDriver.h - the CUDA driver API, loaded lazily ---------*- C++
//-*-===//
#ifndef BI_JIT_CUDADRIVER_H
#define BI_JIT_CUDADRIVER_H

#include <cstddef>
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
  Result (*getErrorString)(Result, const char **);
};

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
