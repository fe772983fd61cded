//===- JITTest.cpp - the embedding API, its cache and its checks ----------===//
//
// Uses only the public API (bi/JIT.h). Nothing here needs a GPU: argument
// checks happen before the driver is touched, and the no-GPU path is tested
// where there is none.
//
//===----------------------------------------------------------------------===//
#include "bi/JIT.h"
#include "JITTestSupport.h"
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {
using namespace bi::test;

bi::Specialization h4096() {
  bi::Specialization spec;
  spec.dims["H"] = 4096;
  return spec;
}

std::vector<fs::path> cacheFiles(const std::string &dir) {
  std::vector<fs::path> files;
  for (const auto &entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      files.push_back(entry.path());
  return files;
}

/// Throws the error message of `fn`, or "" if it did not throw.
template <typename Fn> std::string errorOf(Fn fn) {
  try {
    fn();
  } catch (const bi::Error &error) {
    return std::string(error.what()) + "\n" + error.log();
  }
  return "";
}

class JIT : public ::testing::Test {
protected:
  void SetUp() override {
    if (!toolkitPresent())
      GTEST_SKIP() << "no CUDA 13 toolkit (libnvJitLink.so.13): compiling to "
                      "a cubin is not possible here";
  }
};

bi::CompilerOptions cacheIn(const std::string &dir) {
  bi::CompilerOptions options;
  options.cacheDir = dir;
  return options;
}

TEST_F(JIT, BuiltinSignature) {
  bi::Compiler compiler(cacheIn(freshDir("signature")));
  auto kernel = compiler.compileBuiltin("rms_norm", h4096());
  EXPECT_EQ(kernel->name(), "rms_norm");
  EXPECT_EQ(kernel->fingerprint().size(), 16u);
  EXPECT_NE(kernel->code().find(".entry rms_norm("), std::string::npos);
  ASSERT_EQ(kernel->params().size(), 4u);
  EXPECT_TRUE(kernel->params()[0].isBuffer);
  EXPECT_FALSE(kernel->params()[0].isOutput);
  EXPECT_TRUE(kernel->params()[2].isOutput);
  EXPECT_EQ(kernel->params()[3].dtype, bi::DType::f32);
  EXPECT_EQ(kernel->threadsPerRow(), 256);
  ASSERT_EQ(kernel->dims().size(), 2u);
  EXPECT_EQ(kernel->dims()[1].extent, 4096);
}

TEST_F(JIT, SchedulesKeepTheFingerprint) {
  bi::Compiler compiler(cacheIn(freshDir("schedules")));
  auto base = compiler.compileBuiltin("rms_norm", h4096());
  bi::Specialization forced = h4096();
  forced.threads = 64;
  forced.rows = 4;
  auto other = compiler.compileBuiltin("rms_norm", forced);
  EXPECT_EQ(base->fingerprint(), other->fingerprint());
  EXPECT_NE(base->code(), other->code());
  EXPECT_EQ(other->rowsPerBlock(), 4);
}

TEST_F(JIT, VerifierDiagnosticsReachTheCaller) {
  bi::Compiler compiler(cacheIn(freshDir("verify")));
  std::string source =
      R"(bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
             %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H"
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
})";
  std::string error = errorOf([&] { compiler.compileSource(source, {}); });
  EXPECT_NE(error.find("<source>:6:10: error: 'bi.reduce' op is a "
                       "floating-point reduction without an order contract"),
            std::string::npos)
      << error;
  std::string parse =
      errorOf([&] { compiler.compileSource("bi.kernel @", {}); });
  EXPECT_NE(parse.find("<source>:1:"), std::string::npos) << parse;
  std::string unknown =
      errorOf([&] { compiler.compileBuiltin("layer_norm", {}); });
  EXPECT_NE(unknown.find("built-ins: fused_add_rms_norm"), std::string::npos);
  bi::Specialization batch;
  batch.dims["M"] = 8;
  std::string special =
      errorOf([&] { compiler.compileBuiltin("rms_norm", batch); });
  EXPECT_NE(special.find("cannot specialise batch dimension 'M'"),
            std::string::npos)
      << special;
}

