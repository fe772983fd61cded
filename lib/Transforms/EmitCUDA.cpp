//===- EmitCUDA.cpp - the bi-emit-cuda pass -------------------------------===//
//
// The NVRTC side path as a pass: CUDA C++ for every scheduled kernel, to
// read, to ship, or to compile with NVRTC into a second, independently
// produced cubin that must agree bitwise with the NVVM path's.
//
//===----------------------------------------------------------------------===//
#include "Target/EmitCUDA.h"
#include "Target/Nvrtc.h"
#include "Transforms/OutputFile.h"
#include "Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BIEMITCUDA
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

namespace {
struct BiEmitCUDAPass : public mlir::bi::impl::BiEmitCUDABase<BiEmitCUDAPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (cubin && dir.empty()) {
      module.emitError() << "bi-emit-cuda: 'cubin' needs an output 'dir'";
      return signalPassFailure();
    }
    if (!dir.empty())
      if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
        module.emitError() << "cannot create output directory '" << dir
                           << "': " << ec.message();
        return signalPassFailure();
      }
    unsigned emitted = 0;
    for (KernelOp kernel : module.getOps<KernelOp>()) {
      FailureOr<std::string> source = emitCUDA(kernel);
      if (failed(source))
        return signalPassFailure();
      ++emitted;
      if (dir.empty()) {
        llvm::outs() << *source;
        continue;
      }
      llvm::SmallString<256> base(dir);
      llvm::sys::path::append(base, kernel.getSymName());
      if (failed(writeOutputFile(kernel, (base + ".cu").str(), *source)))
        return signalPassFailure();
      if (!cubin)
        continue;
      llvm::Expected<std::string> image =
          compileCUDA(*source, (kernel.getSymName() + ".cu").str(), chip);
      if (!image) {
        kernel.emitError() << "cannot compile the CUDA C++ of '"
                           << kernel.getSymName() << "' with NVRTC: "
                           << llvm::toString(image.takeError());
        return signalPassFailure();
      }
      if (failed(
              writeOutputFile(kernel, (base + ".nvrtc.cubin").str(), *image)))
        return signalPassFailure();
    }
    if (emitted == 0) {
      module.emitError() << "no bi.kernel to emit as CUDA C++";
      return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};
} // namespace
