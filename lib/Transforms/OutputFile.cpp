//===- OutputFile.cpp - writing a pass's output files ---------------------===//
#include "Transforms/OutputFile.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

LogicalResult mlir::bi::writeOutputFile(Operation *anchor, StringRef path,
                                        StringRef contents) {
  std::string message;
  auto file = openOutputFile(path, &message);
  if (!file)
    return anchor->emitError() << "cannot write '" << path << "': " << message;
  file->os() << contents;
  file->keep();
  return success();
}
