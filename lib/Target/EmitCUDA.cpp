//===- EmitCUDA.cpp - scheduled bi kernels as CUDA C++ --------------------===//
//
// The NVRTC side path. It re-implements LowerToGPU.cpp's mapping of a
// scheduled row program onto threads as readable CUDA C++, statement for
// statement, and pins every floating-point operation to the instruction the
// NVVM path ends up with for it (__fadd_rn for add.rn.f32, inline PTX for
// max.NaN.f32 and the fast-math approximations, the portable exp derived
// from the very IR bi-lower-math builds). A difference in bits between the
// two backends is therefore a bug in one of them, never a compiler's choice.
//
// Row tensors are never materialised across consumers, as in the NVVM path:
// each reduction or store re-derives, for the vector it is processing, the
// elements it needs from the elementwise definition chain.
//
//===----------------------------------------------------------------------===//
#include "Target/EmitCUDA.h"
#include "Target/MatmulSemantics.h"
#include "Transforms/PortableMath.h"
#include "Transforms/RowReduction.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::bi;

//===----------------------------------------------------------------------===//
// Spelling types, literals and names
//===----------------------------------------------------------------------===//

/// The C++ type of a bi element or scalar type; index is 64-bit, as in the
/// NVVM path (convert-gpu-to-nvvm with index-bitwidth=64).
static std::optional<std::string> getCudaType(Type type) {
  if (type.isF32())
    return "float";
  if (type.isBF16())
    return "__nv_bfloat16";
  if (type.isF16())
    return "__half";
  if (type.isIndex() || type.isInteger(64))
    return "long long";
  if (type.isInteger(32))
    return "int";
  if (type.isInteger(16))
    return "short";
  if (type.isInteger(8))
    return "signed char";
  if (type.isInteger(1))
    return "bool";
  return std::nullopt;
}

/// The unsigned C++ type of the same width, for wrapping arithmetic and
/// unsigned comparisons.
static std::string getUnsignedCudaType(Type type) {
  if (type.isIndex() || type.isInteger(64))
    return "unsigned long long";
  if (type.isInteger(16))
    return "unsigned short";
  if (type.isInteger(8))
    return "unsigned char";
  if (type.isInteger(1))
    return "bool";
  return "unsigned";
}

static bool isHalfPrecision(Type type) { return type.isBF16() || type.isF16(); }

/// The shortest decimal literal that reads back as exactly `value`; non-finite
/// values are spelled by their bits.
static std::string getFloatLiteral(float value) {
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  if (!std::isfinite(value)) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "__uint_as_float(" << llvm::format("0x%08x", bits) << "u) /* "
       << (std::isnan(value) ? "nan"
           : value < 0       ? "-inf"
                             : "inf")
       << " */";
    return text;
  }
  char buffer[32];
  for (int precision = 1; precision <= 9; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (llvm::bit_cast<uint32_t>(std::strtof(buffer, nullptr)) == bits)
      break;
  }
  std::string text = buffer;
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text + "f";
}

/// A C++ expression for constant `attr` of element type `type`.
static std::optional<std::string> getLiteral(Attribute attr, Type type) {
  if (auto floatAttr = dyn_cast<FloatAttr>(attr)) {
    APFloat value = floatAttr.getValue();
    bool losesInfo = false;
    value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    if (losesInfo)
      return std::nullopt;
    std::string literal = getFloatLiteral(value.convertToFloat());
    if (type.isF32())
      return literal;
    // Exact: every bf16 and f16 value is an f32 value.
    if (type.isBF16())
      return "__float2bfloat16_rn(" + literal + ")";
    if (type.isF16())
      return "__float2half_rn(" + literal + ")";
    return std::nullopt;
  }
  if (auto intAttr = dyn_cast<IntegerAttr>(attr)) {
    if (type.isInteger(1))
      return std::string(intAttr.getValue().isZero() ? "false" : "true");
    unsigned width = type.isIndex() ? 64 : type.getIntOrFloatBitWidth();
    APInt value = intAttr.getValue().sextOrTrunc(width);
    std::string suffix = width == 64 ? "LL" : "";
    // The most negative value has no literal of its own in C++.
    if (value.isMinSignedValue())
      return "(-" + llvm::toString(value + 1, 10, true).substr(1) + suffix +
             " - 1)";
    return llvm::toString(value, 10, /*Signed=*/true) + suffix;
  }
  return std::nullopt;
}

/// A readable name for the result of `op` when the IR carries none: what it
/// computes, and for a conversion, its operand's name and the new type.
static std::string describeResult(Operation *op, StringRef operandName) {
  if (isa<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp, arith::UIToFPOp,
          arith::FPToSIOp, arith::FPToUIOp, arith::IndexCastOp,
          arith::IndexCastUIOp, arith::ExtSIOp, arith::ExtUIOp, arith::TruncIOp,
          arith::BitcastOp>(op) &&
      !operandName.empty()) {
    std::string text = operandName.str() + "_";
    llvm::raw_string_ostream os(text);
    os << getElementTypeOrSelf(op->getResult(0).getType());
    return text;
  }
  return llvm::StringSwitch<std::string>(op->getName().getStringRef())
      .Cases({"arith.addf", "arith.addi"}, "add")
      .Cases({"arith.subf", "arith.subi"}, "sub")
      .Cases({"arith.mulf", "arith.muli"}, "mul")
      .Cases({"arith.divf", "arith.divsi", "arith.divui"}, "div")
      .Case("arith.negf", "neg")
      .Cases({"arith.maximumf", "arith.maxnumf"}, "maximum")
      .Cases({"arith.minimumf", "arith.minnumf"}, "minimum")
      .Cases({"arith.cmpf", "arith.cmpi"}, "cmp")
      .Case("arith.select", "sel")
      .Cases({"arith.shrsi", "arith.shrui"}, "shr")
      .Case("arith.shli", "shl")
      .Default(op->getName().stripDialect().str());
}

namespace {
/// Hands out C++ identifiers, unique within one function, readable first.
class NameTable {
public:
  NameTable() {
    // Keywords and the functions the emitted code calls.
    for (const char *reserved :
         {"auto",   "bool",        "break",   "case",      "char",
          "const",  "continue",    "default", "do",        "double",
          "else",   "enum",        "extern",  "false",     "float",
          "for",    "goto",        "if",      "inline",    "int",
          "long",   "return",      "short",   "signed",    "sizeof",
          "static", "struct",      "switch",  "true",      "typedef",
          "union",  "unsigned",    "void",    "volatile",  "while",
          "class",  "delete",      "new",     "operator",  "template",
          "this",   "typename",    "using",   "namespace", "asm",
          "max",    "min",         "fmaxf",   "fminf",     "copysignf",
          "isnan",  "thread",      "row",     "row_valid", "row_unclamped",
          "first",  "num_vectors", "rounds",  "r",         "v",
          "j",      "slot",        "lane",    "x"})
      used.insert(reserved);
  }

  /// Takes `name` for the caller, who spells it itself.
  void reserve(StringRef name) { used.insert(name); }

