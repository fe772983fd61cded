//===- GemmReferenceTest.cpp - bi.matmul in the CPU reference -------------===//
//
// The reference is the oracle for GEMMs of the CUDA-core variant, so these
// tests hold it to the op's definition: its results must equal, bit for
// bit, a plain loop written here from the definition, for both layouts of
// b, every storage type, bias, residual, relu and silu, fma on and off, K
// shorter than a chunk and K not a multiple of it. Rows must not depend on
// M, and the tensor-core unit, which a CPU cannot reproduce, is refused.
//
//===----------------------------------------------------------------------===//
#include "Reference/Interpreter.h"
#include "bi/IR/BiDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/bit.h"
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::bi;

namespace {

std::string message(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : std::string();
}

#define ASSERT_OK(expr) ASSERT_EQ(message(expr), "")

//===----------------------------------------------------------------------===//
// Storage types
//===----------------------------------------------------------------------===//

enum class Storage { bf16, f16, f32 };

const char *typeName(Storage type) {
  switch (type) {
  case Storage::bf16:
    return "bf16";
  case Storage::f16:
    return "f16";
  case Storage::f32:
    return "f32";
  }
  return "";
}

size_t byteSize(Storage type) { return type == Storage::f32 ? 4 : 2; }

/// Rounds `value` to `type`, to nearest even, through APFloat (the
/// reference rounds to bf16 with its own bit arithmetic).
uint32_t encode(Storage type, float value) {
  if (type == Storage::f32)
    return llvm::bit_cast<uint32_t>(value);
  llvm::APFloat rounded(value);
  bool losesInfo;
  rounded.convert(type == Storage::bf16 ? llvm::APFloat::BFloat()
                                        : llvm::APFloat::IEEEhalf(),
                  llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint32_t>(rounded.bitcastToAPInt().getZExtValue());
}

float decode(Storage type, uint32_t bits) {
  switch (type) {
  case Storage::bf16:
    return llvm::bit_cast<float>(bits << 16);
  case Storage::f16:
    return llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits))
        .convertToFloat();
  case Storage::f32:
    return llvm::bit_cast<float>(bits);
  }
  return 0;
}

/// A host buffer of `type` elements, `rows` rows `stride` elements apart.
struct Buffer {
  Buffer() = default;
  Buffer(Storage type, int64_t rows, int64_t columns, int64_t stride = 0)
      : type(type), columns(columns), stride(stride ? stride : columns),
        bytes(rows * this->stride * byteSize(type), 0) {}

  float get(int64_t row, int64_t column) const {
    uint32_t bits = 0;
    std::memcpy(&bits, address(row, column), byteSize(type));
    return decode(type, bits);
  }
  uint32_t bitsAt(int64_t row, int64_t column) const {
    uint32_t bits = 0;
    std::memcpy(&bits, address(row, column), byteSize(type));
    return bits;
  }
  void set(int64_t row, int64_t column, float value) {
    uint32_t bits = encode(type, value);
    std::memcpy(address(row, column), &bits, byteSize(type));
  }
  /// Random values of `type`, drawn from N(0, scale^2).
  void fillRandom(uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    int64_t rows = bytes.size() / (stride * byteSize(type));
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t column = 0; column < columns; ++column)
        set(row, column, normal(rng));
  }
  const char *address(int64_t row, int64_t column) const {
    return bytes.data() + (row * stride + column) * byteSize(type);
  }
  char *address(int64_t row, int64_t column) {
    return bytes.data() + (row * stride + column) * byteSize(type);
  }

  Storage type = Storage::f32;
  int64_t columns = 0, stride = 0;
  std::vector<char> bytes;
};

//===----------------------------------------------------------------------===//
// The kernel under test and the definition it must match
//===----------------------------------------------------------------------===//

struct GemmConfig {
  Storage input = Storage::bf16, output = Storage::bf16;
  std::optional<Storage> bias, residual;
  bool nnLinear = true;
  std::string activation = "none";
  int64_t chunk = 0; // 0: one chunk of all of K
  bool fma = true;

  std::string describe() const {
    return std::string(typeName(input)) + "->" + typeName(output) +
           (nnLinear ? " b[N,K]" : " b[K,N]") +
           (bias ? std::string(" bias ") + typeName(*bias) : "") + " act " +
           activation +
           (residual ? std::string(" residual ") + typeName(*residual) : "") +
           " chunk " + std::to_string(chunk) + (fma ? " fma on" : " fma off");
  }
};

