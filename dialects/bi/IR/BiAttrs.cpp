//===- BiAttrs.cpp - bi attributes ----------------------------------------===//
//
// The order contract's syntax and its consistency rules.
//
//===----------------------------------------------------------------------===//
#include "bi/IR/BiAttrs.h"
#include "bi/IR/BiDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::bi;

#include "bi/IR/BiEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "bi/IR/BiAttrs.cpp.inc"

void BiDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "bi/IR/BiAttrs.cpp.inc"
      >();
}

int64_t mlir::bi::getUnitStep(HardwareUnit unit) {
  switch (unit) {
  case HardwareUnit::none:
    return 1;
  case HardwareUnit::wgmma_m64nNk16:
  case HardwareUnit::mma_sync_m16n8k16:
    return 16;
  }
  llvm_unreachable("unknown hardware unit");
}

//===----------------------------------------------------------------------===//
// DimAttr
//===----------------------------------------------------------------------===//

LogicalResult DimAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              StringRef name, DimKind kind,
                              std::optional<int64_t> size) {
  if (name.empty())
    return emitError() << "dimension name must not be empty";
  if (kind == DimKind::batch && size)
    return emitError() << "batch dimension '" << name
                       << "' cannot have a static extent: its extent follows "
                          "the load; drop '= "
                       << *size << "'";
  if (size && *size <= 0)
    return emitError() << "dimension '" << name
                       << "' must have a positive extent, got " << *size;
  return success();
}

//===----------------------------------------------------------------------===//
// ScheduleAttr
//===----------------------------------------------------------------------===//

LogicalResult ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t threads, int64_t rows) {
  if (threads < 1 || threads > 1024 || !llvm::isPowerOf2_64(threads))
    return emitError() << "schedule threads must be a power of two in "
                          "[1, 1024], got "
                       << threads;
  if (rows < 1 || threads * rows > 1024)
    return emitError() << "schedule rows must be >= 1 with threads * rows <= "
                          "1024, got rows = "
                       << rows;
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulScheduleAttr
//===----------------------------------------------------------------------===//

LogicalResult
MatmulScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           int64_t blockM, int64_t blockN, int64_t stages,
                           ChunkPlacement) {
  if (blockM < 1 || blockN < 1)
    return emitError() << "matmul schedule: 'block_m' and 'block_n' must be "
                          ">= 1, got "
                       << blockM << " and " << blockN;
  if (stages < 1)
    return emitError() << "matmul schedule: 'stages' must be >= 1, got "
                       << stages;
  return success();
}

//===----------------------------------------------------------------------===//
// ReductionOrderAttr
//===----------------------------------------------------------------------===//

static constexpr int64_t kDynamicParam = ShapedType::kDynamic;

static void printParam(AsmPrinter &printer, int64_t value) {
  if (value == kDynamicParam)
    printer << "?";
  else
    printer << value;
}

Attribute ReductionOrderAttr::parse(AsmParser &parser, Type) {
  int64_t chunk = 0, lanes = 1, vector = 1, step = 1;
  CombineOrder chunkCombine = CombineOrder::seq, combine = CombineOrder::seq;
  FoldOrder fold = FoldOrder::seq;
  HardwareUnit unit = HardwareUnit::none;
  std::optional<FmaMode> fma;
  std::optional<FnMode> fn;
  llvm::StringSet<> seen;

  auto parseParam = [&](int64_t &value) -> ParseResult {
    if (succeeded(parser.parseOptionalQuestion())) {
      value = kDynamicParam;
      return success();
    }
    return parser.parseInteger(value);
  };
  auto parseEnum = [&](auto symbolize, auto &value,
                       StringRef key) -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    std::string word;
    if (parser.parseOptionalKeywordOrString(&word))
      return parser.emitError(loc) << "expected a keyword for '" << key << "'";
    auto parsed = symbolize(word);
    if (!parsed)
      return parser.emitError(loc)
             << "invalid value '" << word << "' for order-contract key '" << key
             << "'";
    value = *parsed;
    return success();
  };

  if (parser.parseLess())
    return {};
  do {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (!seen.insert(key).second) {
      parser.emitError(keyLoc)
          << "order-contract key '" << key << "' given twice";
      return {};
    }
    ParseResult result = success();
    if (key == "chunk") {
      result = parseParam(chunk);
      if (succeeded(result) && chunk == 0) {
        parser.emitError(keyLoc) << "order contract: 'chunk' must be >= 1, "
                                    "got 0; omit 'chunk' for no chunks";
        return {};
      }
    } else if (key == "lanes")
      result = parseParam(lanes);
    else if (key == "vector")
      result = parseParam(vector);
    else if (key == "step")
      result = parseParam(step);
    else if (key == "chunk_combine")
      result = parseEnum([](StringRef w) { return symbolizeCombineOrder(w); },
                         chunkCombine, key);
    else if (key == "combine")
      result = parseEnum([](StringRef w) { return symbolizeCombineOrder(w); },
                         combine, key);
    else if (key == "fold")
      result = parseEnum([](StringRef w) { return symbolizeFoldOrder(w); },
                         fold, key);
    else if (key == "unit")
      result = parseEnum([](StringRef w) { return symbolizeHardwareUnit(w); },
                         unit, key);
    else if (key == "fma") {
      FmaMode mode;
      result =
          parseEnum([](StringRef w) { return symbolizeFmaMode(w); }, mode, key);
      fma = mode;
    } else if (key == "fn") {
      FnMode mode;
      result =
          parseEnum([](StringRef w) { return symbolizeFnMode(w); }, mode, key);
      fn = mode;
    } else {
      parser.emitError(keyLoc)
          << "unknown order-contract key '" << key
          << "'; expected one of chunk, chunk_combine, lanes, vector, fold, "
             "combine, unit, step, fma, fn";
      return {};
    }
    if (failed(result))
      return {};
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return {};
  if (!seen.contains("chunk") && seen.contains("chunk_combine")) {
    parser.emitError(parser.getNameLoc())
        << "'chunk_combine' needs 'chunk': without chunks there is nothing "
           "to combine";
    return {};
  }
  return parser.getChecked<ReductionOrderAttr>(
      parser.getContext(), chunk, chunkCombine, lanes, vector, fold, combine,
      unit, step, fma, fn);
}

