//===- PortableMath.cpp - math a CPU reproduces bit for bit ---------------===//
#include "Transforms/PortableMath.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

Value mlir::bi::buildPortableExp(OpBuilder &b, Location loc, Value x) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto f = [&](float v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  auto i = [&](int32_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  // k = round(x * log2e), ties away from zero, as an exact integer.
  Value t = arith::MulFOp::create(b, loc, x, f(1.44269504088896341f));
  Value half = math::CopySignOp::create(b, loc, f(0.5f), t);
  Value k = arith::FPToSIOp::create(b, loc, i32,
                                    arith::AddFOp::create(b, loc, t, half));
  Value kf = arith::SIToFPOp::create(b, loc, f32, k);
  Value negK = arith::NegFOp::create(b, loc, kf);
  Value r = math::FmaOp::create(b, loc, negK, f(0.693145751953125f), x);
  r = math::FmaOp::create(b, loc, negK, f(1.428606765330187045e-06f), r);
  const float coefficients[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
                                1.0f / 6,    0.5f,       1.0f,       1.0f};
  Value p = f(coefficients[0]);
  for (float c : ArrayRef<float>(coefficients).drop_front())
    p = math::FmaOp::create(b, loc, p, r, f(c));
  // 2^k in two halves so that subnormal results stay exact-exponent scalings.
  Value k1 = arith::ShRSIOp::create(b, loc, k, i(1));
  Value k2 = arith::SubIOp::create(b, loc, k, k1);
  auto pow2 = [&](Value e) -> Value {
    Value bits = arith::ShLIOp::create(
        b, loc, arith::AddIOp::create(b, loc, e, i(127)), i(23));
    return arith::BitcastOp::create(b, loc, f32, bits);
  };
  Value result = arith::MulFOp::create(
      b, loc, arith::MulFOp::create(b, loc, p, pow2(k1)), pow2(k2));
  Value tooLarge =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, f(88.72284f));
  Value tooSmall = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                         f(-103.97208f));
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  result = arith::SelectOp::create(
      b, loc, tooLarge, f(std::numeric_limits<float>::infinity()), result);
  result = arith::SelectOp::create(b, loc, tooSmall, f(0.0f), result);
  return arith::SelectOp::create(b, loc, isNaN, x, result);
}