/// `c = epilogue(a · b)` with M the batch and N, K given at run time.
std::string gemmKernel(const GemmConfig &config) {
  std::string in = typeName(config.input), out = typeName(config.output);
  std::string matrix = "memref<?x?x" + in + ">";
  std::string result = "memref<?x?x" + out + ">";
  std::string source =
      "bi.kernel @gemm(%a: " + matrix + " {bi.axes = [\"M\", \"K\"]},\n" +
      "    %b: " + matrix +
      " {bi.axes = " + (config.nnLinear ? "[\"N\", \"K\"]" : "[\"K\", \"N\"]") +
      "},\n" + "    %c: " + result + " {bi.axes = [\"M\", \"N\"]}";
  std::string biasType, residualType;
  if (config.bias) {
    biasType = std::string("memref<?x") + typeName(*config.bias) + ">";
    source += ",\n    %bias: " + biasType + " {bi.axes = [\"N\"]}";
  }
  if (config.residual) {
    residualType =
        std::string("memref<?x?x") + typeName(*config.residual) + ">";
    source += ",\n    %r: " + residualType + " {bi.axes = [\"M\", \"N\"]}";
  }
  source += ")\n    dims [#bi.dim<\"M\" : batch>, #bi.dim<\"N\" : parallel>, "
            "#bi.dim<\"K\" : reduction>]\n    math #bi.math<fma = " +
            std::string(config.fma ? "on" : "off") + ", fn = portable> {\n" +
            "  bi.matmul %a, %b into %c : " + matrix + ", " + matrix + " -> " +
            result + " over \"K\"";
  if (config.bias)
    source += " bias %bias : " + biasType;
  source += " activation " + config.activation;
  if (config.residual)
    source += " residual %r : " + residualType;
  source += "\n      order #bi.order<" +
            (config.chunk ? "chunk = " + std::to_string(config.chunk)
                          : std::string("lanes = 1")) +
            ">\n  bi.return\n}\n";
  return source;
}

struct Operands {
  Buffer a, b, c, bias, residual;
};

/// Fresh random operands; `c` holds a pattern no result has, so that an
/// element left unwritten shows.
Operands randomOperands(const GemmConfig &config, int64_t m, int64_t n,
                        int64_t k, uint32_t seed) {
  Operands operands;
  operands.a = Buffer(config.input, m, k);
  operands.a.fillRandom(seed);
  operands.b =
      config.nnLinear ? Buffer(config.input, n, k) : Buffer(config.input, k, n);
  operands.b.fillRandom(seed + 1);
  operands.c = Buffer(config.output, m, n);
  std::memset(operands.c.bytes.data(), 0x7d, operands.c.bytes.size());
  if (config.bias) {
    operands.bias = Buffer(*config.bias, 1, n);
    operands.bias.fillRandom(seed + 2);
  }
  if (config.residual) {
    operands.residual = Buffer(*config.residual, m, n);
    operands.residual.fillRandom(seed + 3, 4.0f);
  }
  return operands;
}

class GemmReferenceTest : public ::testing::Test {
protected:
  GemmReferenceTest() { context.loadDialect<BiDialect>(); }

  KernelOp parse(llvm::StringRef source) {
    modules.push_back(parseSourceString<ModuleOp>(source, &context));
    if (!modules.back())
      return {};
    auto kernels = modules.back()->getOps<KernelOp>();
    return kernels.empty() ? KernelOp() : *kernels.begin();
  }

  KernelOp loadBuiltin(llvm::StringRef file) {
    modules.push_back(parseSourceFile<ModuleOp>(
        std::string(BI_SOURCE_DIR) + "/lib/Kernels/" + file.str(), &context));
    if (!modules.back())
      return {};
    return *modules.back()->getOps<KernelOp>().begin();
  }

