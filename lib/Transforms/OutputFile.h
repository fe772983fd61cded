//===- OutputFile.h - writing a pass's output files --------------*- C++
//-*-===//
#ifndef BI_TRANSFORMS_OUTPUTFILE_H
#define BI_TRANSFORMS_OUTPUTFILE_H

#include "mlir/IR/Operation.h"

namespace mlir::bi {
/// Writes `contents` to `path`, reporting a failure on `anchor`.
LogicalResult writeOutputFile(Operation *anchor, StringRef path,
                              StringRef contents);
} // namespace mlir::bi

#endif // BI_TRANSFORMS_OUTPUTFILE_H
