//===- Interpreter.cpp - CPU reference executor for bi kernels ------------===//
//
// Each row program is translated once into a list of steps over numbered
// slots, then run for every row. A slot holds the bit patterns of a scalar
// (one element) or of a row (one element per index of the row dimension) in
// its MLIR element type. Keeping bit patterns rather than host numbers means
// that loads, stores, selects and sign operations move bits exactly as the
// GPU does. A bi.matmul runs as one step over whole buffers, in its
// contract's order (the CUDA-core variant; tensor-core units are refused).
//
// Float operations decode to the host type (float for bf16/f16/f32, double
// for f64), do one IEEE operation and encode back. For bf16 and f16 results
// that rounds twice, first to f32, which equals rounding once for +, -, *,
// / and sqrt because f32 carries at least 2p + 2 bits for both formats.
//
// This file is compiled with -ffp-contract=off: a contracted a * b + c
// would round once where the GPU rounds twice.
//
//===----------------------------------------------------------------------===//
#include "Reference/Interpreter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

using namespace mlir;
using namespace mlir::bi;
using llvm::APFloat;

namespace {

//===----------------------------------------------------------------------===//
// Element formats
//===----------------------------------------------------------------------===//

enum class Format { Integer, BF16, F16, F32, F64 };

/// How the reference stores and computes one MLIR element type.
struct ElementType {
  Format format;
  unsigned width; // bits; index counts as 64
  bool isFloat() const { return format != Format::Integer; }
};

std::optional<ElementType> classify(Type type) {
  type = getElementTypeOrSelf(type);
  if (type.isBF16())
    return ElementType{Format::BF16, 16};
  if (type.isF16())
    return ElementType{Format::F16, 16};
  if (type.isF32())
    return ElementType{Format::F32, 32};
  if (type.isF64())
    return ElementType{Format::F64, 64};
  if (type.isIndex())
    return ElementType{Format::Integer, 64};
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && integer.getWidth() <= 64)
    return ElementType{Format::Integer, integer.getWidth()};
  return std::nullopt;
}

uint64_t lowBits(unsigned width) {
  return width >= 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
}

int64_t signExtend(uint64_t bits, unsigned width) {
  if (width >= 64)
    return static_cast<int64_t>(bits);
  uint64_t sign = uint64_t(1) << (width - 1);
  bits &= lowBits(width);
  return static_cast<int64_t>((bits ^ sign) - sign);
}

/// f32 to bf16, round to nearest even. A NaN stays a NaN (made quiet): the
/// rounding increment must not carry its payload into the exponent.
uint64_t roundF32ToBF16(float value) {
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return (bits >> 16) | 0x40u;
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return bits >> 16;
}

/// f16 to f32 is exact; done by hand so NaN payloads move like the GPU's
/// conversion moves them.
float decodeF16(uint64_t raw) {
  uint32_t sign = static_cast<uint32_t>(raw & 0x8000u) << 16;
  uint32_t exponent = (raw >> 10) & 0x1fu;
  uint32_t mantissa = raw & 0x3ffu;
  if (exponent == 0) {
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f)
    return llvm::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return llvm::bit_cast<float>(sign | ((exponent + 112) << 23) |
                               (mantissa << 13));
}

/// Rounds `value` once to the format `semantics`, to nearest even.
uint64_t roundWithAPFloat(APFloat value, const llvm::fltSemantics &semantics) {
  bool losesInfo;
  value.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
  return value.bitcastToAPInt().getZExtValue();
}

/// Bit pattern <-> host value for one float format.
template <Format F> struct Codec;
template <> struct Codec<Format::BF16> {
  using Host = float;
  static float decode(uint64_t raw) {
    return llvm::bit_cast<float>(static_cast<uint32_t>(raw) << 16);
  }
  static uint64_t encode(float value) { return roundF32ToBF16(value); }
};
template <> struct Codec<Format::F16> {
  using Host = float;
  static float decode(uint64_t raw) { return decodeF16(raw); }
  static uint64_t encode(float value) {
    return roundWithAPFloat(APFloat(value), APFloat::IEEEhalf());
  }
};
template <> struct Codec<Format::F32> {
  using Host = float;
  static float decode(uint64_t raw) {
    return llvm::bit_cast<float>(static_cast<uint32_t>(raw));
  }
  static uint64_t encode(float value) {
    return llvm::bit_cast<uint32_t>(value);
  }
};
template <> struct Codec<Format::F64> {
  using Host = double;
  static double decode(uint64_t raw) { return llvm::bit_cast<double>(raw); }
  static uint64_t encode(double value) {
    return llvm::bit_cast<uint64_t>(value);
  }
};

/// Calls `body` with the codec of float format `format`.
template <typename Body> auto withCodec(Format format, Body &&body) {
  switch (format) {
  case Format::BF16:
    return body(Codec<Format::BF16>());
  case Format::F16:
    return body(Codec<Format::F16>());
  case Format::F32:
    return body(Codec<Format::F32>());
  case Format::F64:
  case Format::Integer:
    break;
  }
  return body(Codec<Format::F64>());
}

/// Exact: every format the reference handles fits in a double.
double toDouble(uint64_t raw, Format format) {
  return withCodec(format, [&](auto codec) -> double {
    return decltype(codec)::decode(raw);
  });
}

/// Rounds `value` once to `format`.
uint64_t fromDouble(double value, Format format) {
  switch (format) {
  case Format::F64:
    return llvm::bit_cast<uint64_t>(value);
  case Format::F32:
    return llvm::bit_cast<uint32_t>(static_cast<float>(value));
  case Format::BF16:
    return roundWithAPFloat(APFloat(value), APFloat::BFloat());
  case Format::F16:
    return roundWithAPFloat(APFloat(value), APFloat::IEEEhalf());
  case Format::Integer:
    break;
  }
  llvm_unreachable("not a float format");
}

const llvm::fltSemantics &getSemantics(Format format) {
  switch (format) {
  case Format::BF16:
    return APFloat::BFloat();
  case Format::F16:
    return APFloat::IEEEhalf();
  case Format::F32:
    return APFloat::IEEEsingle();
  case Format::F64:
  case Format::Integer:
    break;
  }
  return APFloat::IEEEdouble();
}

/// sitofp / uitofp: one rounding from the exact integer.
uint64_t integerToFloat(uint64_t raw, ElementType from, Format to,
                        bool isSigned) {
  llvm::APInt value(from.width, raw & lowBits(from.width));
  APFloat result(getSemantics(to));
  result.convertFromAPInt(value, isSigned, APFloat::rmNearestTiesToEven);
  return result.bitcastToAPInt().getZExtValue();
}

