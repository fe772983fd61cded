//===- CudaToolkit.h - finding and loading the CUDA toolkit ------*- C++
//-*-===//
#ifndef BI_TARGET_CUDATOOLKIT_H
#define BI_TARGET_CUDATOOLKIT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace bi {
/// Directories searched for the CUDA toolkit: $BI_CUDA_PATH alone when it is
/// set; otherwise $CUDA_HOME, $CUDA_PATH, then the build-time default (and
/// finally the loader's search path).
std::vector<std::string> getCudaToolkitCandidates();

/// Opens a toolkit shared library (e.g. "libnvJitLink.so.13") from the first
/// candidate directory that has it, falling back to the loader's search path.
/// The error names every place that was tried.
llvm::Expected<void *> openToolkitLibrary(llvm::StringRef soname);

/// Assembles PTX into a cubin for `chip` (e.g. "sm_90a") in-process with
/// nvJitLink. The error carries nvJitLink's full log.
llvm::Expected<std::string> assembleCubin(llvm::StringRef ptx,
                                          llvm::StringRef chip);
} // namespace bi

#endif // BI_TARGET_CUDATOOLKIT_H