  /// `base` made a valid identifier, with a numeric suffix if already taken.
  std::string fresh(StringRef base) {
    std::string name;
    for (char c : base)
      name += llvm::isAlnum(c) || c == '_' ? c : '_';
    if (name.empty() || llvm::isDigit(name.front()))
      name = "v" + name;
    if (used.insert(name).second)
      return name;
    for (unsigned suffix = 1;; ++suffix) {
      std::string candidate = name + "_" + std::to_string(suffix);
      if (used.insert(candidate).second)
        return candidate;
    }
  }

private:
  llvm::StringSet<> used;
};

/// A row value as one consumer sees it: an array holding the consumer's
/// vector of elements, or one scalar expression that every element shares
/// (a broadcast or a splat constant).
struct RowElements {
  std::string expr;
  bool isArray;
  std::string at(StringRef index) const {
    return isArray ? expr + "[" + index.str() + "]" : expr;
  }
};

/// The device functions the emitted code may call; each is written once,
/// before the kernel, only when used.
enum class Helper {
  MaxNaN,
  MinNaN,
  RsqrtRn,
  PortableExp,
  FastExp,
  FastRsqrt,
  FastSqrt,
  FastDiv,
  VectorAccess
};

/// Emits one scheduled bi.kernel as CUDA C++.
class CudaKernelEmitter {
public:
  CudaKernelEmitter(KernelOp kernel, MapRowsOp rows)
      : kernel(kernel), rows(rows), fn(kernel.getEffectiveMath().getFn()) {}

  FailureOr<std::string> run();
  /// Only the device functions `wanted` (and those they call).
  FailureOr<std::string> emitHelpersOnly(ArrayRef<Helper> wanted);

private:
  LogicalResult emitSignature(llvm::raw_ostream &out);
  LogicalResult emitRowProgram();
  LogicalResult emitScalarOp(Operation *op);
  LogicalResult emitReduce(ReduceOp reduce);
  LogicalResult emitStoreRow(StoreRowOp store);
  LogicalResult emitStoreScalar(StoreScalarOp store);
  LogicalResult emitHelpers(llvm::raw_ostream &out);
  LogicalResult emitPortableExp(llvm::raw_ostream &out);

  FailureOr<RowElements> materialize(Value tensor, int64_t width,
                                     DenseMap<Value, RowElements> &cache);
  FailureOr<std::string> getExpression(Operation *op,
                                       ArrayRef<std::string> operands);
  FailureOr<std::string> getFloatExpression(Operation *op,
                                            ArrayRef<std::string> x);
  FailureOr<std::string> getIntegerExpression(Operation *op,
                                              ArrayRef<std::string> x);
  std::string combine(ReductionKind kind, Type type, StringRef lhs,
                      StringRef rhs);
  std::string extend(StringRef value, Type from, Type to);
  std::string getIdentity(ReductionKind kind, Type type);
  std::string nameOf(Value value, StringRef fallback);
  std::string describe(Operation *op);
  FailureOr<std::string> typeOf(Operation *anchor, Type type);

  llvm::raw_ostream &line() { return body.indent(2 * depth); }
  void open(const Twine &head) {
    if (head.isTriviallyEmpty())
      line() << "{\n";
    else
      line() << head << " {\n";
    ++depth;
  }
  void close() {
    --depth;
    line() << "}\n";
  }
  void comment(const Twine &text) { line() << "// " << text << "\n"; }

  KernelOp kernel;
  MapRowsOp rows;
  FnMode fn;
  int64_t threads = 0, rowsPerBlock = 0;
  std::string bodyText;
  llvm::raw_string_ostream body{bodyText};
  unsigned depth = 1;
  NameTable names;
  DenseMap<Value, std::string> valueNames;
  DenseMap<Value, std::string> scalars;      // scalar SSA value -> expression
  DenseMap<Value, std::string> bufferParam;  // buffer argument -> pointer
  DenseMap<Value, std::string> bufferStride; // buffer argument -> row stride
  llvm::StringMap<std::string> extents;      // dimension name -> expression
  llvm::SetVector<Helper> helpers;
};
} // namespace

std::string CudaKernelEmitter::describe(Operation *op) {
  std::string operand;
  if (op->getNumOperands() == 1) {
    Value value = op->getOperand(0);
    operand = valueNames.lookup(value);
    if (operand.empty())
      operand = scalars.lookup(value);
    if (operand.empty() || !llvm::all_of(operand, [](char c) {
          return llvm::isAlnum(c) || c == '_';
        }))
      operand.clear();
  }
  return describeResult(op, operand);
}

std::string CudaKernelEmitter::nameOf(Value value, StringRef fallback) {
  auto it = valueNames.find(value);
  if (it != valueNames.end())
    return it->second;
  StringRef base = fallback;
  if (auto nameLoc = dyn_cast<NameLoc>(value.getLoc()))
    base = nameLoc.getName().getValue();
  return valueNames[value] = names.fresh(base);
}

FailureOr<std::string> CudaKernelEmitter::typeOf(Operation *anchor, Type type) {
  if (std::optional<std::string> spelled = getCudaType(type))
    return *spelled;
  return anchor->emitOpError()
         << "uses type " << type << ", which the CUDA emitter does not handle";
}

//===----------------------------------------------------------------------===//
// Signature: exactly LowerToGPU's kernel ABI
//===----------------------------------------------------------------------===//

LogicalResult CudaKernelEmitter::emitSignature(llvm::raw_ostream &out) {
  // Buffers that no store writes are `const`: it documents the data flow and
  // changes neither the ABI nor what the compiler may assume about aliasing.
  llvm::DenseSet<Value> written;
  rows.walk([&](Operation *op) {
    if (auto store = dyn_cast<StoreRowOp>(op))
      written.insert(store.getBuffer());
    if (auto store = dyn_cast<StoreScalarOp>(op))
      written.insert(store.getBuffer());
  });

  SmallVector<std::string> params, abi;
  Block &entry = kernel.getBody().front();
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    Value arg = entry.getArgument(index);
    std::string name = "arg" + std::to_string(index);
    names.reserve(name);
    std::string text;
    llvm::raw_string_ostream abiText(text);
    if (auto memref = dyn_cast<MemRefType>(type)) {
      std::optional<std::string> element = getCudaType(memref.getElementType());
      if (!element || memref.getElementType().isInteger(1))
        return kernel.emitOpError()
               << "argument " << index << " has element type "
               << memref.getElementType()
               << ", which the CUDA emitter does not handle";
      params.push_back((written.contains(arg) ? "" : "const ") + *element +
                       " *" + name);
      abiText << "ptr " << memref.getElementType() << " " << name << " ["
              << llvm::join(kernel.getArgAxes(index), ", ") << "]";
      bufferParam[arg] = name;
    } else {
      // Scalars cross the ABI as PTX parameters of their own width; only the
      // types whose CUDA spelling has the same width and layout are taken.
      if (!type.isF32() && !type.isIndex() && !type.isInteger(32) &&
          !type.isInteger(64))
        return kernel.emitOpError()
               << "scalar argument " << index << " has type " << type
               << "; the CUDA emitter takes f32, i32, i64 and index scalars";
      params.push_back(*getCudaType(type) + " " + name);
      abiText << type << " " << name;
      scalars[arg] = name;
    }
    abi.push_back(text);
  }

  // Dynamic extents, batch dimensions first.
  SmallVector<DimAttr> dynamicDims;
  for (Attribute attr : kernel.getDims()) {
    auto dim = cast<DimAttr>(attr);
    if (dim.getSize())
      extents[dim.getName()] = std::to_string(*dim.getSize());
    else
      dynamicDims.push_back(dim);
  }
  llvm::stable_sort(dynamicDims, [](DimAttr a, DimAttr b) {
    return a.getKind() == DimKind::batch && b.getKind() != DimKind::batch;
  });
  for (DimAttr dim : dynamicDims) {
    std::string name = names.fresh("extent_" + dim.getName().str());
    extents[dim.getName()] = name;
    params.push_back("long long " + name);
    abi.push_back("i64 extent " + dim.getName().str());
  }

  // Row strides (in elements) of buffers whose leading axis is a batch dim.
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    SmallVector<StringRef> axes = kernel.getArgAxes(index);
    if (axes.size() != 2)
      continue;
    DimAttr lead = kernel.lookupDim(axes[0]);
    if (!lead || lead.getKind() != DimKind::batch)
      continue;
    std::string name = "row_stride_arg" + std::to_string(index);
    names.reserve(name);
    bufferStride[entry.getArgument(index)] = name;
    params.push_back("long long " + name);
    abi.push_back("i64 row_stride arg" + std::to_string(index));
  }

  out << "// Kernel ABI, the same as the NVVM path's (one launcher serves "
         "both); buffers\n// list their axes, row strides count elements:\n";
  for (const std::string &entry : abi)
    out << "//   " << entry << "\n";
  out << "extern \"C\" __global__ void __launch_bounds__("
      << threads * rowsPerBlock << ")\n"
      << kernel.getSymName() << "(";
  for (auto [index, param] : llvm::enumerate(params))
    out << (index ? ",\n    " : "") << param;
  out << ") {\n";
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise operations
//===----------------------------------------------------------------------===//

