//===- HopperGemm.h - the sm_90a GEMM schedule as CUDA C++ --------*- C++
//-*-===//
//
// The Hopper lowering of `bi.matmul` with `unit = wgmma.m64nNk16`: TMA tile
// loads into 128-byte-swizzled shared memory completing on mbarriers, a
// producer warpgroup and one or two consumer warpgroups issuing wgmma from
// shared memory, and the K chunks of the order contract run either one
// after another in one CTA (partials kept in registers) or on parallel CTAs
// (partials in a workspace; the CTA that finishes a tile's last chunk adds
// them). Both paths add the chunk partials left to right, so every schedule
// gives the same bits. b may be K-major (nn.Linear, [N, K]) or [K, N]
// (read MN-major by the wgmma's transposed-A mode).
//
//===----------------------------------------------------------------------===//
#ifndef BI_TARGET_HOPPERGEMM_H
#define BI_TARGET_HOPPERGEMM_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bi {

/// What decides the bits of a Hopper GEMM (from the kernel and its contract).
struct GemmSemantics {
  enum class Type { bf16, f16, f32 };
  enum class Activation { none, relu, silu };
  Type input = Type::bf16;  // a and b
  Type output = Type::bf16; // c
  Type bias = Type::bf16;
  Type residual = Type::bf16;
  bool hasBias = false;
  bool hasResidual = false;
  Activation activation = Activation::none;
  bool fastMath = false;   // fn = fast (silu's exp and division)
  int64_t chunk = 0;       // K chunk of the contract
  bool fmaContract = true; // CUDA-core variant: fold with fma (one rounding)
  bool nnLinear = true;    // b is [N, K]; else [K, N]

  /// A one-line text form for cache entries, and its parser.
  std::string serialize() const;
  static std::optional<GemmSemantics> parse(const std::string &text);
};

/// How the GEMM is mapped onto the GPU (never the bits).
struct GemmSchedule {
  /// Rows of B (output columns) per CTA: 64 per consumer warpgroup, 64, 128
  /// or 192 (with swapRoles: the wgmma n, a multiple of 16).
  int blockN = 128;
  /// Rows of A per CTA: the wgmma n, a multiple of 8 in [8, 256]; 256 with
  /// serial chunks only for plain serial tiles of 128 weight rows, whose
  /// running totals are half in shared memory (sharedTotalBytes).
  /// (With swapRoles: 64 per consumer warpgroup, 64, 128 or 192.)
  int blockM = 128;
  /// Shared-memory pipeline depth (TMA tiles in flight).
  int stages = 4;
  /// Chunks on parallel CTAs (the last to finish a tile combines them), or
  /// serially in one CTA.
  bool splitChunks = false;
  /// Split chunks launched as one thread-block cluster of S CTAs per tile
  /// (S = clusterSize()): rank r runs chunks r, r + S, ... of the tile's,
  /// and the CTAs add their partials in distributed shared memory. Without
  /// a cluster that fits, the split schedule of the same tiles runs.
  bool clusterChunks = false;
  /// Serial schedules: a tile's chunks split into two ranges on a cluster
  /// of two CTAs, launched with one tile per cluster (the second CTA
  /// publishes its chunk partials to the workspace, the first adds them
  /// to its total in chunk order: the serial schedule's bits).
  bool rangePairs = false;
  /// Serial schedules: two row tiles of the same columns at once on a
  /// cluster of two CTAs, each loading half of the weight tile and
  /// multicasting it to both (TMA), so that the pair reads each weight
  /// byte once, in step; the same bits as the serial schedule.
  bool pairTiles = false;
  /// The operands' roles swapped: the activations in wgmma's A operand (64
  /// rows per consumer warpgroup, blockM 64, 128 or 192) and the weights in
  /// B (n = blockN, a multiple of 16), so that weight tiles need not come
  /// in 64 rows; the same bits (bench/gemm_lab/operand_roles.py). Serial
  /// chunks (one CTA or tile pairs), outputs stored from the registers, b
  /// in nn.Linear layout only (hopperGemmLayoutTwin).
  bool swapRoles = false;

