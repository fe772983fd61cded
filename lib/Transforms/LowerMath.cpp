//===- LowerMath.cpp - pin math functions to the math mode ----------------===//
//
// Left alone, math.sqrt becomes libdevice's __nv_sqrtf, which is
// approximate unless a reflect flag says otherwise, and LLVM may pick other
// sequences in other versions. This pass replaces every math function with
// exactly the instructions the math mode names, so the bits are a property
// of the kernel, not of the toolchain.
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"
#include "Transforms/PortableMath.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BILOWERMATH
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

/// One PTX instruction on f32 registers, free of side effects so that the
/// optimiser may still move or merge it.
static Value ptx(OpBuilder &b, Location loc, StringRef instruction,
                 ArrayRef<Value> operands) {
  std::string text = instruction.str() + " $0";
  std::string constraints = "=f";
  for (unsigned i = 0; i < operands.size(); ++i) {
    text += ", $" + std::to_string(i + 1);
    constraints += ",f";
  }
  text += ";";
  return LLVM::InlineAsmOp::create(
             b, loc, b.getF32Type(), operands, text, constraints,
             /*has_side_effects=*/false, /*is_align_stack=*/false,
             LLVM::tailcallkind::TailCallKind::None,
             LLVM::AsmDialectAttr::get(b.getContext(),
                                       LLVM::AsmDialect::AD_ATT),
             ArrayAttr())
      .getResult(0);
}

/// Applies a scalar f32 lowering elementwise to a scalar or vector value.
template <typename ScalarFn>
static Value scalarize(OpBuilder &b, Location loc, ArrayRef<Value> operands,
                       ScalarFn scalar) {
  auto vectorType = dyn_cast<VectorType>(operands[0].getType());
  if (!vectorType)
    return scalar(operands);
  SmallVector<Value> results;
  for (int64_t i = 0; i < vectorType.getNumElements(); ++i) {
    SmallVector<Value> elements;
    for (Value operand : operands)
      elements.push_back(
          vector::ExtractOp::create(b, loc, operand, i).getResult());
    results.push_back(scalar(ArrayRef<Value>(elements)));
  }
  return vector::FromElementsOp::create(b, loc, vectorType, results);
}

static LogicalResult lowerOp(Operation *op, FnMode mode) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Type element = getElementTypeOrSelf(op->getResult(0).getType());
  if (!element.isF32())
    return op->emitOpError() << "bi lowers math functions on f32 only, got "
                             << element << "; extend to f32 first";
  bool fast = mode == FnMode::fast;
  SmallVector<Value> operands(op->getOperands());
  Value result;
  if (isa<math::SqrtOp>(op)) {
    result = scalarize(b, loc, operands, [&](ArrayRef<Value> x) {
      return ptx(b, loc, fast ? "sqrt.approx.f32" : "sqrt.rn.f32", x);
    });
  } else if (isa<math::RsqrtOp>(op)) {
    result = scalarize(b, loc, operands, [&](ArrayRef<Value> x) -> Value {
      if (fast)
        return ptx(b, loc, "rsqrt.approx.f32", x);
      Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
      Value root = ptx(b, loc, "sqrt.rn.f32", x);
      return ptx(b, loc, "div.rn.f32", {one, root});
    });
  } else if (isa<math::ExpOp>(op)) {
    result = scalarize(b, loc, operands, [&](ArrayRef<Value> x) -> Value {
      if (!fast)
        return buildPortableExp(b, loc, x[0]);
      Value log2e =
          arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.44269504f));
      Value scaled = ptx(b, loc, "mul.rn.f32", {x[0], log2e});
      return ptx(b, loc, "ex2.approx.f32", scaled);
    });
  } else if (isa<math::FmaOp>(op)) {
    // Fused multiply-add is exact by definition; pin the instruction so no
    // libdevice call or contraction choice is involved.
    result = scalarize(b, loc, operands, [&](ArrayRef<Value> x) {
      return ptx(b, loc, "fma.rn.f32", x);
    });
  } else if (isa<arith::DivFOp>(op)) {
    result = scalarize(b, loc, operands, [&](ArrayRef<Value> x) {
      return ptx(b, loc, fast ? "div.full.f32" : "div.rn.f32", x);
    });
  } else {
    return op->emitOpError()
           << "has no batch-invariant GPU lowering; bi supports math.exp, "
              "math.fma, math.sqrt and math.rsqrt";
  }
  op->getResult(0).replaceAllUsesWith(result);
  op->erase();
  return success();
}

namespace {
struct BiLowerMathPass
    : public mlir::bi::impl::BiLowerMathBase<BiLowerMathPass> {
  void runOnOperation() override {
    // Lowering exp emits math.fma, so repeat until no math op is left.
    for (;;) {
      SmallVector<std::pair<Operation *, FnMode>> work;
      getOperation()->walk([&](Operation *op) {
        bool isMath = op->getDialect() &&
                      op->getDialect()->getNamespace() == "math" &&
                      !isa<math::CopySignOp>(op);
        if (!isMath && !isa<arith::DivFOp>(op))
          return;
        FnMode mode = FnMode::portable;
        if (auto func = op->getParentOfType<gpu::GPUFuncOp>())
          if (auto math = func->getAttrOfType<MathModeAttr>("bi.math"))
            mode = math.getFn();
        work.emplace_back(op, mode);
      });
      if (work.empty())
        return;
      for (auto [op, mode] : work)
        if (failed(lowerOp(op, mode)))
          return signalPassFailure();
    }
  }
};
} // namespace
