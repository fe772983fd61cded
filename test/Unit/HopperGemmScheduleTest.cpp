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

TEST(HopperGemmSchedule, DeepRingsWhereTheWeightTilesAreMany) {
  // At least 64 tiles of 64 weight rows per 132 SMs: whole K per CTA
  // through 12-14 stages, no split.
  EXPECT_EQ(pick(1, 4096, 4096), "n64m8s14serial");
  EXPECT_EQ(pick(1, 6144, 4096), "n64m8s14serial");
  EXPECT_EQ(pick(16, 4096, 14336), "n64m16s14serial");
  EXPECT_EQ(pick(32, 4096, 14336), "n64m32s14serial");
  EXPECT_EQ(pick(33, 4096, 4096), "n64m64s12serial");
  EXPECT_EQ(pick(64, 4096, 4096), "n64m64s12serial");
  EXPECT_EQ(pick(64, 6144, 4096), "n64m64s12serial");
  EXPECT_EQ(pick(64, 4104, 3000), "n64m64s12serial");
  // 128-row tiles fill the SMs (28672 x 4096: 224): 128 rows per CTA.
  EXPECT_EQ(pick(1, 28672, 4096), "n128m16s12serial");
  EXPECT_EQ(pick(16, 28672, 4096), "n128m16s12serial");
  EXPECT_EQ(pick(32, 28672, 4096), "n64m32s14serial");
  EXPECT_EQ(pick(64, 28672, 4096), "n128m64s6serial");
}

TEST(HopperGemmSchedule, DecodeBatchesSplitChunksOverFewWeightTiles) {
  // 48 tiles of 64 rows: pairs of CTAs per tile fill most of the SMs.
  EXPECT_EQ(pick(1, 3072, 4096), "n64m8s8cluster");
  EXPECT_EQ(pick(16, 3072, 14336), "n64m16s8cluster");
  // 32 tiles: pairs would fill less than half of the SMs; one CTA per
  // chunk.
  EXPECT_EQ(pick(1, 2048, 4096), "n64m8s8split");
  EXPECT_EQ(pick(32, 2048, 14336), "n128m32s8split");
  // One chunk: nothing to combine.
  EXPECT_EQ(pick(1, 2048, 2048), "n64m8s8split");
}

TEST(HopperGemmSchedule, SixtyFourRowsInPairsOrSerially) {
  // Pairs of 64-row CTAs fit one wave.
  EXPECT_EQ(pick(64, 3072, 4096), "n64m64s8cluster");
  EXPECT_EQ(pick(64, 2048, 14336), "n64m64s8cluster");
  // A short second chunk saves less than the combine costs.
  EXPECT_EQ(pick(64, 2048, 3000), "n64m64s6serial");
}

TEST(HopperGemmSchedule, RangePairsWhereThePairsFitOneWave) {
  // 64 tiles of 64 x 128: 128 CTAs in pairs.
  EXPECT_EQ(pick(128, 4096, 4096), "n64m128s9range");
  EXPECT_EQ(pick(128, 4096, 14336), "n64m128s9range");
  EXPECT_EQ(pick(256, 2048, 4096), "n64m128s9range");
  // 128 tiles of 64 x 128 would need two waves; 64 of 128 x 128 do not.
  EXPECT_EQ(pick(128, 6144, 4096), "n128m128s6range");
  // Unless the chunks are odd: then the 96 tiles of 64 x 128 in one wave,
  // all three chunks each, against two on a pair's first CTA.
  EXPECT_EQ(pick(128, 6144, 6144), "n64m128s8serial");
  // Neither fits one wave: serial chunks, on 112 weight rows with the
  // roles swapped where those fill their waves better (N = 28672: 256
  // tiles in two waves against 224 of 128 rows, each an eighth more
  // work), else on 128 (N = 16384: 128 tiles in one wave).
  EXPECT_EQ(pick(128, 28672, 4096), "n112m128s7swapserial");
  EXPECT_EQ(pick(72, 28672, 4096), "n112m128s7swapserial");
  EXPECT_EQ(pick(128, 16384, 4096), "n128m128s6serial");
  // Up to 64 rows the deep rings, cluster and serial rules stand.
  EXPECT_EQ(pick(64, 4096, 4096), "n64m64s12serial");
  EXPECT_EQ(pick(64, 3072, 4096), "n64m64s8cluster");
}

