//===- BiOps.cpp - bi operations ------------------------------------------===//
//
// Syntax and verification of kernels, row programs and ordered reductions.
// The verifier is the first line of the batch-invariance guarantee: every
// floating-point reduction must carry a contract that depends only on its
// reduction extent.
//
//===----------------------------------------------------------------------===//
#include "bi/IR/BiOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::bi;

/// `keyword #bi.<attr>`, optional. The attribute is parsed with an explicit
/// none type so that the `: type` syntax around stays the op's; `what`
/// names the expected attribute in the error.
template <typename AttrT>
static ParseResult parseOptionalKeywordAttr(OpAsmParser &parser,
                                            StringRef keyword, AttrT &result,
                                            StringRef what) {
  if (failed(parser.parseOptionalKeyword(keyword)))
    return success();
  SMLoc loc = parser.getCurrentLocation();
  Attribute attr;
  if (parser.parseAttribute(attr, NoneType::get(parser.getContext())))
    return failure();
  result = dyn_cast<AttrT>(attr);
  if (!result)
    return parser.emitError(loc) << "expected " << what;
  return success();
}

/// `order #bi.order<...> (%params)?`, optional.
static ParseResult
parseOrderContract(OpAsmParser &parser, ReductionOrderAttr &order,
                   SmallVectorImpl<OpAsmParser::UnresolvedOperand> &params) {
  if (parseOptionalKeywordAttr(parser, "order", order,
                               "an order contract #bi.order<...>"))
    return failure();
  if (order && succeeded(parser.parseOptionalLParen()) &&
      (parser.parseOperandList(params) || parser.parseRParen()))
    return failure();
  return success();
}

static void printOrderContract(OpAsmPrinter &p, Operation *,
                               ReductionOrderAttr order, OperandRange params) {
  if (!order)
    return;
  p << "order ";
  p.printAttributeWithoutType(order);
  if (!params.empty())
    p << " (" << params << ")";
}

#define GET_OP_CLASSES
#include "bi/IR/BiOps.cpp.inc"

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

ParseResult KernelOp::parse(OpAsmParser &parser, OperationState &result) {
  StringAttr name;
  if (parser.parseSymbolName(name, SymbolTable::getSymbolAttrName(),
                             result.attributes))
    return failure();
  SMLoc signatureLoc = parser.getCurrentLocation();
  SmallVector<OpAsmParser::Argument> args;
  SmallVector<Type> resultTypes;
  SmallVector<DictionaryAttr> resultAttrs;
  bool isVariadic = false;
  if (function_interface_impl::parseFunctionSignatureWithArguments(
          parser, /*allowVariadic=*/false, args, isVariadic, resultTypes,
          resultAttrs))
    return failure();
  if (!resultTypes.empty())
    return parser.emitError(signatureLoc)
           << "a bi.kernel returns nothing; write results through buffer "
              "arguments";
  SmallVector<Type> argTypes;
  for (OpAsmParser::Argument &arg : args)
    argTypes.push_back(arg.type);
  Builder &builder = parser.getBuilder();
  result.addAttribute(getFunctionTypeAttrName(result.name),
                      TypeAttr::get(builder.getFunctionType(argTypes, {})));
  call_interface_impl::addArgAndResultAttrs(builder, result, args, resultAttrs,
                                            getArgAttrsAttrName(result.name),
                                            getResAttrsAttrName(result.name));

  ArrayAttr dims;
  if (parser.parseKeyword("dims") || parser.parseAttribute(dims))
    return failure();
  result.addAttribute(getDimsAttrName(result.name), dims);
  if (succeeded(parser.parseOptionalKeyword("math"))) {
    MathModeAttr math;
    if (parser.parseAttribute(math))
      return failure();
    result.addAttribute(getMathAttrName(result.name), math);
  }
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  return parser.parseRegion(*result.addRegion(), args);
}

void KernelOp::print(OpAsmPrinter &p) {
  p << ' ';
  p.printSymbolName(getSymName());
  function_interface_impl::printFunctionSignature(p, *this, getArgumentTypes(),
                                                  /*isVariadic=*/false, {});
  p << " dims ";
  p.printAttribute(getDims());
  if (getMathAttr()) {
    p << " math ";
    p.printAttribute(getMathAttr());
  }
  function_interface_impl::printFunctionAttributes(
      p, *this,
      {getDimsAttrName(), getMathAttrName(), getFunctionTypeAttrName(),
       getArgAttrsAttrName(), getResAttrsAttrName()});
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                /*printBlockTerminators=*/true);
}

DimAttr KernelOp::lookupDim(StringRef name) {
  for (Attribute attr : getDims())
    if (auto dim = dyn_cast<DimAttr>(attr); dim && dim.getName() == name)
      return dim;
  return {};
}