TEST_F(JIT, DiskCacheHitAcrossCompilers) {
  std::string dir = freshDir("hit");
  std::string code;
  {
    bi::Compiler compiler(cacheIn(dir));
    auto kernel = compiler.compileBuiltin("rms_norm", h4096());
    EXPECT_FALSE(kernel->fromDiskCache());
    code = kernel->code();
    auto again = compiler.compileBuiltin("rms_norm", h4096());
    EXPECT_EQ(again, kernel); // memory cache
    bi::CacheStats stats = compiler.cacheStats();
    EXPECT_EQ(stats.compiles, 1);
    EXPECT_EQ(stats.memoryHits, 1);
  }
  ASSERT_EQ(cacheFiles(dir).size(), 1u);
  bi::Compiler second(cacheIn(dir));
  auto kernel = second.compileBuiltin("rms_norm", h4096());
  EXPECT_TRUE(kernel->fromDiskCache());
  EXPECT_EQ(kernel->code(), code);
  EXPECT_EQ(second.cacheStats().diskHits, 1);
  EXPECT_EQ(second.cacheStats().compiles, 0);
  // Another specialisation is another entry.
  bi::Specialization h8192;
  h8192.dims["H"] = 8192;
  EXPECT_FALSE(second.compileBuiltin("rms_norm", h8192)->fromDiskCache());
  EXPECT_EQ(cacheFiles(dir).size(), 2u);
}

void damageAndRecompile(const std::string &name,
                        void (*damage)(const fs::path &)) {
  std::string dir = freshDir(name);
  std::string code;
  {
    bi::Compiler compiler(cacheIn(dir));
    code = compiler.compileBuiltin("row_sum", h4096())->code();
  }
  std::vector<fs::path> files = cacheFiles(dir);
  ASSERT_EQ(files.size(), 1u);
  damage(files[0]);
  {
    bi::Compiler compiler(cacheIn(dir));
    auto kernel = compiler.compileBuiltin("row_sum", h4096());
    EXPECT_FALSE(kernel->fromDiskCache());
    EXPECT_EQ(kernel->code(), code);
    EXPECT_EQ(compiler.cacheStats().corruptEntries, 1);
    EXPECT_EQ(compiler.cacheStats().compiles, 1);
  }
  // The recompiled entry replaced the damaged one.
  bi::Compiler compiler(cacheIn(dir));
  EXPECT_TRUE(compiler.compileBuiltin("row_sum", h4096())->fromDiskCache());
}

TEST_F(JIT, CorruptEntryIsRecompiled) {
  damageAndRecompile("corrupt", [](const fs::path &file) {
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(100);
    stream.write("garbage!", 8);
  });
}

TEST_F(JIT, TruncatedEntryIsRecompiled) {
  damageAndRecompile("truncated", [](const fs::path &file) {
    fs::resize_file(file, fs::file_size(file) / 2);
  });
}

TEST_F(JIT, ForeignFileIsRecompiled) {
  damageAndRecompile("foreign", [](const fs::path &file) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "not a cache";
  });
}

TEST_F(JIT, UnwritableCacheFallsBack) {
  bi::Compiler compiler(cacheIn("/proc/bi-cannot-write-here"));
  auto kernel = compiler.compileBuiltin("row_sum", h4096());
  EXPECT_FALSE(kernel->code().empty());
  EXPECT_EQ(compiler.cacheDir(), ""); // disabled after the failed write
  EXPECT_EQ(compiler.compileBuiltin("row_sum", h4096()), kernel);
}

TEST_F(JIT, EnvironmentControlsTheCache) {
  std::string dir = freshDir("env");
  ::setenv("BI_CACHE_DIR", dir.c_str(), 1);
  {
    bi::Compiler compiler;
    EXPECT_EQ(compiler.cacheDir(), dir);
    compiler.compileBuiltin("row_sum", h4096());
  }
  EXPECT_EQ(cacheFiles(dir).size(), 1u);
  ::setenv("BI_DISABLE_CACHE", "1", 1);
  {
    bi::Compiler compiler;
    EXPECT_EQ(compiler.cacheDir(), "");
    bi::Specialization spec = h4096();
    spec.threads = 32;
    compiler.compileBuiltin("row_sum", spec);
    compiler.compileBuiltin("row_sum", spec);
    EXPECT_EQ(compiler.cacheStats().compiles, 2); // no memory cache either
  }
  EXPECT_EQ(cacheFiles(dir).size(), 1u);
  ::unsetenv("BI_DISABLE_CACHE");
  ::unsetenv("BI_CACHE_DIR");
}

TEST_F(JIT, ThreadsCompilingTheSameKernel) {
  bi::Compiler compiler(cacheIn(freshDir("threads")));
  std::vector<std::shared_ptr<const bi::Kernel>> kernels(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      kernels[i] = compiler.compileBuiltin("softmax", {{{"N", 1024}}});
    });
  for (std::thread &t : threads)
    t.join();
  for (const auto &kernel : kernels)
    EXPECT_EQ(kernel, kernels[0]);
  EXPECT_EQ(compiler.cacheStats().compiles, 1);
}

