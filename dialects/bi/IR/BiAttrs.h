//===- BiAttrs.h - bi attributes ---------------------------------*- C++
//-*-===//
#ifndef BI_IR_BIATTRS_H
#define BI_IR_BIATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include <optional>

#include "bi/IR/BiEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "bi/IR/BiAttrs.h.inc"

namespace mlir::bi {
/// The number of elements one instruction of `unit` reduces per lane (the k
/// of the MMA shape), or 1 for `none`.
int64_t getUnitStep(HardwareUnit unit);
} // namespace mlir::bi

#endif // BI_IR_BIATTRS_H
