//===- MatmulSemantics.h - bi.matmul to the GEMM generators' input -*- C++
//-*-===//
#ifndef BI_TARGET_MATMULSEMANTICS_H
#define BI_TARGET_MATMULSEMANTICS_H

#include "Target/HopperGemm.h"
#include "bi/IR/BiOps.h"

namespace mlir::bi {
/// Everything of a verified `bi.matmul` that decides its bits, in the form
/// the CUDA generators (HopperGemm.h) take.
::bi::GemmSemantics getGemmSemantics(MatmulOp matmul);

/// A `#bi.matmul_schedule` as a Hopper schedule, not yet validated.
::bi::GemmSchedule toHopperSchedule(MatmulScheduleAttr schedule);

/// The op's `#bi.matmul_schedule` as a Hopper schedule, or failure (with an
/// error on the op) when the Hopper lowering cannot run it.
FailureOr<::bi::GemmSchedule> getHopperSchedule(MatmulOp matmul,
                                                MatmulScheduleAttr schedule);

/// Device functions the GEMM generators' code calls but does not define
/// (the exp of silu), as CUDA C++ to put before it; empty when none.
FailureOr<std::string> getGemmHelpers(MatmulOp matmul);

/// CUDA C++ for a kernel whose body is one `bi.matmul`: the Hopper schedule
/// (the op's `schedule`, else the large-batch default) for a wgmma
/// contract, the CUDA-core kernel otherwise.
FailureOr<std::string> emitMatmulCUDA(MatmulOp matmul);
} // namespace mlir::bi

#endif // BI_TARGET_MATMULSEMANTICS_H