TEST_F(JIT, ProcessesCompilingTheSameKernel) {
  std::string dir = freshDir("processes");
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int status = 0;
      try {
        bi::Compiler compiler(cacheIn(dir));
        status = compiler.compileBuiltin("rms_norm", h4096())->code().empty();
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::vector<fs::path> files = cacheFiles(dir);
  ASSERT_EQ(files.size(), 1u) << "temporary files must not be left behind";
  bi::Compiler compiler(cacheIn(dir));
  EXPECT_TRUE(compiler.compileBuiltin("rms_norm", h4096())->fromDiskCache());
}

/// Launch arguments for rms_norm over fake (host) buffers: the checks run
/// before the driver is touched.
struct RmsArgs {
  alignas(16) static inline uint16_t x[8 * 4096 + 64], w[4096 + 64],
      y[8 * 4096 + 64];
  std::vector<bi::Arg> args = {bi::Arg::buffer(x, bi::DType::bf16, {8, 4096}),
                               bi::Arg::buffer(w, bi::DType::bf16, {4096}),
                               bi::Arg::buffer(y, bi::DType::bf16, {8, 4096}),
                               bi::Arg::f32(1e-6f)};
};

TEST_F(JIT, LaunchChecksArgumentsFirst) {
  bi::Compiler compiler(cacheIn(freshDir("launch")));
  auto kernel = compiler.compileBuiltin("rms_norm", h4096());
  auto expectError = [&](std::vector<bi::Arg> args, const std::string &what) {
    std::string error = errorOf([&] { kernel->launch(args); });
    EXPECT_NE(error.find(what), std::string::npos)
        << "expected '" << what << "', got: " << error;
  };
  RmsArgs a;
  auto with = [&](int index, bi::Arg arg) {
    std::vector<bi::Arg> args = a.args;
    args[index] = arg;
    return args;
  };
  expectError({a.args[0]}, "rms_norm: expects 4 arguments, got 1");
  expectError(with(0, bi::Arg::buffer(a.x, bi::DType::f16, {8, 4096})),
              "argument #0 must have dtype bf16, got f16");
  expectError(with(0, bi::Arg::buffer(a.x, bi::DType::bf16, {8 * 4096})),
              "argument #0 must have rank 2, got rank 1");
  expectError(with(0, bi::Arg::buffer(a.x, bi::DType::bf16, {8, 2048})),
              "argument #0 axis 1 ('H') must be 4096, got 2048");
  expectError(with(2, bi::Arg::buffer(a.y, bi::DType::bf16, {7, 4096})),
              "dimension 'M' is 8 from argument #0 but 7 from argument #2");
  expectError(with(0, bi::Arg::buffer(nullptr, bi::DType::bf16, {8, 4096})),
              "argument #0 is a null pointer");
  expectError(with(1, bi::Arg::buffer(a.w + 1, bi::DType::bf16, {4096})),
              "argument #1 is not 16-byte aligned");
  expectError(
      with(0, bi::Arg::buffer(a.x, bi::DType::bf16, {8, 4096}, {4100, 1})),
      "row stride of 4100 elements is not a multiple of 16 bytes");
  expectError(
      with(0, bi::Arg::buffer(a.x, bi::DType::bf16, {8, 4096}, {4096, 2})),
      "must be contiguous along its last axis");
  expectError(
      with(0, bi::Arg::buffer(a.x, bi::DType::bf16, {8, 4096}, {2048, 1})),
      "row stride 2048 is smaller than its row length 4096");
  expectError(with(3, bi::Arg::i64(1)), "argument #3 must be a f32 scalar");
  expectError(with(1, bi::Arg::f32(1.0f)),
              "argument #1 must be a bf16 buffer, got a scalar");
  expectError(with(2, bi::Arg::buffer(a.x, bi::DType::bf16, {8, 4096})),
              "output argument #2 overlaps argument #0");
}

TEST_F(JIT, NoGpuIsAClearErrorAtLaunch) {
  if (driverWorks())
    GTEST_SKIP() << "a GPU driver is present; the no-GPU path is not "
                    "reachable here";
  bi::Compiler compiler(cacheIn(freshDir("nogpu")));
  auto kernel = compiler.compileBuiltin("rms_norm", h4096()); // still compiles
  RmsArgs a;
  std::string error = errorOf([&] { kernel->launch(a.args); });
  EXPECT_TRUE(error.find("libcuda.so.1") != std::string::npos ||
              error.find("cuInit failed") != std::string::npos)
      << error;
}

TEST_F(JIT, ReferenceThroughTheAPI) {
  bi::Compiler compiler(cacheIn(freshDir("reference")));
  bi::Specialization spec;
  spec.dims["H"] = 256;
  auto kernel = compiler.compileBuiltin("row_sum", spec);
  std::vector<uint16_t> x(5 * 256);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = uint16_t(0x3f80 + (i % 7)); // bf16 values near 1
  std::vector<float> all(5), one(5);
  kernel->runReference({bi::Arg::buffer(x.data(), bi::DType::bf16, {5, 256}),
                        bi::Arg::buffer(all.data(), bi::DType::f32, {5})});
  for (int row = 0; row < 5; ++row)
    kernel->runReference(
        {bi::Arg::buffer(x.data() + row * 256, bi::DType::bf16, {1, 256}),
         bi::Arg::buffer(one.data() + row, bi::DType::f32, {1})});
  EXPECT_EQ(std::memcmp(all.data(), one.data(), sizeof(float) * 5), 0);
  EXPECT_GT(all[0], 255.0f);
}

TEST_F(JIT, NvrtcBackendEmitsCuda) {
  if (!nvrtcPresent())
    GTEST_SKIP() << "no CUDA toolkit (NVRTC)";
  bi::Compiler compiler(cacheIn(freshDir("nvrtc")));
  bi::Specialization spec = h4096();
  spec.backend = bi::Backend::NVRTC;
  auto kernel = compiler.compileBuiltin("rms_norm", spec);
  EXPECT_EQ(kernel->backend(), bi::Backend::NVRTC);
  EXPECT_NE(kernel->code().find("__global__"), std::string::npos);
  EXPECT_EQ(kernel->fingerprint(),
            compiler.compileBuiltin("rms_norm", h4096())->fingerprint());
}

bi::Specialization gemmSpec(int64_t n, int64_t k) {
  bi::Specialization spec;
  spec.dims["N"] = n;
  spec.dims["K"] = k;
  return spec;
}

TEST_F(JIT, GemmSchedulesShareOneFingerprint) {
  bi::Compiler compiler(cacheIn(freshDir("gemm-schedules")));
  auto chosen = compiler.compileBuiltin("gemm", gemmSpec(512, 4096));
  std::vector<std::string> schedules = chosen->schedules();
  ASSERT_GE(schedules.size(), 10u);
  EXPECT_EQ(chosen->backend(), bi::Backend::NVRTC);
  EXPECT_NE(chosen->code().find("wgmma.mma_async"), std::string::npos);
  ASSERT_EQ(chosen->params().size(), 3u);
  EXPECT_TRUE(chosen->params()[2].isOutput);
  EXPECT_FALSE(chosen->params()[1].isOutput);
  bool sawSplit = false, sawCluster = false, sawSerial = false,
       sawRange = false, sawPair = false;
  for (const std::string &name : schedules) {
    bi::Specialization spec = gemmSpec(512, 4096);
    spec.schedule = name;
    auto forced = compiler.compileBuiltin("gemm", spec);
    EXPECT_EQ(forced->fingerprint(), chosen->fingerprint()) << name;
    bool split =
        forced->code().find("#define BI_SPLIT_CHUNKS 1") != std::string::npos;
    bool cluster =
        forced->code().find("#define BI_CLUSTER_CHUNKS 1") != std::string::npos;
    bool range =
        forced->code().find("#define BI_RANGE_PAIRS 1") != std::string::npos;
    bool pair =
        forced->code().find("#define BI_PAIR_TILES 1") != std::string::npos;
    EXPECT_EQ(split, name.find("serial") == std::string::npos &&
                         name.find("range") == std::string::npos &&
                         name.find("pair") == std::string::npos)
        << name;
    EXPECT_EQ(cluster, name.find("cluster") != std::string::npos) << name;
    EXPECT_EQ(range, name.find("range") != std::string::npos) << name;
    EXPECT_EQ(pair, name.find("pair") != std::string::npos) << name;
    sawSplit |= split && !cluster;
    sawCluster |= cluster;
    sawSerial |= !split && !range && !pair;
    sawRange |= range;
    sawPair |= pair;
  }
  EXPECT_TRUE(sawSplit && sawCluster && sawSerial && sawRange && sawPair);
  // The contract's chunk, not the schedule, decides the bits.
  EXPECT_NE(
      chosen->fingerprint(),
      compiler.compileBuiltin("gemm_fma", gemmSpec(512, 4096))->fingerprint());
}

// Cached kernels hold their compiler (for reference runs and schedule
// variants) and the compiler's cache holds them: destroying the compiler
// must break that cycle, or every kernel (and its GEMM workspaces) would
// outlive it.
TEST_F(JIT, DestroyedCompilerReleasesItsKernels) {
  std::weak_ptr<const bi::Kernel> dropped, held;
  std::shared_ptr<const bi::Kernel> keep;
  {
    bi::Compiler compiler(cacheIn(freshDir("release")));
    dropped = compiler.compileBuiltin("gemm", gemmSpec(512, 4096));
    keep = compiler.compileBuiltin("gemm", gemmSpec(256, 4096));
    held = keep;
    EXPECT_FALSE(dropped.expired()) << "the memory cache holds it";
  }
  EXPECT_TRUE(dropped.expired());
  ASSERT_FALSE(held.expired());
  // A kernel the caller still holds keeps working without its compiler.
  EXPECT_FALSE(keep->schedules().empty());
  EXPECT_FALSE(keep->fingerprint().empty());
}

TEST_F(JIT, GemmUnknownScheduleIsAClearError) {
  bi::Compiler compiler(cacheIn(freshDir("gemm-unknown")));
  bi::Specialization spec = gemmSpec(512, 4096);
  spec.schedule = "n7m7s1split";
  std::string error = errorOf([&] { compiler.compileBuiltin("gemm", spec); });
  EXPECT_NE(error.find("unknown schedule 'n7m7s1split'; one of:"),
            std::string::npos)
      << error;
  // The CUDA-core variant has one schedule only.
  spec.schedule = "n64m8s8split";
  error = errorOf([&] { compiler.compileBuiltin("gemm_fma", spec); });
  EXPECT_NE(error.find("no wgmma unit"), std::string::npos) << error;
}

/// Every file of a cache directory by name (relative), with its bytes.
std::map<std::string, std::string> cacheContents(const std::string &dir) {
  std::map<std::string, std::string> contents;
  for (const fs::path &file : cacheFiles(dir)) {
    std::ifstream in(file, std::ios::binary);
    contents[fs::relative(file, dir).string()] =
        std::string(std::istreambuf_iterator<char>(in), {});
  }
  return contents;
}

// An engine compiles its schedules at start-up: on several threads at
// once, into the disk cache, once.
TEST_F(JIT, GemmPrepareCompilesEverySchedule) {
  if (!nvrtcPresent())
    GTEST_SKIP() << "no CUDA toolkit (NVRTC)";
  std::string parallelDir = freshDir("prepare-parallel");
  std::vector<std::string> names;
  int64_t compiled = 0;
  {
    bi::Compiler compiler(cacheIn(parallelDir));
    auto kernel = compiler.compileBuiltin("gemm", gemmSpec(512, 4096));
    const int64_t before = compiler.cacheStats().compiles;
    names = kernel->prepare({}, 2);
    EXPECT_EQ(names, kernel->schedules());
    compiled = compiler.cacheStats().compiles - before;
    EXPECT_EQ(compiled, int64_t(names.size()));
    // Prepared schedules are compiled: asking again compiles nothing.
    EXPECT_EQ(kernel->prepare({}, 2), names);
    EXPECT_EQ(compiler.cacheStats().compiles - before, compiled);
  }
  // Another process finds them all on disk.
  {
    bi::Compiler compiler(cacheIn(parallelDir));
    auto kernel = compiler.compileBuiltin("gemm", gemmSpec(512, 4096));
    const bi::CacheStats before = compiler.cacheStats();
    EXPECT_EQ(kernel->prepare(), names);
    EXPECT_EQ(compiler.cacheStats().compiles, before.compiles);
    EXPECT_EQ(compiler.cacheStats().diskHits - before.diskHits, compiled);
  }
  // NVRTC on two threads gives the cubins one thread gives.
  std::string serialDir = freshDir("prepare-serial");
  {
    bi::Compiler compiler(cacheIn(serialDir));
    compiler.compileBuiltin("gemm", gemmSpec(512, 4096))->prepare({}, 1);
  }
  std::map<std::string, std::string> parallel = cacheContents(parallelDir),
                                     serial = cacheContents(serialDir);
  EXPECT_EQ(parallel.size(), names.size() + 1); // and the kernel's entry
  EXPECT_TRUE(parallel == serial);
}

TEST_F(JIT, GemmPrepareChecksItsInput) {
  bi::Compiler compiler(cacheIn(freshDir("prepare-input")));
  auto kernel = compiler.compileBuiltin("gemm", gemmSpec(512, 4096));
  std::string error = errorOf([&] { kernel->prepare({64, 0}); });
  EXPECT_NE(error.find("gemm: prepare() takes numbers of rows in [1, 2^31 - "
                       "1], got 0"),
            std::string::npos)
      << error;
  // Kernels without schedules have nothing to prepare.
  EXPECT_TRUE(compiler.compileBuiltin("rms_norm", h4096())->prepare().empty());
  EXPECT_TRUE(compiler.compileBuiltin("gemm_fma", gemmSpec(512, 4096))
                  ->prepare()
                  .empty());
  // The schedule for given batch sizes depends on the GPU.
  if (!driverWorks()) {
    error = errorOf([&] { kernel->prepare({1, 1024}); });
    EXPECT_TRUE(error.find("libcuda.so.1") != std::string::npos ||
                error.find("cuInit failed") != std::string::npos)
        << error;
  }
}

// A forced schedule runs alone, or as its split twin where its cluster
// does not fit: both are prepared.
TEST_F(JIT, GemmPrepareForcedSchedule) {
  if (!nvrtcPresent())
    GTEST_SKIP() << "no CUDA toolkit (NVRTC)";
  bi::Compiler compiler(cacheIn(freshDir("prepare-forced")));
  bi::Specialization spec = gemmSpec(512, 4096);
  spec.schedule = "n128m64s6cluster";
  auto cluster = compiler.compileBuiltin("gemm", spec);
  EXPECT_EQ(cluster->prepare(),
            (std::vector<std::string>{"n128m64s6split", "n128m64s6cluster"}));
  spec.schedule = "n128m128s5serial";
  auto serial = compiler.compileBuiltin("gemm", spec);
  EXPECT_EQ(serial->prepare({1, 4096}),
            std::vector<std::string>{"n128m128s5serial"});
}

TEST_F(JIT, GemmSurvivesTheDiskCache) {
  std::string dir = freshDir("gemm-cache");
  std::string fingerprint, code;
  {
    bi::Compiler compiler(cacheIn(dir));
    auto kernel = compiler.compileBuiltin("gemm", gemmSpec(512, 4096));
    fingerprint = kernel->fingerprint();
    code = kernel->code();
  }
  bi::Compiler second(cacheIn(dir));
  auto kernel = second.compileBuiltin("gemm", gemmSpec(512, 4096));
  EXPECT_TRUE(kernel->fromDiskCache());
  EXPECT_EQ(kernel->fingerprint(), fingerprint);
  EXPECT_EQ(kernel->code(), code);
  EXPECT_EQ(
      kernel->schedules().size(),
      second.compileBuiltin("gemm", gemmSpec(512, 4096))->schedules().size());
  EXPECT_FALSE(kernel->schedules().empty());
}

TEST_F(JIT, GemmReferenceThroughTheAPI) {
  bi::Compiler compiler(cacheIn(freshDir("gemm-reference")));
  // The CUDA-core contract is reproducible on the CPU, rows independent of
  // the batch.
  auto kernel = compiler.compileBuiltin("gemm_fma", gemmSpec(24, 600));
  std::vector<uint16_t> a(5 * 600), b(24 * 600);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = uint16_t(0x3f80 + (i * 37 % 97)); // bf16 values in [1, 2)
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = uint16_t(0xbf00 + (i * 53 % 89)); // bf16 values near -0.5
  std::vector<uint16_t> all(5 * 24), one(24);
  kernel->runReference({bi::Arg::buffer(a.data(), bi::DType::bf16, {5, 600}),
                        bi::Arg::buffer(b.data(), bi::DType::bf16, {24, 600}),
                        bi::Arg::buffer(all.data(), bi::DType::bf16, {5, 24})});
  kernel->runReference(
      {bi::Arg::buffer(a.data() + 3 * 600, bi::DType::bf16, {1, 600}),
       bi::Arg::buffer(b.data(), bi::DType::bf16, {24, 600}),
       bi::Arg::buffer(one.data(), bi::DType::bf16, {1, 24})});
  EXPECT_EQ(std::memcmp(all.data() + 3 * 24, one.data(), 24 * 2), 0);
  EXPECT_NE(all[0], 0);
  // Tensor-core bits are not reproducible on a CPU: a clear error.
  auto wgmma = compiler.compileBuiltin("gemm", gemmSpec(24, 600));
  std::string error = errorOf([&] {
    wgmma->runReference(
        {bi::Arg::buffer(a.data(), bi::DType::bf16, {5, 600}),
         bi::Arg::buffer(b.data(), bi::DType::bf16, {24, 600}),
         bi::Arg::buffer(all.data(), bi::DType::bf16, {5, 24})});
  });
  EXPECT_NE(error.find("CPU reference"), std::string::npos) << error;
}

/// True when some file under `dir` holds an ELF image (a cache entry with
/// its cubin).
bool cacheHoldsCubin(const std::string &dir) {
  for (const fs::path &file : cacheFiles(dir)) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
    if (bytes.find("\177ELF") != std::string::npos)
      return true;
  }
  return false;
}