/// fptosi / fptoui toward zero, saturating and NaN to 0 as PTX's cvt.rzi
/// does (LLVM leaves out-of-range results undefined).
uint64_t floatToInteger(double value, unsigned width, bool isSigned) {
  if (std::isnan(value))
    return 0;
  value = std::trunc(value);
  if (isSigned) {
    double limit = std::ldexp(1.0, width - 1);
    if (value >= limit)
      return lowBits(width) >> 1;
    if (value < -limit)
      return (uint64_t(1) << (width - 1)) & lowBits(width);
    return static_cast<uint64_t>(static_cast<int64_t>(value)) & lowBits(width);
  }
  if (value <= 0)
    return 0;
  if (value >= std::ldexp(1.0, width))
    return lowBits(width);
  return static_cast<uint64_t>(value);
}

//===----------------------------------------------------------------------===//
// IEEE semantics of the ops
//===----------------------------------------------------------------------===//

/// arith.maximumf: NaN propagates and -0 < +0.
template <typename T> T ieeeMaximum(T a, T b) {
  if (std::isnan(a))
    return a;
  if (std::isnan(b))
    return b;
  if (a == b)
    return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

/// arith.minimumf: NaN propagates and -0 < +0.
template <typename T> T ieeeMinimum(T a, T b) {
  if (std::isnan(a))
    return a;
  if (std::isnan(b))
    return b;
  if (a == b)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

/// bi's portable exp, operation by operation as buildPortableExp emits it
/// (lib/Transforms/PortableMath.cpp); any change there must be mirrored.
float portableExp(float x) {
  float t = x * 1.44269504088896341f;
  float half = std::copysign(0.5f, t);
  auto k = static_cast<int32_t>(
      signExtend(floatToInteger(t + half, 32, /*isSigned=*/true), 32));
  float negK = -static_cast<float>(k);
  float r = std::fma(negK, 0.693145751953125f, x);
  r = std::fma(negK, 1.428606765330187045e-06f, r);
  const float coefficients[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24,
                                1.0f / 6,    0.5f,       1.0f,       1.0f};
  float p = coefficients[0];
  for (float c : llvm::ArrayRef<float>(coefficients).drop_front())
    p = std::fma(p, r, c);
  // Integer steps wrap like the i32 ops; they only matter in range.
  int32_t k1 = k >> 1;
  auto k2 = static_cast<int32_t>(static_cast<uint32_t>(k) -
                                 static_cast<uint32_t>(k1));
  auto pow2 = [](int32_t e) {
    return llvm::bit_cast<float>((static_cast<uint32_t>(e) + 127u) << 23);
  };
  float result = (p * pow2(k1)) * pow2(k2);
  if (x > 88.72284f)
    result = std::numeric_limits<float>::infinity();
  if (x < -103.97208f)
    result = 0.0f;
  if (std::isnan(x))
    result = x;
  return result;
}

bool compareFloat(arith::CmpFPredicate predicate, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  using P = arith::CmpFPredicate;
  switch (predicate) {
  case P::AlwaysFalse:
    return false;
  case P::OEQ:
    return !unordered && a == b;
  case P::OGT:
    return !unordered && a > b;
  case P::OGE:
    return !unordered && a >= b;
  case P::OLT:
    return !unordered && a < b;
  case P::OLE:
    return !unordered && a <= b;
  case P::ONE:
    return !unordered && a != b;
  case P::ORD:
    return !unordered;
  case P::UEQ:
    return unordered || a == b;
  case P::UGT:
    return unordered || a > b;
  case P::UGE:
    return unordered || a >= b;
  case P::ULT:
    return unordered || a < b;
  case P::ULE:
    return unordered || a <= b;
  case P::UNE:
    return unordered || a != b;
  case P::UNO:
    return unordered;
  case P::AlwaysTrue:
    return true;
  }
  llvm_unreachable("unknown cmpf predicate");
}

bool compareInteger(arith::CmpIPredicate predicate, uint64_t a, uint64_t b,
                    unsigned width) {
  int64_t sa = signExtend(a, width), sb = signExtend(b, width);
  uint64_t ua = a & lowBits(width), ub = b & lowBits(width);
  using P = arith::CmpIPredicate;
  switch (predicate) {
  case P::eq:
    return ua == ub;
  case P::ne:
    return ua != ub;
  case P::slt:
    return sa < sb;
  case P::sle:
    return sa <= sb;
  case P::sgt:
    return sa > sb;
  case P::sge:
    return sa >= sb;
  case P::ult:
    return ua < ub;
  case P::ule:
    return ua <= ub;
  case P::ugt:
    return ua > ub;
  case P::uge:
    return ua >= ub;
  }
  llvm_unreachable("unknown cmpi predicate");
}

//===----------------------------------------------------------------------===//
// Ordered reduction
//===----------------------------------------------------------------------===//

template <typename T> T combineValues(ReductionKind kind, T a, T b) {
  switch (kind) {
  case ReductionKind::add:
    return a + b;
  case ReductionKind::max:
    return ieeeMaximum(a, b);
  case ReductionKind::min:
    return ieeeMinimum(a, b);
  }
  llvm_unreachable("unknown reduction kind");
}

/// A float reduction in contract order: lane `l` folds vectors l, l + lanes,
/// ... (vector `v` = elements [v * vector, v * vector + vector)) from the
/// identity in increasing index; with `fused`, element j folds as
/// fma(lhs[j], rhs[j], acc). Lanes are then combined left to right or as a
/// balanced tree, adjacent pairs first.
template <typename T>
T reduceInContractOrder(ReductionKind kind, CombineOrder combine, int64_t lanes,
                        int64_t vector, int64_t extent, bool fused,
                        const std::vector<T> &values, const std::vector<T> &lhs,
                        const std::vector<T> &rhs, std::vector<T> &partials) {
  T identity = kind == ReductionKind::add ? T(0)
               : kind == ReductionKind::max
                   ? -std::numeric_limits<T>::infinity()
                   : std::numeric_limits<T>::infinity();
  int64_t numVectors = extent / vector;
  partials.assign(lanes, identity);
  for (int64_t lane = 0; lane < lanes; ++lane) {
    T acc = identity;
    for (int64_t v = lane; v < numVectors; v += lanes) {
      for (int64_t j = v * vector, end = j + vector; j < end; ++j)
        acc = fused ? std::fma(lhs[j], rhs[j], acc)
                    : combineValues(kind, acc, values[j]);
    }
    partials[lane] = acc;
  }
  if (combine == CombineOrder::seq) {
    T result = partials[0];
    for (int64_t lane = 1; lane < lanes; ++lane)
      result = combineValues(kind, result, partials[lane]);
    return result;
  }
  for (int64_t width = lanes; width > 1; width /= 2)
    for (int64_t i = 0; i < width / 2; ++i)
      partials[i] = combineValues(kind, partials[2 * i], partials[2 * i + 1]);
  return partials[0];
}

//===----------------------------------------------------------------------===//
// Row programs
//===----------------------------------------------------------------------===//

using Slot = std::vector<uint64_t>;
using Frame = std::vector<Slot>;
using Step = std::function<llvm::Error(Frame &)>;

std::string describeLocation(Location loc) {
  if (auto file = loc->findInstanceOf<FileLineColLoc>())
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << loc;
  return text;
}

llvm::Error opError(Operation *op, const Twine &message) {
  return llvm::createStringError(Twine(describeLocation(op->getLoc())) + ": '" +
                                 op->getName().getStringRef() + "' " + message);
}

std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << getElementTypeOrSelf(type);
  return text;
}

/// Applies `fn` elementwise; a scalar operand repeats along the row. `fn`
/// may return std::nullopt for an undefined result, which becomes `error`.
template <typename Fn>
Step mapElements(Operation *op, unsigned out, SmallVector<unsigned, 3> inputs,
                 Fn fn) {
  std::string error = "has an undefined result (e.g. a division by zero or "
                      "an oversized shift)";
  return [=](Frame &frame) -> llvm::Error {
    size_t n = 1;
    for (unsigned input : inputs)
      n = std::max(n, frame[input].size());
    Slot &result = frame[out];
    result.resize(n);
    uint64_t args[3] = {0, 0, 0};
    for (size_t i = 0; i < n; ++i) {
      for (auto [k, input] : llvm::enumerate(inputs)) {
        const Slot &slot = frame[input];
        args[k] = slot[slot.size() == 1 ? 0 : i];
      }
      auto value = fn(args[0], args[1], args[2]);
      if constexpr (std::is_same_v<decltype(value), std::optional<uint64_t>>) {
        if (!value)
          return opError(op, error);
        result[i] = *value;
      } else {
        result[i] = value;
      }
    }
    return llvm::Error::success();
  };
}

/// A buffer argument as the row programs see it.
struct Buffer {
  char *data = nullptr;
  ElementType element{};
  int64_t elementBytes = 0;
  int64_t rowStride = 0; // elements; only for [batch, dim] buffers
};

/// What every row program of one run shares.
struct RunState {
  KernelOp kernel;
  int64_t batch = 0;
  llvm::StringMap<int64_t> extents;  // every dimension, batch included
  DenseMap<Value, Buffer> buffers;   // kernel buffer argument -> binding
  DenseMap<Value, uint64_t> scalars; // kernel scalar argument -> bits
};

class RowProgram {
public:
  RowProgram(RunState &state, MapRowsOp rows) : state(state), rows(rows) {}

  /// Translates the row program; reports the first op it cannot run.
  llvm::Error build();
  /// Runs the row program for row `row`.
  llvm::Error run(int64_t row);

private:
  llvm::Expected<unsigned> use(Value value);
  unsigned define(Value value) {
    unsigned slot = frame.size();
    frame.emplace_back();
    slots[value] = slot;
    return slot;
  }
  llvm::Error addOp(Operation *op);
  llvm::Error addLoadRow(LoadRowOp load);
  llvm::Error addStore(Operation *op, Value value, Value buffer, Value row,
                       bool wholeRow);
  llvm::Error addReduce(ReduceOp reduce);
  llvm::Error addConstant(arith::ConstantOp constant);
  llvm::Error addArithOrMath(Operation *op);
  llvm::Expected<int64_t> readIndex(Frame &frame, unsigned slot, Operation *op);

  RunState &state;
  MapRowsOp rows;
  int64_t extent = 0; // of the row dimension
  unsigned rowSlot = 0;
  Frame frame;
  DenseMap<Value, unsigned> slots;
  std::vector<Step> steps;
};

} // namespace

