//===- Specialize.cpp - give dynamic dimensions static extents ------------===//
#include "Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BISPECIALIZE
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

namespace {
struct BiSpecializePass
    : public mlir::bi::impl::BiSpecializeBase<BiSpecializePass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::StringMap<int64_t> extents;
    for (const std::string &entry : dims) {
      auto [name, value] = StringRef(entry).split('=');
      int64_t extent;
      if (name.empty() || value.getAsInteger(10, extent) || extent <= 0) {
        getOperation().emitError()
            << "bad --bi-specialize entry '" << entry
            << "'; expected NAME=EXTENT with a positive extent";
        return signalPassFailure();
      }
      extents[name] = extent;
    }
    for (KernelOp kernel : getOperation().getOps<KernelOp>())
      if (failed(specialize(kernel, extents)))
        return signalPassFailure();
  }

  LogicalResult specialize(KernelOp kernel,
                           const llvm::StringMap<int64_t> &extents) {
    MLIRContext *ctx = kernel.getContext();
    SmallVector<Attribute> newDims;
    for (Attribute attr : kernel.getDims()) {
      auto dim = cast<DimAttr>(attr);
      auto it = extents.find(dim.getName());
      if (it == extents.end()) {
        newDims.push_back(dim);
        continue;
      }
      if (dim.getKind() == DimKind::batch)
        return kernel.emitOpError()
               << "cannot specialise batch dimension '" << dim.getName()
               << "': its extent follows the load";
      if (dim.getSize() && *dim.getSize() != it->second)
        return kernel.emitOpError()
               << "dimension '" << dim.getName() << "' is already "
               << *dim.getSize() << ", cannot specialise it to " << it->second;
      newDims.push_back(
          DimAttr::get(ctx, dim.getName(), dim.getKind(), it->second));
    }
    kernel.setDimsAttr(ArrayAttr::get(ctx, newDims));

    // bi.dim folds to a constant now; fold the contract-parameter chains.
    // Constants stay where they are: hoisting them out of a row program
    // would make the row program refer to values outside it.
    RewritePatternSet patterns(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    GreedyRewriteConfig config;
    config.enableConstantCSE(false);
    for (MapRowsOp rows : kernel.getOps<MapRowsOp>())
      if (failed(applyPatternsGreedily(rows.getBody(), frozen, config)))
        return kernel.emitOpError() << "specialisation did not converge";

    WalkResult walk = kernel.walk([&](ReduceOp reduce) -> WalkResult {
      ReductionOrderAttr order = reduce.getOrderAttr();
      if (!order || reduce.getParams().empty())
        return WalkResult::advance();
      SmallVector<int64_t> values;
      for (Value param : reduce.getParams()) {
        APInt value;
        if (!matchPattern(param, m_ConstantInt(&value)))
          return WalkResult::advance();
        values.push_back(value.getSExtValue());
      }
      auto diag = [&] { return reduce.emitOpError(); };
      ReductionOrderAttr folded = order.withDynamicParams(values);
      if (failed(ReductionOrderAttr::verify(
              diag, folded.getChunk(), folded.getChunkCombine(),
              folded.getLanes(), folded.getVector(), folded.getFold(),
              folded.getCombine(), folded.getUnit(), folded.getStep(),
              folded.getFma(), folded.getFn())))
        return WalkResult::interrupt();
      reduce.setOrderAttr(folded);
      reduce.getParamsMutable().clear();
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }
};
} // namespace
