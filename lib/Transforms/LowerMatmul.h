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

#include "Target/HopperGemm.h"
#include "bi/IR/BiOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::bi {
/// Why `kernel` cannot be lowered by bi-lower-to-gpu's matmul lowerings,
/// with an error on the offending op, or success. Shared by
/// bi-check-lowerable and bi-lower-to-gpu so that both refuse the same
/// kernels.
LogicalResult checkMatmulKernelLowerable(KernelOp kernel);

/// The Hopper schedule the wgmma lowering builds for `matmul`: the op's
/// `schedule`, else the large-batch default. Fails, with an error on the op,
/// for a schedule the lowering does not implement.
FailureOr<::bi::GemmSchedule> getLowerableWgmmaSchedule(MatmulOp matmul);

/// Lowers `kernel`, whose body is the one bi.matmul `matmul` with a contract
/// without a hardware unit (the CUDA-core variant), to
/// `gpu.module @<kernel> { gpu.func @bi_gemm_fma }` inserted before the
/// kernel. The kernel itself is left for the caller to erase.
LogicalResult lowerCudaCoreMatmul(KernelOp kernel, MatmulOp matmul);

/// Lowers `kernel`, whose body is the one bi.matmul `matmul` with
/// `unit = wgmma.m64nNk16`, to `gpu.module @<kernel> { gpu.func
/// @bi_gemm_main }` for `schedule` (serial chunks only), inserted before the
/// kernel.
LogicalResult lowerWgmmaMatmul(KernelOp kernel, MatmulOp matmul,
                               const ::bi::GemmSchedule &schedule);

//===----------------------------------------------------------------------===//
// What both lowerings share (LowerMatmulCommon.cpp)
//===----------------------------------------------------------------------===//

/// The element type of a buffer operand.
inline Type getBufferElementType(Value buffer) {
  return cast<MemRefType>(buffer.getType()).getElementType();
}

/// The element type of an optional buffer operand as text, for bi.abi;
/// "unused" when the op has none.
std::string describeElementType(Value buffer);

/// Marks the three i32 parameters of `func` from `firstExtent` on as the
/// extents M, N and K of `matmul` (bi.dim, bi.dim_kind) and records them in
/// `argDims` (the bi.arg_dims list, which survives convert-gpu-to-nvvm) and
/// `abi`.
void markMatmulExtents(gpu::GPUFuncOp func, MatmulOp matmul,
                       unsigned firstExtent, SmallVectorImpl<Attribute> &abi,
                       SmallVectorImpl<Attribute> &argDims);

/// Element `offset` of the global buffer at `pointer`, whose elements are
/// `element`, widened exactly to f32. The load is invariant: nothing a GEMM
/// reads is written during the launch.
Value loadGlobalAsF32(OpBuilder &b, Location loc, Value pointer, Type element,
                      Value offset);

/// The epilogue of `matmul` on `v`, the f32 total of output element (m, n):
/// bias, activation and residual in the op's order, each in f32. `bias` and
/// `residual` are the kernel's pointers to them (ignored when the op has
/// none); the residual, like c, is dense with row stride `extentN`.
Value buildMatmulEpilogue(OpBuilder &b, Location loc, MatmulOp matmul, Value v,
                          Value m, Value n, Value extentN, Value bias,
                          Value residual);

/// Rounds `v` once (to nearest even) to c's element type and stores it at
/// c[m * extentN + n].
void buildMatmulStore(OpBuilder &b, Location loc, MatmulOp matmul, Value v,
                      Value m, Value n, Value extentN, Value c);
} // namespace mlir::bi

#endif // BI_TRANSFORMS_LOWERMATMUL_H
