//===- ReferenceTest.cpp - the CPU reference executor ---------------------===//
//
// The reference is the oracle GPU results are compared with bit for bit, so
// these tests hold it to the contract itself: results independent of the
// batch size, the declared lane/vector/combine order and FMA mode (checked
// against values computed here, independently), agreement with float64
// math, and refusal of what it cannot reproduce.
//
//===----------------------------------------------------------------------===//
#include "Reference/Interpreter.h"
#include "Transforms/PortableMath.h"
#include "bi/IR/BiDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/bit.h"
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::bi;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string message(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : std::string();
}

#define EXPECT_OK(expr) EXPECT_EQ(message(expr), "")
#define ASSERT_OK(expr) ASSERT_EQ(message(expr), "")

float fromBF16(uint16_t bits) {
  return llvm::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

/// Round to nearest even, written as a comparison on the dropped half so
/// that it shares no code with the reference's rounding.
uint16_t toBF16(float value) {
  if (std::isnan(value))
    return 0x7fc0;
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  uint32_t upper = bits >> 16, dropped = bits & 0xffffu;
  if (dropped > 0x8000u || (dropped == 0x8000u && (upper & 1u)))
    ++upper;
  return static_cast<uint16_t>(upper);
}

std::vector<uint16_t> randomBF16(size_t count, uint32_t seed,
                                 float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<uint16_t> values(count);
  for (uint16_t &value : values)
    value = toBF16(normal(rng));
  return values;
}

/// Distance in units in the last place of `expected` (subnormal spacing
/// below the normal range).
double ulpDistance(float actual, double expected) {
  int exponent;
  std::frexp(expected, &exponent);
  double ulp = std::ldexp(1.0, std::max(exponent, -125) - 24);
  return std::fabs(actual - expected) / ulp;
}

/// A kernel argument in a test: a buffer with one row per batch index
/// (`rowBytes` apart), a buffer shared by all rows (`rowBytes` = 0) or a
/// scalar.
struct TestArg {
  void *data = nullptr;
  int64_t rowBytes = 0;
  double scalar = 0;
};

struct TestOutput {
  void *data;
  size_t bytes;
};

/// Runs rows [0, rows) in consecutive batches of `batchSize` (the last one
/// partial), each batch as its own call with pointers to its first row.
llvm::Error runInBatches(KernelOp kernel, const std::vector<TestArg> &args,
                         int64_t rows, int64_t batchSize,
                         const llvm::StringMap<int64_t> &extents = {}) {
  for (int64_t first = 0; first < rows; first += batchSize) {
    std::vector<reference::Argument> call;
    for (const TestArg &arg : args) {
      reference::Argument argument;
      argument.data = arg.data
                          ? static_cast<char *>(arg.data) + first * arg.rowBytes
                          : nullptr;
      argument.scalar = arg.scalar;
      call.push_back(argument);
    }
    if (llvm::Error error = reference::run(
            kernel, call, std::min(batchSize, rows - first), extents))
      return error;
  }
  return llvm::Error::success();
}

/// Computes all rows in one batch, then in each of `batchSizes`, and
/// expects every output bitwise equal. Outputs are pre-filled with a
/// different pattern each time so that an unwritten element shows.
/// The outputs hold the all-rows result afterwards.
void expectBatchInvariant(KernelOp kernel, const std::vector<TestArg> &args,
                          const std::vector<TestOutput> &outputs, int64_t rows,
                          llvm::ArrayRef<int64_t> batchSizes) {
  auto runAll = [&](int64_t batchSize, int fill) {
    for (const TestOutput &output : outputs)
      std::memset(output.data, fill, output.bytes);
    return runInBatches(kernel, args, rows, batchSize);
  };
  ASSERT_OK(runAll(rows, 0xa5));
  std::vector<std::vector<char>> expected;
  for (const TestOutput &output : outputs) {
    const char *bytes = static_cast<const char *>(output.data);
    expected.emplace_back(bytes, bytes + output.bytes);
  }
  for (int64_t batchSize : batchSizes) {
    ASSERT_OK(runAll(batchSize, 0x5a)) << "batch size " << batchSize;
    for (auto [index, output] : llvm::enumerate(outputs))
      EXPECT_EQ(std::memcmp(output.data, expected[index].data(), output.bytes),
                0)
          << "output #" << index << " differs with batches of " << batchSize;
  }
  for (auto [index, output] : llvm::enumerate(outputs))
    std::memcpy(output.data, expected[index].data(), output.bytes);
}

constexpr int64_t kRows = 4097;
constexpr int64_t kBatchSizes[] = {1, 3, 64, 1000, 4097};

class ReferenceTest : public ::testing::Test {
protected:
  ReferenceTest() { context.loadDialect<BiDialect>(); }

  /// Parses `source`; `name` appears in diagnostics and error locations.
  KernelOp parse(llvm::StringRef source, llvm::StringRef name = "test.mlir") {
    modules.push_back(parseSourceString<ModuleOp>(source, &context, name));
    if (!modules.back())
      return {};
    auto kernels = modules.back()->getOps<KernelOp>();
    return kernels.empty() ? KernelOp() : *kernels.begin();
  }

  /// A built-in kernel from lib/Kernels with dimension `dim` fixed to
  /// `extent`, as --bi-specialize would leave it.
  KernelOp loadBuiltin(llvm::StringRef file, llvm::StringRef dim,
                       int64_t extent) {
    modules.push_back(parseSourceFile<ModuleOp>(
        std::string(BI_SOURCE_DIR) + "/lib/Kernels/" + file.str(), &context));
    if (!modules.back())
      return {};
    KernelOp kernel = *modules.back()->getOps<KernelOp>().begin();
    if (!dim.empty())
      specialize(kernel, dim, extent);
    return kernel;
  }

  void specialize(KernelOp kernel, llvm::StringRef name, int64_t extent) {
    SmallVector<Attribute> dims;
    for (Attribute attr : kernel.getDims()) {
      auto dim = cast<DimAttr>(attr);
      if (dim.getName() == name)
        dim = DimAttr::get(&context, name, dim.getKind(), extent);
      dims.push_back(dim);
    }
    kernel.setDimsAttr(ArrayAttr::get(&context, dims));
  }

  MLIRContext context;
  std::vector<OwningOpRef<ModuleOp>> modules;
};

//===----------------------------------------------------------------------===//
// Built-in kernels: batch invariance and float64 agreement
//===----------------------------------------------------------------------===//

void checkRmsNorm(KernelOp kernel, int64_t hidden) {
  ASSERT_TRUE(kernel);
  const float eps = 1e-6f;
  std::vector<uint16_t> x = randomBF16(kRows * hidden, 1);
  std::vector<uint16_t> w = randomBF16(hidden, 2);
  std::vector<uint16_t> y(kRows * hidden);
  expectBatchInvariant(kernel,
                       {{x.data(), hidden * 2},
                        {w.data()},
                        {y.data(), hidden * 2},
                        {nullptr, 0, eps}},
                       {{y.data(), y.size() * 2}}, kRows, kBatchSizes);

  int64_t mismatches = 0;
  for (int64_t row = 0; row < kRows; ++row) {
    const uint16_t *xr = &x[row * hidden];
    double ss = 0;
    for (int64_t h = 0; h < hidden; ++h)
      ss += double(fromBF16(xr[h])) * fromBF16(xr[h]);
    double inv = 1.0 / std::sqrt(ss / hidden + eps);
    for (int64_t h = 0; h < hidden; ++h) {
      double expected = fromBF16(xr[h]) * inv * fromBF16(w[h]);
      double actual = fromBF16(y[row * hidden + h]);
      if (std::fabs(actual - expected) > std::fabs(expected) / 128 + 1e-6 &&
          mismatches++ == 0)
        ADD_FAILURE() << "row " << row << " element " << h << ": " << actual
                      << " vs float64 " << expected;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(ReferenceTest, RmsNorm4096) {
  checkRmsNorm(loadBuiltin("rms_norm.mlir", "H", 4096), 4096);
}

TEST_F(ReferenceTest, RmsNorm768) {
  // 96 vectors for 256 lanes: most lanes stay at the identity.
  checkRmsNorm(loadBuiltin("rms_norm.mlir", "H", 768), 768);
}

TEST_F(ReferenceTest, FusedAddRmsNorm) {
  const int64_t hidden = 4096;
  const float eps = 1e-5f;
  KernelOp kernel = loadBuiltin("fused_add_rms_norm.mlir", "H", hidden);
  ASSERT_TRUE(kernel);
  std::vector<uint16_t> x = randomBF16(kRows * hidden, 3);
  std::vector<uint16_t> r = randomBF16(kRows * hidden, 4, 4.0f);
  std::vector<uint16_t> w = randomBF16(hidden, 5);
  std::vector<uint16_t> y(kRows * hidden), h(kRows * hidden);
  expectBatchInvariant(kernel,
                       {{x.data(), hidden * 2},
                        {r.data(), hidden * 2},
                        {w.data()},
                        {y.data(), hidden * 2},
                        {h.data(), hidden * 2},
                        {nullptr, 0, eps}},
                       {{y.data(), y.size() * 2}, {h.data(), h.size() * 2}},
                       kRows, kBatchSizes);

  int64_t mismatches = 0;
  for (int64_t row = 0; row < kRows; ++row) {
    double ss = 0;
    std::vector<double> sum(hidden);
    for (int64_t i = 0; i < hidden; ++i) {
      int64_t at = row * hidden + i;
      // The exact sum rounded to bf16 (through f32 without harm: 24 >= 2*8+2
      // bits): the residual must match bit for bit.
      uint16_t expected =
          toBF16(static_cast<float>(double(fromBF16(x[at])) + fromBF16(r[at])));
      if (h[at] != expected && mismatches++ == 0)
        ADD_FAILURE() << "residual row " << row << " element " << i;
      sum[i] = fromBF16(expected);
      ss += sum[i] * sum[i];
    }
    double inv = 1.0 / std::sqrt(ss / hidden + eps);
    for (int64_t i = 0; i < hidden; ++i) {
      double expected = sum[i] * inv * fromBF16(w[i]);
      double actual = fromBF16(y[row * hidden + i]);
      if (std::fabs(actual - expected) > std::fabs(expected) / 128 + 1e-6 &&
          mismatches++ == 0)
        ADD_FAILURE() << "row " << row << " element " << i << ": " << actual
                      << " vs float64 " << expected;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(ReferenceTest, Softmax) {
  // 125 vectors of 8 for 256 lanes in both reductions.
  const int64_t n = 1000;
  KernelOp kernel = loadBuiltin("softmax.mlir", "N", n);
  ASSERT_TRUE(kernel);
  std::vector<uint16_t> x = randomBF16(kRows * n, 6, 3.0f);
  std::vector<uint16_t> y(kRows * n);
  expectBatchInvariant(kernel, {{x.data(), n * 2}, {y.data(), n * 2}},
                       {{y.data(), y.size() * 2}}, kRows, kBatchSizes);

  int64_t mismatches = 0;
  for (int64_t row = 0; row < kRows; ++row) {
    const uint16_t *xr = &x[row * n];
    double max = -INFINITY, sum = 0;
    for (int64_t i = 0; i < n; ++i)
      max = std::max<double>(max, fromBF16(xr[i]));
    for (int64_t i = 0; i < n; ++i)
      sum += std::exp(fromBF16(xr[i]) - max);
    for (int64_t i = 0; i < n; ++i) {
      double expected = std::exp(fromBF16(xr[i]) - max) / sum;
      double actual = fromBF16(y[row * n + i]);
      if (std::fabs(actual - expected) > expected / 128 + 1e-9 &&
          mismatches++ == 0)
        ADD_FAILURE() << "row " << row << " element " << i << ": " << actual
                      << " vs float64 " << expected;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(ReferenceTest, RowSum) {
  const int64_t hidden = 4096;
  KernelOp kernel = loadBuiltin("row_sum.mlir", "H", hidden);
  ASSERT_TRUE(kernel);
  std::vector<uint16_t> x = randomBF16(kRows * hidden, 7);
  std::vector<float> s(kRows);
  expectBatchInvariant(kernel, {{x.data(), hidden * 2}, {s.data(), 4}},
                       {{s.data(), s.size() * 4}}, kRows, kBatchSizes);

  int64_t mismatches = 0;
  for (int64_t row = 0; row < kRows; ++row) {
    double sum = 0, magnitude = 0;
    for (int64_t i = 0; i < hidden; ++i) {
      sum += fromBF16(x[row * hidden + i]);
      magnitude += std::fabs(fromBF16(x[row * hidden + i]));
    }
    // f32 accumulation: 32 folds per lane, then 128 lanes.
    if (std::fabs(s[row] - sum) > 1e-5 * magnitude && mismatches++ == 0)
      ADD_FAILURE() << "row " << row << ": " << s[row] << " vs float64 " << sum;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(ReferenceTest, RowMean) {
  const int64_t hidden = 2048;
  KernelOp kernel = loadBuiltin("row_mean.mlir", "H", hidden);
  ASSERT_TRUE(kernel);
  std::mt19937 rng(8);
  std::normal_distribution<float> normal(1.0f, 2.0f);
  std::vector<float> x(kRows * hidden), mu(kRows);
  for (float &value : x)
    value = normal(rng);
  expectBatchInvariant(kernel, {{x.data(), hidden * 4}, {mu.data(), 4}},
                       {{mu.data(), mu.size() * 4}}, kRows, kBatchSizes);

  int64_t mismatches = 0;
  for (int64_t row = 0; row < kRows; ++row) {
    double sum = 0, magnitude = 0;
    for (int64_t i = 0; i < hidden; ++i) {
      sum += x[row * hidden + i];
      magnitude += std::fabs(x[row * hidden + i]);
    }
    if (std::fabs(mu[row] - sum / hidden) > 1e-5 * magnitude / hidden &&
        mismatches++ == 0)
      ADD_FAILURE() << "row " << row << ": " << mu[row] << " vs float64 "
                    << sum / hidden;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(ReferenceTest, DynamicExtentAndRowStride) {
  // Unspecialised kernel with the extent given at run time and rows padded
  // in memory: the same bits as the specialised kernel on dense rows.
  const int64_t hidden = 768, stride = 800, rows = 37;
  KernelOp dynamic = loadBuiltin("rms_norm.mlir", "", 0);
  KernelOp specialised = loadBuiltin("rms_norm.mlir", "H", hidden);
  ASSERT_TRUE(dynamic && specialised);
  std::vector<uint16_t> dense = randomBF16(rows * hidden, 9);
  std::vector<uint16_t> padded(rows * stride, 0x7fc0);
  for (int64_t row = 0; row < rows; ++row)
    std::copy_n(&dense[row * hidden], hidden, &padded[row * stride]);
  std::vector<uint16_t> w = randomBF16(hidden, 10);
  std::vector<uint16_t> expected(rows * hidden), actual(rows * stride);

  EXPECT_OK(runInBatches(specialised,
                         {{dense.data(), hidden * 2},
                          {w.data()},
                          {expected.data(), hidden * 2},
                          {nullptr, 0, 1e-6}},
                         rows, rows));
  std::vector<reference::Argument> args(4);
  args[0].data = padded.data();
  args[0].rowStride = stride;
  args[1].data = w.data();
  args[2].data = actual.data();
  args[2].rowStride = stride;
  args[3].scalar = 1e-6;
  EXPECT_OK(reference::run(dynamic, args, rows, {{"H", hidden}}));
  for (int64_t row = 0; row < rows; ++row)
    EXPECT_EQ(
        std::memcmp(&actual[row * stride], &expected[row * hidden], hidden * 2),
        0)
        << "row " << row;

  // Without the extent the dynamic kernel cannot run.
  EXPECT_NE(message(reference::run(dynamic, args, rows))
                .find("dimension 'H' has no static extent"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// The order contract
//===----------------------------------------------------------------------===//

/// A row reduction of f32 rows of `extent` elements into one f32 per row.
std::string reduceKernel(int64_t extent, llvm::StringRef kind,
                         llvm::StringRef order) {
  return R"(
bi.kernel @reduce(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                  %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = )" +
         std::to_string(extent) + R"(>] {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %r = bi.reduce )" +
         kind.str() + R"( %xr : tensor<?xf32> -> f32 over "H"
        order #bi.order<)" +
         order.str() + R"(>
    bi.store_scalar %r, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
)";
}

TEST_F(ReferenceTest, TreeAndSeqCombineGiveTheirOwnSums) {
  // 1e8 + 1 rounds back to 1e8 in f32 (its spacing there is 8).
  const float x[4] = {1e8f, 1.0f, -1e8f, 1.0f};
  const float tree = (x[0] + x[1]) + (x[2] + x[3]);
  const float seq = ((x[0] + x[1]) + x[2]) + x[3];
  ASSERT_EQ(tree, 0.0f);
  ASSERT_EQ(seq, 1.0f);
  for (auto [combine, expected] :
       {std::pair<const char *, float>{"tree", tree}, {"seq", seq}}) {
    KernelOp kernel = parse(reduceKernel(
        4, "add", std::string("lanes = 4, vector = 1, combine = ") + combine));
    ASSERT_TRUE(kernel);
    float result = NAN;
    std::vector<reference::Argument> args(2);
    args[0].data = const_cast<float *>(x);
    args[1].data = &result;
    EXPECT_OK(reference::run(kernel, args, 1));
    EXPECT_EQ(llvm::bit_cast<uint32_t>(result),
              llvm::bit_cast<uint32_t>(expected))
        << "combine = " << combine << " gave " << result;
  }
}

/// The contract as its documentation states it, element by element: element
/// i belongs to lane (i / vector) mod lanes, each lane adds its elements in
/// increasing index from +0, lanes are then combined.
float modelSum(const float *x, int64_t extent, int64_t lanes, int64_t vector,
               bool tree) {
  std::vector<float> partial(lanes, 0.0f);
  for (int64_t i = 0; i < extent; ++i)
    partial[(i / vector) % lanes] += x[i];
  std::function<float(int64_t, int64_t)> combine = [&](int64_t first,
                                                       int64_t count) {
    if (count == 1)
      return partial[first];
    return combine(first, count / 2) + combine(first + count / 2, count / 2);
  };
  if (tree)
    return combine(0, lanes);
  float sum = partial[0];
  for (int64_t lane = 1; lane < lanes; ++lane)
    sum += partial[lane];
  return sum;
}

TEST_F(ReferenceTest, LaneAndVectorOrderMatchesTheContract) {
  const int64_t extent = 48, rows = 64;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-20, 20);
  std::vector<float> x(rows * extent);
  for (float &value : x)
    value = std::ldexp(mantissa(rng), exponent(rng));

  int orderSensitiveCases = 0;
  for (int64_t lanes : {1, 2, 4, 8, 16}) {
    for (int64_t vector : {1, 2, 3}) {
      std::vector<float> results[2];
      for (bool tree : {false, true}) {
        std::string order = "lanes = " + std::to_string(lanes) +
                            ", vector = " + std::to_string(vector) +
                            ", combine = " + (tree ? "tree" : "seq");
        KernelOp kernel = parse(reduceKernel(extent, "add", order));
        ASSERT_TRUE(kernel);
        std::vector<float> &s = results[tree];
        s.assign(rows, NAN);
        std::vector<reference::Argument> args(2);
        args[0].data = x.data();
        args[1].data = s.data();
        ASSERT_OK(reference::run(kernel, args, rows));
        for (int64_t row = 0; row < rows; ++row)
          EXPECT_EQ(llvm::bit_cast<uint32_t>(s[row]),
                    llvm::bit_cast<uint32_t>(modelSum(&x[row * extent], extent,
                                                      lanes, vector, tree)))
              << order << ", row " << row;
      }
      for (int64_t row = 0; row < rows; ++row)
        orderSensitiveCases += results[0][row] != results[1][row];
    }
  }
  // The data must be able to tell the orders apart.
  EXPECT_GT(orderSensitiveCases, 100);
}

TEST_F(ReferenceTest, MaxAndMinAreIeeeMaximumAndMinimum) {
  struct Case {
    const char *kind;
    float x[4];
    float expected;
  };
  const Case cases[] = {
      {"max", {-0.0f, -0.0f, 0.0f, -0.0f}, 0.0f},
      {"max", {-0.0f, -0.0f, -0.0f, -0.0f}, -0.0f},
      {"min", {0.0f, 0.0f, -0.0f, 0.0f}, -0.0f},
      {"max", {1.0f, NAN, 2.0f, 3.0f}, NAN},
      {"min", {1.0f, 2.0f, 3.0f, NAN}, NAN},
      {"max", {-INFINITY, -INFINITY, -INFINITY, -INFINITY}, -INFINITY},
  };
  for (const Case &c : cases) {
    KernelOp kernel =
        parse(reduceKernel(4, c.kind, "lanes = 2, vector = 1, combine = tree"));
    ASSERT_TRUE(kernel);
    float result = 42.0f;
    std::vector<reference::Argument> args(2);
    args[0].data = const_cast<float *>(c.x);
    args[1].data = &result;
    EXPECT_OK(reference::run(kernel, args, 1));
    if (std::isnan(c.expected))
      EXPECT_TRUE(std::isnan(result)) << c.kind << " gave " << result;
    else
      EXPECT_EQ(llvm::bit_cast<uint32_t>(result),
                llvm::bit_cast<uint32_t>(c.expected))
          << c.kind << " gave " << result;
  }
}

/// sum_h a[h] * b[h] over two elements, with the kernel math and contract
/// FMA modes given.
std::string dotKernel(llvm::StringRef kernelFma, llvm::StringRef contractFma) {
  std::string order = "lanes = 1, vector = 1, combine = seq";
  if (!contractFma.empty())
    order += ", fma = " + contractFma.str();
  return R"(
bi.kernel @dot(%a: memref<?x?xf32> {bi.axes = ["M", "H"]},
               %b: memref<?x?xf32> {bi.axes = ["M", "H"]},
               %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 2>]
    math #bi.math<fma = )" +
         kernelFma.str() + R"(, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %ar = bi.load_row %a[%row] : memref<?x?xf32> -> tensor<?xf32>
    %br = bi.load_row %b[%row] : memref<?x?xf32> -> tensor<?xf32>
    %p = arith.mulf %ar, %br : tensor<?xf32>
    %r = bi.reduce add %p : tensor<?xf32> -> f32 over "H"
        order #bi.order<)" +
         order + R"(>
    bi.store_scalar %r, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
)";
}

TEST_F(ReferenceTest, FmaModeDecidesTheFold) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: rounded alone it loses the 2^-24
  // (a tie, to even); fused with the accumulated -(1 + 2^-11) it is exact.
  const float big = 1.0f + std::ldexp(1.0f, -11);
  const float a[2] = {-big, 1.0f + std::ldexp(1.0f, -12)};
  const float b[2] = {1.0f, a[1]};
  const float fused = std::fma(a[1], b[1], std::fma(a[0], b[0], 0.0f));
  const float rounded = (0.0f + a[0] * b[0]) + a[1] * b[1];
  ASSERT_EQ(fused, std::ldexp(1.0f, -24));
  ASSERT_EQ(rounded, 0.0f);

  struct Case {
    const char *kernelFma, *contractFma;
    float expected;
  };
  const Case cases[] = {{"on", "", fused},
                        {"off", "", rounded},
                        {"on", "off", rounded},
                        {"off", "on", fused}};
  for (const Case &c : cases) {
    KernelOp kernel = parse(dotKernel(c.kernelFma, c.contractFma));
    ASSERT_TRUE(kernel);
    float result = NAN;
    std::vector<reference::Argument> args(3);
    args[0].data = const_cast<float *>(a);
    args[1].data = const_cast<float *>(b);
    args[2].data = &result;
    EXPECT_OK(reference::run(kernel, args, 1));
    EXPECT_EQ(llvm::bit_cast<uint32_t>(result),
              llvm::bit_cast<uint32_t>(c.expected))
        << "kernel fma = " << c.kernelFma << ", contract fma = '"
        << c.contractFma << "' gave " << result;
  }
}

//===----------------------------------------------------------------------===//
// Portable math
//===----------------------------------------------------------------------===//

/// y = f(x) elementwise on f32 rows of `extent` elements.
std::string unaryKernel(int64_t extent, llvm::StringRef op,
                        llvm::StringRef math = "fma = off, fn = portable") {
  return R"(
bi.kernel @unary(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                 %y: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel = )" +
         std::to_string(extent) + R"(>]
    math #bi.math<)" +
         math.str() + R"(> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %yr = )" +
         op.str() + R"( %xr : tensor<?xf32>
    bi.store_row %yr, %y[%row] : tensor<?xf32>, memref<?x?xf32>
  }
  bi.return
}
)";
}

TEST_F(ReferenceTest, PortableExpIsAccurateAndHandlesEdges) {
  std::vector<float> x;
  for (float v = -103.9f; v < 88.7f; v += 0.0137f)
    x.push_back(v);
  const size_t ordinary = x.size();
  const float edges[] = {0.0f,   -0.0f,    88.72f,    88.73f, -103.97f,
                         -104.f, INFINITY, -INFINITY, NAN,    -87.5f};
  x.insert(x.end(), std::begin(edges), std::end(edges));
  KernelOp kernel = parse(unaryKernel(x.size(), "math.exp"));
  ASSERT_TRUE(kernel);
  std::vector<float> y(x.size());
  std::vector<reference::Argument> args(2);
  args[0].data = x.data();
  args[1].data = y.data();
  ASSERT_OK(reference::run(kernel, args, 1));

  double worst = 0;
  for (size_t i = 0; i < ordinary; ++i)
    worst = std::max(worst, ulpDistance(y[i], std::exp(double(x[i]))));
  EXPECT_LE(worst, 2.0);
  const float *e = &y[ordinary];
  EXPECT_EQ(e[0], 1.0f);
  EXPECT_EQ(e[1], 1.0f);
  EXPECT_LE(ulpDistance(e[2], std::exp(double(edges[2]))), 2.0);
  EXPECT_EQ(e[3], INFINITY);
  EXPECT_GT(e[4], 0.0f); // subnormal, still above the underflow cut
  EXPECT_EQ(e[5], 0.0f);
  EXPECT_EQ(e[6], INFINITY);
  EXPECT_EQ(e[7], 0.0f);
  EXPECT_TRUE(std::isnan(e[8]));
  EXPECT_LE(ulpDistance(e[9], std::exp(double(edges[9]))), 2.0);
}

/// y[row, 0] = exp(s) for a scalar argument s.
constexpr const char *kScalarExpKernel = R"(
bi.kernel @exp(%s: f32, %y: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel = 1>] {
  bi.map_rows %row over "M" row "H" {
    %e = math.exp %s : f32
    %b = bi.broadcast %e : f32 -> tensor<?xf32>
    bi.store_row %b, %y[%row] : tensor<?xf32>, memref<?x?xf32>
  }
  bi.return
}
)";

TEST_F(ReferenceTest, PortableExpMirrorsTheCompilersSequence) {
  // The reference's exp against the very operations the GPU lowering emits
  // (buildPortableExp), evaluated op by op: any drift between the two
  // shows up as a bit difference.
  KernelOp native = parse(kScalarExpKernel);
  KernelOp lowered = parse(kScalarExpKernel);
  ASSERT_TRUE(native && lowered);
  math::ExpOp exp;
  lowered.walk([&](math::ExpOp op) { exp = op; });
  ASSERT_TRUE(exp);
  OpBuilder builder(exp);
  exp.replaceAllUsesWith(
      buildPortableExp(builder, exp.getLoc(), exp.getOperand()));
  exp.erase();

  std::vector<float> inputs = {0.0f,      -0.0f,  1.0f,       -1.0f,
                               88.72283f, 88.73f, -103.97f,   -104.0f,
                               -87.3f,    -95.5f, 1e-8f,      INFINITY,
                               -INFINITY, NAN,    0.3465736f, -0.3465736f};
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> range(-110.0f, 95.0f);
  for (int i = 0; i < 2000; ++i)
    inputs.push_back(range(rng));
  for (float x : inputs) {
    float expected = 0, actual = 0;
    std::vector<reference::Argument> args(2);
    args[0].scalar = x;
    args[1].data = &expected;
    ASSERT_OK(reference::run(native, args, 1));
    args[1].data = &actual;
    ASSERT_OK(reference::run(lowered, args, 1));
    EXPECT_EQ(llvm::bit_cast<uint32_t>(actual),
              llvm::bit_cast<uint32_t>(expected))
        << "exp(" << x << "): " << expected << " vs the compiler's sequence "
        << actual;
  }
}

TEST_F(ReferenceTest, RsqrtIsTwoCorrectlyRoundedSteps) {
  std::vector<float> x = {2.0f, 3.0f, 0.7f, 1e-30f, 12345.678f, 0.0f};
  KernelOp kernel = parse(unaryKernel(x.size(), "math.rsqrt"));
  ASSERT_TRUE(kernel);
  std::vector<float> y(x.size());
  std::vector<reference::Argument> args(2);
  args[0].data = x.data();
  args[1].data = y.data();
  ASSERT_OK(reference::run(kernel, args, 1));
  for (size_t i = 0; i < x.size(); ++i) {
    float root = static_cast<float>(std::sqrt(double(x[i])));
    EXPECT_EQ(y[i], static_cast<float>(1.0 / double(root))) << x[i];
  }
}

//===----------------------------------------------------------------------===//
// Refusals
//===----------------------------------------------------------------------===//

TEST_F(ReferenceTest, FastMathIsRefused) {
  float x = 1.0f, y = 0.0f;
  std::vector<reference::Argument> args(2);
  args[0].data = &x;
  args[1].data = &y;
  KernelOp kernel =
      parse(unaryKernel(1, "math.exp", "fma = off, fn = fast"), "fast.mlir");
  ASSERT_TRUE(kernel);
  std::string error = message(reference::run(kernel, args, 1));
  EXPECT_NE(error.find("fn = fast"), std::string::npos) << error;
  EXPECT_EQ(y, 0.0f);

  KernelOp contract = parse(reduceKernel(
      1, "add", "lanes = 1, vector = 1, combine = seq, fn = fast"));
  ASSERT_TRUE(contract);
  error = message(reference::run(contract, args, 1));
  EXPECT_NE(error.find("fn = fast"), std::string::npos) << error;
  EXPECT_NE(error.find("bi.reduce"), std::string::npos) << error;
}

TEST_F(ReferenceTest, UnsupportedOpIsAnErrorWithItsLocation) {
  std::vector<float> x = {0.5f, 1.0f}, y = {7.0f, 7.0f};
  std::vector<reference::Argument> args(2);
  args[0].data = x.data();
  args[1].data = y.data();
  KernelOp kernel = parse(unaryKernel(2, "math.tanh"), "tanh.mlir");
  ASSERT_TRUE(kernel);
  std::string error = message(reference::run(kernel, args, 1));
  EXPECT_NE(error.find("'math.tanh' is not supported"), std::string::npos)
      << error;
  EXPECT_NE(error.find("tanh.mlir:8:"), std::string::npos) << error;
  // Nothing runs when any op cannot.
  EXPECT_EQ(y[0], 7.0f);
}

TEST_F(ReferenceTest, BadCallsAreErrors) {
  KernelOp kernel = parse(reduceKernel(10, "add", "lanes = 2, vector = 4"));
  ASSERT_TRUE(kernel);
  std::vector<float> x(10, 1.0f), s(1);
  std::vector<reference::Argument> args(2);
  args[0].data = x.data();
  args[1].data = s.data();
  std::string error = message(reference::run(kernel, args, 1));
  EXPECT_NE(error.find("not a multiple of the contract's vector width 4"),
            std::string::npos)
      << error;
  error = message(reference::run(kernel, {args[0]}, 1));
  EXPECT_NE(error.find("takes 2 arguments, 1 were given"), std::string::npos)
      << error;
  args[1].data = nullptr;
  error = message(reference::run(kernel, args, 1));
  EXPECT_NE(error.find("no data"), std::string::npos) << error;
}

} // namespace