TEST(HopperGemmSchedule, TwoRowTilesRunAsTilePairs) {
  // 129-256 rows: the two row tiles of a column on a pair of CTAs, 64 x
  // 128 tiles where they fit one wave (128 tiles at N = 4096)...
  EXPECT_EQ(pick(256, 4096, 4096), "n64m128s9pair");
  EXPECT_EQ(pick(256, 4096, 14336), "n64m128s9pair");
  EXPECT_EQ(pick(129, 4096, 4096), "n64m128s9pair");
  // ... one chunk or several ...
  EXPECT_EQ(pick(256, 4096, 2048), "n64m128s9pair");
  // ... else the widest weight tiles whose pairs' waves cost least: 96
  // rows with the roles swapped at N = 6144 (64 pairs, one wave), 112 at
  // N = 28672 and M = 256 (256 pairs, four waves)...
  EXPECT_EQ(pick(256, 6144, 4096), "n96m128s8swappair");
  EXPECT_EQ(pick(192, 6144, 4096), "n96m128s8swappair");
  EXPECT_EQ(pick(129, 6144, 4096), "n96m128s8swappair");
  EXPECT_EQ(pick(193, 28672, 4096), "n112m128s7swappair");
  EXPECT_EQ(pick(256, 28672, 4096), "n112m128s7swappair");
  // ... or up to 192 rows one row tile of 192 x 112 (the roles swapped)
  // where its waves of single CTAs cost less: N = 28672, 256 tiles in two
  // waves against 224 pairs of 128 x 96 in four.
  EXPECT_EQ(pick(129, 28672, 4096), "n112m192s5swapserial");
  EXPECT_EQ(pick(192, 28672, 4096), "n112m192s5swapserial");
  // Else 128 columns in row tiles of 96 up to 192 rows (N = 16384: 128
  // pairs in two waves; 147 tiles of 192 x 112 would need two as well).
  EXPECT_EQ(pick(192, 16384, 4096), "n128m96s6pair");
  // 128 x 128 tiles as usual where those cost least (N = 8448: 66 pairs
  // fill one wave; 96 or 112 rows would need two).
  EXPECT_EQ(pick(256, 8448, 4096), "n128m128s6pair");
  // One row tile has nothing to pair; three have.
  EXPECT_EQ(pick(128, 28672, 4096), "n112m128s7swapserial");
  EXPECT_EQ(pick(257, 28672, 4096), "n192m128s5serial");
}

/// `schedule` is valid, called `name`, and in the catalogue under it.
void expectInCatalogueAs(const bi::GemmSchedule &schedule, const char *name) {
  EXPECT_EQ(schedule.validate(), "") << name;
  EXPECT_EQ(schedule.name(), name);
  EXPECT_GE(bi::findHopperGemmSchedule(schedule), 0) << name;
  EXPECT_EQ(bi::findHopperGemmSchedule(name),
            bi::findHopperGemmSchedule(schedule))
      << name;
}

TEST(HopperGemmSchedule, TilePairsAreNamedAndSerialOnly) {
  bi::GemmSchedule schedule;
  schedule.blockN = 64;
  schedule.blockM = 128;
  schedule.stages = 9;
  schedule.pairTiles = true;
  expectInCatalogueAs(schedule, "n64m128s9pair");
  // Not the serial schedule of the same tiles (eight stages); the range
  // schedule of them takes its tail.
  schedule.pairTiles = false;
  schedule.stages = 8;
  EXPECT_GE(bi::findHopperGemmSchedule(schedule), 0);
  EXPECT_NE(bi::findHopperGemmSchedule(schedule),
            bi::findHopperGemmSchedule("n64m128s9pair"));
  EXPECT_EQ(
      bi::hopperGemmRangeTwin(bi::findHopperGemmSchedule("n64m128s9pair")),
      bi::findHopperGemmSchedule("n64m128s9range"));
  // Chunks split over CTAs leave nothing for a pair to share in step.
  schedule.pairTiles = true;
  schedule.splitChunks = true;
  EXPECT_NE(schedule.validate(), "");
  schedule.splitChunks = false;
  schedule.rangePairs = true;
  EXPECT_NE(schedule.validate(), "");
}