llvm::Expected<unsigned> RowProgram::use(Value value) {
  if (auto it = slots.find(value); it != slots.end())
    return it->second;
  // Kernel scalar arguments are the only values from outside the program.
  if (auto it = state.scalars.find(value); it != state.scalars.end()) {
    unsigned slot = define(value);
    frame[slot] = {it->second};
    return slot;
  }
  if (state.buffers.count(value))
    return llvm::createStringError(
        "a buffer argument is used as a value; only bi.load_row, "
        "bi.store_row and bi.store_scalar read or write buffers");
  return llvm::createStringError("a value is used before it is defined");
}

llvm::Expected<int64_t> RowProgram::readIndex(Frame &frame, unsigned slot,
                                              Operation *op) {
  int64_t row = signExtend(frame[slot][0], 64);
  if (row < 0 || row >= state.batch)
    return opError(op, "accesses row " + Twine(row) + " of a batch of " +
                           Twine(state.batch));
  return row;
}

llvm::Error RowProgram::build() {
  extent = state.extents.lookup(rows.getRow());
  Block &body = rows.getBody().front();
  rowSlot = define(rows.getRowIndex());
  for (Operation &op : body.without_terminator())
    if (llvm::Error error = addOp(&op))
      return error;
  return llvm::Error::success();
}

llvm::Error RowProgram::run(int64_t row) {
  frame[rowSlot] = {static_cast<uint64_t>(row)};
  for (Step &step : steps)
    if (llvm::Error error = step(frame))
      return error;
  return llvm::Error::success();
}

llvm::Error RowProgram::addOp(Operation *op) {
  for (Type type :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    if (isa<MemRefType>(type))
      continue;
    if (!classify(type))
      return opError(op, "has type " + typeName(type) +
                             ", which the CPU reference does not support; "
                             "it handles bf16, f16, f32, f64, integers up "
                             "to 64 bits and index");
  }
  if (auto fmf = dyn_cast<arith::ArithFastMathInterface>(op))
    if (fmf.getFastMathFlagsAttr() &&
        fmf.getFastMathFlagsAttr().getValue() != arith::FastMathFlags::none)
      return opError(op, "has fast-math flags, which let the compiler pick "
                         "other bits; the CPU reference cannot reproduce "
                         "them");
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](LoadRowOp load) { return addLoadRow(load); })
      .Case([&](StoreRowOp store) {
        return addStore(store, store.getValue(), store.getBuffer(),
                        store.getRow(), /*wholeRow=*/true);
      })
      .Case([&](StoreScalarOp store) {
        return addStore(store, store.getValue(), store.getBuffer(),
                        store.getRow(), /*wholeRow=*/false);
      })
      .Case([&](ReduceOp reduce) { return addReduce(reduce); })
      .Case([&](DimOp dim) -> llvm::Error {
        auto it = state.extents.find(dim.getName());
        if (it == state.extents.end())
          return opError(dim, "names an unknown dimension");
        frame[define(dim.getResult())] = {static_cast<uint64_t>(it->second)};
        return llvm::Error::success();
      })
      .Case([&](BroadcastOp broadcast) -> llvm::Error {
        llvm::Expected<unsigned> scalar = use(broadcast.getScalar());
        if (!scalar)
          return opError(broadcast, llvm::toString(scalar.takeError()));
        unsigned out = define(broadcast.getResult()), in = *scalar;
        int64_t n = extent;
        steps.push_back([=](Frame &frame) {
          frame[out].assign(n, frame[in][0]);
          return llvm::Error::success();
        });
        return llvm::Error::success();
      })
      .Case([&](arith::ConstantOp constant) { return addConstant(constant); })
      .Default([&](Operation *op) { return addArithOrMath(op); });
}

