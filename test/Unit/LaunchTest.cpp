//===- LaunchTest.cpp - the GEMM launcher against a fake driver ----------===//
//
// Without a GPU: CTest runs this binary with bench/host_overhead's
// do-nothing libcuda.so.1 first on LD_LIBRARY_PATH, which records what each
// launch asked for. For the scheduler's choice at a set of shapes, the
// launcher must launch the grid, block and cluster shape the schedule
// needs: a persistent grid no larger than the GPU, clusters of two for
// pairs, a second launch of range pairs for a tail, a workspace for split
// chunks. Run without the fake driver it skips.
//
//===----------------------------------------------------------------------===//

#include "JITTestSupport.h"
#include "bi/JIT.h"
#include "fake_libcuda.h"
#include "gtest/gtest.h"
#include <dlfcn.h>
#include <string>
#include <vector>

namespace {

using FakeLaunch = BiFakeLaunch;

/// The fake driver's recording functions (fake_libcuda.h), or nulls when
/// the driver loaded is another.
struct FakeDriver {
  decltype(&bi_fake_reset) reset = nullptr;
  decltype(&bi_fake_launch_count) count = nullptr;
  decltype(&bi_fake_launch) launch = nullptr;
  decltype(&bi_fake_allocations) allocations = nullptr;

  FakeDriver() {
    void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      return;
    reset = reinterpret_cast<decltype(reset)>(dlsym(handle, "bi_fake_reset"));
    count = reinterpret_cast<decltype(count)>(
        dlsym(handle, "bi_fake_launch_count"));
    launch =
        reinterpret_cast<decltype(launch)>(dlsym(handle, "bi_fake_launch"));
    allocations = reinterpret_cast<decltype(allocations)>(
        dlsym(handle, "bi_fake_allocations"));
  }
  bool present() const { return reset && count && launch && allocations; }
};

const FakeDriver &fake() {
  static const FakeDriver driver;
  return driver;
}

/// One GEMM launch with M x K activations and N x K weights: the launches
/// it made. The buffers are addresses the fake driver never reads, far
/// enough apart not to overlap.
std::vector<FakeLaunch> launchesOf(const bi::Kernel &kernel, int64_t M,
                                   int64_t N, int64_t K) {
  void *a = reinterpret_cast<void *>(uintptr_t(1) << 36);
  void *w = reinterpret_cast<void *>(uintptr_t(2) << 36);
  void *c = reinterpret_cast<void *>(uintptr_t(3) << 36);
  std::vector<bi::Arg> args = {bi::Arg::buffer(a, bi::DType::bf16, {M, K}),
                               bi::Arg::buffer(w, bi::DType::bf16, {N, K}),
                               bi::Arg::buffer(c, bi::DType::bf16, {M, N})};
  fake().reset();
  kernel.launch(args, nullptr);
  std::vector<FakeLaunch> made;
  for (int i = 0; i < fake().count(); ++i)
    made.push_back(*fake().launch(i));
  return made;
}

/// Whether `made` launched `grid` CTAs of `block` threads in clusters of
/// `cluster` (0: a plain launch); says what it launched where not.
::testing::AssertionResult isLaunch(const FakeLaunch &made, unsigned grid,
                                    unsigned block, unsigned cluster) {
  if (made.grid == grid && made.block == block && made.cluster == cluster)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "launched " << made.grid << " CTAs of " << made.block
         << " threads in clusters of " << made.cluster << ", expected " << grid
         << ", " << block << ", " << cluster;
}

class Launch : public ::testing::Test {
protected:
  void SetUp() override {
    if (!bi::test::nvrtcPresent() || !bi::test::toolkitPresent())
      GTEST_SKIP() << "no CUDA toolkit (NVRTC, nvJitLink)";
    if (!fake().present())
      GTEST_SKIP() << "the driver loaded is not bench/host_overhead's fake "
                      "(CTest puts it first on LD_LIBRARY_PATH)";
  }

  /// The built-in gemm for N x K with the schedules launches of M rows
  /// run compiled ahead (tail twins included), so that each launch below
  /// runs the scheduler's choice with no background compile pending.
  std::shared_ptr<const bi::Kernel> gemm(int64_t N, int64_t K, int64_t M) {
    bi::CompilerOptions options;
    options.cacheDir = BI_LAUNCH_TEST_CACHE;
    options.quickGemmFirstLaunch = false;
    compilers.push_back(std::make_unique<bi::Compiler>(options));
    bi::Specialization spec;
    spec.dims = {{"N", N}, {"K", K}};
    auto kernel = compilers.back()->compileBuiltin("gemm", spec);
    kernel->prepare({M});
    return kernel;
  }

  /// The launches one GEMM launch of M rows made, the kernel for N x K
  /// prepared as above.
  std::vector<FakeLaunch> launchesAt(int64_t N, int64_t K, int64_t M) {
    return launchesOf(*gemm(N, K, M), M, N, K);
  }