static FailureOr<std::string> emitNoEmission(Operation *op) {
  return op->emitOpError() << "has no CUDA C++ emission; the CUDA emitter "
                              "handles arith conversions, comparisons, "
                              "selects and arithmetic, and math.exp, fma, "
                              "sqrt, rsqrt and copysign";
}

/// A call `name(args...)`.
static std::string call(StringRef name, ArrayRef<std::string> args) {
  std::string text = name.str() + "(";
  for (auto [index, arg] : llvm::enumerate(args))
    text += (index ? ", " : "") + arg;
  return text + ")";
}

FailureOr<std::string>
CudaKernelEmitter::getFloatExpression(Operation *op, ArrayRef<std::string> x) {
  Type type = getElementTypeOrSelf(op->getResult(0).getType());
  bool isF32 = type.isF32(), isHalf = isHalfPrecision(type);
  bool fast = fn == FnMode::fast;
  auto unsupported = [&]() -> FailureOr<std::string> {
    return op->emitOpError() << "on " << type
                             << " has no CUDA emission that matches the NVVM "
                                "path bit for bit";
  };
  // Math functions follow bi-lower-math, which takes f32 only.
  if (isa<math::MathDialect>(op->getDialect()) && !isa<math::CopySignOp>(op) &&
      !isF32)
    return op->emitOpError() << "bi lowers math functions on f32 only, got "
                             << type << "; extend to f32 first";
  if (isa<arith::DivFOp>(op) && !isF32)
    return op->emitOpError() << "bi lowers math functions on f32 only, got "
                             << type << "; extend to f32 first";

  auto binary = [&](StringRef f32Name,
                    StringRef halfName) -> FailureOr<std::string> {
    if (isF32)
      return call(f32Name, x);
    if (isHalf)
      return call(halfName, x);
    return unsupported();
  };
  return llvm::TypeSwitch<Operation *, FailureOr<std::string>>(op)
      .Case([&](arith::AddFOp) { return binary("__fadd_rn", "__hadd_rn"); })
      .Case([&](arith::SubFOp) { return binary("__fsub_rn", "__hsub_rn"); })
      .Case([&](arith::MulFOp) { return binary("__fmul_rn", "__hmul_rn"); })
      .Case([&](arith::MaximumFOp) {
        if (isF32)
          helpers.insert(Helper::MaxNaN);
        return binary("bi_max_nan", "__hmax_nan");
      })
      .Case([&](arith::MinimumFOp) {
        if (isF32)
          helpers.insert(Helper::MinNaN);
        return binary("bi_min_nan", "__hmin_nan");
      })
      .Case([&](arith::MaxNumFOp) { return binary("fmaxf", "__hmax"); })
      .Case([&](arith::MinNumFOp) { return binary("fminf", "__hmin"); })
      .Case([&](arith::NegFOp) -> FailureOr<std::string> {
        // A literal is parenthesised so that `-` and its sign do not make
        // `--`.
        bool isName = llvm::all_of(x[0], [](char c) {
          return llvm::isAlnum(c) || c == '_' || c == '[' || c == ']';
        });
        if (isF32)
          return isName ? "-" + x[0] : "-(" + x[0] + ")";
        return binary("", "__hneg");
      })
      .Case([&](arith::DivFOp) -> FailureOr<std::string> {
        if (!fast)
          return call("__fdiv_rn", x);
        helpers.insert(Helper::FastDiv);
        return call("bi_div_full", x);
      })
      .Case([&](math::SqrtOp) -> FailureOr<std::string> {
        if (!fast)
          return call("__fsqrt_rn", x);
        helpers.insert(Helper::FastSqrt);
        return call("bi_sqrt_approx", x);
      })
      .Case([&](math::RsqrtOp) -> FailureOr<std::string> {
        helpers.insert(fast ? Helper::FastRsqrt : Helper::RsqrtRn);
        return call(fast ? "bi_rsqrt_approx" : "bi_rsqrt_rn", x);
      })
      .Case([&](math::ExpOp) -> FailureOr<std::string> {
        helpers.insert(fast ? Helper::FastExp : Helper::PortableExp);
        return call(fast ? "bi_exp_fast" : "bi_exp_portable", x);
      })
      .Case([&](math::FmaOp) { return call("__fmaf_rn", x); })
      .Case([&](math::CopySignOp) -> FailureOr<std::string> {
        if (!isF32)
          return unsupported();
        return call("copysignf", x);
      })
      .Default([&](Operation *) -> FailureOr<std::string> {
        if (isa<math::MathDialect>(op->getDialect()))
          return op->emitOpError()
                 << "has no batch-invariant GPU lowering; bi supports "
                    "math.exp, math.fma, math.sqrt and math.rsqrt";
        return emitNoEmission(op);
      });
}

FailureOr<std::string>
CudaKernelEmitter::getIntegerExpression(Operation *op,
                                        ArrayRef<std::string> x) {
  Type type = getElementTypeOrSelf(op->getResult(0).getType());
  Type operandType = getElementTypeOrSelf(op->getOperand(0).getType());
  std::string t = getCudaType(type).value_or(""), u = getUnsignedCudaType(type),
              ou = getUnsignedCudaType(operandType);
  // On i1 only the bitwise operations read the same in C++ and LLVM.
  if (type.isInteger(1) && !isa<arith::AndIOp, arith::OrIOp, arith::XOrIOp>(op))
    return emitNoEmission(op);
  // Integer arithmetic wraps in LLVM; in C++ only unsigned arithmetic does.
  auto wrapping = [&](StringRef symbol) {
    return "(" + t + ")((" + u + ")" + x[0] + " " + symbol.str() + " (" + u +
           ")" + x[1] + ")";
  };
  auto infix = [&](StringRef symbol) {
    return "(" + x[0] + " " + symbol.str() + " " + x[1] + ")";
  };
  auto unsignedInfix = [&](StringRef symbol) {
    return "((" + ou + ")" + x[0] + " " + symbol.str() + " (" + ou + ")" +
           x[1] + ")";
  };
  return llvm::TypeSwitch<Operation *, FailureOr<std::string>>(op)
      .Case([&](arith::AddIOp) { return wrapping("+"); })
      .Case([&](arith::SubIOp) { return wrapping("-"); })
      .Case([&](arith::MulIOp) { return wrapping("*"); })
      .Case([&](arith::DivSIOp) { return infix("/"); })
      .Case([&](arith::RemSIOp) { return infix("%"); })
      .Case([&](arith::DivUIOp) { return "(" + t + ")" + unsignedInfix("/"); })
      .Case([&](arith::RemUIOp) { return "(" + t + ")" + unsignedInfix("%"); })
      .Case([&](arith::CeilDivUIOp) {
        return "(" + t + ")(" + x[0] + " == 0 ? 0 : ((" + u + ")" + x[0] +
               " - 1) / (" + u + ")" + x[1] + " + 1)";
      })
      .Case([&](arith::AndIOp) { return "(" + t + ")" + infix("&"); })
      .Case([&](arith::OrIOp) { return "(" + t + ")" + infix("|"); })
      .Case([&](arith::XOrIOp) { return "(" + t + ")" + infix("^"); })
      .Case([&](arith::ShLIOp) { return wrapping("<<"); })
      .Case([&](arith::ShRSIOp) { return "(" + t + ")" + infix(">>"); })
      .Case([&](arith::ShRUIOp) { return "(" + t + ")" + unsignedInfix(">>"); })
      .Case([&](arith::MaxSIOp) { return call("max", x); })
      .Case([&](arith::MinSIOp) { return call("min", x); })
      .Case([&](arith::MaxUIOp) {
        return "(" + t + ")max((" + u + ")" + x[0] + ", (" + u + ")" + x[1] +
               ")";
      })
      .Case([&](arith::MinUIOp) {
        return "(" + t + ")min((" + u + ")" + x[0] + ", (" + u + ")" + x[1] +
               ")";
      })
      .Default([&](Operation *) { return emitNoEmission(op); });
}

