//===- HopperGemmScheduleTest.cpp - the Hopper GEMM scheduler's picks -----===//
//
// The scheduler picks a schedule per M x N x K from thresholds measured in
// the kernel lab (bench/gemm_lab) on the H200. Any pick gives the same bits;
// these tests pin the picks the lab chose for the benchmark shapes, so that
// a change to the thresholds is a deliberate one, and check that every
// pick is a valid schedule for any shape, and a cluster schedule only where
// the chunks fit a cluster.
//
//===----------------------------------------------------------------------===//
#include "Target/HopperGemm.h"
#include "gtest/gtest.h"

namespace {

constexpr int kH200Multiprocessors = 132;

std::string pick(int64_t M, int64_t N, int64_t K) {
  int index = bi::chooseHopperGemmSchedule(M, N, K, 2048, kH200Multiprocessors);
  return bi::hopperGemmSchedules()[index].name();
}

TEST(HopperGemmSchedule, DecodeBatchesSplitChunks) {
  // 4096 x 4096: 128-row units would fill a quarter of the SMs. Two chunks
  // meet in a cluster.
  EXPECT_EQ(pick(1, 4096, 4096), "n64m8s8cluster");
  EXPECT_EQ(pick(16, 4096, 4096), "n64m16s8cluster");
  // Wider products have enough 128-row units.
  EXPECT_EQ(pick(1, 6144, 4096), "n128m8s8cluster");
  EXPECT_EQ(pick(32, 28672, 4096), "n128m32s8cluster");
  // Seven chunks go through the workspace (clusters of seven would leave
  // SMs of each GPC idle).
  EXPECT_EQ(pick(16, 4096, 14336), "n128m16s8split");
  // One chunk: nothing to combine.
  EXPECT_EQ(pick(1, 4096, 2048), "n64m8s8split");
}

TEST(HopperGemmSchedule, SixtyFourRowsInClustersOrSerially) {
  // 64 tiles x 2 chunks fit one wave: 64-row CTAs in clusters of two.
  EXPECT_EQ(pick(64, 4096, 4096), "n64m64s6cluster");
  // 96 tiles x 2 chunks would not: 128-row CTAs in clusters.
  EXPECT_EQ(pick(64, 6144, 4096), "n128m64s6cluster");
  // Seven chunks per tile: serial chunks.
  EXPECT_EQ(pick(64, 4096, 14336), "n64m64s6serial");
  // 224 tiles of 128 rows fill the GPU.
  EXPECT_EQ(pick(64, 28672, 4096), "n128m64s6serial");
}

TEST(HopperGemmSchedule, LargeBatchesRunChunksSerially) {
  for (int64_t M : {1024, 4096, 8192})
    EXPECT_EQ(pick(M, 4096, 4096), "n128m128s5serial") << M;
}

TEST(HopperGemmSchedule, EveryPickIsValid) {
  for (int64_t M : {1, 2, 7, 8, 9, 31, 33, 63, 64, 65, 255, 257, 100000})
    for (int64_t N : {1, 72, 4096, 28672})
      for (int64_t K : {1, 40, 2048, 2049, 14336})
        for (int64_t chunk : {0, 64, 2048})
          for (int sms : {1, 132}) {
            int index = bi::chooseHopperGemmSchedule(M, N, K, chunk, sms);
            ASSERT_GE(index, 0);
            ASSERT_LT(index, (int)bi::hopperGemmSchedules().size());
            const bi::GemmSchedule &s = bi::hopperGemmSchedules()[index];
            EXPECT_EQ(s.validate(), "");
            int64_t chunks = chunk > 0 ? (K + chunk - 1) / chunk : 1;
            if (s.clusterChunks)
              EXPECT_TRUE(chunks >= 2 &&
                          chunks <= bi::GemmSchedule::kMaxClusterChunks)
                  << M << " " << N << " " << K << " " << chunk;
          }
}

} // namespace
