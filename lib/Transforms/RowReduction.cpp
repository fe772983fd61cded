//===- RowReduction.cpp - what a GPU backend can lower --------------------===//
//
// One place for the rules both GPU backends share, so that the NVVM path and
// the NVRTC path accept exactly the same kernels.
//
//===----------------------------------------------------------------------===//
#include "Transforms/RowReduction.h"

using namespace mlir;
using namespace mlir::bi;

FailureOr<ReductionOrderAttr>
mlir::bi::getLowerableRowOrder(ReduceOp reduce, int64_t threads,
                               std::optional<int64_t> staticExtent,
                               StringRef step) {
  ReductionOrderAttr order = reduce.getOrderAttr();
  if (!order)
    order = ReductionOrderAttr::get(
        reduce.getContext(), 0, CombineOrder::seq, threads, 1, FoldOrder::seq,
        CombineOrder::tree, HardwareUnit::none, 1, std::nullopt, std::nullopt);
  if (order.getNumDynamicParams() != 0)
    return reduce.emitOpError()
           << "has contract parameters written '?'; specialise the kernel "
              "(--bi-specialize) so they become constants before "
           << step;
  if (order.getChunk() != 0 || order.getUnit() != HardwareUnit::none)
    return reduce.emitOpError()
           << "row reductions with 'chunk' or a hardware 'unit' are not "
              "lowered yet; use lanes/vector contracts for rows";
  Type accType = reduce.getResult().getType();
  if (!accType.isF32() && !accType.isInteger(32))
    return reduce.emitOpError()
           << step << " needs an f32 or i32 accumulator, got " << accType;
  int64_t lanes = order.getLanes();
  if (lanes % threads != 0)
    return reduce.emitOpError()
           << "schedule's " << threads << " threads do not divide " << lanes
           << " lanes";
  if (lanes / threads > kMaxLanesPerThread)
    return reduce.emitOpError()
           << "schedule gives each thread " << lanes / threads
           << " lanes of this contract; at most " << kMaxLanesPerThread
           << " are lowered (use at least " << lanes / kMaxLanesPerThread
           << " threads per row)";
  if (staticExtent && *staticExtent % order.getVector())
    return reduce.emitOpError()
           << "row extent " << *staticExtent
           << " is not a multiple of the contract's vector width "
           << order.getVector();
  return order;
}