/// The C++ comparison for an arith.cmpf predicate; NaN operands make the
/// ordered predicates false and the unordered ones true, as in LLVM.
static std::string compareFloats(arith::CmpFPredicate predicate, StringRef a,
                                 StringRef b) {
  std::string lhs = a.str(), rhs = b.str();
  auto is = [&](StringRef symbol) {
    return "(" + lhs + " " + symbol.str() + " " + rhs + ")";
  };
  auto isNot = [&](StringRef symbol) { return "!" + is(symbol); };
  std::string unordered = lhs == rhs
                              ? "isnan(" + lhs + ")"
                              : "(isnan(" + lhs + ") || isnan(" + rhs + "))";
  switch (predicate) {
  case arith::CmpFPredicate::AlwaysFalse:
    return "false";
  case arith::CmpFPredicate::OEQ:
    return is("==");
  case arith::CmpFPredicate::OGT:
    return is(">");
  case arith::CmpFPredicate::OGE:
    return is(">=");
  case arith::CmpFPredicate::OLT:
    return is("<");
  case arith::CmpFPredicate::OLE:
    return is("<=");
  case arith::CmpFPredicate::ONE:
    return "(" + is("<") + " || " + is(">") + ")";
  case arith::CmpFPredicate::ORD:
    return "!" + unordered;
  case arith::CmpFPredicate::UEQ:
    return "!(" + is("<") + " || " + is(">") + ")";
  case arith::CmpFPredicate::UGT:
    return isNot("<=");
  case arith::CmpFPredicate::UGE:
    return isNot("<");
  case arith::CmpFPredicate::ULT:
    return isNot(">=");
  case arith::CmpFPredicate::ULE:
    return isNot(">");
  case arith::CmpFPredicate::UNE:
    return is("!=");
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return "true";
  }
  llvm_unreachable("unknown cmpf predicate");
}

static std::string compareIntegers(arith::CmpIPredicate predicate, StringRef a,
                                   StringRef b, StringRef unsignedType) {
  std::string lhs = a.str(), rhs = b.str();
  auto is = [&](StringRef symbol) {
    return "(" + lhs + " " + symbol.str() + " " + rhs + ")";
  };
  auto isUnsigned = [&](StringRef symbol) {
    return "((" + unsignedType.str() + ")" + lhs + " " + symbol.str() + " (" +
           unsignedType.str() + ")" + rhs + ")";
  };
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return is("==");
  case arith::CmpIPredicate::ne:
    return is("!=");
  case arith::CmpIPredicate::slt:
    return is("<");
  case arith::CmpIPredicate::sle:
    return is("<=");
  case arith::CmpIPredicate::sgt:
    return is(">");
  case arith::CmpIPredicate::sge:
    return is(">=");
  case arith::CmpIPredicate::ult:
    return isUnsigned("<");
  case arith::CmpIPredicate::ule:
    return isUnsigned("<=");
  case arith::CmpIPredicate::ugt:
    return isUnsigned(">");
  case arith::CmpIPredicate::uge:
    return isUnsigned(">=");
  }
  llvm_unreachable("unknown cmpi predicate");
}

FailureOr<std::string>
CudaKernelEmitter::getExpression(Operation *op, ArrayRef<std::string> x) {
  if (op->getNumResults() != 1)
    return op->emitOpError() << "has " << op->getNumResults()
                             << " results; the CUDA emitter takes one";
  // The NVVM path hands fast-math flags to LLVM, which may contract or
  // reorder under them; no C++ spelling pins what it will do.
  if (auto fmf = dyn_cast<arith::ArithFastMathInterface>(op))
    if (arith::FastMathFlagsAttr flags = fmf.getFastMathFlagsAttr();
        flags && flags.getValue() != arith::FastMathFlags::none)
      return op->emitOpError()
             << "has fast-math flags; the CUDA emitter cannot match what "
                "LLVM does with them bit for bit";
  Type type = getElementTypeOrSelf(op->getResult(0).getType());
  Type from = op->getNumOperands()
                  ? getElementTypeOrSelf(op->getOperand(0).getType())
                  : Type();
  std::optional<std::string> t = getCudaType(type);
  if (!t || (from && !getCudaType(from)))
    return op->emitOpError() << "on " << (t ? from : type)
                             << " is not handled by the CUDA emitter";

  auto unsupported = [&]() -> FailureOr<std::string> {
    return op->emitOpError() << "from " << from << " to " << type
                             << " is not handled by the CUDA emitter";
  };
  // Conversions: every one is a single, exactly specified cvt.
  if (isa<arith::ExtFOp>(op)) {
    if (type.isF32() && from.isBF16())
      return call("__bfloat162float", x);
    if (type.isF32() && from.isF16())
      return call("__half2float", x);
    return unsupported();
  }
  if (auto trunc = dyn_cast<arith::TruncFOp>(op)) {
    if (trunc.getRoundingmodeAttr())
      return op->emitOpError() << "with an explicit rounding mode is not "
                                  "handled by the CUDA emitter";
    if (from.isF32() && type.isBF16())
      return call("__float2bfloat16_rn", x);
    if (from.isF32() && type.isF16())
      return call("__float2half_rn", x);
    return unsupported();
  }
  if (isa<arith::SIToFPOp, arith::UIToFPOp>(op)) {
    bool isSigned = isa<arith::SIToFPOp>(op);
    if (!type.isF32())
      return unsupported();
    if (from.isInteger(32))
      return isSigned ? call("__int2float_rn", x)
                      : call("__uint2float_rn", {"(unsigned)" + x[0]});
    if (from.isInteger(64))
      return isSigned ? call("__ll2float_rn", x)
                      : call("__ull2float_rn", {"(unsigned long long)" + x[0]});
    return unsupported();
  }
  if (isa<arith::FPToSIOp, arith::FPToUIOp>(op)) {
    bool isSigned = isa<arith::FPToSIOp>(op);
    if (!from.isF32())
      return unsupported();
    if (type.isInteger(32))
      return isSigned ? call("__float2int_rz", x)
                      : "(int)" + call("__float2uint_rz", x);
    if (type.isInteger(64))
      return isSigned ? call("__float2ll_rz", x)
                      : "(long long)" + call("__float2ull_rz", x);
    return unsupported();
  }
  if (isa<arith::BitcastOp>(op)) {
    if (from.isF32() && type.isInteger(32))
      return call("__float_as_int", x);
    if (from.isInteger(32) && type.isF32())
      return call("__int_as_float", x);
    if (from.isBF16() && type.isInteger(16))
      return call("__bfloat16_as_short", x);
    if (from.isInteger(16) && type.isBF16())
      return call("__short_as_bfloat16", x);
    if (from.isF16() && type.isInteger(16))
      return call("__half_as_short", x);
    if (from.isInteger(16) && type.isF16())
      return call("__short_as_half", x);
    return unsupported();
  }
  if (isa<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp>(op))
    return "(" + *t + ")" + x[0];
  if (isa<arith::IndexCastUIOp, arith::ExtUIOp>(op))
    return "(" + *t + ")(" + getUnsignedCudaType(from) + ")" + x[0];
  if (auto cmp = dyn_cast<arith::CmpFOp>(op)) {
    if (from.isF32())
      return compareFloats(cmp.getPredicate(), x[0], x[1]);
    if (from.isBF16())
      return compareFloats(cmp.getPredicate(), call("__bfloat162float", {x[0]}),
                           call("__bfloat162float", {x[1]}));
    if (from.isF16())
      return compareFloats(cmp.getPredicate(), call("__half2float", {x[0]}),
                           call("__half2float", {x[1]}));
    return unsupported();
  }
  if (auto cmp = dyn_cast<arith::CmpIOp>(op))
    return compareIntegers(cmp.getPredicate(), x[0], x[1],
                           getUnsignedCudaType(from));
  if (isa<arith::SelectOp>(op))
    return "(" + x[0] + " ? " + x[1] + " : " + x[2] + ")";

  if (isa<FloatType>(type))
    return getFloatExpression(op, x);
  if (op->getNumOperands() == 2)
    return getIntegerExpression(op, x);
  return emitNoEmission(op);
}

