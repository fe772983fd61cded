//===- Fingerprint.cpp - the bi-fingerprint pass --------------------------===//
#include "Analysis/Fingerprint.h"
#include "Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BIFINGERPRINT
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

namespace {
struct BiFingerprintPass
    : public mlir::bi::impl::BiFingerprintBase<BiFingerprintPass> {
  using Base::Base;
  void runOnOperation() override {
    for (KernelOp kernel : getOperation().getOps<KernelOp>()) {
      std::string fingerprint = computeFingerprint(kernel);
      kernel->setAttr("bi.fingerprint",
                      StringAttr::get(&getContext(), fingerprint));
      if (print)
        llvm::outs() << "bi.fingerprint @" << kernel.getSymName() << " "
                     << fingerprint << "\n";
    }
    markAllAnalysesPreserved();
  }
};
} // namespace