llvm::Error RowProgram::addLoadRow(LoadRowOp load) {
  const Buffer &buffer = state.buffers.lookup(load.getBuffer());
  std::optional<unsigned> rowIndex;
  if (Value row = load.getRow()) {
    llvm::Expected<unsigned> slot = use(row);
    if (!slot)
      return opError(load, llvm::toString(slot.takeError()));
    rowIndex = *slot;
  }
  unsigned out = define(load.getResult());
  int64_t n = extent;
  steps.push_back([this, buffer, rowIndex, out, n,
                   load](Frame &frame) -> llvm::Error {
    const char *base = buffer.data;
    if (rowIndex) {
      llvm::Expected<int64_t> row = readIndex(frame, *rowIndex, load);
      if (!row)
        return row.takeError();
      base += *row * buffer.rowStride * buffer.elementBytes;
    }
    Slot &result = frame[out];
    result.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t raw = 0;
      // Little-endian host: the low bytes hold the element.
      std::memcpy(&raw, base + i * buffer.elementBytes, buffer.elementBytes);
      result[i] = raw;
    }
    return llvm::Error::success();
  });
  return llvm::Error::success();
}

llvm::Error RowProgram::addStore(Operation *op, Value value, Value bufferValue,
                                 Value rowValue, bool wholeRow) {
  const Buffer &buffer = state.buffers.lookup(bufferValue);
  llvm::Expected<unsigned> in = use(value);
  if (!in)
    return opError(op, llvm::toString(in.takeError()));
  llvm::Expected<unsigned> rowIndex = use(rowValue);
  if (!rowIndex)
    return opError(op, llvm::toString(rowIndex.takeError()));
  unsigned inSlot = *in, rowSlotIndex = *rowIndex;
  steps.push_back([this, buffer, inSlot, rowSlotIndex, op,
                   wholeRow](Frame &frame) -> llvm::Error {
    llvm::Expected<int64_t> row = readIndex(frame, rowSlotIndex, op);
    if (!row)
      return row.takeError();
    const Slot &data = frame[inSlot];
    int64_t offset = wholeRow ? *row * buffer.rowStride : *row;
    char *base = buffer.data + offset * buffer.elementBytes;
    for (size_t i = 0; i < data.size(); ++i)
      std::memcpy(base + i * buffer.elementBytes, &data[i],
                  buffer.elementBytes);
    return llvm::Error::success();
  });
  return llvm::Error::success();
}

llvm::Error RowProgram::addConstant(arith::ConstantOp constant) {
  auto toBits = [](Attribute attr) -> std::optional<uint64_t> {
    if (auto integer = dyn_cast<IntegerAttr>(attr))
      return integer.getValue().getZExtValue() &
             lowBits(integer.getValue().getBitWidth());
    if (auto floating = dyn_cast<FloatAttr>(attr))
      return floating.getValue().bitcastToAPInt().getZExtValue();
    return std::nullopt;
  };
  Attribute value = constant.getValue();
  std::optional<uint64_t> bits;
  int64_t n = 1;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    // The GPU lowering takes only splats as rows; so does the reference.
    if (!dense.isSplat())
      return opError(constant, "only splat constants can be used as rows");
    bits = toBits(dense.getSplatValue<Attribute>());
    n = extent;
  } else {
    bits = toBits(value);
  }
  if (!bits)
    return opError(constant, "has a constant the CPU reference cannot read");
  frame[define(constant.getResult())].assign(n, *bits);
  return llvm::Error::success();
}

