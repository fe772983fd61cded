//===- EmitCUDA.h - scheduled bi kernels as CUDA C++ -------------*- C++
//-*-===//
#ifndef BI_TARGET_EMITCUDA_H
#define BI_TARGET_EMITCUDA_H

#include "bi/IR/BiOps.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace mlir::bi {
/// Emits a scheduled, specialised `bi.kernel` (one `bi.map_rows` with a
/// `#bi.schedule`) as a self-contained CUDA C++ translation unit holding one
/// `extern "C" __global__` function named after the kernel.
///
/// The function takes exactly the parameters of the NVVM path's kernel
/// (`--bi-lower-to-gpu`), so one launcher drives both backends, and performs
/// exactly the same sequence of correctly rounded (or, with `fn = fast`, the
/// same approximate) instructions, so both give the same bits. Anything the
/// emitter cannot express that way is an error on the offending operation.
///
/// The context must have the arith and math dialects loaded (the portable
/// exp is derived from the IR that bi-lower-math builds).
FailureOr<std::string> emitCUDA(KernelOp kernel);
/// The device function `bi_exp_portable` (or `bi_exp_fast`, with `fast`) as
/// the row kernels use it, for other generators' code (the GEMM epilogue's
/// silu): one definition of exp for every backend.
FailureOr<std::string> emitExpHelperCUDA(KernelOp kernel, bool fast);
} // namespace mlir::bi

#endif // BI_TARGET_EMITCUDA_H