//===----------------------------------------------------------------------===//
// Row values
//===----------------------------------------------------------------------===//

FailureOr<RowElements>
CudaKernelEmitter::materialize(Value tensor, int64_t width,
                               DenseMap<Value, RowElements> &cache) {
  auto cached = cache.find(tensor);
  if (cached != cache.end())
    return cached->second;
  Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
  Operation *def = tensor.getDefiningOp();
  RowElements result;
  if (auto load = dyn_cast_or_null<LoadRowOp>(def)) {
    Value buffer = load.getBuffer();
    std::string pointer = bufferParam.lookup(buffer);
    std::string offset = "first";
    if (load.getRow()) {
      std::string stride = bufferStride.lookup(buffer);
      if (stride.empty())
        return load.emitOpError()
               << "reads a row of a buffer whose leading axis is not a batch "
                  "dimension; the kernel ABI has no row stride for it";
      offset = scalars.lookup(load.getRow()) + " * " + stride + " + first";
    }
    FailureOr<std::string> type = typeOf(load, element);
    if (failed(type))
      return failure();
    std::string name = nameOf(tensor, pointer + "_row");
    line() << *type << " " << name << "[" << width << "];\n";
    line() << "bi_load_vector(" << name << ", " << pointer << " + (" << offset
           << "));\n";
    helpers.insert(Helper::VectorAccess);
    result = {name, true};
  } else if (auto broadcast = dyn_cast_or_null<BroadcastOp>(def)) {
    result = {scalars.lookup(broadcast.getScalar()), false};
  } else if (auto constant = dyn_cast_or_null<arith::ConstantOp>(def)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat())
      return constant.emitOpError()
             << "only splat constants can be used as rows";
    std::optional<std::string> literal =
        getLiteral(dense.getSplatValue<Attribute>(), element);
    if (!literal)
      return constant.emitOpError()
             << "has a value the CUDA emitter cannot spell exactly";
    result = {*literal, false};
  } else if (def && def->hasTrait<OpTrait::Elementwise>() &&
             isa<arith::ArithDialect, math::MathDialect>(def->getDialect())) {
    SmallVector<RowElements> operands;
    for (Value operand : def->getOperands()) {
      if (!isa<TensorType>(operand.getType())) {
        operands.push_back({scalars.lookup(operand), false});
        continue;
      }
      FailureOr<RowElements> lowered = materialize(operand, width, cache);
      if (failed(lowered))
        return failure();
      operands.push_back(*lowered);
    }
    SmallVector<std::string> atJ;
    for (const RowElements &operand : operands)
      atJ.push_back(operand.at("j"));
    FailureOr<std::string> expr = getExpression(def, atJ);
    FailureOr<std::string> type = typeOf(def, element);
    if (failed(expr) || failed(type))
      return failure();
    std::string name = nameOf(tensor, describe(def));
    line() << *type << " " << name << "[" << width << "];\n";
    line() << "#pragma unroll\n";
    line() << "for (int j = 0; j < " << width << "; ++j)\n";
    line() << "  " << name << "[j] = " << *expr << ";\n";
    result = {name, true};
  } else {
    return emitError(tensor.getLoc())
           << "cannot emit this row value as CUDA C++";
  }
  cache[tensor] = result;
  return result;
}

//===----------------------------------------------------------------------===//
// The row program
//===----------------------------------------------------------------------===//

LogicalResult CudaKernelEmitter::emitRowProgram() {
  std::string over = extents[rows.getOver()];
  comment("Thread (threadIdx.x, threadIdx.y) works on row blockIdx.x * " +
          Twine(rowsPerBlock) + " + threadIdx.y.");
  line() << "const long long thread = threadIdx.x;\n";
  line() << "const long long row_unclamped = (long long)blockIdx.x * "
         << rowsPerBlock << " + threadIdx.y;\n";
  line() << "const bool row_valid = (unsigned long long)row_unclamped < "
            "(unsigned long long)"
         << over << ";\n";
  comment("Rows past the end still take part in barriers; they read row 0 "
          "and store nothing.");
  line() << "const long long row = row_valid ? row_unclamped : 0;\n";
  scalars[rows.getRowIndex()] = "row";

  for (Operation &op : rows.getBody().front().without_terminator()) {
    LogicalResult result = success();
    if (auto reduce = dyn_cast<ReduceOp>(op))
      result = emitReduce(reduce);
    else if (auto store = dyn_cast<StoreRowOp>(op))
      result = emitStoreRow(store);
    else if (auto store = dyn_cast<StoreScalarOp>(op))
      result = emitStoreScalar(store);
    else if (auto dim = dyn_cast<DimOp>(op))
      scalars[dim.getResult()] = extents[dim.getName()];
    else if (llvm::any_of(op.getResultTypes(), llvm::IsaPred<TensorType>) ||
             isa<LoadRowOp, BroadcastOp>(op))
      continue; // Materialised by its consumers.
    else
      result = emitScalarOp(&op);
    if (failed(result))
      return failure();
  }
  return success();
}

LogicalResult CudaKernelEmitter::emitScalarOp(Operation *op) {
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    std::optional<std::string> literal =
        getLiteral(constant.getValue(), constant.getType());
    if (!literal)
      return op->emitOpError()
             << "has a value the CUDA emitter cannot spell exactly";
    scalars[constant.getResult()] = *literal;
    return success();
  }
  SmallVector<std::string> operands;
  for (Value operand : op->getOperands())
    operands.push_back(scalars.lookup(operand));
  FailureOr<std::string> expr = getExpression(op, operands);
  if (failed(expr))
    return failure();
  Value result = op->getResult(0);
  FailureOr<std::string> type = typeOf(op, result.getType());
  if (failed(type))
    return failure();
  std::string name = nameOf(result, describe(op));
  line() << "const " << *type << " " << name << " = " << *expr << ";\n";
  scalars[result] = name;
  return success();
}

std::string CudaKernelEmitter::getIdentity(ReductionKind kind, Type type) {
  return *getLiteral(getReductionIdentity(kind, type), type);
}

