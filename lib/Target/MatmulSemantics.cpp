//===- MatmulSemantics.cpp - bi.matmul to the GEMM generators' input ------===//
#include "Target/MatmulSemantics.h"
#include "Target/EmitCUDA.h"

using namespace mlir;
using namespace mlir::bi;

namespace {
::bi::GemmSemantics::Type toGemmType(Value buffer) {
  Type type = cast<MemRefType>(buffer.getType()).getElementType();
  if (type.isBF16())
    return ::bi::GemmSemantics::Type::bf16;
  if (type.isF16())
    return ::bi::GemmSemantics::Type::f16;
  return ::bi::GemmSemantics::Type::f32;
}
} // namespace

::bi::GemmSemantics mlir::bi::getGemmSemantics(MatmulOp matmul) {
  ::bi::GemmSemantics semantics;
  semantics.input = toGemmType(matmul.getA());
  semantics.output = toGemmType(matmul.getC());
  if (Value bias = matmul.getBias()) {
    semantics.hasBias = true;
    semantics.bias = toGemmType(bias);
  }
  if (Value residual = matmul.getResidual()) {
    semantics.hasResidual = true;
    semantics.residual = toGemmType(residual);
  }
  semantics.activation =
      ::bi::GemmSemantics::Activation(int(matmul.getActivation()));
  MathModeAttr math = matmul.getEffectiveMath();
  semantics.fastMath = math.getFn() == FnMode::fast;
  semantics.fmaContract = math.getFma() == FmaMode::on;
  semantics.nnLinear = matmul.isNnLinearLayout();
  ReductionOrderAttr order = matmul.getOrderAttr();
  // No chunk: one chunk spanning K, whatever K is.
  semantics.chunk = order.getChunk() > 0 ? order.getChunk() : int64_t(1) << 30;
  return semantics;
}

::bi::GemmSchedule mlir::bi::toHopperSchedule(MatmulScheduleAttr attr) {
  ::bi::GemmSchedule schedule;
  schedule.blockM = int(attr.getBlockM());
  schedule.blockN = int(attr.getBlockN());
  schedule.stages = int(attr.getStages());
  schedule.splitChunks = attr.getChunks() != ChunkPlacement::serial;
  schedule.clusterChunks = attr.getChunks() == ChunkPlacement::cluster;
  return schedule;
}

FailureOr<::bi::GemmSchedule>
mlir::bi::getHopperSchedule(MatmulOp matmul, MatmulScheduleAttr attr) {
  ::bi::GemmSchedule schedule = toHopperSchedule(attr);
  std::string problem = schedule.validate();
  if (!problem.empty())
    return matmul.emitOpError()
           << "schedule " << attr
           << " cannot run on the Hopper lowering: " << problem;
  return schedule;
}

FailureOr<std::string> mlir::bi::getGemmHelpers(MatmulOp matmul) {
  if (matmul.getActivation() != Activation::silu)
    return std::string();
  return emitExpHelperCUDA(matmul->getParentOfType<KernelOp>(),
                           matmul.getEffectiveMath().getFn() == FnMode::fast);
}

FailureOr<std::string> mlir::bi::emitMatmulCUDA(MatmulOp matmul) {
  ::bi::GemmSemantics semantics = getGemmSemantics(matmul);
  bool hopper = matmul.getOrderAttr().getUnit() == HardwareUnit::wgmma_m64nNk16;
  FailureOr<std::string> helpers = getGemmHelpers(matmul);
  if (failed(helpers))
    return failure();
  if (!hopper)
    return *helpers + ::bi::emitCudaCoreGemm(semantics);
  ::bi::GemmSchedule schedule =
      ::bi::representativeHopperGemmSchedule(semantics.chunk);
  if (MatmulScheduleAttr attr = matmul.getScheduleAttr()) {
    FailureOr<::bi::GemmSchedule> chosen = getHopperSchedule(matmul, attr);
    if (failed(chosen))
      return failure();
    schedule = *chosen;
  }
  return *helpers + ::bi::emitHopperGemm(semantics, schedule);
}