  int consumers() const { return (swapRoles ? blockM : blockN) / 64; }
  /// f32 accumulators per consumer thread: the wgmma's n / 2.
  int accumulators() const { return (swapRoles ? blockN : blockM) / 2; }
  /// Serial chunks: values of a consumer thread's running total kept in
  /// registers next to its accumulators, all of them up to 96 (192 in
  /// all), else 64 (with 128 accumulators, 192 again).
  int registerTotals() const {
    return accumulators() <= 96 ? accumulators() : 64;
  }
  /// Serial chunks: the rest of a consumer thread's running total, in
  /// shared memory (none with split chunks, which keep no totals).
  int sharedTotals() const {
    return splitChunks ? 0 : accumulators() - registerTotals();
  }
  /// Shared memory for those, each consumer thread's own.
  int sharedTotalBytes() const {
    return sharedTotals() * 4 * 128 * consumers();
  }
  /// Rows of the activations' TMA box: a row tile, or with the roles
  /// swapped each consumer's 64 rows (a box of their own, moved back to end
  /// at M where it would reach past it: bi_consumer_rows).
  int activationBoxRows() const { return swapRoles ? 64 : blockM; }
  int threads() const { return 128 * (1 + consumers()); }
  /// Registers per thread the producer warpgroup keeps (setmaxnreg.dec);
  /// the rest of the SM's 64K go to the consumers.
  static constexpr int kProducerRegisters = 40;
  /// Registers per consumer thread (setmaxnreg.inc): the SM's 64K less the
  /// producer's, shared by the consumers, in steps of 8, at most 232.
  int consumerRegisters() const {
    const int share = (65536 - 128 * kProducerRegisters) / (128 * consumers());
    return std::min(232, share / 8 * 8);
  }
  /// Shared memory of the pipeline: the stages plus 1 KiB of alignment
  /// slack, the barriers and the split schedules' "last CTA of the tile"
  /// flag.
  int pipelineBytes() const {
    return stages * (blockN + blockM) * 64 * 2 + 1024 + 2 * stages * 8 + 16;
  }
  /// Output rows staged at a time: the epilogue stages and stores a tile in
  /// passes of 64 rows, so that the staging leaves room for a sixth stage
  /// of 128 x 128 tiles.
  int stagingRows() const { return blockM < 64 ? blockM : 64; }
  /// The staging buffer in shared memory for TMA or coalesced 16-byte
  /// stores (16-bit outputs): a pass of rows, 64 columns per consumer in a
  /// box of their own.
  int stagingBytes() const { return stagingRows() * blockN * 2; }
  /// Whether the staging buffer fits next to the pipeline and the totals.
  bool stagesOutput() const {
    return !swapRoles &&
           pipelineBytes() + sharedTotalBytes() + stagingBytes() <=
               kMaxSharedBytes;
  }
  /// Dynamic shared memory of a CTA.
  int sharedBytes() const {
    return pipelineBytes() + sharedTotalBytes() +
           (stagesOutput() ? stagingBytes() : 0);
  }
  static constexpr int kMaxSharedBytes = 227 * 1024;
  /// Column tiles per group of the tile order (CTAs in flight share their
  /// operand tiles in L2): a column's row tiles are the group's width
  /// apart in it.
  static constexpr int kTileGroup = 8;
  /// Split schedules without a cluster, and range pairs: bytes of the
  /// workspace's chunk partials for an M x N output of `chunks` chunks, a
  /// whole f32 tile per tile and chunk (the kernel keeps the accumulators'
  /// layout there; range pairs use fewer than half of them). At least
  /// chunks * M * N * 4, the output-layout partials of the MLIR kernels of
  /// the same schedule.
  size_t partialBytes(int64_t M, int64_t N, int64_t chunks) const {
    const int64_t rows = (M + blockM - 1) / blockM * blockM;
    const int64_t columns = (N + blockN - 1) / blockN * blockN;
    return size_t(chunks) * size_t(rows) * size_t(columns) * 4;
  }
  /// Cluster schedules: CTAs per tile (a cluster) for `chunks` chunks, or 0
  /// when none fits (fewer than two chunks, or the partials of a CTA's
  /// earlier chunks overflow its shared memory): the workspace path then.
  int clusterSize(int64_t chunks) const;
  /// Dynamic shared memory of a CTA in clusters of `size` CTAs: the
  /// schedule's plus slots for the partials of all its chunks but the last.
  int clusterSharedBytes(int64_t chunks, int size) const;
  /// Empty when the schedule is valid, else what is wrong.
  std::string validate() const;
  /// A stable name, e.g. "n128m128s4serial".
  std::string name() const;
};

/// Every schedule the compiler may choose, in a fixed order.
const std::vector<GemmSchedule> &hopperGemmSchedules();

/// The index in hopperGemmSchedules() of the schedule called `name` (see
/// GemmSchedule::name), or -1. Allocation-free: launches with a forced
/// schedule call it.
int findHopperGemmSchedule(const std::string &name);

/// The index in hopperGemmSchedules() of the schedule equal to `schedule`
/// (tiles, stages and chunk placement), or -1.
int findHopperGemmSchedule(const GemmSchedule &schedule);