TEST_F(JIT, GemmFmaCompilesWithBothBackends) {
  if (!nvrtcPresent())
    GTEST_SKIP() << "no CUDA toolkit (NVRTC)";
  // One cache directory per backend, so each holds that backend's cubin.
  std::string nvvmDir = freshDir("gemm-fma-nvvm");
  std::string nvrtcDir = freshDir("gemm-fma-nvrtc");
  bi::Compiler nvvmCompiler(cacheIn(nvvmDir)), nvrtcCompiler(cacheIn(nvrtcDir));
  bi::Specialization spec = gemmSpec(24, 600);
  auto nvvm = nvvmCompiler.compileBuiltin("gemm_fma", spec);
  spec.backend = bi::Backend::NVRTC;
  auto nvrtc = nvrtcCompiler.compileBuiltin("gemm_fma", spec);

  // The default backend lowers the product through MLIR to PTX; NVRTC
  // compiles the generator's CUDA C++. Same entry (one launcher), same
  // fingerprint, and a cubin from each.
  EXPECT_EQ(nvvm->backend(), bi::Backend::NVVM);
  EXPECT_NE(nvvm->code().find(".target sm_90a"), std::string::npos);
  EXPECT_NE(nvvm->code().find(".entry bi_gemm_fma("), std::string::npos);
  EXPECT_NE(nvvm->code().find("fma.rn.f32"), std::string::npos);
  EXPECT_EQ(nvrtc->backend(), bi::Backend::NVRTC);
  EXPECT_NE(nvrtc->code().find("emitCudaCoreGemm"), std::string::npos);
  EXPECT_NE(nvrtc->code().find("bi_gemm_fma("), std::string::npos);
  EXPECT_EQ(nvvm->fingerprint(), nvrtc->fingerprint());
  EXPECT_TRUE(cacheHoldsCubin(nvvmDir));
  EXPECT_TRUE(cacheHoldsCubin(nvrtcDir));

  // The CPU reference runs the kernel compiled either way, with the same
  // bits, and a row computed alone equals the same row in a batch.
  std::vector<uint16_t> a(5 * 600), b(24 * 600);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = uint16_t(0x3f80 + (i * 37 % 97)); // bf16 values in [1, 2)
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = uint16_t(0xbf00 + (i * 53 % 89)); // bf16 values near -0.5
  std::vector<uint16_t> viaNvvm(5 * 24), viaNvrtc(5 * 24), one(24);
  auto args = [&](const uint16_t *rows, int64_t m, uint16_t *out) {
    return std::vector<bi::Arg>{
        bi::Arg::buffer(rows, bi::DType::bf16, {m, 600}),
        bi::Arg::buffer(b.data(), bi::DType::bf16, {24, 600}),
        bi::Arg::buffer(out, bi::DType::bf16, {m, 24})};
  };
  nvvm->runReference(args(a.data(), 5, viaNvvm.data()));
  nvrtc->runReference(args(a.data(), 5, viaNvrtc.data()));
  nvvm->runReference(args(a.data() + 3 * 600, 1, one.data()));
  EXPECT_EQ(viaNvvm, viaNvrtc);
  EXPECT_EQ(std::memcmp(viaNvvm.data() + 3 * 24, one.data(), 24 * 2), 0);
  EXPECT_NE(viaNvvm[0], 0);

  // A second compiler finds the NVVM kernel, cubin included, on disk.
  bi::Compiler again(cacheIn(nvvmDir));
  auto cached = again.compileBuiltin("gemm_fma", gemmSpec(24, 600));
  EXPECT_TRUE(cached->fromDiskCache());
  EXPECT_EQ(cached->backend(), bi::Backend::NVVM);
  EXPECT_EQ(cached->code(), nvvm->code());
}