TEST(HopperGemmSchedule, RangePairsAreNamedAndSerialOnly) {
  bi::GemmSchedule schedule;
  schedule.blockN = 128;
  schedule.blockM = 128;
  schedule.stages = 6;
  schedule.rangePairs = true;
  expectInCatalogueAs(schedule, "n128m128s6range");
  // Not the serial schedule of the same tiles.
  schedule.rangePairs = false;
  EXPECT_NE(bi::findHopperGemmSchedule(schedule),
            bi::findHopperGemmSchedule("n128m128s6range"));
  schedule.rangePairs = true;
  schedule.splitChunks = true;
  EXPECT_NE(schedule.validate(), "");
}

TEST(HopperGemmSchedule, LargeBatchesRunChunksSerially) {
  // 128-row tiles where 128 x 256 ones would make one wave of two-chunk
  // tiles (M = 1024) or only two row tiles (M = 512).
  EXPECT_EQ(pick(1024, 4096, 4096), "n128m128s6serial");
  EXPECT_EQ(pick(512, 4096, 4096), "n128m128s6serial");
  EXPECT_EQ(pick(512, 4096, 14336), "n128m128s6serial");
}

TEST(HopperGemmSchedule, WideRowTilesWhereTheirWavesAreAsFull) {
  // 128 x 256 tiles where their waves cost at most 3 % more than the
  // narrower tiles' and every SM has two tiles' chunks to run.
  for (int64_t M : {4096, 8192}) {
    EXPECT_EQ(pick(M, 4096, 4096), "n128m256s3serial") << M;
    EXPECT_EQ(pick(M, 6144, 4096), "n128m256s3serial") << M;
  }
  for (int64_t M : {1024, 4096, 8192}) {
    EXPECT_EQ(pick(M, 4096, 14336), "n128m256s3serial") << M;
    // 28672 x 4096 at M = 4096: 28 waves of 3584 tiles against 37 of
    // 4800 192 x 128 tiles, 0.9 % more.
    EXPECT_EQ(pick(M, 28672, 4096), "n128m256s3serial") << M;
  }
  // 6144 x 4096 at M = 1024: 192 tiles leave the second wave half empty.
  EXPECT_EQ(pick(1024, 6144, 4096), "n192m128s5serial");
}

TEST(HopperGemmSchedule, WideRowTilesKeepHalfOfEachTotalInSharedMemory) {
  const bi::GemmSchedule &wide =
      bi::hopperGemmSchedules()[bi::findHopperGemmSchedule("n128m256s3serial")];
  EXPECT_EQ(wide.validate(), "");
  EXPECT_EQ(wide.accumulators(), 128);
  EXPECT_EQ(wide.registerTotals(), 64);
  EXPECT_EQ(wide.sharedTotalBytes(), 64 * 4 * 256);
  EXPECT_TRUE(wide.stagesOutput());
  EXPECT_LE(wide.sharedBytes(), bi::GemmSchedule::kMaxSharedBytes);
  // Every other schedule keeps its totals in registers.
  for (const bi::GemmSchedule &s : bi::hopperGemmSchedules())
    if (s.name() != wide.name()) {
      EXPECT_EQ(s.sharedTotalBytes(), 0) << s.name();
      EXPECT_EQ(s.registerTotals(), s.accumulators()) << s.name();
    }
  // A fourth stage does not fit next to the totals.
  bi::GemmSchedule schedule = wide;
  schedule.stages = 4;
  EXPECT_NE(schedule.validate().find("running totals"), std::string::npos)
      << schedule.validate();
  // Only two consumers of 128 weight rows, and neither pairs nor ranges.
  for (int blockN : {64, 192}) {
    schedule = wide;
    schedule.blockN = blockN;
    EXPECT_NE(schedule.validate(), "") << blockN;
  }
  schedule = wide;
  schedule.rangePairs = true;
  EXPECT_NE(schedule.validate(), "");
  schedule = wide;
  schedule.pairTiles = true;
  EXPECT_NE(schedule.validate(), "");
  // Split chunks keep no totals: all 128 accumulators, no shared totals.
  schedule = wide;
  schedule.splitChunks = true;
  EXPECT_EQ(schedule.validate(), "");
  EXPECT_EQ(schedule.sharedTotalBytes(), 0);
}