std::string CudaKernelEmitter::combine(ReductionKind kind, Type type,
                                       StringRef lhs, StringRef rhs) {
  SmallVector<std::string> args = {lhs.str(), rhs.str()};
  bool isFloat = isa<FloatType>(type);
  switch (kind) {
  case ReductionKind::add:
    if (isFloat)
      return call("__fadd_rn", args);
    return "(int)((unsigned)" + args[0] + " + (unsigned)" + args[1] + ")";
  case ReductionKind::max:
    if (!isFloat)
      return call("max", args);
    helpers.insert(Helper::MaxNaN);
    return call("bi_max_nan", args);
  case ReductionKind::min:
    if (!isFloat)
      return call("min", args);
    helpers.insert(Helper::MinNaN);
    return call("bi_min_nan", args);
  }
  llvm_unreachable("unknown reduction kind");
}

std::string CudaKernelEmitter::extend(StringRef value, Type from, Type to) {
  if (from == to)
    return value.str();
  if (to.isF32() && from.isBF16())
    return call("__bfloat162float", {value.str()});
  if (to.isF32() && from.isF16())
    return call("__half2float", {value.str()});
  return "(" + getCudaType(to).value_or("") + ")" + value.str();
}

LogicalResult CudaKernelEmitter::emitReduce(ReduceOp reduce) {
  Type accType = reduce.getResult().getType();
  ReductionKind kind = reduce.getKind();
  std::optional<int64_t> staticExtent;
  if (DimAttr dim = kernel.lookupDim(reduce.getOver()))
    staticExtent = dim.getSize();
  FailureOr<ReductionOrderAttr> lowerable =
      getLowerableRowOrder(reduce, threads, staticExtent, "emitting CUDA");
  if (failed(lowerable))
    return failure();
  ReductionOrderAttr order = *lowerable;
  int64_t lanes = order.getLanes(), vectorWidth = order.getVector();
  int64_t lanesPerThread = lanes / threads;
  std::string extent = extents[reduce.getOver()];

  // With fma = on, a reduced product a*b folds as fma(a, b, acc).
  auto product = reduce.getInput().getDefiningOp<arith::MulFOp>();
  bool fused = reduce.getEffectiveMath().getFma() == FmaMode::on && product &&
               kind == ReductionKind::add;

  std::string acc = *getCudaType(accType);
  std::string name =
      nameOf(reduce.getResult(), kind == ReductionKind::add   ? "sum"
                                 : kind == ReductionKind::max ? "maximum"
                                                              : "minimum");
  std::string partial = names.fresh(name + "_lane");
  std::string identity = getIdentity(kind, accType);

  body << "\n";
  std::string contract;
  llvm::raw_string_ostream(contract) << order;
  comment(Twine(name) + " = reduce " + stringifyReductionKind(kind) +
          " over \"" + reduce.getOver() + "\", " + contract);
  comment("Thread t owns lanes [t*" + Twine(lanesPerThread) + ", t*" +
          Twine(lanesPerThread) + " + " + Twine(lanesPerThread) +
          "); lane l folds vectors l, l + " + Twine(lanes) +
          ", ... in order, from the identity" +
          (fused ? ", each product as one fma." : "."));
  line() << acc << " " << partial << "[" << lanesPerThread << "];\n";
  line() << "for (int slot = 0; slot < " << lanesPerThread << "; ++slot)\n";
  line() << "  " << partial << "[slot] = " << identity << ";\n";
  open(Twine());
  line() << "const long long num_vectors = " << extent << " / " << vectorWidth
         << ";\n";
  line() << "const long long rounds = (num_vectors + " << lanes - 1 << ") / "
         << lanes << ";\n";
  open("for (long long r = 0; r < rounds; ++r)");
  line() << "#pragma unroll\n";
  open("for (int slot = 0; slot < " + Twine(lanesPerThread) + "; ++slot)");
  line() << "const long long v = r * " << lanes << " + thread * "
         << lanesPerThread << " + slot;\n";
  open("if (v < num_vectors)");
  line() << "const long long first = v * " << vectorWidth << ";\n";
  DenseMap<Value, RowElements> cache;
  std::string step;
  if (fused) {
    FailureOr<RowElements> a =
        materialize(product.getLhs(), vectorWidth, cache);
    if (failed(a))
      return failure();
    FailureOr<RowElements> c =
        materialize(product.getRhs(), vectorWidth, cache);
    if (failed(c))
      return failure();
    Type lhsType = getElementTypeOrSelf(product.getLhs().getType());
    Type rhsType = getElementTypeOrSelf(product.getRhs().getType());
    step = call("__fmaf_rn",
                {extend(a->at("j"), lhsType, accType),
                 extend(c->at("j"), rhsType, accType), partial + "[slot]"});
  } else {
    FailureOr<RowElements> values =
        materialize(reduce.getInput(), vectorWidth, cache);
    if (failed(values))
      return failure();
    Type inputType = getElementTypeOrSelf(reduce.getInput().getType());
    step = combine(kind, accType, partial + "[slot]",
                   extend(values->at("j"), inputType, accType));
  }
  line() << "#pragma unroll\n";
  line() << "for (int j = 0; j < " << vectorWidth << "; ++j)\n";
  line() << "  " << partial << "[slot] = " << step << ";\n";
  close();
  close();
  close();
  close();

  if (order.getCombine() == CombineOrder::seq) {
    if (threads == 1) {
      comment("Combine left to right over the lanes, all in this thread.");
      line() << acc << " " << name << " = " << partial << "[0];\n";
      line() << "for (int slot = 1; slot < " << lanesPerThread << "; ++slot)\n";
      line() << "  " << name << " = "
             << combine(kind, accType, name, partial + "[slot]") << ";\n";
    } else {
      comment("Combine left to right over all " + Twine(lanes) +
              " lanes: gather them, then every thread folds the same "
              "sequence.");
      std::string shared = names.fresh(name + "_lanes");
      line() << "__shared__ " << acc << " " << shared << "[" << rowsPerBlock
             << "][" << lanes << "];\n";
      line() << "for (int slot = 0; slot < " << lanesPerThread << "; ++slot)\n";
      line() << "  " << shared << "[threadIdx.y][thread * " << lanesPerThread
             << " + slot] = " << partial << "[slot];\n";
      line() << "__syncthreads();\n";
      line() << acc << " " << name << " = " << shared << "[threadIdx.y][0];\n";
      line() << "for (int lane = 1; lane < " << lanes << "; ++lane)\n";
      line() << "  " << name << " = "
             << combine(kind, accType, name, shared + "[threadIdx.y][lane]")
             << ";\n";
    }
    scalars[reduce.getResult()] = name;
    return success();
  }

  // Balanced tree over lanes in index order, adjacent pairs first: the
  // in-thread slots are the low bits of the lane index, the thread index the
  // high bits.
  comment("Combine as a balanced tree over lanes in index order: this "
          "thread's lanes in registers,");
  comment("then the threads of a warp by butterfly shuffles, then the warps "
          "through shared memory.");
  SmallVector<std::string> level;
  for (int64_t slot = 0; slot < lanesPerThread; ++slot)
    level.push_back(partial + "[" + std::to_string(slot) + "]");
  auto reduceLevels = [&](SmallVector<std::string> partials,
                          StringRef pairBase) {
    while (partials.size() > 1) {
      SmallVector<std::string> next;
      for (size_t i = 0; i + 1 < partials.size(); i += 2) {
        std::string pair = names.fresh(pairBase);
        line() << "const " << acc << " " << pair << " = "
               << combine(kind, accType, partials[i], partials[i + 1]) << ";\n";
        next.push_back(pair);
      }
      partials = next;
    }
    return partials.front();
  };
  std::string threadResult = reduceLevels(level, name + "_pair");
  line() << acc << " " << name << " = " << threadResult << ";\n";
  int64_t warpThreads = std::min<int64_t>(threads, 32);
  for (int64_t stride = 1; stride < warpThreads; stride *= 2)
    line() << name << " = "
           << combine(kind, accType, name,
                      "__shfl_xor_sync(0xffffffffu, " + name + ", " +
                          std::to_string(stride) + ", 32)")
           << ";\n";
  if (threads > 32) {
    int64_t warps = threads / 32;
    std::string shared = names.fresh(name + "_warps");
    line() << "__shared__ " << acc << " " << shared << "[" << rowsPerBlock
           << "][" << warps << "];\n";
    line() << "if (thread % 32 == 0)\n";
    line() << "  " << shared << "[threadIdx.y][thread / 32] = " << name
           << ";\n";
    line() << "__syncthreads();\n";
    SmallVector<std::string> warpPartials;
    for (int64_t w = 0; w < warps; ++w)
      warpPartials.push_back(shared + "[threadIdx.y][" + std::to_string(w) +
                             "]");
    std::string blockResult = reduceLevels(warpPartials, name + "_warp_pair");
    line() << name << " = " << blockResult << ";\n";
  }
  scalars[reduce.getResult()] = name;
  return success();
}

