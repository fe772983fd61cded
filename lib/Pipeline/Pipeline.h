//===- Pipeline.h - the registered bi pipeline -------------------*- C++
//-*-===//
#ifndef BI_PIPELINE_PIPELINE_H
#define BI_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
}

namespace mlir::bi {
struct LowerToPTXOptions : public PassPipelineOptions<LowerToPTXOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("target GPU"), llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> features{*this, "features",
                                            llvm::cl::desc("PTX features"),
                                            llvm::cl::init("+ptx80")};
  PassOptions::Option<int> optLevel{*this, "opt-level",
                                    llvm::cl::desc("NVVM optimisation level"),
                                    llvm::cl::init(3)};
  PassOptions::Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("force threads per row (0: the scheduler's choice)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> rows{
      *this, "rows",
      llvm::cl::desc("force rows per block (0: the scheduler's choice)"),
      llvm::cl::init(0)};
};

/// The one pipeline from bi kernels to PTX: verify, fingerprint, schedule,
/// lower to GPU, re-verify invariance at the GPU and LLVM levels, serialize.
/// bi-opt and the JIT both run exactly this: it is the prepare half followed
/// by the codegen half (the JIT reads the scheduled kernel in between).
void buildLowerToPTXPipeline(OpPassManager &pm,
                             const LowerToPTXOptions &options);

/// First half: invariance check, fingerprint and schedule of the bi kernels.
void buildPreparePipeline(OpPassManager &pm, const LowerToPTXOptions &options);

/// Second half: scheduled bi kernels to gpu.binary ops holding PTX.
void buildCodegenPipeline(OpPassManager &pm, const LowerToPTXOptions &options);

/// Registers `bi-lower-to-ptx` and every bi pass.
void registerBiPassesAndPipelines();

/// Registers the dialects, extensions and translations the pipeline needs
/// (and nothing more).
void registerBiDialects(DialectRegistry &registry);
} // namespace mlir::bi

#endif // BI_PIPELINE_PIPELINE_H
