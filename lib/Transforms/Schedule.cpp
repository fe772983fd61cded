//===- Schedule.cpp - choose schedules for row programs -------------------===//
//
// A schedule never decides bits, so this pass may choose freely; forcing
// `threads`/`rows` is how tests check that claim.
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BISCHEDULE
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

namespace {
struct BiSchedulePass : public mlir::bi::impl::BiScheduleBase<BiSchedulePass> {
  using Base::Base;

  void runOnOperation() override {
    WalkResult walk = getOperation().walk([&](MapRowsOp rows) -> WalkResult {
      if (rows.getScheduleAttr() && !force)
        return WalkResult::advance();
      // The largest power of two dividing every contract's lanes.
      int64_t chosen = 1024;
      bool anyReduction = false;
      rows.getBody().walk([&](ReduceOp reduce) {
        ReductionOrderAttr order = reduce.getOrderAttr();
        if (!order || ShapedType::isDynamic(order.getLanes()))
          return;
        anyReduction = true;
        int64_t lanes = order.getLanes();
        chosen = std::min(chosen, lanes & -lanes);
      });
      if (!anyReduction)
        chosen = 128;
      int64_t t = threads ? threads : chosen;
      int64_t r = rows_ ? rows_ : 1;
      auto diag = [&] { return rows.emitOpError(); };
      if (failed(ScheduleAttr::verifyInvariants(diag, t, r)))
        return WalkResult::interrupt();
      rows.setScheduleAttr(ScheduleAttr::get(&getContext(), t, r));
      if (failed(rows.verifyRegions()))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
