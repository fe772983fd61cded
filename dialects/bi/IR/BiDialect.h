//===- BiDialect.h - the bi dialect ------------------------------*- C++
//-*-===//
#ifndef BI_IR_BIDIALECT_H
#define BI_IR_BIDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "bi/IR/BiDialect.h.inc"

#endif // BI_IR_BIDIALECT_H
