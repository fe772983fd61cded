//===- LowerMatmul.h - bi.matmul to gpu.func --------------------*- C++ -*-===//
//
// The GPU lowerings of a kernel whose body is one bi.matmul, called by
// bi-lower-to-gpu. Each builds the kernel the CUDA generator of the same
// contract builds (Target/HopperGemm.h): the same entry name, parameters and
// launch shape, so that one launcher serves the NVVM and the NVRTC backends
// and the two cubins can be compared bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef BI_TRANSFORMS_LOWERMATMUL_H
#define BI_TRANSFORMS_LOWERMATMUL_H

#include "bi/IR/BiOps.h"

namespace mlir::bi {
/// Why `kernel` cannot be lowered by bi-lower-to-gpu's matmul lowering, with
/// an error on the offending op, or success. Shared by bi-check-lowerable
/// and bi-lower-to-gpu so that both refuse the same kernels.
LogicalResult checkMatmulKernelLowerable(KernelOp kernel);

/// Lowers `kernel`, whose body is the one bi.matmul `matmul` with a contract
/// without a hardware unit (the CUDA-core variant), to
/// `gpu.module @<kernel> { gpu.func @bi_gemm_fma }` inserted before the
/// kernel. The kernel itself is left for the caller to erase.
LogicalResult lowerCudaCoreMatmul(KernelOp kernel, MatmulOp matmul);
} // namespace mlir::bi

#endif // BI_TRANSFORMS_LOWERMATMUL_H
