//===- CheckLowerable.cpp - refuse ops bi-lower-to-gpu cannot lower -------===//
//
// bi-lower-to-gpu lowers either the one row program of a kernel or the one
// bi.matmul of a kernel, and erases the kernel. Anything else next to them
// would vanish without a word, and a product the GPU lowering does not
// implement yet would be reported as a missing row program. This pass names
// the op instead, with the same rules bi-lower-to-gpu applies.
//
//===----------------------------------------------------------------------===//
#include "Transforms/LowerMatmul.h"
#include "Transforms/Passes.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BICHECKLOWERABLE
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

namespace {
struct BiCheckLowerablePass
    : public mlir::bi::impl::BiCheckLowerableBase<BiCheckLowerablePass> {
  void runOnOperation() override {
    for (KernelOp kernel : getOperation().getOps<KernelOp>())
      if (failed(checkMatmulKernelLowerable(kernel)))
        return signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
