//===- LowerMatmulCommon.cpp - what both GEMM lowerings share -------------===//
//
// The CUDA-core and the wgmma kernels differ in how they reduce K; the
// extents they take, how they read single elements, the epilogue and the
// final rounding are the same, as they are in the CUDA generator.
//
//===----------------------------------------------------------------------===//
#include "Target/MatmulSemantics.h"
#include "Transforms/LowerMatmul.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::bi;

LogicalResult mlir::bi::checkMatmulKernelLowerable(KernelOp kernel) {
  auto matmuls = llvm::to_vector(kernel.getOps<MatmulOp>());
  if (matmuls.empty())
    return success();
  if (matmuls.size() != 1 || !kernel.getOps<MapRowsOp>().empty())
    return matmuls.front().emitOpError()
           << "must be the only operation of its kernel to be lowered to the "
              "GPU; fusing row programs or other products into a GEMM is not "
              "supported";
  MatmulOp matmul = matmuls.front();
  if (matmul.getOrderAttr().getUnit() != HardwareUnit::wgmma_m64nNk16)
    return success();
  // TMA loads K-major tiles of both operands.
  if (!matmul.isNnLinearLayout())
    return matmul.emitOpError()
           << "with unit 'wgmma.m64nNk16' needs b in the nn.Linear layout "
              "[N, K] to be lowered to the GPU; use a contract without 'unit' "
              "for b in [K, N]";
  return getLowerableWgmmaSchedule(matmul);
}

std::string mlir::bi::describeElementType(Value buffer) {
  if (!buffer)
    return "unused";
  std::string text;
  llvm::raw_string_ostream(text) << getBufferElementType(buffer);
  return text;
}

void mlir::bi::markMatmulExtents(gpu::GPUFuncOp func, MatmulOp matmul,
                                 unsigned firstExtent,
                                 SmallVectorImpl<Attribute> &abi,
                                 SmallVectorImpl<Attribute> &argDims) {
  Builder b(func.getContext());
  KernelOp kernel = matmul.getKernel();
  StringRef names[3] = {matmul.getMDimName(), matmul.getNDimName(),
                        matmul.getKDimName()};
  for (auto [offset, name] : llvm::enumerate(names)) {
    unsigned index = firstExtent + offset;
    StringRef kind = stringifyDimKind(kernel.lookupDim(name).getKind());
    func.setArgAttr(index, "bi.dim", b.getStringAttr(name));
    func.setArgAttr(index, "bi.dim_kind", b.getStringAttr(kind));
    argDims[index] = b.getStringAttr(kind.str() + ":" + name.str());
    abi.push_back(b.getStringAttr("i32 extent " + name));
  }
}

static Value globalAddress(OpBuilder &b, Location loc, Value pointer,
                           Type element, Value offset) {
  Value offset64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), offset);
  return LLVM::GEPOp::create(b, loc, pointer.getType(), element, pointer,
                             ValueRange{offset64});
}

Value mlir::bi::loadGlobalAsF32(OpBuilder &b, Location loc, Value pointer,
                                Type element, Value offset) {
  Value value = LLVM::LoadOp::create(
      b, loc, element, globalAddress(b, loc, pointer, element, offset),
      element.getIntOrFloatBitWidth() / 8, /*isVolatile=*/false,
      /*isNonTemporal=*/false, /*isInvariant=*/true);
  if (element.isF32())
    return value;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), value);
}

Value mlir::bi::buildMatmulEpilogue(OpBuilder &b, Location loc, MatmulOp matmul,
                                    Value v, Value m, Value n, Value extentN,
                                    Value bias, Value residual) {
  auto constF32 = [&](float value) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  };
  if (Value buffer = matmul.getBias())
    v = arith::AddFOp::create(
        b, loc, v,
        loadGlobalAsF32(b, loc, bias, getBufferElementType(buffer), n));
  switch (matmul.getActivation()) {
  case Activation::none:
    break;
  case Activation::relu: {
    // v > 0 or NaN keeps v (NaN stays NaN); negatives and -0 become +0.
    Value keep = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UGT, v,
                                       constF32(0.0f));
    v = arith::SelectOp::create(b, loc, keep, v, constF32(0.0f));
    break;
  }
  case Activation::silu: {
    // v / (1 + exp(-v)); bi-lower-math pins exp and the division to the
    // math mode in bi.math.
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
    v = arith::DivFOp::create(b, loc, v,
                              arith::AddFOp::create(b, loc, constF32(1.0f), e));
    break;
  }
  }
  if (Value buffer = matmul.getResidual()) {
    Value offset = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, m, extentN), n);
    v = arith::AddFOp::create(b, loc, v,
                              loadGlobalAsF32(b, loc, residual,
                                              getBufferElementType(buffer),
                                              offset));
  }
  return v;
}

void mlir::bi::buildMatmulStore(OpBuilder &b, Location loc, MatmulOp matmul,
                                Value v, Value m, Value n, Value extentN,
                                Value c) {
  Type output = getBufferElementType(matmul.getC());
  if (!output.isF32())
    v = arith::TruncFOp::create(b, loc, output, v);
  Value offset = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, m, extentN), n);
  LLVM::StoreOp::create(b, loc, v, globalAddress(b, loc, c, output, offset),
                        output.getIntOrFloatBitWidth() / 8);
}
