//===- bi-opt.cpp - the bi optimizer driver -------------------------------===//
//
// mlir-opt with the bi dialect, bi's passes and the bi-lower-to-ptx
// pipeline: every step the JIT takes can be reproduced and inspected here.
//
//===----------------------------------------------------------------------===//
#include "Pipeline/Pipeline.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::bi::registerBiPassesAndPipelines();
  mlir::DialectRegistry registry;
  mlir::bi::registerBiDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "bi: batch-invariant kernel compiler driver\n", registry));
}
