//===- Invariance.h - batch-invariance analysis ------------------*- C++
//-*-===//
#ifndef BI_ANALYSIS_INVARIANCE_H
#define BI_ANALYSIS_INVARIANCE_H

#include "mlir/IR/Operation.h"

namespace mlir::bi {
/// Proves that every loop-carried floating-point accumulation under `root`
/// has a trip count, step and exit condition derived only from constants,
/// reduction extents and thread indices, and that no floating-point atomic
/// or unordered GPU reduction is present. Emits one error per violation,
/// naming the offending value chain, and fails if there was any.
LogicalResult verifyBatchInvariance(Operation *root);
} // namespace mlir::bi

#endif // BI_ANALYSIS_INVARIANCE_H