  /// Runs `kernel` on `operands` for `m` rows (a, b, c, then bias and
  /// residual when the config has them).
  llvm::Error run(KernelOp kernel, const GemmConfig &config, Operands &operands,
                  int64_t m, int64_t n, int64_t k) {
    std::vector<reference::Argument> args;
    auto add = [&](Buffer &buffer, bool batched) {
      reference::Argument arg;
      arg.data = buffer.bytes.data();
      arg.rowStride = batched ? buffer.stride : 0;
      args.push_back(arg);
    };
    add(operands.a, true);
    add(operands.b, false);
    add(operands.c, true);
    if (config.bias)
      add(operands.bias, false);
    if (config.residual)
      add(operands.residual, true);
    return reference::run(kernel, args, m, {{"N", n}, {"K", k}});
  }

  /// bi's portable exp of each value, from the reference's math.exp, which
  /// ReferenceTest holds to the GPU's instruction sequence.
  std::vector<float> portableExp(const std::vector<float> &x) {
    if (x.empty())
      return {};
    KernelOp kernel = parse(R"(
bi.kernel @exp(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
               %y: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel>] {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %yr = math.exp %xr : tensor<?xf32>
    bi.store_row %yr, %y[%row] : tensor<?xf32>, memref<?x?xf32>
  }
  bi.return
}
)");
    std::vector<float> y(x.size());
    std::vector<reference::Argument> args(2);
    args[0].data = const_cast<float *>(x.data());
    args[1].data = y.data();
    EXPECT_EQ(
        message(reference::run(kernel, args, 1, {{"H", int64_t(x.size())}})),
        "");
    return y;
  }

  /// The definition, written out: chunk partials from +0 in increasing k,
  /// added left to right, then bias, activation, residual and the rounding
  /// to c's type. Returns c's bit patterns, row-major.
  std::vector<uint32_t> expected(const GemmConfig &config,
                                 const Operands &operands, int64_t m, int64_t n,
                                 int64_t k) {
    int64_t chunk = config.chunk ? config.chunk : k;
    int64_t numChunks = (k + chunk - 1) / chunk;
    std::vector<float> v(m * n);
    for (int64_t row = 0; row < m; ++row) {
      for (int64_t col = 0; col < n; ++col) {
        std::vector<float> partials(numChunks, 0.0f);
        for (int64_t i = 0; i < k; ++i) {
          float x = operands.a.get(row, i);
          float y =
              config.nnLinear ? operands.b.get(col, i) : operands.b.get(i, col);
          float &p = partials[i / chunk];
          if (config.fma) {
            p = std::fma(x, y, p);
          } else {
            float product = x * y;
            p = p + product;
          }
        }
        float total = partials[0];
        for (int64_t j = 1; j < numChunks; ++j)
          total = total + partials[j];
        if (config.bias)
          total = total + operands.bias.get(0, col);
        v[row * n + col] = total;
      }
    }
    if (config.activation == "relu") {
      for (float &value : v)
        if (!std::isnan(value) && value <= 0.0f)
          value = 0.0f;
    } else if (config.activation == "silu") {
      std::vector<float> negated;
      for (float value : v)
        negated.push_back(-value);
      std::vector<float> e = portableExp(negated);
      for (size_t i = 0; i < v.size(); ++i) {
        float denominator = 1.0f + e[i];
        v[i] = v[i] / denominator;
      }
    }
    std::vector<uint32_t> bits;
    for (int64_t row = 0; row < m; ++row)
      for (int64_t col = 0; col < n; ++col) {
        float value = v[row * n + col];
        if (config.residual)
          value = value + operands.residual.get(row, col);
        bits.push_back(encode(config.output, value));
      }
    return bits;
  }

  /// Runs the kernel of `config` and compares every element of c with the
  /// definition; returns the number of mismatches (reported once).
  int64_t checkAgainstDefinition(const GemmConfig &config, int64_t m, int64_t n,
                                 int64_t k, uint32_t seed) {
    KernelOp kernel = parse(gemmKernel(config));
    EXPECT_TRUE(kernel) << config.describe();
    if (!kernel)
      return 1;
    Operands operands = randomOperands(config, m, n, k, seed);
    std::string error = message(run(kernel, config, operands, m, n, k));
    EXPECT_EQ(error, "") << config.describe();
    if (!error.empty())
      return 1;
    std::vector<uint32_t> want = expected(config, operands, m, n, k);
    int64_t mismatches = 0;
    for (int64_t row = 0; row < m; ++row)
      for (int64_t col = 0; col < n; ++col) {
        uint32_t got = operands.c.bitsAt(row, col);
        if (got != want[row * n + col] && mismatches++ == 0)
          ADD_FAILURE() << config.describe() << ", M = " << m << ", K = " << k
                        << ": c[" << row << ", " << col << "] has bits 0x"
                        << std::hex << got << ", the definition 0x"
                        << want[row * n + col];
      }
    return mismatches;
  }

  MLIRContext context;
  std::vector<OwningOpRef<ModuleOp>> modules;
};