llvm::Error RowProgram::addReduce(ReduceOp reduce) {
  ElementType acc = *classify(reduce.getResult().getType());
  ReductionKind kind = reduce.getKind();
  ReductionOrderAttr order = reduce.getOrderAttr();
  unsigned out = define(reduce.getResult());
  int64_t n = state.extents.lookup(reduce.getOver());

  if (!acc.isFloat()) {
    // Integer reductions are associative: every order gives these bits.
    ElementType input = *classify(reduce.getInput().getType());
    llvm::Expected<unsigned> in = use(reduce.getInput());
    if (!in)
      return opError(reduce, llvm::toString(in.takeError()));
    unsigned inSlot = *in;
    steps.push_back([=](Frame &frame) {
      int64_t result =
          kind == ReductionKind::add ? 0
          : kind == ReductionKind::max
              ? signExtend(uint64_t(1) << (acc.width - 1), acc.width)
              : signExtend(lowBits(acc.width) >> 1, acc.width);
      for (uint64_t raw : frame[inSlot]) {
        int64_t value = signExtend(raw, input.width);
        if (kind == ReductionKind::add)
          result = signExtend(static_cast<uint64_t>(result) +
                                  static_cast<uint64_t>(value),
                              acc.width);
        else if (kind == ReductionKind::max)
          result = std::max(result, value);
        else
          result = std::min(result, value);
      }
      frame[out] = {static_cast<uint64_t>(result) & lowBits(acc.width)};
      return llvm::Error::success();
    });
    return llvm::Error::success();
  }

  if (!order)
    return opError(reduce, "is a floating-point reduction without an order "
                           "contract");
  if (acc.format != Format::F32 && acc.format != Format::F64)
    return opError(reduce, "accumulates in " +
                               typeName(reduce.getResult().getType()) +
                               "; the CPU reference accumulates in f32 or "
                               "f64");
  if (order.getUnit() != HardwareUnit::none)
    return opError(reduce, "uses a hardware unit; its internal order is not "
                           "modelled by the CPU reference");
  SmallVector<unsigned> paramSlots;
  for (Value param : reduce.getParams()) {
    llvm::Expected<unsigned> slot = use(param);
    if (!slot)
      return opError(reduce, llvm::toString(slot.takeError()));
    paramSlots.push_back(*slot);
  }

  // With fma = on, a reduced product a * b folds as fma(a, b, acc), exactly
  // the rule of the GPU lowering.
  auto product = reduce.getInput().getDefiningOp<arith::MulFOp>();
  bool fused = reduce.getEffectiveMath().getFma() == FmaMode::on && product &&
               kind == ReductionKind::add;
  SmallVector<Value, 2> inputs;
  if (fused)
    inputs = {product.getLhs(), product.getRhs()};
  else
    inputs = {reduce.getInput()};
  SmallVector<std::pair<unsigned, Format>, 2> inputSlots;
  for (Value input : inputs) {
    llvm::Expected<unsigned> slot = use(input);
    if (!slot)
      return opError(reduce, llvm::toString(slot.takeError()));
    inputSlots.push_back({*slot, classify(input.getType())->format});
  }

  // The contract as the GPU lowering implements it; checked before any row
  // runs unless its parameters are only known at run time.
  auto checkContract = [=](ReductionOrderAttr resolved) -> llvm::Error {
    int64_t lanes = resolved.getLanes(), vector = resolved.getVector();
    if (resolved.getChunk() != 0)
      return opError(reduce, "uses 'chunk'; the GPU lowering does not "
                             "implement chunked row reductions yet, so "
                             "neither does the reference");
    if (lanes < 1 || vector < 1 ||
        (resolved.getCombine() == CombineOrder::tree &&
         !llvm::isPowerOf2_64(lanes)))
      return opError(reduce, "has an invalid contract after resolving its "
                             "parameters: lanes = " +
                                 Twine(lanes) + ", vector = " + Twine(vector));
    if (n % vector != 0)
      return opError(reduce, "reduces " + Twine(n) +
                                 " elements, which is not a multiple of the "
                                 "contract's vector width " +
                                 Twine(vector));
    return llvm::Error::success();
  };
  if (paramSlots.empty())
    if (llvm::Error error = checkContract(order))
      return error;

  auto fold = [=](auto host, Frame &frame) -> llvm::Expected<uint64_t> {
    using T = decltype(host);
    ReductionOrderAttr resolved = order;
    if (!paramSlots.empty()) {
      SmallVector<int64_t> params;
      for (unsigned slot : paramSlots)
        params.push_back(signExtend(frame[slot][0], 64));
      resolved = order.withDynamicParams(params);
      if (llvm::Error error = checkContract(resolved))
        return std::move(error);
    }
    // Scratch reused across rows, which run this thousands of times.
    thread_local std::vector<T> values, lhs, rhs, partials;
    // Elements extended (exactly) to the accumulator type.
    std::vector<T> *targets[2] = {fused ? &lhs : &values, &rhs};
    for (auto [k, input] : llvm::enumerate(inputSlots)) {
      const Slot &slot = frame[input.first];
      std::vector<T> &target = *targets[k];
      target.resize(n);
      withCodec(input.second, [&](auto codec) {
        for (int64_t i = 0; i < n; ++i)
          target[i] = static_cast<T>(
              decltype(codec)::decode(slot[slot.size() == 1 ? 0 : i]));
      });
    }
    T result = reduceInContractOrder<T>(
        kind, resolved.getCombine(), resolved.getLanes(), resolved.getVector(),
        n, fused, values, lhs, rhs, partials);
    return llvm::bit_cast<
        std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>(result);
  };
  bool isDouble = acc.format == Format::F64;
  steps.push_back([=](Frame &frame) -> llvm::Error {
    llvm::Expected<uint64_t> result =
        isDouble ? fold(double(), frame) : fold(float(), frame);
    if (!result)
      return result.takeError();
    frame[out] = {*result};
    return llvm::Error::success();
  });
  return llvm::Error::success();
}

