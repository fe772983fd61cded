//===- CheckLowerable.cpp - refuse ops bi-lower-to-gpu cannot lower -------===//
//
// bi-lower-to-gpu lowers the one row program of a kernel and erases the
// kernel. A bi.matmul next to that row program would vanish without a word,
// and a kernel holding only a bi.matmul would be reported as having no row
// program. This pass names the op instead. Remove bi.matmul from it when
// bi-lower-to-gpu lowers it.
//
//===----------------------------------------------------------------------===//
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
    WalkResult walk =
        getOperation().walk([](MatmulOp matmul) {
          matmul.emitOpError()
              << "is not lowered by bi-lower-to-gpu yet, which lowers row "
                 "programs only; the CPU reference runs it when its contract "
                 "has no 'unit'";
          return WalkResult::interrupt();
        });
    if (walk.wasInterrupted())
      return signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
