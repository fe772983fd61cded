//===- RowReduction.h - what a GPU backend can lower -------------*- C++
//-*-===//
#ifndef BI_TRANSFORMS_ROWREDUCTION_H
#define BI_TRANSFORMS_ROWREDUCTION_H

#include "bi/IR/BiOps.h"
#include <optional>

namespace mlir::bi {
/// Lanes one thread keeps partials for (each is a register and code).
inline constexpr int64_t kMaxLanesPerThread = 32;

/// The contract both GPU backends (bi-lower-to-gpu and bi-emit-cuda) lower
/// a row reduction with: its own, or for an integer reduction without one a
/// pairwise tree over the schedule's threads (integer addition is
/// associative). Fails, with an error on the reduction, when the contract
/// cannot be lowered for `threads` threads per row and the row extent
/// `staticExtent` (if known); `step` ("lowering", "emitting CUDA") ends the
/// messages.
FailureOr<ReductionOrderAttr>
getLowerableRowOrder(ReduceOp reduce, int64_t threads,
                     std::optional<int64_t> staticExtent, StringRef step);
} // namespace mlir::bi

#endif // BI_TRANSFORMS_ROWREDUCTION_H
