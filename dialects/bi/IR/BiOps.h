//===- BiOps.h - bi operations -----------------------------------*- C++
//-*-===//
#ifndef BI_IR_BIOPS_H
#define BI_IR_BIOPS_H

#include "bi/IR/BiAttrs.h"
#include "bi/IR/BiDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "bi/IR/BiOps.h.inc"

namespace mlir::bi {
/// Why a value may not decide a reduction order: the first offending source
/// met while walking its definition chain, and the chain itself.
struct ContractParamDiagnosis {
  enum class Kind { Ok, BatchExtent, OtherRuntimeValue };
  Kind kind = Kind::Ok;
  /// The offending source (a dimension name, or a printed value).
  std::string source;
  /// The chain from the parameter to the source, one op name per hop.
  std::string chain;
};

/// The identity a reduction of `kind` folds from: 0 for add, -inf (or the
/// smallest integer) for max, +inf (or the largest integer) for min.
TypedAttr getReductionIdentity(ReductionKind kind, Type type);

/// Walks the definition chain of an order-contract parameter and checks that
/// it derives only from constants and the extent of `reductionDim`.
ContractParamDiagnosis diagnoseContractParam(Value param,
                                             llvm::StringRef reductionDim,
                                             KernelOp kernel);
} // namespace mlir::bi

#endif // BI_IR_BIOPS_H