llvm::Error RowProgram::addArithOrMath(Operation *op) {
  SmallVector<unsigned, 3> in;
  for (Value operand : op->getOperands()) {
    llvm::Expected<unsigned> slot = use(operand);
    if (!slot)
      return opError(op, llvm::toString(slot.takeError()));
    in.push_back(*slot);
  }
  if (op->getNumResults() != 1)
    return opError(op, "is not supported by the CPU reference");
  ElementType type = *classify(op->getResult(0).getType());
  ElementType operandType =
      op->getNumOperands() ? *classify(op->getOperand(0).getType()) : type;
  unsigned out = define(op->getResult(0));
  auto add = [&](Step step) -> llvm::Error {
    steps.push_back(std::move(step));
    return llvm::Error::success();
  };
  unsigned w = type.width;

  // Float arithmetic: one IEEE operation in the host type, one rounding.
  auto floatBinary = [&](auto fn) -> llvm::Error {
    return add(withCodec(type.format, [&](auto codec) {
      using C = decltype(codec);
      return mapElements(op, out, in, [fn](uint64_t a, uint64_t b, uint64_t) {
        return C::encode(fn(C::decode(a), C::decode(b)));
      });
    }));
  };
  auto floatUnary = [&](auto fn) -> llvm::Error {
    return add(withCodec(type.format, [&](auto codec) {
      using C = decltype(codec);
      return mapElements(op, out, in, [fn](uint64_t a, uint64_t, uint64_t) {
        return C::encode(fn(C::decode(a)));
      });
    }));
  };
  // The GPU lowers math functions and division on f32 only (bi-lower-math);
  // f64 is computed here because its portable meaning (correct rounding) is
  // unambiguous.
  bool isWideFloat = type.format == Format::F32 || type.format == Format::F64;
  auto narrowFloatError = [&]() {
    return opError(op, "computes in " + typeName(op->getResult(0).getType()) +
                           "; bi lowers math functions and division on "
                           "f32 only; extend to f32 first");
  };
  auto intBinary = [&](auto fn) -> llvm::Error {
    return add(
        mapElements(op, out, in, [fn, w](uint64_t a, uint64_t b, uint64_t) {
          return fn(a & lowBits(w), b & lowBits(w), signExtend(a, w),
                    signExtend(b, w));
        }));
  };
  uint64_t mask = lowBits(w);
  uint64_t signBit = uint64_t(1) << (w - 1);

  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      // Float arithmetic.
      .Case([&](arith::AddFOp) {
        return floatBinary([](auto a, auto b) { return a + b; });
      })
      .Case([&](arith::SubFOp) {
        return floatBinary([](auto a, auto b) { return a - b; });
      })
      .Case([&](arith::MulFOp) {
        return floatBinary([](auto a, auto b) { return a * b; });
      })
      .Case([&](arith::DivFOp) {
        if (!isWideFloat)
          return narrowFloatError();
        return floatBinary([](auto a, auto b) { return a / b; });
      })
      .Case([&](arith::MaximumFOp) {
        return floatBinary([](auto a, auto b) { return ieeeMaximum(a, b); });
      })
      .Case([&](arith::MinimumFOp) {
        return floatBinary([](auto a, auto b) { return ieeeMinimum(a, b); });
      })
      .Case([&](arith::NegFOp) {
        return add(
            mapElements(op, out, in, [signBit](uint64_t a, uint64_t, uint64_t) {
              return a ^ signBit;
            }));
      })
      .Case([&](math::AbsFOp) {
        return add(
            mapElements(op, out, in, [signBit](uint64_t a, uint64_t, uint64_t) {
              return a & ~signBit;
            }));
      })
      .Case([&](math::CopySignOp) {
        return add(mapElements(op, out, in,
                               [signBit](uint64_t a, uint64_t b, uint64_t) {
                                 return (a & ~signBit) | (b & signBit);
                               }));
      })
      .Case([&](math::SqrtOp) {
        if (!isWideFloat)
          return narrowFloatError();
        return floatUnary([](auto a) { return std::sqrt(a); });
      })
      .Case([&](math::RsqrtOp) {
        if (!isWideFloat)
          return narrowFloatError();
        // Portable rsqrt: 1 / sqrt(x), both steps correctly rounded.
        return floatUnary([](auto a) {
          using T = decltype(a);
          return T(1) / std::sqrt(a);
        });
      })
      .Case([&](math::FmaOp) {
        if (!isWideFloat)
          return narrowFloatError();
        return add(withCodec(type.format, [&](auto codec) {
          using C = decltype(codec);
          return mapElements(
              op, out, in, [](uint64_t a, uint64_t b, uint64_t c) {
                return C::encode(
                    std::fma(C::decode(a), C::decode(b), C::decode(c)));
              });
        }));
      })
      .Case([&](math::ExpOp) -> llvm::Error {
        if (type.format != Format::F32)
          return opError(op, "computes in " +
                                 typeName(op->getResult(0).getType()) +
                                 "; bi's portable exp is defined on f32 "
                                 "only");
        using C = Codec<Format::F32>;
        return add(mapElements(op, out, in, [](uint64_t a, uint64_t, uint64_t) {
          return C::encode(portableExp(C::decode(a)));
        }));
      })
      // Conversions.
      .Case([&](arith::ExtFOp) {
        Format from = operandType.format, to = type.format;
        if (from == Format::BF16 && to == Format::F32)
          return add(
              mapElements(op, out, in, [](uint64_t a, uint64_t, uint64_t) {
                return a << 16;
              }));
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return fromDouble(toDouble(a, from), to);
            }));
      })
      .Case([&](arith::TruncFOp) {
        Format from = operandType.format, to = type.format;
        if (from == Format::F32 && to == Format::BF16)
          return add(
              mapElements(op, out, in, [](uint64_t a, uint64_t, uint64_t) {
                return roundF32ToBF16(Codec<Format::F32>::decode(a));
              }));
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return fromDouble(toDouble(a, from), to);
            }));
      })
      .Case([&](arith::SIToFPOp) {
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return integerToFloat(a, operandType, type.format, true);
            }));
      })
      .Case([&](arith::UIToFPOp) {
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return integerToFloat(a, operandType, type.format, false);
            }));
      })
      .Case([&](arith::FPToSIOp) {
        Format from = operandType.format;
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return floatToInteger(toDouble(a, from), w, true);
            }));
      })
      .Case([&](arith::FPToUIOp) {
        Format from = operandType.format;
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return floatToInteger(toDouble(a, from), w, false);
            }));
      })
      .Case<arith::ExtSIOp, arith::IndexCastOp, arith::TruncIOp>(
          [&](Operation *) {
            unsigned from = operandType.width;
            return add(
                mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
                  return static_cast<uint64_t>(signExtend(a, from)) & mask;
                }));
          })
      .Case<arith::ExtUIOp, arith::IndexCastUIOp>([&](Operation *) {
        uint64_t fromMask = lowBits(operandType.width);
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return a & fromMask & mask;
            }));
      })
      .Case([&](arith::BitcastOp) {
        return add(
            mapElements(op, out, in, [=](uint64_t a, uint64_t, uint64_t) {
              return a & mask;
            }));
      })
      // Comparisons and selection.
      .Case([&](arith::CmpFOp cmp) {
        arith::CmpFPredicate predicate = cmp.getPredicate();
        Format from = operandType.format;
        return add(mapElements(
            op, out, in, [=](uint64_t a, uint64_t b, uint64_t) -> uint64_t {
              return compareFloat(predicate, toDouble(a, from),
                                  toDouble(b, from));
            }));
      })
      .Case([&](arith::CmpIOp cmp) {
        arith::CmpIPredicate predicate = cmp.getPredicate();
        unsigned width = operandType.width;
        return add(mapElements(
            op, out, in, [=](uint64_t a, uint64_t b, uint64_t) -> uint64_t {
              return compareInteger(predicate, a, b, width);
            }));
      })
      .Case([&](arith::SelectOp) {
        return add(
            mapElements(op, out, in, [](uint64_t c, uint64_t a, uint64_t b) {
              return (c & 1) ? a : b;
            }));
      })
      // Integer arithmetic, wrapping at the type's width.
      .Case([&](arith::AddIOp) {
        return intBinary([mask](uint64_t a, uint64_t b, int64_t, int64_t) {
          return (a + b) & mask;
        });
      })
      .Case([&](arith::SubIOp) {
        return intBinary([mask](uint64_t a, uint64_t b, int64_t, int64_t) {
          return (a - b) & mask;
        });
      })
      .Case([&](arith::MulIOp) {
        return intBinary([mask](uint64_t a, uint64_t b, int64_t, int64_t) {
          return (a * b) & mask;
        });
      })
      .Case([&](arith::AndIOp) {
        return intBinary(
            [](uint64_t a, uint64_t b, int64_t, int64_t) { return a & b; });
      })
      .Case([&](arith::OrIOp) {
        return intBinary(
            [](uint64_t a, uint64_t b, int64_t, int64_t) { return a | b; });
      })
      .Case([&](arith::XOrIOp) {
        return intBinary(
            [](uint64_t a, uint64_t b, int64_t, int64_t) { return a ^ b; });
      })
      .Case([&](arith::MaxSIOp) {
        return intBinary([mask](uint64_t, uint64_t, int64_t a, int64_t b) {
          return static_cast<uint64_t>(std::max(a, b)) & mask;
        });
      })
      .Case([&](arith::MinSIOp) {
        return intBinary([mask](uint64_t, uint64_t, int64_t a, int64_t b) {
          return static_cast<uint64_t>(std::min(a, b)) & mask;
        });
      })
      .Case([&](arith::MaxUIOp) {
        return intBinary([](uint64_t a, uint64_t b, int64_t, int64_t) {
          return std::max(a, b);
        });
      })
      .Case([&](arith::MinUIOp) {
        return intBinary([](uint64_t a, uint64_t b, int64_t, int64_t) {
          return std::min(a, b);
        });
      })
      // Division and shifts have undefined results, which are errors here.
      .Case([&](arith::DivUIOp) {
        return intBinary([](uint64_t a, uint64_t b, int64_t,
                            int64_t) -> std::optional<uint64_t> {
          if (b == 0)
            return std::nullopt;
          return a / b;
        });
      })
      .Case([&](arith::RemUIOp) {
        return intBinary([](uint64_t a, uint64_t b, int64_t,
                            int64_t) -> std::optional<uint64_t> {
          if (b == 0)
            return std::nullopt;
          return a % b;
        });
      })
      .Case([&](arith::DivSIOp) {
        return intBinary([mask, w](uint64_t, uint64_t, int64_t a,
                                   int64_t b) -> std::optional<uint64_t> {
          if (b == 0 || (b == -1 && a == signExtend(uint64_t(1) << (w - 1), w)))
            return std::nullopt;
          return static_cast<uint64_t>(a / b) & mask;
        });
      })
      .Case([&](arith::RemSIOp) {
        return intBinary([mask, w](uint64_t, uint64_t, int64_t a,
                                   int64_t b) -> std::optional<uint64_t> {
          if (b == 0 || (b == -1 && a == signExtend(uint64_t(1) << (w - 1), w)))
            return std::nullopt;
          return static_cast<uint64_t>(a % b) & mask;
        });
      })
      .Case([&](arith::ShLIOp) {
        return intBinary([mask, w](uint64_t a, uint64_t b, int64_t,
                                   int64_t) -> std::optional<uint64_t> {
          if (b >= w)
            return std::nullopt;
          return (a << b) & mask;
        });
      })
      .Case([&](arith::ShRUIOp) {
        return intBinary([w](uint64_t a, uint64_t b, int64_t,
                             int64_t) -> std::optional<uint64_t> {
          if (b >= w)
            return std::nullopt;
          return a >> b;
        });
      })
      .Case([&](arith::ShRSIOp) {
        return intBinary([mask, w](uint64_t, uint64_t b, int64_t a,
                                   int64_t) -> std::optional<uint64_t> {
          if (b >= w)
            return std::nullopt;
          return static_cast<uint64_t>(a >> b) & mask;
        });
      })
      .Default([&](Operation *op) {
        return opError(op, "is not supported by the CPU reference");
      });
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

