//===- ExportBinary.cpp - write PTX and cubin files -----------------------===//
#include "Target/CudaToolkit.h"
#include "Transforms/OutputFile.h"
#include "Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BIEXPORTBINARY
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;

namespace {
struct BiExportBinaryPass
    : public mlir::bi::impl::BiExportBinaryBase<BiExportBinaryPass> {
  using Base::Base;
  void runOnOperation() override {
    if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
      getOperation().emitError()
          << "cannot create output directory '" << dir << "': " << ec.message();
      return signalPassFailure();
    }
    unsigned written = 0;
    for (auto binary : getOperation().getOps<gpu::BinaryOp>()) {
      for (Attribute attr : binary.getObjects()) {
        auto object = dyn_cast<gpu::ObjectAttr>(attr);
        if (!object || object.getFormat() != gpu::CompilationTarget::Assembly) {
          binary.emitError() << "bi-export-binary needs PTX objects; run "
                                "gpu-module-to-binary with format=isa";
          return signalPassFailure();
        }
        StringRef ptx = object.getObject().getValue();
        llvm::SmallString<256> base(dir);
        llvm::sys::path::append(base, binary.getSymName());
        if (failed(
                mlir::bi::writeOutputFile(binary, (base + ".ptx").str(), ptx)))
          return signalPassFailure();
        if (cubin) {
          llvm::Expected<std::string> image = ::bi::assembleCubin(ptx, chip);
          if (!image) {
            binary.emitError()
                << "cannot assemble a cubin for '" << binary.getSymName()
                << "': " << llvm::toString(image.takeError());
            return signalPassFailure();
          }
          if (failed(mlir::bi::writeOutputFile(binary, (base + ".cubin").str(),
                                               *image)))
            return signalPassFailure();
        }
        ++written;
      }
    }
    if (written == 0) {
      getOperation().emitError()
          << "no gpu.binary to export; run the bi-lower-to-ptx pipeline first";
      return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};
} // namespace