  std::vector<std::unique_ptr<bi::Compiler>> compilers;
};

// A persistent CTA holds a multiprocessor alone: it reserves more than half
// of one's shared memory (227 KiB).
constexpr unsigned kHalfSharedMemory = 227 * 1024 / 2;

TEST_F(Launch, SerialTilesRunOnePersistentCtaEach) {
  // 4096 x 4096, M = 1: n64m8s14serial, 64 tiles of 64 weight rows, one
  // consumer warpgroup and the producer's.
  std::vector<FakeLaunch> made = launchesAt(4096, 4096, 1);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 64, 256, 0));
  EXPECT_GT(made[0].shared, kHalfSharedMemory);
  // 28672 x 4096: 256 tiles of 112 weight rows with the roles swapped, on
  // a grid of 132 (the fake GPU's multiprocessors): two consumers up to
  // 128 rows (M = 100), three up to 192 (M = 160).
  made = launchesAt(28672, 4096, 100);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 132, 384, 0));
  made = launchesAt(28672, 4096, 160);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 132, 512, 0));
  EXPECT_GT(made[0].shared, kHalfSharedMemory);
}

TEST_F(Launch, TilePairsRunAsPersistentClustersOfTwo) {
  // 28672 x 4096, M = 256: n112m128s7swappair, 256 pairs of row tiles on
  // 66 clusters of two (132 CTAs).
  std::vector<FakeLaunch> made = launchesAt(28672, 4096, 256);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 132, 384, 2));
  // 4096 x 4096, M = 256: n64m128s9pair, 64 pairs: 64 clusters, no more.
  made = launchesAt(4096, 4096, 256);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 128, 256, 2));
}

TEST_F(Launch, SplitChunksRunACtaPerChunkWithAWorkspace) {
  // 2048 x 4096, M = 1: n64m8s8split, 32 tiles x 2 chunks; the first launch
  // allocates the workspace (partials, tile counters), later ones reuse it.
  auto kernel = gemm(2048, 4096, 1);
  std::vector<FakeLaunch> made = launchesOf(*kernel, 1, 2048, 4096);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].grid, 64u);
  EXPECT_EQ(made[0].cluster, 0u);
  EXPECT_EQ(fake().allocations(), 1);
  made = launchesOf(*kernel, 1, 2048, 4096);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(fake().allocations(), 0);
  // 3072 x 4096, M = 64: n64m64s8cluster, each of 48 tiles' two chunks on
  // a cluster of two CTAs that add their partials in shared memory.
  made = launchesAt(3072, 4096, 64);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 96, 256, 2));
}

TEST_F(Launch, WideRowTilesReserveSharedMemoryForTheirTotals) {
  // 4096 x 14336, M = 1024: n128m256s3serial, 128 tiles, each CTA three
  // stages of 48 KiB, the staging and half of its running totals (64 KiB).
  std::vector<FakeLaunch> made = launchesAt(4096, 14336, 1024);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 128, 384, 0));
  EXPECT_EQ(made[0].shared, 3u * 384 * 128 + 1024 + 48 + 16 + 65536 + 16384);
}

TEST_F(Launch, AQuickFirstLaunchRunsItsTwinOnTheTwinsTiles) {
  // The same launch with nothing compiled: bi-lower-to-gpu's kernel runs
  // first, of n128m128s5serial (it keeps every total in registers), on
  // that schedule's 256 tiles: the persistent grid of 132, not 128.
  bi::CompilerOptions options;
  options.cacheDir = bi::test::freshDir("quick-twin-tiles");
  options.quickGemmFirstLaunch = true;
  compilers.push_back(std::make_unique<bi::Compiler>(options));
  bi::Specialization spec;
  spec.dims = {{"N", 4096}, {"K", 14336}};
  auto kernel = compilers.back()->compileBuiltin("gemm", spec);
  std::vector<FakeLaunch> made = launchesOf(*kernel, 1024, 4096, 14336);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_TRUE(isLaunch(made[0], 132, 384, 0));
}

TEST_F(Launch, ALastWaveAtMostHalfFullRunsAsRangePairs) {
  // 14336 x 4096, M = 512: n128m128s6serial, 448 tiles: three whole waves
  // of 132 on the persistent grid, then the last 52 (at most half of a
  // wave, whole tile groups) as range pairs (n128m128s6range) in a second
  // launch, 104 CTAs in clusters of two.
  std::vector<FakeLaunch> made = launchesAt(14336, 4096, 512);
  ASSERT_EQ(made.size(), 2u);
  EXPECT_TRUE(isLaunch(made[0], 132, 384, 0));
  EXPECT_TRUE(isLaunch(made[1], 104, 384, 2));
}

} // namespace