SmallVector<StringRef> KernelOp::getArgAxes(unsigned index) {
  SmallVector<StringRef> axes;
  if (auto names = getArgAttrOfType<ArrayAttr>(index, getAxesAttrName()))
    for (Attribute name : names)
      if (auto str = dyn_cast<StringAttr>(name))
        axes.push_back(str.getValue());
  return axes;
}

MathModeAttr KernelOp::getEffectiveMath() {
  if (MathModeAttr math = getMathAttr())
    return math;
  return MathModeAttr::get(getContext(), FmaMode::off, FnMode::portable);
}

LogicalResult KernelOp::verify() {
  llvm::StringSet<> names;
  for (Attribute attr : getDims()) {
    auto dim = cast<DimAttr>(attr);
    if (!names.insert(dim.getName()).second)
      return emitOpError() << "declares dimension '" << dim.getName()
                           << "' twice";
  }
  if (!getFunctionType().getResults().empty())
    return emitOpError() << "returns nothing; write results through buffer "
                            "arguments";

  for (auto [index, type] : llvm::enumerate(getArgumentTypes())) {
    Attribute axesAttr = getArgAttr(index, getAxesAttrName());
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref) {
      if (!type.isIntOrIndexOrFloat())
        return emitOpError() << "argument #" << index << " has type " << type
                             << "; expected a memref buffer or a scalar";
      if (axesAttr)
        return emitOpError() << "scalar argument #" << index << " cannot have '"
                             << getAxesAttrName() << "'";
      continue;
    }
    auto axes = dyn_cast_or_null<ArrayAttr>(axesAttr);
    if (!axes || !llvm::all_of(axes, llvm::IsaPred<StringAttr>))
      return emitOpError() << "buffer argument #" << index << " needs '"
                           << getAxesAttrName()
                           << "' naming each axis, e.g. {bi.axes = [\"M\", "
                              "\"H\"]}";
    if (static_cast<int64_t>(axes.size()) != memref.getRank())
      return emitOpError() << "buffer argument #" << index << " has rank "
                           << memref.getRank() << " but '" << getAxesAttrName()
                           << "' names " << axes.size() << " axes";
    if (!memref.getLayout().isIdentity())
      return emitOpError() << "buffer argument #" << index
                           << " must have the identity layout; strides of "
                              "batch axes are passed at launch";
    for (auto [axis, nameAttr] : llvm::enumerate(axes)) {
      StringRef axisName = cast<StringAttr>(nameAttr).getValue();
      DimAttr dim = lookupDim(axisName);
      if (!dim)
        return emitOpError()
               << "buffer argument #" << index
               << " names undeclared dimension '" << axisName << "'";
      if (dim.getKind() == DimKind::batch && axis != 0)
        return emitOpError()
               << "buffer argument #" << index << ": batch dimension '"
               << axisName << "' must be the leading axis";
      int64_t extent = memref.getDimSize(axis);
      if (!ShapedType::isDynamic(extent) &&
          (!dim.getSize() || *dim.getSize() != extent))
        return emitOpError()
               << "buffer argument #" << index << " axis " << axis
               << " has static extent " << extent << " but dimension '"
               << axisName << "' is "
               << (dim.getSize() ? "declared " + std::to_string(*dim.getSize())
                                 : std::string("dynamic"));
    }
  }
  return success();
}

LogicalResult KernelOp::verifyRegions() {
  Block &entry = getBody().front();
  if (entry.getArgumentTypes() != getArgumentTypes())
    return emitOpError() << "entry block arguments must match the signature";
  for (Operation &op : entry)
    if (!isa<MapRowsOp, MatmulOp, ReturnOp>(op))
      return op.emitOpError()
             << "is not allowed at the top level of a bi.kernel; expected "
                "'bi.map_rows', 'bi.matmul' or 'bi.return'";
  return success();
}

//===----------------------------------------------------------------------===//
// MapRowsOp
//===----------------------------------------------------------------------===//

ParseResult MapRowsOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::Argument rowIndex;
  StringAttr over, row;
  if (parser.parseArgument(rowIndex) || parser.parseKeyword("over") ||
      parser.parseAttribute(over) || parser.parseKeyword("row") ||
      parser.parseAttribute(row))
    return failure();
  rowIndex.type = parser.getBuilder().getIndexType();
  result.addAttribute(getOverAttrName(result.name), over);
  result.addAttribute(getRowAttrName(result.name), row);
  if (succeeded(parser.parseOptionalKeyword("schedule"))) {
    ScheduleAttr schedule;
    if (parser.parseAttribute(schedule))
      return failure();
    result.addAttribute(getScheduleAttrName(result.name), schedule);
  }
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  Region *body = result.addRegion();
  if (parser.parseRegion(*body, {rowIndex}))
    return failure();
  MapRowsOp::ensureTerminator(*body, parser.getBuilder(), result.location);
  return success();
}

