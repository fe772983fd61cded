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