TEST_F(JIT, GemmSiluLowersThroughBothBackends) {
  // bi-lower-to-gpu lowers silu with bi's exp, and the CUDA generator calls
  // the same exp, emitted from the same IR as the row kernels'.
  const char *source = R"mlir(
bi.kernel @gemm_silu(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                     %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                     %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      activation silu order #bi.order<chunk = 64>
  bi.return
}
)mlir";
  bi::Compiler compiler(cacheIn(freshDir("gemm-silu")));
  bi::Specialization spec = gemmSpec(24, 600);
  auto nvvm = compiler.compileSource(source, spec);
  EXPECT_EQ(nvvm->backend(), bi::Backend::NVVM);
  EXPECT_NE(nvvm->code().find("div.rn.f32"), std::string::npos);
  EXPECT_EQ(nvvm->code().find("ex2.approx"), std::string::npos);
  spec.backend = bi::Backend::NVRTC;
  auto nvrtc = compiler.compileSource(source, spec);
  EXPECT_EQ(nvrtc->backend(), bi::Backend::NVRTC);
  const std::string &code = nvrtc->code();
  size_t exp = code.find("float bi_exp_portable(float x) {");
  ASSERT_NE(exp, std::string::npos) << code;
  EXPECT_LT(exp, code.find("bi_gemm_fma(")) << "defined before its use";
  EXPECT_NE(code.find("__fdiv_rn(v, __fadd_rn(1.0f, bi_exp_portable(-v)))"),
            std::string::npos)
      << code;
}

