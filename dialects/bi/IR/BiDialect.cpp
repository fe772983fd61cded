//===- BiDialect.cpp - the bi dialect -------------------------------------===//
#include "bi/IR/BiDialect.h"
#include "bi/IR/BiAttrs.h"
#include "bi/IR/BiOps.h"

using namespace mlir;
using namespace mlir::bi;

#include "bi/IR/BiDialect.cpp.inc"

void BiDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "bi/IR/BiOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *BiDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  // bi.dim of a static dimension folds to an index constant.
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