TEST(HopperGemmSchedule, ThreeConsumersWhereTheirWavesAreAsFull) {
  // 6144 x 4096: 192-row tiles fill their waves as the 128-row ones do
  // (97 %) where the 256-row tiles do not.
  for (int64_t M : {512, 1024})
    EXPECT_EQ(pick(M, 6144, 4096), "n192m128s5serial") << M;
  // 28672 x 4096 at M = 512: 448 128 x 256 tiles fill 85 % of 4 waves;
  // 192 x 128 tiles (600, 5 waves, 91 %) against 128 x 128 (896, 7
  // waves, 97 %): the square ones.
  EXPECT_EQ(pick(512, 28672, 4096), "n128m128s6serial");
}

TEST(HopperGemmSchedule, ConsumerRegistersFitTheSM) {
  // setmaxnreg: what the producer gives back is what the consumers take,
  // within the SM's 64K registers and the instruction's 232 per thread.
  for (const bi::GemmSchedule &s : bi::hopperGemmSchedules()) {
    const int registers = 128 * bi::GemmSchedule::kProducerRegisters +
                          128 * s.consumers() * s.consumerRegisters();
    EXPECT_LE(registers, 65536) << s.name();
    EXPECT_EQ(s.consumerRegisters() % 8, 0) << s.name();
    EXPECT_LE(s.consumerRegisters(), 232) << s.name();
  }
  EXPECT_EQ(
      bi::hopperGemmSchedules()[bi::findHopperGemmSchedule("n128m128s5serial")]
          .consumerRegisters(),
      232);
  EXPECT_EQ(
      bi::hopperGemmSchedules()[bi::findHopperGemmSchedule("n192m128s5serial")]
          .consumerRegisters(),
      152);
}

TEST(HopperGemmSchedule, ThreeConsumersHoldAtMost128Rows) {
  bi::GemmSchedule schedule;
  schedule.blockN = 192;
  schedule.blockM = 128;
  schedule.stages = 5;
  EXPECT_EQ(schedule.validate(), "");
  EXPECT_EQ(schedule.threads(), 512);
  schedule.blockM = 136; // 136 partial and total registers of 152
  EXPECT_NE(schedule.validate(), "");
  schedule.blockN = 256; // four consumers: 102 registers each at most
  EXPECT_NE(schedule.validate(), "");
}

TEST(HopperGemmSchedule, EveryScheduleStagesItsOutput) {
  // The epilogue stages 64 rows at a time, so the staging fits next to
  // every catalogue pipeline (six stages of 128 x 128 included).
  // (Those with the roles swapped store rows of C from the registers.)
  for (const bi::GemmSchedule &schedule : bi::hopperGemmSchedules()) {
    EXPECT_EQ(schedule.stagesOutput(), !schedule.swapRoles) << schedule.name();
    EXPECT_LE(schedule.sharedBytes(), bi::GemmSchedule::kMaxSharedBytes)
        << schedule.name();
  }
}

TEST(HopperGemmSchedule, SplitPartialsHoldWholeTiles) {
  // The kernel stores every chunk's partial as whole tiles (rows and
  // columns past the output included), so the workspace is sized by the
  // padded extents; never less than the MLIR kernels' M x N partials.
  bi::GemmSchedule schedule;
  schedule.blockN = 128;
  schedule.blockM = 64;
  schedule.splitChunks = true;
  EXPECT_EQ(schedule.partialBytes(1000, 1000, 3), size_t(3) * 1024 * 1024 * 4);
  EXPECT_EQ(schedule.partialBytes(64, 128, 2), size_t(2) * 64 * 128 * 4);
  for (const bi::GemmSchedule &s : bi::hopperGemmSchedules())
    for (int64_t M : {1, 7, 100, 4096})
      for (int64_t N : {72, 4104})
        EXPECT_GE(s.partialBytes(M, N, 3), size_t(3) * M * N * 4)
            << s.name() << " " << M << " " << N;
}

TEST(HopperGemmSchedule, FindsByNameAndByFields) {
  const std::vector<bi::GemmSchedule> &all = bi::hopperGemmSchedules();
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(bi::findHopperGemmSchedule(all[i].name()), int(i));
    EXPECT_EQ(bi::findHopperGemmSchedule(all[i]), int(i));
  }
  EXPECT_EQ(bi::findHopperGemmSchedule("n7m7s1split"), -1);
  bi::GemmSchedule missing;
  missing.blockN = 96;
  EXPECT_EQ(bi::findHopperGemmSchedule(missing), -1);
}