/// The built-in gemm with a schedule pinned in its source.
std::string pinnedGemm(const std::string &schedule) {
  return R"mlir(
bi.kernel @gemm_pinned(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                       %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                       %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 2048, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule )mlir" +
         schedule + R"mlir(
  bi.return
}
)mlir";
}

TEST_F(JIT, GemmWgmmaPinnedScheduleCompilesWithBothBackends) {
  if (!nvrtcPresent())
    GTEST_SKIP() << "no CUDA toolkit (NVRTC)";
  std::string nvvmDir = freshDir("wgmma-nvvm");
  bi::Compiler nvvmCompiler(cacheIn(nvvmDir));
  bi::Compiler nvrtcCompiler(cacheIn(freshDir("wgmma-nvrtc")));
  std::string source = pinnedGemm("#bi.matmul_schedule<block_m = 64, "
                                  "block_n = 64, stages = 6, chunks = serial>");
  bi::Specialization spec = gemmSpec(512, 4096);
  // With a pinned schedule, NVVM compiles the bi-lower-to-gpu kernel for
  // it, with the generator's entry and tensor-map parameters; every launch
  // uses that schedule.
  auto nvvm = nvvmCompiler.compileSource(source, spec);
  EXPECT_EQ(nvvm->backend(), bi::Backend::NVVM);
  EXPECT_NE(nvvm->code().find(".entry bi_gemm_main("), std::string::npos);
  EXPECT_NE(nvvm->code().find(".param .align 64 .b8 bi_gemm_main_param_0[128]"),
            std::string::npos);
  EXPECT_NE(nvvm->code().find("wgmma.mma_async.sync.aligned.m64n64k16"),
            std::string::npos);
  EXPECT_EQ(nvvm->schedules(), std::vector<std::string>{"n64m64s6serial"});
  EXPECT_TRUE(cacheHoldsCubin(nvvmDir));
  // NVRTC generates the same schedule from CUDA C++.
  spec.backend = bi::Backend::NVRTC;
  auto nvrtc = nvrtcCompiler.compileSource(source, spec);
  EXPECT_EQ(nvrtc->backend(), bi::Backend::NVRTC);
  EXPECT_NE(nvrtc->code().find("schedule n64m64s6serial"), std::string::npos);
  EXPECT_EQ(nvvm->fingerprint(), nvrtc->fingerprint());
  // A split schedule lowers through MLIR too: chunk partials through the
  // workspace, a counter per tile.
  spec.backend = bi::Backend::NVVM;
  auto split = nvvmCompiler.compileSource(
      pinnedGemm("#bi.matmul_schedule<block_m = 8, block_n = 64, stages = 8, "
                 "chunks = split>"),
      spec);
  EXPECT_EQ(split->backend(), bi::Backend::NVVM);
  EXPECT_EQ(split->schedules(), std::vector<std::string>{"n64m8s8split"});
  EXPECT_NE(split->code().find("wgmma.mma_async.sync.aligned.m64n8k16"),
            std::string::npos);
  EXPECT_NE(split->code().find("atom.global.add.u32"), std::string::npos);
  EXPECT_EQ(split->fingerprint(), nvvm->fingerprint());
  // Cluster schedules exist only as CUDA C++.
  std::string error = errorOf([&] {
    nvvmCompiler.compileSource(
        pinnedGemm("#bi.matmul_schedule<block_m = 8, block_n = 64, stages = 8, "
                   "chunks = cluster>"),
        spec);
  });
  EXPECT_NE(error.find("adds the chunk partials of a thread-block cluster"),
            std::string::npos)
      << error;
  // Without a pinned schedule the wgmma GEMM stays the generator's, with
  // its schedule chosen per launch.
  auto builtin = nvvmCompiler.compileBuiltin("gemm", gemmSpec(512, 4096));
  EXPECT_EQ(builtin->backend(), bi::Backend::NVRTC);
  EXPECT_GE(builtin->schedules().size(), 10u);
}

} // namespace