/// The schedule that runs for hopperGemmSchedules()[index] on `tiles`
/// output tiles of `chunks` chunks: a cluster schedule whose cluster does
/// not fit (its partials overflow shared memory, or its CTAs the kernel's
/// int count) gives way to the split schedule of the same tiles, with the
/// same bits; any other schedule runs as it is.
int runnableHopperGemmSchedule(int index, int64_t chunks, int64_t tiles);

/// Tail pairs. A serial schedule's persistent grid of `ctas` CTAs runs
/// `tiles` tiles (`rowTiles` of them per column) in waves; when the last
/// wave is at most half full, its tiles run instead as range pairs (two
/// CTAs per tile, each a range of the chunks, the serial order's bits) in
/// a second launch, one chunk range long instead of all the chunks. A tile
/// pair schedule's clusters run pairs of row tiles in waves alike; with two
/// row tiles, its last wave's pairs and those of the same tile group (so
/// that the pairs' first units cover the first tiles in tile order) go to
/// range pairs when these fit one wave. Returns how many of the last tiles
/// (in tile order) go to the range pairs: 0 when the schedule is split or
/// range, has no range twin, has fewer than two chunks, or its last wave is
/// empty or more than half full.
int64_t hopperGemmTailPairTiles(int index, int64_t chunks, int64_t tiles,
                                int64_t rowTiles, int64_t ctas);

/// The range-pair schedule with the tiles of serial schedule `index` (the
/// second launch of its tail pairs), or -1.
int hopperGemmRangeTwin(int index);

/// The schedule that runs for hopperGemmSchedules()[index] with b in
/// nn.Linear layout (`nnLinear`) or in [K, N]: `index`, except that a
/// schedule with the operands' roles swapped takes nn.Linear b only, and
/// with [K, N] b gives way to the 128 x 128 schedule of its kind (serial or
/// tile pairs), with the same bits.
int hopperGemmLayoutTwin(int index, bool nnLinear);

/// A schedule that keeps running totals in registers only for `index`: the
/// 128 x 128 serial tiles where `index` keeps half of each in shared memory
/// (which bi-lower-to-gpu does not lower), else `index`. Same bits.
int hopperGemmRegisterTotalTwin(int index);

/// The scheduler: the index of a schedule for an M x N x K product on a GPU
/// with `multiprocessors` SMs. Tuned on the H200; any choice gives the same
/// bits. Allocation-free: it runs on every launch.
int chooseHopperGemmSchedule(int64_t M, int64_t N, int64_t K, int64_t chunk,
                             int multiprocessors);

/// The schedule shown where no shape is known yet (`bi-opt`, the JIT's
/// Kernel::code()): the scheduler's choice for a 4096^3 product on 132 SMs,
/// or its register-total twin (every path lowers that one).
const GemmSchedule &representativeHopperGemmSchedule(int64_t chunk);

/// Rows of the boxes in which the staged epilogue stores the output with
/// TMA (64 columns each, the 128-byte swizzle).
inline constexpr int kGemmStoreBoxRows = 64;
/// Names of the emitted functions.
inline constexpr const char *kGemmMainFunction = "bi_gemm_main";
inline constexpr const char *kGemmFmaFunction = "bi_gemm_fma";
/// Threads per CTA of the CUDA-core variant (one output column each).
inline constexpr int kGemmFmaThreads = 128;

/// Emits the CUDA C++ translation unit of the schedule: `bi_gemm_main`
/// (parameters: const __grid_constant__ tensor maps of a and b, then c,
/// bias, residual, the split schedules' workspace (chunk partials
/// [chunks][M][N] f32, and one zero-initialised counter per output tile,
/// left zero again by every launch), M, N, K, the output tiles it
/// computes, [firstOutputTile, endOutputTile) in tile order, and a
/// const __grid_constant__ tensor map of c (M rows of N, boxes of 64 x 64,
/// the 128-byte swizzle), read only by schedules that stage the output
/// when N is a multiple of 8 and c 16-byte aligned). Compile for sm_90a
/// with --fmad=false.
std::string emitHopperGemm(const GemmSemantics &semantics,
                           const GemmSchedule &schedule);

/// The CUDA-core variant (a contract without a hardware unit): one thread
/// per output element folds K sequentially, chunk by chunk, exactly as the
/// CPU reference does. `bi_gemm_fma(a, b, c, bias, residual, M, N, K, lda,
/// ldb)`, grid (ceil(N / kGemmFmaThreads), M). Slow; for checking and for
/// shapes the Hopper schedule cannot take.
std::string emitCudaCoreGemm(const GemmSemantics &semantics);

} // namespace bi

#endif // BI_TARGET_HOPPERGEMM_H