TEST(HopperGemmSchedule, ClusterGivesWayToSplitTwinOnlyWhenItCannotRun) {
  auto runnable = [](const char *name, int64_t chunks, int64_t tiles) {
    int index = bi::runnableHopperGemmSchedule(bi::findHopperGemmSchedule(name),
                                               chunks, tiles);
    return bi::hopperGemmSchedules()[index].name();
  };
  // Two chunks fit a pair; one chunk needs no cluster and runs as it is.
  EXPECT_EQ(runnable("n128m128s5cluster", 2, 48), "n128m128s5cluster");
  EXPECT_EQ(runnable("n128m128s5cluster", 1, 48), "n128m128s5cluster");
  // Nine chunks: a CTA's earlier partials overflow its shared memory.
  EXPECT_EQ(runnable("n128m128s5cluster", 9, 48), "n128m128s5split");
  // More CTAs than the kernel counts in an int.
  EXPECT_EQ(runnable("n64m8s8cluster", 2, int64_t(1) << 31), "n64m8s8split");
  // Split and serial schedules always run as they are.
  EXPECT_EQ(runnable("n64m8s8split", 9, 48), "n64m8s8split");
  EXPECT_EQ(runnable("n128m128s5serial", 9, 48), "n128m128s5serial");
}

TEST(HopperGemmSchedule, TailPairsTakeALastWaveAtMostHalfFull) {
  auto tail = [](const char *name, int64_t chunks, int64_t tiles,
                 int64_t rowTiles = 4) {
    return bi::hopperGemmTailPairTiles(bi::findHopperGemmSchedule(name), chunks,
                                       tiles, rowTiles, kH200Multiprocessors);
  };
  // 448 tiles of 128 x 128 (28672 x 4096 at M = 256, were it to run
  // serially): three whole waves and 52 tiles, which run as 104 CTAs of
  // range pairs.
  EXPECT_EQ(tail("n128m128s6serial", 2, 448), 52);
  EXPECT_EQ(tail("n128m128s6serial", 2, 132 + 66), 66);
  // A last wave more than half full, or none, or within one wave.
  EXPECT_EQ(tail("n128m128s6serial", 2, 132 + 67), 0);
  EXPECT_EQ(tail("n128m128s6serial", 2, 264), 0);
  EXPECT_EQ(tail("n128m128s6serial", 2, 100), 0);
  // One chunk has nothing to split.
  EXPECT_EQ(tail("n128m128s6serial", 1, 448), 0);
  // No range twin with these tiles.
  EXPECT_EQ(tail("n192m128s5serial", 2, 300), 0);
  EXPECT_EQ(tail("n128m96s6serial", 2, 140), 0);
  // Split and range schedules have no tail of their own.
  EXPECT_EQ(tail("n128m128s5split", 2, 448), 0);
  EXPECT_EQ(tail("n128m128s6range", 2, 448), 0);
}

TEST(HopperGemmSchedule, TailPairsAfterTilePairsTakeWholeTileGroups) {
  auto tail = [](const char *name, int64_t tiles, int64_t rowTiles = 2) {
    return bi::hopperGemmTailPairTiles(bi::findHopperGemmSchedule(name), 2,
                                       tiles, rowTiles, kH200Multiprocessors);
  };
  // 448 tiles of 128 x 128 (28672 x 4096 at M = 256 with these tiles):
  // 224 units of two on 66 clusters, three waves and 26 units; the last 4
  // whole groups of 8 units (64 tiles) run as 128 CTAs of range pairs.
  EXPECT_EQ(tail("n128m128s6pair", 448), 64);
  // Only with two row tiles (one pair per column)...
  EXPECT_EQ(tail("n128m128s6pair", 448, 1), 0);
  EXPECT_EQ(tail("n128m128s6pair", 448, 4), 0);
  // ... beyond one wave, with a last wave at most half full...
  EXPECT_EQ(tail("n128m128s6pair", 96), 0);
  EXPECT_EQ(tail("n128m128s6pair", 264), 0);
  EXPECT_EQ(tail("n128m128s6pair", 2 * (66 + 34)), 0);
  // ... whose range pairs (with the rest of its tile group) fit one wave:
  // 30 units past two waves are 34 from the last whole group on (136
  // CTAs); 26 are 30 (120 CTAs).
  EXPECT_EQ(tail("n128m128s6pair", 2 * (132 + 30)), 0);
  EXPECT_EQ(tail("n128m128s6pair", 2 * (132 + 26)), 2 * 30);
  // A range twin with the same tiles.
  EXPECT_EQ(tail("n64m128s9pair", 448), 64);
  EXPECT_EQ(tail("n128m96s6pair", 448), 0);
  EXPECT_EQ(tail("n112m128s7swappair", 512), 0);
}