namespace {

/// A bi.matmul on host buffers, in the order of its contract's CUDA-core
/// variant: each chunk of K folded from +0 by one f32 accumulator in
/// increasing k, chunk partials added left to right, then the epilogue, one
/// IEEE f32 operation at a time.
class MatmulProgram {
public:
  MatmulProgram(RunState &state, MatmulOp matmul)
      : state(state), matmul(matmul) {}

  /// Refuses what the reference cannot reproduce, before anything runs.
  llvm::Error build();
  llvm::Error run();

private:
  /// Element `index` of `buffer`, widened (exactly) to f32.
  static float load(const Buffer &buffer, int64_t index) {
    uint64_t raw = 0;
    std::memcpy(&raw, buffer.data + index * buffer.elementBytes,
                buffer.elementBytes);
    return withCodec(buffer.element.format, [&](auto codec) {
      return static_cast<float>(decltype(codec)::decode(raw));
    });
  }

  RunState &state;
  MatmulOp matmul;
};

} // namespace

llvm::Error MatmulProgram::build() {
  ReductionOrderAttr order = matmul.getOrderAttr();
  if (order.getUnit() != HardwareUnit::none)
    return opError(matmul,
                   "uses unit '" + stringifyHardwareUnit(order.getUnit()) +
                       "', whose internal summation order the hardware fixes "
                       "but does not specify bit for bit, so the CPU "
                       "reference cannot reproduce it; use a contract without "
                       "'unit' for a kernel that a CPU can check");
  return llvm::Error::success();
}