void ReductionOrderAttr::print(AsmPrinter &printer) const {
  printer << "<";
  bool first = true;
  auto key = [&](StringRef name) -> AsmPrinter & {
    if (!first)
      printer << ", ";
    first = false;
    return printer << name << " = ";
  };
  if (getChunk() != 0) {
    key("chunk");
    printParam(printer, getChunk());
    key("chunk_combine") << stringifyCombineOrder(getChunkCombine());
  }
  key("lanes");
  printParam(printer, getLanes());
  key("vector");
  printParam(printer, getVector());
  key("fold") << stringifyFoldOrder(getFold());
  key("combine") << stringifyCombineOrder(getCombine());
  if (getUnit() != HardwareUnit::none) {
    key("unit") << stringifyHardwareUnit(getUnit());
    key("step");
    printParam(printer, getStep());
  }
  if (getFma())
    key("fma") << stringifyFmaMode(*getFma());
  if (getFn())
    key("fn") << stringifyFnMode(*getFn());
  printer << ">";
}

LogicalResult ReductionOrderAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, int64_t chunk,
    CombineOrder chunkCombine, int64_t lanes, int64_t vector, FoldOrder fold,
    CombineOrder combine, HardwareUnit unit, int64_t step,
    std::optional<FmaMode> fma, std::optional<FnMode> fn) {
  auto isStatic = [](int64_t v) { return v != kDynamicParam; };
  if (isStatic(lanes) && lanes < 1)
    return emitError() << "order contract: 'lanes' must be >= 1, got " << lanes;
  if (isStatic(vector) && vector < 1)
    return emitError() << "order contract: 'vector' must be >= 1, got "
                       << vector;
  if (isStatic(chunk) && chunk < 0)
    return emitError() << "order contract: 'chunk' must be >= 1, got " << chunk;
  if (isStatic(step) && step < 1)
    return emitError() << "order contract: 'step' must be >= 1, got " << step;
  if (combine == CombineOrder::tree && isStatic(lanes) &&
      !llvm::isPowerOf2_64(lanes))
    return emitError() << "order contract: 'combine = tree' needs a power-of-"
                          "two number of lanes, got "
                       << lanes << "; use 'combine = seq' or change 'lanes'";
  if (unit == HardwareUnit::none && isStatic(step) && step != 1)
    return emitError() << "order contract: 'step = " << step
                       << "' needs a hardware 'unit' that consumes " << step
                       << " elements per instruction";
  if (unit != HardwareUnit::none && isStatic(step) && step != getUnitStep(unit))
    return emitError() << "order contract: unit '"
                       << stringifyHardwareUnit(unit) << "' reduces "
                       << getUnitStep(unit) << " elements per step, but "
                       << "'step = " << step << "'";
  if (unit != HardwareUnit::none && isStatic(vector) && vector != 1)
    return emitError() << "order contract: a hardware 'unit' fixes the order "
                          "inside a step; 'vector' must be 1";
  if (isStatic(chunk) && chunk > 0 && isStatic(step) && chunk % step != 0)
    return emitError() << "order contract: 'chunk = " << chunk
                       << "' is not a multiple of 'step = " << step << "'";
  return success();
}

unsigned ReductionOrderAttr::getNumDynamicParams() const {
  return getDynamicParamNames().size();
}

SmallVector<StringRef> ReductionOrderAttr::getDynamicParamNames() const {
  SmallVector<StringRef> names;
  if (getChunk() == kDynamicParam)
    names.push_back("chunk");
  if (getLanes() == kDynamicParam)
    names.push_back("lanes");
  if (getVector() == kDynamicParam)
    names.push_back("vector");
  if (getStep() == kDynamicParam)
    names.push_back("step");
  return names;
}

ReductionOrderAttr
ReductionOrderAttr::withDynamicParams(ArrayRef<int64_t> values) const {
  int64_t chunk = getChunk(), lanes = getLanes(), vector = getVector(),
          step = getStep();
  unsigned next = 0;
  for (int64_t *param : {&chunk, &lanes, &vector, &step})
    if (*param == kDynamicParam)
      *param = values[next++];
  return ReductionOrderAttr::get(getContext(), chunk, getChunkCombine(), lanes,
                                 vector, getFold(), getCombine(), getUnit(),
                                 step, getFma(), getFn());
}