TEST(HopperGemmSchedule, SwappedRolesAreValidatedAndTakeNnLinearBOnly) {
  bi::GemmSchedule schedule;
  schedule.blockN = 96;
  schedule.blockM = 128;
  schedule.stages = 8;
  schedule.pairTiles = true;
  EXPECT_NE(schedule.validate(), ""); // 96 weight rows need the swap
  schedule.swapRoles = true;
  expectInCatalogueAs(schedule, "n96m128s8swappair");
  EXPECT_EQ(schedule.consumers(), 2);
  EXPECT_EQ(schedule.accumulators(), 48);
  EXPECT_FALSE(schedule.stagesOutput());
  const int index = bi::findHopperGemmSchedule(schedule);
  ASSERT_GE(index, 0);
  // [K, N] b runs the 128 x 128 tile pairs instead; nn.Linear b as it is.
  EXPECT_EQ(bi::hopperGemmLayoutTwin(index, true), index);
  EXPECT_EQ(bi::hopperGemmLayoutTwin(index, false),
            bi::findHopperGemmSchedule("n128m128s6pair"));
  const int usual = bi::findHopperGemmSchedule("n64m8s8split");
  EXPECT_EQ(bi::hopperGemmLayoutTwin(usual, false), usual);
  // Activation rows come in 64 per consumer; weight rows in 16.
  schedule.blockM = 96;
  EXPECT_NE(schedule.validate(), "");
  schedule.blockM = 192;
  schedule.blockN = 144;
  schedule.stages = 4;
  EXPECT_NE(schedule.validate(), ""); // three consumers: n at most 128
  schedule.blockN = 128;
  EXPECT_EQ(schedule.validate(), "");
  schedule.blockM = 128;
  schedule.stages = 8;
  schedule.blockN = 100;
  EXPECT_NE(schedule.validate(), "");
  schedule.blockN = 96;
  schedule.pairTiles = false;
  schedule.splitChunks = true;
  EXPECT_NE(schedule.validate(), "");
}

TEST(HopperGemmSchedule, RangeTwinsHaveTheSerialTiles) {
  auto twin = [](const char *name) {
    int index = bi::hopperGemmRangeTwin(bi::findHopperGemmSchedule(name));
    return index < 0 ? std::string("none")
                     : bi::hopperGemmSchedules()[index].name();
  };
  EXPECT_EQ(twin("n128m128s6serial"), "n128m128s6range");
  EXPECT_EQ(twin("n128m128s5serial"), "n128m128s6range");
  EXPECT_EQ(twin("n64m128s8serial"), "n64m128s9range");
  EXPECT_EQ(twin("n192m128s5serial"), "none");
  EXPECT_EQ(twin("n64m8s8split"), "none");
  EXPECT_EQ(bi::hopperGemmRangeTwin(-1), -1);
  EXPECT_EQ(bi::hopperGemmRangeTwin(100000), -1);
}

TEST(HopperGemmSchedule, EveryPickIsValid) {
  for (int64_t M :
       {1, 2, 7, 8, 9, 31, 33, 63, 64, 65, 128, 200, 255, 256, 257, 100000})
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
            if (s.clusterChunks) {
              EXPECT_GE(chunks, 2) << M << " " << N << " " << K << " " << chunk;
              // The launcher never has to swap it for the split twin.
              EXPECT_GT(s.clusterSize(chunks), 0)
                  << M << " " << N << " " << K << " " << chunk;
            }
            if (s.rangePairs) {
              // Two ranges to split, and the pairs in one wave.
              const int64_t tiles = ((N + s.blockN - 1) / s.blockN) *
                                    ((M + s.blockM - 1) / s.blockM);
              EXPECT_GE(chunks, 2) << M << " " << N << " " << K << " " << chunk;
              EXPECT_LE(2 * tiles, sms)
                  << M << " " << N << " " << K << " " << chunk;
            }
            if (s.pairTiles) { // two row tiles to pair
              EXPECT_EQ((M + s.blockM - 1) / s.blockM, 2)
                  << M << " " << N << " " << K << " " << chunk;
            }
          }
}

