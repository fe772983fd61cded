//===- VerifyInvariance.cpp - the bi-verify-invariance pass ---------------===//
#include "Analysis/Invariance.h"
#include "Transforms/Passes.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BIVERIFYINVARIANCE
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;

namespace {
struct BiVerifyInvariancePass
    : public mlir::bi::impl::BiVerifyInvarianceBase<BiVerifyInvariancePass> {
  void runOnOperation() override {
    if (failed(bi::verifyBatchInvariance(getOperation())))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