LogicalResult CudaKernelEmitter::emitStoreRow(StoreRowOp store) {
  Type element = store.getValue().getType().getElementType();
  int64_t elementBytes = element.getIntOrFloatBitWidth() / 8;
  std::string pointer = bufferParam.lookup(store.getBuffer());
  std::string stride = bufferStride.lookup(store.getBuffer());
  if (stride.empty())
    return store.emitOpError()
           << "writes a row of a buffer whose leading axis is not a batch "
              "dimension; the kernel ABI has no row stride for it";
  FailureOr<std::string> type = typeOf(store, element);
  if (failed(type))
    return failure();
  // Any mapping of elements to threads is fine for a store; use 16-byte
  // vectors where the extent allows, exactly as the NVVM path does.
  int64_t width = std::max<int64_t>(1, 16 / elementBytes);
  DimAttr rowDim = kernel.lookupDim(rows.getRow());
  if (rowDim && rowDim.getSize())
    while (width > 1 && *rowDim.getSize() % width)
      width /= 2;

  body << "\n";
  comment(Twine("Store into ") + pointer + ": vectors of " + Twine(width) +
          " elements; thread t writes vectors t, t + " + Twine(threads) +
          ", ...");
  open(Twine());
  line() << "const long long num_vectors = " << extents[rows.getRow()] << " / "
         << width << ";\n";
  line() << "const long long rounds = (num_vectors + " << threads - 1 << ") / "
         << threads << ";\n";
  open("for (long long r = 0; r < rounds; ++r)");
  line() << "const long long v = r * " << threads << " + thread;\n";
  open("if (row_valid && v < num_vectors)");
  line() << "const long long first = v * " << width << ";\n";
  DenseMap<Value, RowElements> cache;
  FailureOr<RowElements> value = materialize(store.getValue(), width, cache);
  if (failed(value))
    return failure();
  std::string source = value->expr;
  if (!value->isArray) {
    source = names.fresh("splat");
    line() << *type << " " << source << "[" << width << "];\n";
    line() << "for (int j = 0; j < " << width << "; ++j)\n";
    line() << "  " << source << "[j] = " << value->expr << ";\n";
  }
  line() << "bi_store_vector(" << pointer << " + (row * " << stride
         << " + first), " << source << ");\n";
  helpers.insert(Helper::VectorAccess);
  close();
  close();
  close();
  return success();
}

LogicalResult CudaKernelEmitter::emitStoreScalar(StoreScalarOp store) {
  body << "\n";
  comment("One value per row, written by the row's first thread.");
  line() << "if (row_valid && thread == 0)\n";
  line() << "  " << bufferParam.lookup(store.getBuffer())
         << "[row] = " << scalars.lookup(store.getValue()) << ";\n";
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A device function that is one PTX instruction on f32 registers, written
/// exactly as bi-lower-math writes it.
static void emitPtxFunction(llvm::raw_ostream &out, StringRef name,
                            StringRef instruction, unsigned arity,
                            StringRef why) {
  out << "// " << why << "\n";
  out << "__device__ __forceinline__ float " << name << "(";
  for (unsigned i = 0; i < arity; ++i)
    out << (i ? ", " : "") << "float " << static_cast<char>('a' + i);
  out << ") {\n  float result;\n  asm(\"" << instruction << " %0";
  for (unsigned i = 0; i < arity; ++i)
    out << ", %" << i + 1;
  out << ";\" : \"=f\"(result) : ";
  for (unsigned i = 0; i < arity; ++i)
    out << (i ? ", " : "") << "\"f\"(" << static_cast<char>('a' + i) << ")";
  out << ");\n  return result;\n}\n\n";
}

LogicalResult CudaKernelEmitter::emitPortableExp(llvm::raw_ostream &out) {
  // The polynomial is taken from the IR that bi-lower-math builds, operation
  // by operation, so the two backends cannot drift apart.
  MLIRContext *ctx = kernel.getContext();
  if (!ctx->getLoadedDialect<math::MathDialect>() ||
      !ctx->getLoadedDialect<arith::ArithDialect>())
    return kernel.emitOpError()
           << "needs the arith and math dialects loaded to emit the portable "
              "exp";
  OpBuilder b(ctx);
  Block block;
  Location loc = kernel.getLoc();
  Value x = block.addArgument(b.getF32Type(), loc);
  b.setInsertionPointToStart(&block);
  Value result = buildPortableExp(b, loc, x);

  out << "// bi's portable exp (PortableMath.cpp): IEEE operations only, so "
         "a CPU\n"
         "// reproduces every bit. k = round(x * log2(e)), ties away from "
         "zero;\n"
         "// r = x - k * ln2 in two fma steps; p = e^r by Horner up to r^7;\n"
         "// p * 2^(k/2) * 2^(k - k/2); overflow, underflow and NaN last.\n";
  out << "__device__ __forceinline__ float bi_exp_portable(float x) {\n";
  NameTable local;
  DenseMap<Value, std::string> values;
  values[x] = "x";
  bool failedOp = false;
  for (Operation &op : block) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      values[constant.getResult()] =
          *getLiteral(constant.getValue(), constant.getType());
      continue;
    }
    SmallVector<std::string> operands;
    for (Value operand : op.getOperands())
      operands.push_back(values.lookup(operand));
    FailureOr<std::string> expr = getExpression(&op, operands);
    if (failed(expr)) {
      failedOp = true;
      break;
    }
    StringRef operand =
        op.getNumOperands() == 1 ? values.lookup(op.getOperand(0)) : "";
    std::string name = local.fresh(describeResult(&op, operand));
    out << "  const " << *getCudaType(op.getResult(0).getType()) << " " << name
        << " = " << *expr << ";\n";
    values[op.getResult(0)] = name;
  }
  out << "  return " << values.lookup(result) << ";\n}\n\n";
  return failure(failedOp);
}

