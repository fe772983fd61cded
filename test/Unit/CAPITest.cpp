//===- CAPITest.cpp - the C API (bi/bi_c.h) -------------------------------===//
//
// What FFI users (ctypes, other languages) see: status codes, the message of
// the last failure, and no crash on NULL or malformed input. Nothing here
// needs a GPU.
//
//===----------------------------------------------------------------------===//
#include "JITTestSupport.h"
#include "bi/bi_c.h"
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <thread>

namespace {
using namespace bi::test;

/// The last error as a string, for matching.
std::string lastError() { return bi_last_error(); }

class CAPI : public ::testing::Test {
protected:
  void SetUp() override {
    if (!toolkitPresent())
      GTEST_SKIP() << "no CUDA 13 toolkit (libnvJitLink.so.13): compiling to "
                      "a cubin is not possible here";
    ASSERT_EQ(bi_compiler_create(freshDir("capi").c_str(), 1, &compiler), 0)
        << lastError();
  }
  void TearDown() override { bi_compiler_destroy(compiler); }

  bi_compiler *compiler = nullptr;
};

bi_arg buffer(int32_t dtype, std::initializer_list<int64_t> shape,
              const void *data) {
  bi_arg arg{};
  arg.kind = BI_ARG_BUFFER;
  arg.dtype = dtype;
  arg.data = data;
  arg.rank = int32_t(shape.size());
  int i = 0;
  for (int64_t extent : shape)
    arg.shape[i++] = extent;
  return arg;
}

TEST_F(CAPI, CompilesAndDescribesABuiltin) {
  bi_kernel *kernel = nullptr;
  ASSERT_EQ(bi_compile_builtin(compiler, "rms_norm", "H=4096", 0, 0, BI_NVVM,
                               &kernel),
            0)
      << lastError();
  EXPECT_STREQ(bi_kernel_name(kernel), "rms_norm");
  EXPECT_EQ(std::strlen(bi_kernel_fingerprint(kernel)), 16u);
  EXPECT_NE(std::string(bi_kernel_code(kernel)).find(".entry rms_norm("),
            std::string::npos);
  EXPECT_EQ(bi_kernel_from_disk_cache(kernel), 0);
  EXPECT_STREQ(bi_kernel_schedules(kernel), ""); // not a GEMM
  int64_t stats[4] = {-1, -1, -1, -1};
  ASSERT_EQ(bi_compiler_stats(compiler, stats), 0);
  EXPECT_EQ(stats[2], 1); // one compile
  bi_kernel_destroy(kernel);
}

TEST_F(CAPI, FailuresReturnNonZeroWithAMessage) {
  bi_kernel *kernel = nullptr;
  EXPECT_NE(bi_compile_builtin(compiler, "no_such_kernel", nullptr, 0, 0,
                               BI_NVVM, &kernel),
            0);
  EXPECT_NE(lastError().find("no_such_kernel"), std::string::npos)
      << lastError();
  EXPECT_EQ(kernel, nullptr);
  // A dims entry that is not NAME=INTEGER.
  for (const char *dims : {"H=abc", "H", "=4096", "H=4096x", "H="}) {
    EXPECT_NE(
        bi_compile_builtin(compiler, "rms_norm", dims, 0, 0, BI_NVVM, &kernel),
        0)
        << dims;
    EXPECT_NE(lastError().find("bad dims entry"), std::string::npos)
        << dims << ": " << lastError();
  }
  EXPECT_NE(
      bi_compile_builtin(compiler, "rms_norm", "H=4096", 0, 0, 7, &kernel), 0);
  EXPECT_NE(lastError().find("backend 7 is neither BI_NVVM (0) nor BI_NVRTC "
                             "(1)"),
            std::string::npos)
      << lastError();
  // A DSL error keeps its diagnostics in the message.
  EXPECT_NE(bi_compile_source(compiler, "bi.kernel @broken(", nullptr, 0, 0,
                              BI_NVVM, &kernel),
            0);
  EXPECT_FALSE(lastError().empty());
}

TEST_F(CAPI, NullIsAnErrorNotACrash) {
  bi_kernel *kernel = nullptr;
  EXPECT_NE(bi_compiler_create(nullptr, 0, nullptr), 0);
  EXPECT_EQ(lastError(), "bi_compiler_create: out is NULL");
  EXPECT_NE(
      bi_compile_builtin(compiler, nullptr, "H=4096", 0, 0, BI_NVVM, &kernel),
      0);
  EXPECT_EQ(lastError(), "bi_compile_builtin: name is NULL");
  EXPECT_NE(
      bi_compile_builtin(nullptr, "rms_norm", "H=4096", 0, 0, BI_NVVM, &kernel),
      0);
  EXPECT_EQ(lastError(), "bi_compile_builtin: compiler is NULL");
  EXPECT_NE(bi_compile_builtin(compiler, "rms_norm", "H=4096", 0, 0, BI_NVVM,
                               nullptr),
            0);
  EXPECT_EQ(lastError(), "bi_compile_builtin: out is NULL");
  EXPECT_NE(
      bi_compile_source(compiler, nullptr, nullptr, 0, 0, BI_NVVM, &kernel), 0);
  EXPECT_EQ(lastError(), "bi_compile_source: source is NULL");
  EXPECT_NE(bi_compile_builtin_scheduled(compiler, nullptr, nullptr, nullptr,
                                         &kernel),
            0);
  EXPECT_EQ(lastError(), "bi_compile_builtin_scheduled: name is NULL");
  EXPECT_NE(
      bi_compile_source_scheduled(compiler, nullptr, nullptr, nullptr, &kernel),
      0);
  EXPECT_EQ(lastError(), "bi_compile_source_scheduled: source is NULL");
  EXPECT_NE(bi_kernel_launch(nullptr, nullptr, 0, nullptr), 0);
  EXPECT_EQ(lastError(), "bi_kernel_launch: kernel is NULL");
  EXPECT_NE(bi_kernel_run_reference(nullptr, nullptr, 0), 0);
  EXPECT_EQ(lastError(), "bi_kernel_run_reference: kernel is NULL");
  EXPECT_NE(bi_kernel_prepare(nullptr, nullptr, 0, 0), 0);
  EXPECT_EQ(lastError(), "bi_kernel_prepare: kernel is NULL");
  EXPECT_NE(bi_compiler_stats(compiler, nullptr), 0);
  EXPECT_EQ(lastError(), "bi_compiler_stats: out is NULL");
  EXPECT_STREQ(bi_kernel_name(nullptr), "");
  EXPECT_STREQ(bi_kernel_schedules(nullptr), "");
  EXPECT_EQ(bi_kernel_from_disk_cache(nullptr), 0);
}

// Arguments are checked before anything touches the driver, so these fail
// the same way with or without a GPU.
TEST_F(CAPI, LaunchArgumentsAreChecked) {
  bi_kernel *kernel = nullptr;
  ASSERT_EQ(bi_compile_builtin(compiler, "rms_norm", "H=4096", 0, 0, BI_NVVM,
                               &kernel),
            0)
      << lastError();
  static char memory[64];
  bi_arg x = buffer(BI_BF16, {2, 4096}, memory);
  EXPECT_NE(bi_kernel_launch(kernel, &x, 1, nullptr), 0);
  EXPECT_NE(lastError().find("expects 4 arguments, got 1"), std::string::npos)
      << lastError();
  EXPECT_NE(bi_kernel_launch(kernel, nullptr, 4, nullptr), 0);
  EXPECT_EQ(lastError(), "args must point at num_args >= 0 arguments");
  bi_arg bad = x;
  bad.rank = 5;
  EXPECT_NE(bi_kernel_launch(kernel, &bad, 1, nullptr), 0);
  EXPECT_NE(lastError().find("has rank 5; at most 4"), std::string::npos)
      << lastError();
  bad = x;
  bad.dtype = 42;
  EXPECT_NE(bi_kernel_launch(kernel, &bad, 1, nullptr), 0);
  EXPECT_EQ(lastError(), "argument #0 has dtype 42; not an enum bi_dtype");
  bad = x;
  bad.kind = 9;
  EXPECT_NE(bi_kernel_launch(kernel, &bad, 1, nullptr), 0);
  EXPECT_NE(lastError().find("argument #0 has kind 9"), std::string::npos)
      << lastError();
  bi_kernel_destroy(kernel);
}

TEST_F(CAPI, GemmSchedulesAndPrepare) {
  bi_kernel *gemm = nullptr;
  ASSERT_EQ(bi_compile_builtin(compiler, "gemm", "N=512,K=4096", 0, 0, BI_NVVM,
                               &gemm),
            0)
      << lastError();
  std::string schedules = bi_kernel_schedules(gemm);
  EXPECT_EQ(schedules.rfind("n64m8s8split,", 0), 0u) << schedules;
  EXPECT_NE(schedules.find(",n128m128s5serial,"), std::string::npos);
  EXPECT_NE(bi_kernel_prepare(gemm, nullptr, 2, 0), 0);
  EXPECT_EQ(lastError(),
            "bi_kernel_prepare: rows must point at num_rows >= 0 values");
  const int64_t zero[] = {0};
  EXPECT_NE(bi_kernel_prepare(gemm, zero, 1, 0), 0);
  EXPECT_NE(lastError().find("takes numbers of rows in [1, 2^31 - 1], got 0"),
            std::string::npos)
      << lastError();
  bi_kernel_destroy(gemm);
}

// Each thread reads its own last failure.
TEST_F(CAPI, LastErrorIsPerThread) {
  EXPECT_NE(bi_compiler_create(nullptr, 0, nullptr), 0);
  std::string other;
  std::thread([&] {
    EXPECT_NE(bi_kernel_launch(nullptr, nullptr, 0, nullptr), 0);
    other = lastError();
  }).join();
  EXPECT_EQ(other, "bi_kernel_launch: kernel is NULL");
  EXPECT_EQ(lastError(), "bi_compiler_create: out is NULL");
}
} // namespace
