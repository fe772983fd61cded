//===- bi-opt.cpp - the bi optimizer driver -------------------------------===//
//
// mlir-opt with the bi dialect, bi's passes and the bi-lower-to-ptx
// pipeline: every step the JIT takes can be reproduced and inspected here.
//
//===----------------------------------------------------------------------===//
#include "Pipeline/Pipeline.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::bi::registerBiPassesAndPipelines();
  mlir::DialectRegistry registry;
  mlir::bi::registerBiDialects(registry);
  // The whole of MLIR, so every intermediate stage can be replayed here.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "bi: batch-invariant kernel compiler driver\n", registry));
}