void MapRowsOp::print(OpAsmPrinter &p) {
  p << ' ';
  p << getRowIndex();
  p << " over ";
  p.printAttribute(getOverAttr());
  p << " row ";
  p.printAttribute(getRowAttr());
  if (getScheduleAttr()) {
    p << " schedule ";
    p.printAttribute(getScheduleAttr());
  }
  p.printOptionalAttrDictWithKeyword(
      (*this)->getAttrs(),
      {getOverAttrName(), getRowAttrName(), getScheduleAttrName()});
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                /*printBlockTerminators=*/false);
}

/// Ops that fold many values into few without a contract.
static bool isUncontractedReduction(Operation &op) {
  StringRef name = op.getName().getStringRef();
  if (name.contains("reduc") || name.starts_with("linalg."))
    return true;
  // A loop carrying a value accumulates across iterations.
  return op.getNumRegions() > 0 && op.getNumResults() > 0;
}

static constexpr arith::FastMathFlags kReorderingFlags =
    arith::FastMathFlags::reassoc | arith::FastMathFlags::contract |
    arith::FastMathFlags::arcp | arith::FastMathFlags::afn;

LogicalResult MapRowsOp::verifyRegions() {
  KernelOp kernel = getKernel();
  DimAttr overDim = kernel.lookupDim(getOver());
  if (!overDim)
    return emitOpError() << "iterates undeclared dimension '" << getOver()
                         << "'";
  if (overDim.getKind() != DimKind::batch)
    return emitOpError() << "must iterate a batch dimension, but '" << getOver()
                         << "' is declared "
                         << stringifyDimKind(overDim.getKind());
  DimAttr rowDim = kernel.lookupDim(getRow());
  if (!rowDim)
    return emitOpError() << "has rows along undeclared dimension '" << getRow()
                         << "'";
  if (rowDim.getKind() == DimKind::batch)
    return emitOpError() << "rows cannot run along batch dimension '"
                         << getRow() << "'";
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 || !body.getArgument(0).getType().isIndex())
    return emitOpError() << "body must take one index argument (the row)";

  for (Operation &op : body.without_terminator()) {
    Dialect *dialect = op.getDialect();
    StringRef ns = dialect ? dialect->getNamespace() : "";
    if (ns != "bi" && ns != "arith" && ns != "math") {
      if (isUncontractedReduction(op))
        return op.emitOpError()
               << "is a reduction without an order contract; rule: every "
                  "floating-point reduction in a bi kernel must be a "
                  "'bi.reduce' with '#bi.order<...>'";
      return op.emitOpError()
             << "is not allowed in a row program; use bi, arith and math ops";
    }
    auto fmf = dyn_cast<arith::ArithFastMathInterface>(op);
    if (arith::FastMathFlagsAttr attr =
            fmf ? fmf.getFastMathFlagsAttr() : arith::FastMathFlagsAttr()) {
      arith::FastMathFlags flags = attr.getValue();
      if (arith::bitEnumContainsAny(flags, kReorderingFlags))
        return op.emitOpError()
               << "has fast-math flags '"
               << arith::stringifyFastMathFlags(flags & kReorderingFlags)
               << "' that let the compiler reorder, fuse or approximate "
                  "floating-point operations; rule: a batch-invariant kernel "
                  "states these choices in '#bi.math' instead";
    }
    for (Type type : op.getResultTypes()) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor)
        continue;
      if (tensor.getRank() != 1)
        return op.emitOpError()
               << "produces " << type << "; rows are 1-D tensors";
      if (!tensor.isDynamicDim(0) &&
          (!rowDim.getSize() || *rowDim.getSize() != tensor.getDimSize(0)))
        return op.emitOpError()
               << "produces a row of " << tensor.getDimSize(0)
               << " elements but rows along '" << getRow() << "' have "
               << (rowDim.getSize() ? std::to_string(*rowDim.getSize())
                                    : std::string("a dynamic extent"));
    }
  }
  if (ScheduleAttr schedule = getScheduleAttr()) {
    WalkResult walk = getBody().walk([&](ReduceOp reduce) -> WalkResult {
      ReductionOrderAttr order = reduce.getOrderAttr();
      if (!order || ShapedType::isDynamic(order.getLanes()))
        return WalkResult::advance();
      if (order.getLanes() % schedule.getThreads() != 0) {
        emitOpError() << "schedule uses " << schedule.getThreads()
                      << " threads per row, which does not divide the "
                      << order.getLanes() << " lanes of a reduction's contract";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DimOp
//===----------------------------------------------------------------------===//

LogicalResult DimOp::verify() {
  auto kernel = (*this)->getParentOfType<KernelOp>();
  if (!kernel || !kernel.lookupDim(getName()))
    return emitOpError() << "refers to undeclared dimension '" << getName()
                         << "'";
  return success();
}

OpFoldResult DimOp::fold(FoldAdaptor) {
  auto kernel = (*this)->getParentOfType<KernelOp>();
  if (!kernel)
    return {};
  if (DimAttr dim = kernel.lookupDim(getName()); dim && dim.getSize())
    return IntegerAttr::get(IndexType::get(getContext()), *dim.getSize());
  return {};
}

//===----------------------------------------------------------------------===//
// Row loads and stores
//===----------------------------------------------------------------------===//

/// The axes of `buffer`, which must be an argument of the enclosing kernel.
static FailureOr<SmallVector<StringRef>> getBufferAxes(Operation *op,
                                                       Value buffer) {
  auto arg = dyn_cast<BlockArgument>(buffer);
  auto kernel = op->getParentOfType<KernelOp>();
  if (!arg || !kernel || arg.getOwner() != &kernel.getBody().front())
    return op->emitOpError() << "buffer must be an argument of the kernel";
  return kernel.getArgAxes(arg.getArgNumber());
}

/// Checks that `buffer` has axes `[batch, row]` (with a row index) or `[row]`.
static LogicalResult verifyRowAccess(Operation *op, Value buffer, bool hasRow,
                                     Type elementType) {
  FailureOr<SmallVector<StringRef>> axes = getBufferAxes(op, buffer);
  if (failed(axes))
    return failure();
  auto mapRows = op->getParentOfType<MapRowsOp>();
  SmallVector<StringRef> expected;
  if (hasRow)
    expected.push_back(mapRows.getOver());
  expected.push_back(mapRows.getRow());
  if (*axes != ArrayRef<StringRef>(expected)) {
    InFlightDiagnostic diag = op->emitOpError()
                              << "expects a buffer with axes [";
    llvm::interleaveComma(expected, diag);
    diag << "], got [";
    llvm::interleaveComma(*axes, diag);
    return diag << "]";
  }
  Type bufferElement = cast<MemRefType>(buffer.getType()).getElementType();
  if (bufferElement != elementType)
    return op->emitOpError()
           << "element type " << elementType << " does not match the buffer's "
           << bufferElement;
  return success();
}

LogicalResult LoadRowOp::verify() {
  return verifyRowAccess(*this, getBuffer(), static_cast<bool>(getRow()),
                         getResult().getType().getElementType());
}

LogicalResult StoreRowOp::verify() {
  return verifyRowAccess(*this, getBuffer(), /*hasRow=*/true,
                         getValue().getType().getElementType());
}

LogicalResult StoreScalarOp::verify() {
  FailureOr<SmallVector<StringRef>> axes = getBufferAxes(*this, getBuffer());
  if (failed(axes))
    return failure();
  auto mapRows = (*this)->getParentOfType<MapRowsOp>();
  if (axes->size() != 1 || axes->front() != mapRows.getOver())
    return emitOpError() << "expects a buffer whose only axis is the batch "
                            "dimension '"
                         << mapRows.getOver() << "'";
  Type bufferElement = cast<MemRefType>(getBuffer().getType()).getElementType();
  if (bufferElement != getValue().getType())
    return emitOpError() << "value type " << getValue().getType()
                         << " does not match the buffer's " << bufferElement;
  return success();
}

LogicalResult BroadcastOp::verify() {
  if (getResult().getType().getElementType() != getScalar().getType())
    return emitOpError() << "result element type must be "
                         << getScalar().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

/// The kernel's math mode with a contract's `fma` and `fn` overrides.
static MathModeAttr overrideMath(MathModeAttr kernelMath,
                                 ReductionOrderAttr order) {
  if (!order)
    return kernelMath;
  return MathModeAttr::get(kernelMath.getContext(),
                           order.getFma().value_or(kernelMath.getFma()),
                           order.getFn().value_or(kernelMath.getFn()));
}

MathModeAttr ReduceOp::getEffectiveMath() {
  return overrideMath((*this)->getParentOfType<KernelOp>().getEffectiveMath(),
                      getOrderAttr());
}

LogicalResult ReduceOp::verify() {
  Type element = getInput().getType().getElementType();
  Type result = getResult().getType();
  bool isFloat = isa<FloatType>(element);
  if (isFloat != isa<FloatType>(result) ||
      result.getIntOrFloatBitWidth() < element.getIntOrFloatBitWidth())
    return emitOpError() << "accumulator type " << result
                         << " cannot hold elements of type " << element;

  ReductionOrderAttr order = getOrderAttr();
  if (isFloat && !order)
    return emitOpError()
           << "is a floating-point reduction without an order contract; rule: "
              "every floating-point reduction declares its order, e.g. "
              "'order #bi.order<lanes = 256, vector = 8, combine = tree>'";

  auto kernel = (*this)->getParentOfType<KernelOp>();
  auto mapRows = (*this)->getParentOfType<MapRowsOp>();
  DimAttr dim = kernel ? kernel.lookupDim(getOver()) : DimAttr();
  if (!dim)
    return emitOpError() << "reduces over undeclared dimension '" << getOver()
                         << "'";
  if (dim.getKind() == DimKind::batch)
    return emitOpError() << "reduces over batch dimension '" << getOver()
                         << "'; rule: a batch extent must never shape a "
                            "reduction; reduce over a reduction dimension";
  if (dim.getKind() != DimKind::reduction)
    return emitOpError() << "reduces over '" << getOver()
                         << "', which is declared parallel; declare it "
                            "'reduction'";
  if (mapRows && mapRows.getRow() != getOver())
    return emitOpError() << "reduces over '" << getOver()
                         << "' but rows of this row program run along '"
                         << mapRows.getRow() << "'";

  if (std::optional<arith::FastMathFlags> fmf = getFastmath()) {
    arith::FastMathFlags flags = *fmf;
    if (arith::bitEnumContainsAny(flags, kReorderingFlags))
      return emitOpError()
             << "has fast-math flags '"
             << arith::stringifyFastMathFlags(flags & kReorderingFlags)
             << "' that allow reassociating the reduction; rule: the order "
                "contract alone decides the order";
  }

  if (!order) {
    if (!getParams().empty())
      return emitOpError() << "has contract parameters but no contract";
    return success();
  }
  if (order.getUnit() != HardwareUnit::none && getKind() != ReductionKind::add)
    return emitOpError() << "hardware unit '"
                         << stringifyHardwareUnit(order.getUnit())
                         << "' only reduces with 'add'";
  SmallVector<StringRef> dynamicNames = order.getDynamicParamNames();
  if (dynamicNames.size() != getParams().size())
    return emitOpError() << "order contract has " << dynamicNames.size()
                         << " parameter(s) written '?' but "
                         << getParams().size() << " operand(s) are given";
  if (!kernel)
    return success();
  for (auto [name, param] : llvm::zip(dynamicNames, getParams())) {
    ContractParamDiagnosis diag =
        diagnoseContractParam(param, getOver(), kernel);
    switch (diag.kind) {
    case ContractParamDiagnosis::Kind::Ok:
      break;
    case ContractParamDiagnosis::Kind::BatchExtent:
      return emitOpError()
             << "order-contract parameter '" << name
             << "' depends on batch extent '" << diag.source << "' (via "
             << diag.chain
             << "); rule: a contract depends only on the reduction extent '"
             << getOver() << "' and constants";
    case ContractParamDiagnosis::Kind::OtherRuntimeValue:
      return emitOpError()
             << "order-contract parameter '" << name
             << "' depends on run-time value " << diag.source
             << (diag.chain.empty() ? "" : " (via " + diag.chain + ")")
             << "; rule: a contract depends only on the reduction extent '"
             << getOver() << "' and constants";
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// The axes of `value` if it is a buffer argument of `kernel`.
static std::optional<SmallVector<StringRef>>
getKernelBufferAxes(KernelOp kernel, Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!kernel || !arg || arg.getOwner() != &kernel.getBody().front() ||
      !isa<MemRefType>(arg.getType()))
    return std::nullopt;
  return kernel.getArgAxes(arg.getArgNumber());
}

ParseResult MatmulOp::parse(OpAsmParser &parser, OperationState &result) {
  OpAsmParser::UnresolvedOperand a, b, c, bias, residual;
  Type aType, bType, cType, biasType, residualType;
  StringAttr over;
  if (parser.parseOperand(a) || parser.parseComma() || parser.parseOperand(b) ||
      parser.parseKeyword("into") || parser.parseOperand(c) ||
      parser.parseColon() || parser.parseType(aType) || parser.parseComma() ||
      parser.parseType(bType) || parser.parseArrow() ||
      parser.parseType(cType) || parser.parseKeyword("over") ||
      parser.parseAttribute(over))
    return failure();
  bool hasBias = succeeded(parser.parseOptionalKeyword("bias"));
  if (hasBias && (parser.parseOperand(bias) || parser.parseColon() ||
                  parser.parseType(biasType)))
    return failure();
  // Always set, `none` when absent, so that a kernel has one canonical
  // (fingerprinted) form.
  Activation activation = Activation::none;
  if (succeeded(parser.parseOptionalKeyword("activation"))) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef word;
    if (parser.parseKeyword(&word))
      return failure();
    std::optional<Activation> parsed = symbolizeActivation(word);
    if (!parsed)
      return parser.emitError(loc) << "unknown activation '" << word
                                   << "'; expected none, relu or silu";
    activation = *parsed;
  }
  bool hasResidual = succeeded(parser.parseOptionalKeyword("residual"));
  if (hasResidual && (parser.parseOperand(residual) || parser.parseColon() ||
                      parser.parseType(residualType)))
    return failure();
  ReductionOrderAttr order;
  MatmulScheduleAttr schedule;
  if (parseOptionalKeywordAttr(parser, "order", order,
                               "an order contract #bi.order<...>") ||
      parseOptionalKeywordAttr(parser, "schedule", schedule,
                               "a GEMM schedule #bi.matmul_schedule<...>") ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();

  Properties &properties = result.getOrAddProperties<Properties>();
  properties.over = over;
  properties.activation = ActivationAttr::get(parser.getContext(), activation);
  properties.order = order;
  properties.schedule = schedule;
  properties.operandSegmentSizes = {1, 1, 1, hasBias, hasResidual};
  if (parser.resolveOperand(a, aType, result.operands) ||
      parser.resolveOperand(b, bType, result.operands) ||
      parser.resolveOperand(c, cType, result.operands) ||
      (hasBias && parser.resolveOperand(bias, biasType, result.operands)) ||
      (hasResidual &&
       parser.resolveOperand(residual, residualType, result.operands)))
    return failure();
  return success();
}

void MatmulOp::print(OpAsmPrinter &p) {
  p << ' ' << getA() << ", " << getB() << " into " << getC() << " : "
    << getA().getType() << ", " << getB().getType() << " -> "
    << getC().getType() << " over ";
  p.printAttribute(getOverAttr());
  if (Value bias = getBias())
    p << " bias " << bias << " : " << bias.getType();
  if (getActivation() != Activation::none)
    p << " activation " << stringifyActivation(getActivation());
  if (Value residual = getResidual())
    p << " residual " << residual << " : " << residual.getType();
  if (ReductionOrderAttr order = getOrderAttr()) {
    p << ' ';
    printOrderContract(p, *this, order, OperandRange(nullptr, 0));
  }
  if (MatmulScheduleAttr schedule = getScheduleAttr()) {
    p << " schedule ";
    p.printAttribute(schedule);
  }
  p.printOptionalAttrDictWithKeyword(
      (*this)->getAttrs(),
      {getOverAttrName(), getActivationAttrName(), getOrderAttrName(),
       getScheduleAttrName(), getOperandSegmentSizesAttrName()});
}

static std::string formatAxes(ArrayRef<StringRef> axes) {
  return "[" + llvm::join(axes, ", ") + "]";
}

StringRef MatmulOp::getMDimName() {
  std::optional<SmallVector<StringRef>> axes =
      getKernelBufferAxes(getKernel(), getA());
  return axes && axes->size() == 2 ? (*axes)[0] : StringRef();
}

StringRef MatmulOp::getNDimName() {
  std::optional<SmallVector<StringRef>> axes =
      getKernelBufferAxes(getKernel(), getC());
  return axes && axes->size() == 2 ? (*axes)[1] : StringRef();
}

bool MatmulOp::isNnLinearLayout() {
  std::optional<SmallVector<StringRef>> axes =
      getKernelBufferAxes(getKernel(), getB());
  return axes && axes->size() == 2 && (*axes)[0] == getNDimName() &&
         (*axes)[1] == getKDimName();
}

MathModeAttr MatmulOp::getEffectiveMath() {
  return overrideMath(getKernel().getEffectiveMath(), getOrderAttr());
}

/// The element types a GEMM moves through memory; everything in between is
/// f32.
static bool isGemmStorageType(Type type) {
  return type.isBF16() || type.isF16() || type.isF32();
}

LogicalResult MatmulOp::verify() {
  KernelOp kernel = getKernel();
  struct Operand {
    StringRef role;
    Value value;
    int64_t rank;
    StringRef axes; // the rule, for messages
    SmallVector<StringRef> actualAxes = {};
  };
  SmallVector<Operand> operands = {{"a", getA(), 2, "[M, K]"},
                                   {"b", getB(), 2, "[N, K] or [K, N]"},
                                   {"c", getC(), 2, "[M, N]"}};
  if (getBias())
    operands.push_back({"bias", getBias(), 1, "[N]"});
  if (getResidual())
    operands.push_back({"residual", getResidual(), 2, "[M, N]"});
  auto describe = [](StringRef role) {
    return (role == "c" ? "output '" : "operand '") + role.str() + "'";
  };

  for (Operand &operand : operands) {
    std::optional<SmallVector<StringRef>> axes =
        getKernelBufferAxes(kernel, operand.value);
    if (!axes)
      return emitOpError() << describe(operand.role)
                           << " must be a buffer argument of the enclosing "
                              "bi.kernel; bi.matmul reads and writes kernel "
                              "buffers directly";
    int64_t rank = cast<MemRefType>(operand.value.getType()).getRank();
    if (rank != operand.rank)
      return emitOpError() << describe(operand.role) << " must have rank "
                           << operand.rank << " (axes " << operand.axes
                           << "), got rank " << rank;
    operand.actualAxes = std::move(*axes);
  }
  // Tiles of C are written while other tiles still read the inputs, and
  // generated code treats every buffer as restrict: an output that is also
  // an input would make the bits depend on the order of tiles.
  for (const Operand &operand : operands)
    if (operand.role != "c" && operand.value == getC())
      return emitOpError() << "output 'c' is also operand '" << operand.role
                           << "'; write the product to a buffer that no "
                              "operand reads";
  ArrayRef<StringRef> aAxes = operands[0].actualAxes,
                      bAxes = operands[1].actualAxes,
                      cAxes = operands[2].actualAxes;

  // Dimensions: K is reduced; M and N index the output.
  StringRef k = getOver();
  DimAttr kDim = kernel.lookupDim(k);
  if (!kDim)
    return emitOpError() << "reduces over undeclared dimension '" << k << "'";
  if (kDim.getKind() == DimKind::batch)
    return emitOpError() << "reduces over batch dimension '" << k
                         << "'; rule: a batch extent must never shape a "
                            "reduction; reduce over a reduction dimension";
  if (kDim.getKind() != DimKind::reduction)
    return emitOpError() << "reduces over '" << k
                         << "', which is declared parallel; declare it "
                            "'reduction'";
  if (aAxes[1] != k)
    return emitOpError() << "operand 'a' has axes " << formatAxes(aAxes)
                         << "; expected [" << aAxes[0] << ", " << k
                         << "]: axis 1 must be the reduced dimension '" << k
                         << "'";
  StringRef m = aAxes[0];
  if (DimAttr mDim = kernel.lookupDim(m);
      mDim && mDim.getKind() == DimKind::reduction)
    return emitOpError() << "the rows '" << m
                         << "' of 'a' are declared reduction; M must be a "
                            "batch or parallel dimension, since only '"
                         << k << "' is reduced";
  if (cAxes[0] != m)
    return emitOpError() << "output 'c' has axes " << formatAxes(cAxes)
                         << "; expected [" << m << ", N]: axis 0 must be '" << m
                         << "', the rows of 'a'";
  // N is never a batch dimension: the kernel already requires a batch axis
  // to lead, and N is axis 1 of 'c'.
  StringRef n = cAxes[1];
  if (n == k)
    return emitOpError() << "output 'c' has axes " << formatAxes(cAxes)
                         << "; expected [" << m
                         << ", N]: axis 1 must be the columns N, a dimension "
                            "other than the reduced '"
                         << k << "'";
  if (bAxes != ArrayRef<StringRef>{n, k} && bAxes != ArrayRef<StringRef>{k, n})
    return emitOpError() << "operand 'b' has axes " << formatAxes(bAxes)
                         << "; expected [" << n << ", " << k
                         << "] (nn.Linear layout) or [" << k << ", " << n
                         << "] (row-major K x N)";
  for (const Operand &operand : ArrayRef(operands).drop_front(3)) {
    SmallVector<StringRef> expected;
    if (operand.role == "residual")
      expected.push_back(m);
    expected.push_back(n);
    if (ArrayRef<StringRef>(operand.actualAxes) != ArrayRef(expected))
      return emitOpError() << "operand '" << operand.role << "' has axes "
                           << formatAxes(operand.actualAxes) << "; expected "
                           << formatAxes(expected)
                           << (operand.role == "bias" ? ", the columns of 'c'"
                                                      : ", the axes of 'c'");
  }

  // Element types: products and sums are f32 whatever is stored.
  auto elementType = [](Value value) {
    return cast<MemRefType>(value.getType()).getElementType();
  };
  Type inputType = elementType(getA());
  if (inputType != elementType(getB()))
    return emitOpError() << "operands 'a' and 'b' must have the same element "
                            "type, got "
                         << inputType << " and " << elementType(getB());
  if (!isGemmStorageType(inputType))
    return emitOpError() << "operand 'a' has element type " << inputType
                         << "; expected bf16 or f16 (or f32 with a contract "
                            "without 'unit')";
  for (const Operand &operand : ArrayRef(operands).drop_front(2))
    if (!isGemmStorageType(elementType(operand.value)))
      return emitOpError() << describe(operand.role) << " has element type "
                           << elementType(operand.value)
                           << "; expected bf16, f16 or f32";

  // The contract: chunks of K folded by one accumulator or one hardware
  // unit each, chunk partials added left to right.
  ReductionOrderAttr order = getOrderAttr();
  if (!order)
    return emitOpError()
           << "is a floating-point reduction without an order contract; "
              "rule: every floating-point reduction declares its order, "
              "e.g. 'order #bi.order<chunk = 1024, chunk_combine = seq, "
              "step = 16, unit = wgmma.m64nNk16>'";
  if (order.getNumDynamicParams() != 0)
    return emitOpError() << "order contract has parameters written '?'; "
                            "bi.matmul takes constant contracts only, so "
                            "write 'chunk' and 'step' as integers";
  if (order.getLanes() != 1)
    return emitOpError() << "order contract: 'lanes = " << order.getLanes()
                         << "' does not apply to bi.matmul, which folds each "
                            "chunk with one accumulator; omit 'lanes'";
  if (order.getVector() != 1)
    return emitOpError() << "order contract: 'vector = " << order.getVector()
                         << "' does not apply to bi.matmul, which folds each "
                            "chunk one k (or one unit step) at a time; omit "
                            "'vector'";
  if (order.getCombine() != CombineOrder::seq)
    return emitOpError() << "order contract: 'combine = "
                         << stringifyCombineOrder(order.getCombine())
                         << "' does not apply to bi.matmul, which has no "
                            "lanes to combine; omit 'combine'";
  if (order.getChunk() != 0 && order.getChunkCombine() != CombineOrder::seq)
    return emitOpError() << "order contract: 'chunk_combine = "
                         << stringifyCombineOrder(order.getChunkCombine())
                         << "' is not implemented for bi.matmul; use "
                            "'chunk_combine = seq' (chunk partials added left "
                            "to right)";
  switch (order.getUnit()) {
  case HardwareUnit::none:
    break;
  case HardwareUnit::mma_sync_m16n8k16:
    return emitOpError() << "order contract: unit '"
                         << stringifyHardwareUnit(order.getUnit())
                         << "' is not implemented for bi.matmul; use "
                            "wgmma.m64nNk16 or no unit";
  case HardwareUnit::wgmma_m64nNk16:
    if (inputType.isF32())
      return emitOpError() << "order contract: unit 'wgmma.m64nNk16' "
                              "multiplies bf16 or f16, but 'a' and 'b' are "
                              "'f32'; use bf16 or f16 operands or a contract "
                              "without 'unit'";
    if (order.getChunk() % 64 != 0)
      return emitOpError() << "order contract: 'chunk = " << order.getChunk()
                           << "' must be a multiple of 64 with unit "
                              "'wgmma.m64nNk16', because the Hopper schedule "
                              "loads K in tiles of 64 and each tile must lie "
                              "inside one chunk";
    break;
  }
  return success();
}

TypedAttr mlir::bi::getReductionIdentity(ReductionKind kind, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    APFloat value = kind == ReductionKind::add ? APFloat::getZero(sem)
                    : kind == ReductionKind::max
                        ? APFloat::getInf(sem, /*Negative=*/true)
                        : APFloat::getInf(sem, /*Negative=*/false);
    return FloatAttr::get(type, value);
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = kind == ReductionKind::add   ? APInt::getZero(width)
                : kind == ReductionKind::max ? APInt::getSignedMinValue(width)
                                             : APInt::getSignedMaxValue(width);
  return IntegerAttr::get(type, value);
}

ContractParamDiagnosis mlir::bi::diagnoseContractParam(Value param,
                                                       StringRef reductionDim,
                                                       KernelOp kernel) {
  // Depth-first over the definition chain; `path` holds the op names from
  // the parameter down to the value being looked at.
  SmallVector<std::string> path;
  SmallPtrSet<Value, 8> visited;
  ContractParamDiagnosis result;
  std::function<bool(Value)> visit = [&](Value value) -> bool {
    if (!visited.insert(value).second)
      return true;
    auto chain = [&] {
      std::string text;
      llvm::raw_string_ostream os(text);
      llvm::interleave(path, os, " <- ");
      return text;
    };
    Operation *def = value.getDefiningOp();
    if (!def) {
      result.kind = ContractParamDiagnosis::Kind::OtherRuntimeValue;
      auto arg = cast<BlockArgument>(value);
      result.source =
          arg.getOwner()->getParentOp() == kernel.getOperation()
              ? "kernel argument #" + std::to_string(arg.getArgNumber())
              : "block argument #" + std::to_string(arg.getArgNumber()) +
                    " of '" +
                    arg.getOwner()
                        ->getParentOp()
                        ->getName()
                        .getStringRef()
                        .str() +
                    "'";
      result.chain = chain();
      return false;
    }
    path.push_back("'" + def->getName().getStringRef().str() + "'");
    bool ok = true;
    if (auto dim = dyn_cast<DimOp>(def)) {
      if (dim.getName() != reductionDim) {
        DimAttr decl = kernel.lookupDim(dim.getName());
        bool batch = decl && decl.getKind() == DimKind::batch;
        result.kind = batch ? ContractParamDiagnosis::Kind::BatchExtent
                            : ContractParamDiagnosis::Kind::OtherRuntimeValue;
        result.source = batch ? dim.getName().str()
                              : "'bi.dim \"" + dim.getName().str() + "\"'";
        result.chain = chain();
        ok = false;
      }
    } else if (def->hasTrait<OpTrait::ConstantLike>()) {
      // Constants decide nothing at run time.
    } else if (def->getDialect() &&
               def->getDialect()->getNamespace() == "arith" &&
               isMemoryEffectFree(def) && def->getNumRegions() == 0) {
      for (Value operand : def->getOperands())
        if (!(ok = visit(operand)))
          break;
    } else {
      result.kind = ContractParamDiagnosis::Kind::OtherRuntimeValue;
      result.source = "'" + def->getName().getStringRef().str() + "'";
      result.chain = chain();
      ok = false;
    }
    path.pop_back();
    return ok;
  };
  visit(param);
  return result;
}
