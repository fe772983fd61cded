//===- Nvrtc.h - CUDA C++ to cubin with NVRTC --------------------*- C++
//-*-===//
#ifndef BI_TARGET_NVRTC_H
#define BI_TARGET_NVRTC_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>

namespace mlir::bi {
/// Compiles CUDA C++ `source` (named `name` in diagnostics) to a cubin for
/// `chip` (e.g. "sm_90a") in-process with the toolkit's NVRTC, loaded with
/// dlopen. FMA contraction is off, so only the operations the source spells
/// are executed. The error carries NVRTC's full log; on success the log
/// (ptxas remarks such as wgmma serialisation) goes to `log` if given.
llvm::Expected<std::string> compileCUDA(llvm::StringRef source,
                                        llvm::StringRef name,
                                        llvm::StringRef chip,
                                        std::string *log = nullptr);
} // namespace mlir::bi

#endif // BI_TARGET_NVRTC_H