LogicalResult CudaKernelEmitter::emitHelpers(llvm::raw_ostream &out) {
  // The portable exp may call other helpers; settle the set first.
  std::string expText;
  llvm::raw_string_ostream expOut(expText);
  if (helpers.contains(Helper::PortableExp) && failed(emitPortableExp(expOut)))
    return failure();

  if (helpers.contains(Helper::VectorAccess))
    out << R"(// Moves N elements with one access of N * sizeof(T) bytes when that is 2,
// 4, 8 or 16, like the NVVM path's vector loads and stores; the buffers must
// be aligned to it (the launcher's contract, the same for both backends).
template <typename T, int N> struct bi_vector_access {
  static constexpr int bytes = N * (int)sizeof(T);
  static constexpr bool whole = N > 1 && (bytes == 2 || bytes == 4 ||
                                          bytes == 8 || bytes == 16);
};
template <int Bytes> struct bi_raw;
template <> struct bi_raw<2> { typedef unsigned short type; };
template <> struct bi_raw<4> { typedef unsigned int type; };
template <> struct bi_raw<8> { typedef uint2 type; };
template <> struct bi_raw<16> { typedef uint4 type; };

template <typename T, int N>
__device__ __forceinline__ void bi_load_vector(T (&dst)[N], const T *src) {
  if constexpr (bi_vector_access<T, N>::whole) {
    typedef typename bi_raw<bi_vector_access<T, N>::bytes>::type raw_t;
    const raw_t raw = *reinterpret_cast<const raw_t *>(src);
    memcpy(dst, &raw, sizeof(raw));
  } else {
    for (int i = 0; i < N; ++i)
      dst[i] = src[i];
  }
}

template <typename T, int N>
__device__ __forceinline__ void bi_store_vector(T *dst, const T (&src)[N]) {
  if constexpr (bi_vector_access<T, N>::whole) {
    typedef typename bi_raw<bi_vector_access<T, N>::bytes>::type raw_t;
    raw_t raw;
    memcpy(&raw, src, sizeof(raw));
    // A plain store may be split when the elements come from 16-bit
    // conversions; st.global.wb is the default store, kept whole.
    __stwb(reinterpret_cast<raw_t *>(dst), raw);
  } else {
    for (int i = 0; i < N; ++i)
      dst[i] = src[i];
  }
}

)";
  if (helpers.contains(Helper::MaxNaN))
    emitPtxFunction(out, "bi_max_nan", "max.NaN.f32", 2,
                    "The NaN-propagating maximum the NVVM path selects for "
                    "arith.maximumf\n// (fmaxf would drop a NaN operand).");
  if (helpers.contains(Helper::MinNaN))
    emitPtxFunction(out, "bi_min_nan", "min.NaN.f32", 2,
                    "The NaN-propagating minimum the NVVM path selects for "
                    "arith.minimumf\n// (fminf would drop a NaN operand).");
  if (helpers.contains(Helper::RsqrtRn))
    out << "// Portable rsqrt: 1 / sqrt(x) with both steps correctly rounded "
           "(not rsqrt.approx).\n"
           "__device__ __forceinline__ float bi_rsqrt_rn(float x) {\n"
           "  return __fdiv_rn(1.0f, __fsqrt_rn(x));\n}\n\n";
  if (helpers.contains(Helper::FastRsqrt))
    emitPtxFunction(out, "bi_rsqrt_approx", "rsqrt.approx.f32", 1,
                    "fn = fast: the hardware approximation, deterministic on "
                    "one GPU model.");
  if (helpers.contains(Helper::FastSqrt))
    emitPtxFunction(out, "bi_sqrt_approx", "sqrt.approx.f32", 1,
                    "fn = fast: the hardware approximation, deterministic on "
                    "one GPU model.");
  if (helpers.contains(Helper::FastDiv))
    emitPtxFunction(out, "bi_div_full", "div.full.f32", 2,
                    "fn = fast: the full-range approximate division.");
  if (helpers.contains(Helper::FastExp)) {
    emitPtxFunction(out, "bi_ex2_approx", "ex2.approx.f32", 1,
                    "fn = fast: 2^x by the hardware approximation.");
    out << "// fn = fast: e^x = 2^(x * log2(e)), the product correctly "
           "rounded.\n"
           "__device__ __forceinline__ float bi_exp_fast(float x) {\n"
           "  return bi_ex2_approx(__fmul_rn(x, "
        << getFloatLiteral(1.44269504f) << "));\n}\n\n";
  }
  out << expText;
  return success();
}

FailureOr<std::string> CudaKernelEmitter::run() {
  ScheduleAttr schedule = rows.getScheduleAttr();
  if (!schedule)
    return rows.emitOpError()
           << "has no schedule; run --bi-schedule before --bi-emit-cuda";
  threads = schedule.getThreads();
  rowsPerBlock = schedule.getRows();

  std::string signature;
  llvm::raw_string_ostream signatureOut(signature);
  if (failed(emitSignature(signatureOut)) || failed(emitRowProgram()))
    return failure();
  std::string helperText;
  llvm::raw_string_ostream helperOut(helperText);
  if (failed(emitHelpers(helperOut)))
    return failure();

  std::string text;
  llvm::raw_string_ostream out(text);
  MathModeAttr math = kernel.getEffectiveMath();
  out << "// CUDA C++ for bi.kernel @" << kernel.getSymName()
      << ", emitted by bi-emit-cuda. It computes the same bits as\n"
         "// the NVVM path: every operation is pinned to the instruction that "
         "path uses.\n";
  if (auto fingerprint = kernel->getAttrOfType<StringAttr>("bi.fingerprint"))
    out << "// Fingerprint: " << fingerprint.getValue() << "\n";
  out << "// Schedule: " << threads << " threads per row, " << rowsPerBlock
      << " row(s) per block. Math: fma = " << stringifyFmaMode(math.getFma())
      << ", fn = " << stringifyFnMode(math.getFn()) << ".\n";
  out << "// Launch: grid (ceil(" << rows.getOver() << " / " << rowsPerBlock
      << "), 1, 1), block (" << threads << ", " << rowsPerBlock
      << ", 1), no dynamic shared memory.\n";
  out << "// Compile with --fmad=false (bi-emit-cuda's NVRTC options).\n";
  out << "#include <cuda_bf16.h>\n#include <cuda_fp16.h>\n\n";
  out << helperText << signature << bodyText << "}\n";
  return text;
}

FailureOr<std::string>
CudaKernelEmitter::emitHelpersOnly(ArrayRef<Helper> wanted) {
  helpers.insert_range(wanted);
  std::string text;
  llvm::raw_string_ostream out(text);
  if (failed(emitHelpers(out)))
    return failure();
  return text;
}

FailureOr<std::string> mlir::bi::emitExpHelperCUDA(KernelOp kernel, bool fast) {
  return CudaKernelEmitter(kernel, MapRowsOp())
      .emitHelpersOnly(fast ? Helper::FastExp : Helper::PortableExp);
}

FailureOr<std::string> mlir::bi::emitCUDA(KernelOp kernel) {
  // A GEMM kernel holds one bi.matmul and nothing else (see the JIT).
  auto matmuls = kernel.getOps<MatmulOp>();
  if (!matmuls.empty()) {
    if (llvm::range_size(matmuls) != 1 || !kernel.getOps<MapRowsOp>().empty())
      return kernel.emitOpError()
             << "holds a bi.matmul next to other operations; the GEMM "
                "generators take a kernel of exactly one bi.matmul";
    return emitMatmulCUDA(*matmuls.begin());
  }
  StringRef name = kernel.getSymName();
  if (name.empty() || llvm::isDigit(name.front()) ||
      !llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return kernel.emitOpError()
           << "name '" << name
           << "' is not a C identifier; the CUDA function must carry the "
              "kernel's name";
  SmallVector<MapRowsOp> programs(kernel.getOps<MapRowsOp>());
  if (programs.size() != 1)
    return kernel.emitOpError()
           << "has " << programs.size()
           << " row programs; the CUDA emitter takes exactly one per kernel";
  return CudaKernelEmitter(kernel, programs.front()).run();
}
