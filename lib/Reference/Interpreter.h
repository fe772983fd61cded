//===- Interpreter.h - CPU reference executor for bi kernels ----*- C++ -*-===//
//
// Runs a bi.kernel on host memory in exactly the order its contracts declare,
// so that tests without a GPU can check kernels and, in portable math mode,
// the GPU's results can be checked bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef BI_REFERENCE_INTERPRETER_H
#define BI_REFERENCE_INTERPRETER_H

#include "bi/IR/BiOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include <cstdint>

namespace mlir::bi::reference {

/// One kernel argument, in the order of the kernel's signature.
struct Argument {
  /// Buffers: host pointer to the first element.
  void *data = nullptr;
  /// Buffers with a leading batch axis and a second axis: elements between
  /// consecutive rows (0 = dense, the extent of the second axis).
  int64_t rowStride = 0;
  /// Scalar arguments, converted (correctly rounded) to the argument's type.
  double scalar = 0;
};

/// Runs `kernel` for `batch` rows (the extent of its batch dimension).
/// `extents` gives run-time extents of dynamic non-batch dims (may be empty
/// if all are static).
///
/// The kernel is verified first. Its row programs and matrix products run in
/// body order. Every floating-point operation rounds as the GPU lowering
/// does: elementwise ops one IEEE operation at a time, reductions and
/// bi.matmul in their contract's order with the effective FMA mode, math
/// functions in portable mode. Anything the reference cannot reproduce
/// exactly (fast math, a hardware unit such as wgmma, an unsupported op or
/// type) is an error naming the op and its location, found before anything
/// runs, so the buffers stay untouched. Undefined results found while running
/// (an integer division by zero, a row index out of the batch) are errors too.
llvm::Error run(KernelOp kernel, llvm::ArrayRef<Argument> args, int64_t batch,
                const llvm::StringMap<int64_t> &extents = {});

} // namespace mlir::bi::reference

#endif // BI_REFERENCE_INTERPRETER_H