llvm::Error MatmulProgram::run() {
  int64_t m = state.extents.lookup(matmul.getMDimName());
  int64_t n = state.extents.lookup(matmul.getNDimName());
  int64_t k = state.extents.lookup(matmul.getKDimName());
  int64_t chunk = matmul.getOrderAttr().getChunk();
  if (chunk == 0)
    chunk = k;
  bool fused = matmul.getEffectiveMath().getFma() == FmaMode::on;
  Activation activation = matmul.getActivation();
  if (m == 0)
    return llvm::Error::success();
  for (Value buffer : matmul->getOperands())
    if (!state.buffers.lookup(buffer).data)
      return opError(matmul, "reads or writes a buffer that has no data");
  const Buffer &a = state.buffers.find(matmul.getA())->second;
  const Buffer &b = state.buffers.find(matmul.getB())->second;
  const Buffer &c = state.buffers.find(matmul.getC())->second;
  std::optional<Buffer> bias, residual;
  if (Value value = matmul.getBias())
    bias = state.buffers.lookup(value);
  if (Value value = matmul.getResidual())
    residual = state.buffers.lookup(value);
  // Buffers led by the batch axis have the row stride given at launch; the
  // others are dense.
  auto stride = [](const Buffer &buffer, int64_t dense) {
    return buffer.rowStride ? buffer.rowStride : dense;
  };

  // B once, as f32 in [n][k] order whatever its layout.
  bool nnLinear = matmul.isNnLinearLayout();
  std::vector<float> bColumns(n * k), aRow(k);
  for (int64_t col = 0; col < n; ++col)
    for (int64_t i = 0; i < k; ++i)
      bColumns[col * k + i] = load(b, nnLinear ? col * k + i : i * n + col);

  for (int64_t row = 0; row < m; ++row) {
    for (int64_t i = 0; i < k; ++i)
      aRow[i] = load(a, row * stride(a, k) + i);
    for (int64_t col = 0; col < n; ++col) {
      const float *bColumn = &bColumns[col * k];
      float total = 0.0f;
      for (int64_t start = 0; start < k; start += chunk) {
        float partial = 0.0f;
        for (int64_t i = start, end = std::min(k, start + chunk); i < end; ++i)
          partial = fused ? std::fma(aRow[i], bColumn[i], partial)
                          : partial + aRow[i] * bColumn[i];
        total = start == 0 ? partial : total + partial;
      }

      float v = total;
      if (bias)
        v = v + load(*bias, col);
      switch (activation) {
      case Activation::none:
        break;
      case Activation::relu:
        v = (v > 0.0f || std::isnan(v)) ? v : 0.0f;
        break;
      case Activation::silu:
        v = v / (1.0f + portableExp(-v));
        break;
      }
      if (residual)
        v = v + load(*residual, row * stride(*residual, n) + col);
      uint64_t bits = withCodec(c.element.format, [&](auto codec) {
        return decltype(codec)::encode(v);
      });
      std::memcpy(c.data + (row * stride(c, n) + col) * c.elementBytes, &bits,
                  c.elementBytes);
    }
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

/// Binds the kernel's arguments and dimension extents for one run.
static llvm::Error bindRun(RunState &state,
                           llvm::ArrayRef<reference::Argument> args,
                           const llvm::StringMap<int64_t> &extents) {
  KernelOp kernel = state.kernel;
  std::string name = ("kernel @" + kernel.getSymName()).str();
  for (const auto &entry : extents)
    if (!kernel.lookupDim(entry.getKey()))
      return llvm::createStringError(Twine(name) + " has no dimension '" +
                                     entry.getKey() + "'");
  for (Attribute attr : kernel.getDims()) {
    auto dim = cast<DimAttr>(attr);
    StringRef dimName = dim.getName();
    auto given = extents.find(dimName);
    std::optional<int64_t> extent;
    if (dim.getKind() == DimKind::batch)
      extent = state.batch;
    else if (dim.getSize())
      extent = *dim.getSize();
    if (given != extents.end()) {
      if (extent && *extent != given->second)
        return llvm::createStringError(
            Twine(name) + ": dimension '" + dimName + "' has extent " +
            Twine(*extent) + " but " + Twine(given->second) + " was given");
      extent = given->second;
    }
    if (!extent)
      return llvm::createStringError(
          Twine(name) + ": dimension '" + dimName +
          "' has no static extent; pass it in `extents` or specialise the "
          "kernel");
    if (*extent < 0 || (dim.getKind() != DimKind::batch && *extent == 0))
      return llvm::createStringError(Twine(name) + ": dimension '" + dimName +
                                     "' has invalid extent " + Twine(*extent));
    state.extents[dimName] = *extent;
  }

  if (args.size() != kernel.getNumArguments())
    return llvm::createStringError(
        Twine(name) + " takes " + Twine(kernel.getNumArguments()) +
        " arguments, " + Twine(args.size()) + " were given");
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    Value value = kernel.getBody().getArgument(index);
    const reference::Argument &arg = args[index];
    std::string which = name + " argument #" + std::to_string(index);
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref) {
      std::optional<ElementType> element = classify(type);
      if (!element)
        return llvm::createStringError(Twine(which) + " has unsupported type " +
                                       typeName(type));
      if (element->isFloat()) {
        state.scalars[value] = fromDouble(arg.scalar, element->format);
        continue;
      }
      // Signed or unsigned: the kernel's ops decide how the bits are read.
      if (arg.scalar != std::trunc(arg.scalar) ||
          arg.scalar < -std::ldexp(1.0, element->width - 1) ||
          arg.scalar >= std::ldexp(1.0, element->width))
        return llvm::createStringError(Twine(which) + " is an integer; " +
                                       std::to_string(arg.scalar) +
                                       " is not a value of its type");
      state.scalars[value] =
          static_cast<uint64_t>(static_cast<int64_t>(arg.scalar)) &
          lowBits(element->width);
      continue;
    }
    Buffer buffer;
    std::optional<ElementType> element = classify(memref.getElementType());
    if (!element || element->width % 8 != 0 ||
        memref.getElementType().isIndex())
      return llvm::createStringError(Twine(which) + " has element type " +
                                     typeName(memref.getElementType()) +
                                     ", which the CPU reference cannot load");
    buffer.element = *element;
    buffer.elementBytes = element->width / 8;
    buffer.data = static_cast<char *>(arg.data);
    if (!buffer.data && state.batch > 0)
      return llvm::createStringError(Twine(which) +
                                     " is a buffer but has no data");
    SmallVector<StringRef> axes = kernel.getArgAxes(index);
    bool strided = axes.size() == 2 &&
                   kernel.lookupDim(axes[0]).getKind() == DimKind::batch;
    if (strided) {
      int64_t dense = state.extents.lookup(axes[1]);
      if (arg.rowStride != 0 && arg.rowStride < dense)
        return llvm::createStringError(
            Twine(which) + " has row stride " + Twine(arg.rowStride) +
            ", shorter than its rows of " + Twine(dense) + " elements");
      buffer.rowStride = arg.rowStride ? arg.rowStride : dense;
    } else if (arg.rowStride != 0) {
      return llvm::createStringError(
          Twine(which) +
          " has no [batch, row] axes, so a row stride means nothing");
    }
    state.buffers[value] = buffer;
  }
  return llvm::Error::success();
}

llvm::Error mlir::bi::reference::run(KernelOp kernel, ArrayRef<Argument> args,
                                     int64_t batch,
                                     const llvm::StringMap<int64_t> &extents) {
  std::string name = ("kernel @" + kernel.getSymName()).str();
  {
    std::string diagnostics;
    ScopedDiagnosticHandler handler(kernel.getContext(), [&](Diagnostic &d) {
      diagnostics += "\n" + describeLocation(d.getLocation()) + ": " + d.str();
      return success();
    });
    if (failed(verify(kernel)))
      return llvm::createStringError(Twine(name) +
                                     " does not verify:" + diagnostics);
  }
  if (batch < 0)
    return llvm::createStringError(Twine(name) + ": negative batch " +
                                   Twine(batch));

  // Fast math names the GPU's approximation instructions; their bits are
  // not specified anywhere a CPU could reproduce them.
  auto fastError = [&](Operation *op) {
    return opError(op, "uses fn = fast (hardware approximations such as "
                       "rsqrt.approx and ex2.approx), which the CPU reference "
                       "cannot reproduce; use fn = portable");
  };
  if (kernel.getEffectiveMath().getFn() == FnMode::fast)
    return fastError(kernel);
  Operation *fastOp = nullptr;
  kernel.walk([&](Operation *op) {
    MathModeAttr math;
    if (auto reduce = dyn_cast<ReduceOp>(op))
      math = reduce.getEffectiveMath();
    else if (auto matmul = dyn_cast<MatmulOp>(op))
      math = matmul.getEffectiveMath();
    if (!fastOp && math && math.getFn() == FnMode::fast)
      fastOp = op;
  });
  if (fastOp)
    return fastError(fastOp);

  RunState state;
  state.kernel = kernel;
  state.batch = batch;
  if (llvm::Error error = bindRun(state, args, extents))
    return error;

  // Translate every row program and check every product before running
  // any, so that an unsupported op leaves the buffers untouched. They then
  // run in body order, each to completion.
  std::vector<std::function<llvm::Error()>> stages;
  for (Operation &op : kernel.getBody().front().without_terminator()) {
    if (auto rows = dyn_cast<MapRowsOp>(op)) {
      auto program = std::make_shared<RowProgram>(state, rows);
      if (llvm::Error error = program->build())
        return error;
      stages.push_back([program, batch]() -> llvm::Error {
        for (int64_t row = 0; row < batch; ++row)
          if (llvm::Error error = program->run(row))
            return error;
        return llvm::Error::success();
      });
    } else if (auto matmul = dyn_cast<MatmulOp>(op)) {
      auto program = std::make_shared<MatmulProgram>(state, matmul);
      if (llvm::Error error = program->build())
        return error;
      stages.push_back([program] { return program->run(); });
    }
  }
  for (std::function<llvm::Error()> &stage : stages)
    if (llvm::Error error = stage())
      return error;
  return llvm::Error::success();
}