TEST(HopperGemmSchedule, TilePairsShareTheWeightTileInStep) {
  bi::GemmSemantics semantics;
  semantics.chunk = 2048;
  bi::GemmSchedule schedule = bi::hopperGemmSchedules()[static_cast<size_t>(
      bi::findHopperGemmSchedule("n128m128s6pair"))];
  for (bool nnLinear : {true, false}) {
    semantics.nnLinear = nnLinear;
    const std::string source = bi::emitHopperGemm(semantics, schedule);
    auto has = [&](const char *text) {
      return source.find(text) != std::string::npos;
    };
    EXPECT_TRUE(has("#define BI_PAIR_TILES 1"));
    // Each CTA loads half of the weight tile into both CTAs' stages...
    EXPECT_TRUE(has(".multicast::cluster"));
    EXPECT_TRUE(has(nnLinear ? "stage + pairRank * (128 / 2) * 128"
                             : "stage + box * 64 * 128 + pairRank * 32 * 128"));
    // ... so a stage is free only once both CTAs' consumers are done with
    // it: every consumer warp arrives on its own and its peer's barrier.
    EXPECT_TRUE(has("4 * 2 * (BI_PAIR_TILES ? 2 : 1)"));
    EXPECT_TRUE(has("mbarrier.arrive.shared::cluster.b64"));
    EXPECT_TRUE(has("bi_mbar_arrive_peer(bar, pairRank ^ 1);"));
    // The pair's CTAs take the two row tiles of one unit.
    EXPECT_TRUE(
        has("((local / groupN) * (BI_PAIR_TILES ? 2 : 1) + rowTileRank)"));
  }
  // With the roles swapped: 64 activation rows per consumer in wgmma's A,
  // the whole weight tile in B (n96), rows of C stored in pairs.
  semantics.nnLinear = true;
  const std::string swapped = bi::emitHopperGemm(
      semantics, bi::hopperGemmSchedules()[static_cast<size_t>(
                     bi::findHopperGemmSchedule("n96m128s8swappair"))]);
  auto swappedHas = [&](const char *text) {
    return swapped.find(text) != std::string::npos;
  };
  EXPECT_TRUE(swappedHas("#define BI_SWAP_ROLES 1"));
  EXPECT_TRUE(swappedHas("#define BI_STAGED_OUTPUT 0"));
  EXPECT_TRUE(swappedHas("wgmma.mma_async.sync.aligned.m64n96k16"));
  EXPECT_TRUE(swappedHas(
      "rows0 = bi_desc_low(stage0 + kTileBytesB + consumer * 64 * 128)"));
  // Each consumer's 64 rows in a box of their own, moved back to end at M
  // where they would reach past it (one row tile); the rows before the
  // consumer's own are stored by the one they belong to.
  EXPECT_TRUE(swappedHas("return min(work.m0 + 64 * c, max(0, M - 64));"));
  EXPECT_TRUE(swappedHas("bi_consumer_rows(work, box, M));"));
  EXPECT_TRUE(swappedHas("bi_consumer_rows(work, consumer, M) + warp * 16"));
  EXPECT_TRUE(
      swappedHas("stored.mFrom = max(work.mFrom, work.m0 + consumer * 64);"));
  EXPECT_TRUE(swappedHas("bi_store_pair(c, (bi_u64)m * N + n, lo, hi);"));
  semantics.nnLinear = false;
  EXPECT_NE(
      bi::emitHopperGemm(semantics,
                         bi::hopperGemmSchedules()[static_cast<size_t>(
                             bi::findHopperGemmSchedule("n96m128s8swappair"))])
          .find("#error"),
      std::string::npos);
  // Other schedules compile the pair code out.
  schedule.pairTiles = false;
  EXPECT_NE(
      bi::emitHopperGemm(semantics, schedule).find("#define BI_PAIR_TILES 0"),
      std::string::npos);
}

} // namespace
