//===- PortableMath.h - math a CPU reproduces bit for bit --------*- C++
//-*-===//
#ifndef BI_TRANSFORMS_PORTABLEMATH_H
#define BI_TRANSFORMS_PORTABLEMATH_H

#include "mlir/IR/Builders.h"

namespace mlir::bi {
/// Builds bi's portable exp(x) for a scalar f32 from IEEE operations only
/// (correctly rounded mul/add/fma, exact conversions and bit operations), so
/// that any IEEE machine computes the same bits. The algorithm, which the
/// CPU reference mirrors:
///   k = nearest integer to x * log2(e) (ties away from zero)
///   r = fma(-k, ln2_hi, x); r = fma(-k, ln2_lo, r)
///   p = Horner(r) with the Taylor coefficients of e^r up to r^7, by fma
///   e = p * 2^(k/2) * 2^(k - k/2)  (two exact-exponent scalings)
///   x > 88.72284 gives +inf, x < -103.97208 gives +0, NaN stays NaN.
Value buildPortableExp(OpBuilder &b, Location loc, Value x);
} // namespace mlir::bi

#endif // BI_TRANSFORMS_PORTABLEMATH_H