//===----------------------------------------------------------------------===//
// Agreement with the definition
//===----------------------------------------------------------------------===//

TEST_F(GemmReferenceTest, MatchesTheDefinition) {
  // Every layout, input and output type and epilogue, with the chunk, the
  // fma mode, M and the epilogue's storage types rotating through their
  // values. K = 37 is shorter than every chunk, K = 200 a multiple of none.
  const Storage types[] = {Storage::bf16, Storage::f16, Storage::f32};
  const char *epilogues[][3] = {{"none", "", ""},
                                {"none", "bias", ""},
                                {"relu", "bias", ""},
                                {"silu", "", "residual"},
                                {"silu", "bias", "residual"}};
  const int64_t chunks[] = {0, 64, 128, 48};
  int64_t index = 0, mismatches = 0;
  for (bool nnLinear : {true, false})
    for (Storage input : types)
      for (Storage output : types)
        for (const auto &epilogue : epilogues) {
          GemmConfig config;
          config.nnLinear = nnLinear;
          config.input = input;
          config.output = output;
          config.activation = epilogue[0];
          if (*epilogue[1])
            config.bias = types[index % 3];
          if (*epilogue[2])
            config.residual = types[(index + 1) % 3];
          config.chunk = chunks[index % 4];
          config.fma = index % 2 == 0;
          for (int64_t k : {37, 200})
            mismatches += checkAgainstDefinition(config, /*m=*/1 + index % 3,
                                                 /*n=*/5, k, 100 + index);
          ++index;
        }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(GemmReferenceTest, FmaOnAndOffGiveTheirOwnSums) {
  // bf16 and f16 products are exact in f32, so only f32 operands show the
  // difference between fused and rounded products. Find inputs where the
  // two definitions differ, so that the test can tell the modes apart.
  for (bool nnLinear : {true, false}) {
    GemmConfig fused, rounded;
    fused.input = rounded.input = Storage::f32;
    fused.output = rounded.output = Storage::f32;
    fused.nnLinear = rounded.nnLinear = nnLinear;
    fused.chunk = rounded.chunk = 32;
    rounded.fma = false;
    const int64_t m = 3, n = 8, k = 100;
    Operands operands = randomOperands(fused, m, n, k, 7);
    std::vector<uint32_t> fusedBits = expected(fused, operands, m, n, k);
    std::vector<uint32_t> roundedBits = expected(rounded, operands, m, n, k);
    ASSERT_NE(fusedBits, roundedBits) << "the inputs do not tell fma on and "
                                         "off apart";
    EXPECT_EQ(checkAgainstDefinition(fused, m, n, k, 7), 0);
    EXPECT_EQ(checkAgainstDefinition(rounded, m, n, k, 7), 0);
  }
}

TEST_F(GemmReferenceTest, ReluKeepsNaNAndZeroesNegatives) {
  GemmConfig config;
  config.input = config.output = Storage::f32;
  config.activation = "relu";
  KernelOp kernel = parse(gemmKernel(config));
  ASSERT_TRUE(kernel);
  // Row 0 sums to -2, row 1 to NaN, row 2 to +3.
  Operands operands;
  operands.a = Buffer(Storage::f32, 3, 2);
  operands.b = Buffer(Storage::f32, 1, 2);
  operands.c = Buffer(Storage::f32, 3, 1);
  const float a[3][2] = {{-1.0f, -1.0f}, {NAN, 1.0f}, {1.0f, 2.0f}};
  for (int64_t row = 0; row < 3; ++row)
    for (int64_t i = 0; i < 2; ++i)
      operands.a.set(row, i, a[row][i]);
  operands.b.set(0, 0, 1.0f);
  operands.b.set(0, 1, 1.0f);
  ASSERT_OK(run(kernel, config, operands, 3, 1, 2));
  EXPECT_EQ(operands.c.bitsAt(0, 0), 0u) << "relu(-2) must be +0";
  EXPECT_TRUE(std::isnan(operands.c.get(1, 0)));
  EXPECT_EQ(operands.c.get(2, 0), 3.0f);
}

TEST_F(GemmReferenceTest, SiluUsesThePortableExp) {
  // With K = 1 and b = 1, c[m, 0] = silu(a[m, 0]): silu alone, on 2000
  // values across the range where exp neither overflows nor vanishes. The
  // host's expf gives other bits for some of them, so the test would see
  // an exp other than bi's.
  GemmConfig config;
  config.input = config.output = Storage::f32;
  config.activation = "silu";
  KernelOp kernel = parse(gemmKernel(config));
  ASSERT_TRUE(kernel);
  const int64_t m = 2000;
  Operands operands;
  operands.a = Buffer(Storage::f32, m, 1);
  operands.b = Buffer(Storage::f32, 1, 1);
  operands.c = Buffer(Storage::f32, m, 1);
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> range(-80.0f, 80.0f);
  for (int64_t row = 0; row < m; ++row)
    operands.a.set(row, 0, range(rng));
  operands.b.set(0, 0, 1.0f);
  ASSERT_OK(run(kernel, config, operands, m, 1, 1));

  std::vector<uint32_t> want = expected(config, operands, m, 1, 1);
  int64_t hostExpDiffers = 0;
  for (int64_t row = 0; row < m; ++row) {
    ASSERT_EQ(operands.c.bitsAt(row, 0), want[row])
        << "silu(" << operands.a.get(row, 0) << ")";
    float v = operands.a.get(row, 0);
    float denominator = 1.0f + std::exp(-v);
    hostExpDiffers += encode(Storage::f32, v / denominator) != want[row];
  }
  EXPECT_GT(hostExpDiffers, 0);
}

//===----------------------------------------------------------------------===//
// Batch invariance
//===----------------------------------------------------------------------===//

TEST_F(GemmReferenceTest, RowsDoNotDependOnM) {
  // Each row of a 37-row product against the same row computed alone
  // (M = 1, pointers moved to that row), with strided rows and the full
  // epilogue, for both layouts.
  for (bool nnLinear : {true, false}) {
    GemmConfig config;
    config.nnLinear = nnLinear;
    config.bias = Storage::bf16;
    config.residual = Storage::bf16;
    config.activation = "silu";
    config.chunk = 64;
    KernelOp kernel = parse(gemmKernel(config));
    ASSERT_TRUE(kernel);
    const int64_t m = 37, n = 24, k = 300;
    Operands all = randomOperands(config, m, n, k, 11);
    Buffer strided(config.input, m, k, k + 3);
    for (int64_t row = 0; row < m; ++row)
      for (int64_t i = 0; i < k; ++i)
        strided.set(row, i, all.a.get(row, i));
    all.a = strided;
    all.c = Buffer(config.output, m, n, n + 2);
    ASSERT_OK(run(kernel, config, all, m, n, k));

    for (int64_t row = 0; row < m; ++row) {
      Operands one;
      one.a = Buffer(config.input, 1, k);
      std::memcpy(one.a.bytes.data(), all.a.address(row, 0),
                  k * byteSize(config.input));
      one.b = all.b;
      one.bias = all.bias;
      one.residual = Buffer(*config.residual, 1, n);
      std::memcpy(one.residual.bytes.data(), all.residual.address(row, 0),
                  n * byteSize(*config.residual));
      one.c = Buffer(config.output, 1, n);
      ASSERT_OK(run(kernel, config, one, 1, n, k));
      EXPECT_EQ(std::memcmp(one.c.bytes.data(), all.c.address(row, 0),
                            n * byteSize(config.output)),
                0)
          << "row " << row << (nnLinear ? " (b[N,K])" : " (b[K,N])");
    }
    EXPECT_EQ(checkAgainstDefinition(config, m, n, k, 11), 0);
  }
}

TEST_F(GemmReferenceTest, OpsRunInBodyOrder) {
  // A row program after the product reads what the product wrote: s[m] is
  // the left-to-right sum of row m of c.
  KernelOp kernel = parse(R"(
bi.kernel @gemm_then_sum(%a: memref<?x?xf32> {bi.axes = ["M", "K"]},
                         %b: memref<?x?xf32> {bi.axes = ["N", "K"]},
                         %c: memref<?x?xf32> {bi.axes = ["M", "N"]},
                         %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : reduction>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %a, %b into %c : memref<?x?xf32>, memref<?x?xf32> -> memref<?x?xf32>
      over "K" order #bi.order<chunk = 16>
  bi.map_rows %row over "M" row "N" {
    %cr = bi.load_row %c[%row] : memref<?x?xf32> -> tensor<?xf32>
    %sum = bi.reduce add %cr : tensor<?xf32> -> f32 over "N"
        order #bi.order<lanes = 1, combine = seq>
    bi.store_scalar %sum, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
)");
  ASSERT_TRUE(kernel);
  GemmConfig config;
  config.input = config.output = Storage::f32;
  config.chunk = 16;
  config.fma = false;
  const int64_t m = 4, n = 6, k = 40;
  Operands operands = randomOperands(config, m, n, k, 9);
  std::vector<float> s(m, NAN);
  std::vector<reference::Argument> args(4);
  args[0].data = operands.a.bytes.data();
  args[1].data = operands.b.bytes.data();
  args[2].data = operands.c.bytes.data();
  args[3].data = s.data();
  ASSERT_OK(reference::run(kernel, args, m, {{"N", n}, {"K", k}}));
  std::vector<uint32_t> want = expected(config, operands, m, n, k);
  for (int64_t row = 0; row < m; ++row) {
    float sum = 0.0f;
    for (int64_t col = 0; col < n; ++col)
      sum = sum + decode(Storage::f32, want[row * n + col]);
    EXPECT_EQ(llvm::bit_cast<uint32_t>(s[row]), llvm::bit_cast<uint32_t>(sum))
        << "row " << row;
  }
}

//===----------------------------------------------------------------------===//
// Built-in kernels and refusals
//===----------------------------------------------------------------------===//

TEST_F(GemmReferenceTest, BuiltinGemmFma) {
  // lib/Kernels/gemm_fma.mlir: bf16, nn.Linear, chunks of 256, fma = on;
  // K = 1000 is three whole chunks and a partial one.
  KernelOp kernel = loadBuiltin("gemm_fma.mlir");
  ASSERT_TRUE(kernel);
  GemmConfig config;
  config.chunk = 256;
  const int64_t m = 3, n = 17, k = 1000;
  Operands operands = randomOperands(config, m, n, k, 5);
  ASSERT_OK(run(kernel, config, operands, m, n, k));
  std::vector<uint32_t> want = expected(config, operands, m, n, k);
  for (int64_t row = 0; row < m; ++row)
    for (int64_t col = 0; col < n; ++col)
      ASSERT_EQ(operands.c.bitsAt(row, col), want[row * n + col])
          << "c[" << row << ", " << col << "]";
}

TEST_F(GemmReferenceTest, TensorCoreUnitIsRefused) {
  KernelOp kernel = loadBuiltin("gemm.mlir");
  ASSERT_TRUE(kernel);
  GemmConfig config;
  Operands operands = randomOperands(config, 2, 4, 64, 3);
  std::vector<char> before = operands.c.bytes;
  std::string error = message(run(kernel, config, operands, 2, 4, 64));
  EXPECT_NE(error.find("'bi.matmul' uses unit 'wgmma.m64nNk16'"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("use a contract without 'unit'"), std::string::npos)
      << error;
  EXPECT_NE(error.find("gemm.mlir:"), std::string::npos) << error;
  EXPECT_EQ(operands.c.bytes, before);
}

TEST_F(GemmReferenceTest, FastMathIsRefused) {
  GemmConfig config;
  std::string source = gemmKernel(config);
  size_t at = source.find("lanes = 1");
  ASSERT_NE(at, std::string::npos);
  source.replace(at, 9, "lanes = 1, fn = fast");
  KernelOp kernel = parse(source);
  ASSERT_TRUE(kernel);
  Operands operands = randomOperands(config, 1, 2, 8, 1);
  std::string error = message(run(kernel, config, operands, 1, 2, 8));
  EXPECT_NE(error.find("'bi.matmul' uses fn = fast"), std::string::npos)
      << error;
}

} // namespace
