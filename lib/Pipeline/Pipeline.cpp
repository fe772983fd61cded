//===- Pipeline.cpp - the registered bi pipeline --------------------------===//
#include "Pipeline/Pipeline.h"
#include "Transforms/Passes.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::bi::buildLowerToPTXPipeline(OpPassManager &pm,
                                       const LowerToPTXOptions &options) {
  pm.addPass(createBiVerifyInvariance());
  pm.addPass(createBiFingerprint());
  BiScheduleOptions schedule;
  schedule.threads = options.threads;
  schedule.rows_ = options.rows;
  schedule.force = options.threads != 0 || options.rows != 0;
  pm.addPass(createBiSchedule(schedule));
  pm.addPass(createBiLowerToGPU());
  pm.addPass(createBiVerifyInvariance());
  pm.addNestedPass<gpu::GPUModuleOp>(createBiLowerMath());
  pm.addPass(createCSEPass());
  pm.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createBiVerifyInvariance());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::bi::registerBiPassesAndPipelines() {
  registerBiPasses();
  PassPipelineRegistration<LowerToPTXOptions>(
      "bi-lower-to-ptx",
      "Lowers bi kernels to PTX for an NVIDIA GPU (the pipeline the JIT runs)",
      buildLowerToPTXPipeline);
}

void mlir::bi::registerBiDialects(DialectRegistry &registry) {
  registry.insert<BiDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}
