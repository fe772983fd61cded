//===- HopperGemm.cpp - the sm_90a GEMM schedule as CUDA C++ --------------===//
//
// Operand roles. The kernel computes C^T = B * A^T: the rows of B (nn.Linear
// weights, K-major) are the wgmma "A" operand (64 rows per consumer
// warpgroup), the rows of A (activations, K-major) are the wgmma "B"
// operand, so the batch extent M is the instruction's n (8..256). Small
// batches then waste nothing on the 64-row instruction shape, and every
// schedule issues the same instruction kind per output element.
//
// Bits. Each output element sees: per chunk, wgmma k-steps of 16 from a zero
// accumulator (scale-d = 0 on the chunk's first step), k-steps wholly past
// K never issued, a partial one zero-filled by TMA; then the chunk partials
// added left to right in f32; then the epilogue in f32 and one rounding.
// Nothing of that depends on M, on the tile shape, on where in its tile
// the element lies or on which CTA ran a chunk.
//
//===----------------------------------------------------------------------===//
#include "HopperGemm.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <tuple>

namespace bi {
namespace {

/// How the generated code stores a type and converts it to and from f32
/// (empty for f32 itself).
struct TypeNames {
  const char *storage, *toFloat, *fromFloat;
};

TypeNames namesOf(GemmSemantics::Type type) {
  switch (type) {
  case GemmSemantics::Type::bf16:
    return {"unsigned short", "bi_bf16_to_f32", "bi_f32_to_bf16"};
  case GemmSemantics::Type::f16:
    return {"unsigned short", "bi_f16_to_f32", "bi_f32_to_f16"};
  case GemmSemantics::Type::f32:
    break;
  }
  return {"float", "", ""};
}

const char *storageType(GemmSemantics::Type type) {
  return namesOf(type).storage;
}
const char *toFloatFunction(GemmSemantics::Type type) {
  return namesOf(type).toFloat;
}
const char *fromFloatFunction(GemmSemantics::Type type) {
  return namesOf(type).fromFloat;
}

/// Device helpers shared by every schedule: conversions, mbarriers, TMA,
/// wgmma bookkeeping.
const char *kCommonHelpers = R"cuda(
#define BI_DEVICE __device__ __forceinline__
typedef unsigned int bi_u32;
typedef unsigned long long bi_u64;
// A CUtensorMap, passed by value as a __grid_constant__ parameter.
struct __align__(64) bi_tensor_map { bi_u64 opaque[16]; };

BI_DEVICE float bi_bf16_to_f32(unsigned short v) {
  return __uint_as_float(((bi_u32)v) << 16);
}
BI_DEVICE float bi_f16_to_f32(unsigned short v) {
  float f;
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v));
  return f;
}
BI_DEVICE unsigned short bi_f32_to_bf16(float v) {
  unsigned short h;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(v));
  return h;
}
BI_DEVICE unsigned short bi_f32_to_f16(float v) {
  unsigned short h;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(v));
  return h;
}
BI_DEVICE bi_u32 bi_smem(const void *p) {
  return (bi_u32)__cvta_generic_to_shared(p);
}
BI_DEVICE void bi_mbar_init(bi_u32 bar, bi_u32 count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(count));
}
BI_DEVICE void bi_mbar_expect_tx(bi_u32 bar, bi_u32 bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar),
               "r"(bytes) : "memory");
}
BI_DEVICE void bi_mbar_arrive(bi_u32 bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar) : "memory");
}
BI_DEVICE void bi_mbar_wait(bi_u32 bar, bi_u32 parity) {
  asm volatile("{\n"
               ".reg .pred done;\n"
               "WAIT:\n"
               "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
               "@!done bra WAIT;\n"
               "}\n" ::"r"(bar), "r"(parity) : "memory");
}
// Coordinates innermost first: (k, row) of a K-major operand, (n, k) of b
// in [K, N] layout.
BI_DEVICE void bi_tma_load(bi_u32 dst, const bi_tensor_map *map, bi_u32 bar,
                           int x, int y) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile"
               ".mbarrier::complete_tx::bytes [%0], [%1, {%3, %4}], [%2];"
               ::"r"(dst), "l"((bi_u64)map), "r"(bar), "r"(x), "r"(y)
               : "memory");
}
// An L2 cache policy: lines loaded with it are the first to be evicted.
BI_DEVICE bi_u64 bi_l2_evict_first() {
  bi_u64 policy;
  asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;"
               : "=l"(policy));
  return policy;
}
// A weight box, loaded "evict first" when `stream`. (The policy is made
// here, one instruction, rather than kept live: the producer's few
// registers spilled it in the cluster schedules.)
BI_DEVICE void bi_tma_load_weights(bi_u32 dst, const bi_tensor_map *map,
                                   bi_u32 bar, int x, int y, bool stream) {
  if (stream) {
    const bi_u64 policy = bi_l2_evict_first();
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile"
                 ".mbarrier::complete_tx::bytes.L2::cache_hint"
                 " [%0], [%1, {%3, %4}], [%2], %5;"
                 ::"r"(dst), "l"((bi_u64)map), "r"(bar), "r"(x), "r"(y),
                 "l"(policy) : "memory");
  } else {
    bi_tma_load(dst, map, bar, x, y);
  }
}
#if BI_PAIR_TILES
// A weight box written to the same offset in both CTAs of the pair,
// completing on the mbarrier at `bar`'s offset in each; "evict first" when
// `stream`.
BI_DEVICE void bi_tma_load_weights_pair(bi_u32 dst, const bi_tensor_map *map,
                                        bi_u32 bar, int x, int y,
                                        bool stream) {
  const unsigned short both = 3;
  if (stream) {
    const bi_u64 policy = bi_l2_evict_first();
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile"
                 ".mbarrier::complete_tx::bytes.multicast::cluster"
                 ".L2::cache_hint [%0], [%1, {%3, %4}], [%2], %5, %6;"
                 ::"r"(dst), "l"((bi_u64)map), "r"(bar), "r"(x), "r"(y),
                 "h"(both), "l"(policy) : "memory");
  } else {
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.tile"
                 ".mbarrier::complete_tx::bytes.multicast::cluster"
                 " [%0], [%1, {%3, %4}], [%2], %5;"
                 ::"r"(dst), "l"((bi_u64)map), "r"(bar), "r"(x), "r"(y),
                 "h"(both) : "memory");
  }
}
// One arrival on the mbarrier at `bar`'s offset in the other CTA of the
// pair. (Release at CTA scope, the default, is enough for "the stage is
// read": the wgmmas that read it are complete. At cluster scope the
// arrivals halved the speed of an earlier paired kernel.)
BI_DEVICE void bi_mbar_arrive_peer(bi_u32 bar, int peer) {
  asm volatile("{\n.reg .b32 remote;\n"
               "mapa.shared::cluster.u32 remote, %0, %1;\n"
               "mbarrier.arrive.shared::cluster.b64 _, [remote];\n"
               "}\n" ::"r"(bar), "r"(peer) : "memory");
}
#endif
// wgmma shared-memory descriptors, made from their low word: the start
// address / 16 (bits 0-13) and the leading byte offset / 16 (bits 16-29).
// The high word is the same for every tile: stride byte offset 1024 (8-row
// groups of the 128-byte swizzle) and the 128-byte swizzle mode. Kept as
// 32-bit low words, a k-step or a stage further on is one 32-bit add: a
// shared-memory address is below 2^18, so its address field never carries
// into the offset.
BI_DEVICE bi_u64 bi_wgmma_desc(bi_u32 low) {
  return ((bi_u64)((1024 >> 4) | (1u << 30)) << 32) | low;
}
// The low word for a K-major tile of 64-element (128 B) rows written by TMA
// with the 128-byte swizzle (leading byte offset unused: swizzled).
BI_DEVICE bi_u32 bi_desc_low(bi_u32 addr) { return (addr >> 4) | (1u << 16); }
// The same for an MN-major tile (b in [K, N] layout, read transposed): rows
// of 64 output columns, one row per k; 8-k groups 1024 B apart. The leading
// byte offset (between 64-column groups) is unused by m64.
BI_DEVICE bi_u32 bi_desc_low_mn(bi_u32 addr) {
  return (addr >> 4) | ((8192u >> 4) << 16);
}
BI_DEVICE void bi_wgmma_fence() {
  asm volatile("wgmma.fence.sync.aligned;" ::: "memory");
}
BI_DEVICE void bi_wgmma_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory");
}
template <int N> BI_DEVICE void bi_wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(N) : "memory");
}
// Every thread of every CTA in the cluster; orders shared-memory writes
// before the barrier against reads after it, across the cluster.
BI_DEVICE void bi_cluster_sync() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n"
               "barrier.cluster.wait.acquire.aligned;" ::: "memory");
}
#if BI_RANGE_PAIRS || BI_PAIR_TILES
BI_DEVICE bi_u32 bi_cluster_rank() {
  bi_u32 rank;
  asm("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
  return rank;
}
// Range pairs: a tile per cluster of two CTAs (one unit per cluster); tile
// pairs: a unit (two row tiles) per cluster at a time.
#define BI_UNIT_FIRST ((int)blockIdx.x / 2)
#define BI_UNIT_STEP ((int)gridDim.x / 2)
#else
#define BI_UNIT_FIRST blockIdx.x
#define BI_UNIT_STEP gridDim.x
#endif
BI_DEVICE bi_u32 bi_cluster_size() {
  bi_u32 size;
  asm("mov.u32 %0, %%cluster_nctarank;" : "=r"(size));
  return size;
}
// 16 bytes of the shared memory of CTA `rank` of the cluster, at the
// offset `addr` has in this CTA's.
BI_DEVICE float4 bi_load_cluster(bi_u32 addr, int rank) {
  bi_u32 remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(addr), "r"(rank));
  float4 v;
  asm volatile("ld.shared::cluster.v4.f32 {%0, %1, %2, %3}, [%4];"
               : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "r"(remote) : "memory");
  return v;
}
// A barrier of the consumer warpgroups only (the producer never joins).
template <int Threads> BI_DEVICE void bi_consumer_sync() {
  asm volatile("bar.sync 1, %0;" ::"n"(Threads) : "memory");
}
// A barrier of one consumer warpgroup (barriers 2, 3, ...: 0 is the CTA's,
// 1 the consumers').
BI_DEVICE void bi_warpgroup_sync(int consumer) {
  asm volatile("bar.sync %0, 128;" ::"r"(2 + consumer) : "memory");
}
)cuda";

/// `bi_wgmma(acc, descA, descB, accumulate)`: one m64n<n>k16 wgmma with f32
/// accumulators in registers; `transposeA` reads the A operand MN-major.
std::string emitWgmma(int n, GemmSemantics::Type input, bool transposeA) {
  int regs = n / 2;
  const char *kind = input == GemmSemantics::Type::f16 ? "f16" : "bf16";
  std::ostringstream out;
  out << "BI_DEVICE void bi_wgmma(float (&d)[" << regs
      << "], bi_u64 descA, bi_u64 descB, int accumulate) {\n"
      << "  asm volatile(\"{\\n.reg .pred p;\\nsetp.ne.b32 p, %" << regs + 2
      << ", 0;\\n\"\n"
      << "    \"wgmma.mma_async.sync.aligned.m64n" << n << "k16.f32." << kind
      << "." << kind << " {";
  for (int i = 0; i < regs; ++i)
    out << (i ? ", " : "") << "%" << i;
  out << "}, %" << regs << ", %" << regs + 1 << ", p, 1, 1, "
      << (transposeA ? 1 : 0) << ", 0;\\n}\\n\"\n"
      << "    : ";
  for (int i = 0; i < regs; ++i)
    out << (i ? ", " : "") << "\"+f\"(d[" << i << "])";
  out << "\n    : \"l\"(descA), \"l\"(descB), \"r\"(accumulate));\n}\n";
  return out.str();
}

/// `bi_epilogue(v, m, n, ...)`: bias, activation, residual in f32, in the
/// order the op defines; shared by the serial and the split paths so
/// both round the same values.
std::string emitEpilogue(const GemmSemantics &s) {
  std::ostringstream out;
  out << "BI_DEVICE float bi_epilogue(float v, int m, int n, int N, const "
      << storageType(s.bias) << " *__restrict__ bias, const "
      << storageType(s.residual) << " *__restrict__ residual) {\n";
  if (s.hasBias)
    out << "  v = __fadd_rn(v, " << toFloatFunction(s.bias) << "(bias[n]));\n";
  switch (s.activation) {
  case GemmSemantics::Activation::none:
    break;
  case GemmSemantics::Activation::relu:
    // NaN stays NaN; -0 and negatives become +0.
    out << "  v = (v > 0.0f || v != v) ? v : 0.0f;\n";
    break;
  case GemmSemantics::Activation::silu:
    out << "  v = " << (s.fastMath ? "__fdividef" : "__fdiv_rn") << "(v, "
        << "__fadd_rn(1.0f, "
        << (s.fastMath ? "bi_exp_fast" : "bi_exp_portable") << "(-v)));\n";
    break;
  }
  if (s.hasResidual)
    out << "  v = __fadd_rn(v, " << toFloatFunction(s.residual)
        << "(residual[(bi_u64)m * N + n]));\n";
  out << "  return v;\n}\n";
  // Whether bi_epilogue reads memory at (m, n): then it must not run for
  // elements past M or N.
  out << "#define BI_EPILOGUE_READS " << (s.hasBias || s.hasResidual ? 1 : 0)
      << "\n";
  out << "BI_DEVICE void bi_store(" << storageType(s.output)
      << " *__restrict__ c, bi_u64 index, float v) {\n  c[index] = "
      << fromFloatFunction(s.output) << "(v);\n}\n";
  // Two neighbours packed in 32 bits (16-bit outputs).
  const bool out16 = s.output != GemmSemantics::Type::f32;
  out << "#define BI_OUT_16BIT " << (out16 ? 1 : 0) << "\n";
  if (out16)
    out << "BI_DEVICE unsigned bi_pack_pair(float lo, float hi) {\n"
        << "  return (unsigned)" << fromFloatFunction(s.output)
        << "(lo) | (unsigned)" << fromFloatFunction(s.output)
        << "(hi) << 16;\n}\n";
  // Two neighbours in one store (`index` even, c 8-byte aligned).
  out << "BI_DEVICE void bi_store_pair(" << storageType(s.output)
      << " *__restrict__ c, bi_u64 index, float lo, float hi) {\n";
  if (out16)
    out << "  *(unsigned *)(c + index) = bi_pack_pair(lo, hi);\n";
  else
    out << "  *(float2 *)(c + index) = make_float2(lo, hi);\n";
  out << "}\n";
  return out.str();
}

void replaceAll(std::string &text, const std::string &from,
                const std::string &to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

/// The kernel. Placeholders: $BN $BM $STAGES $STAGING_ROWS $STAGING_BYTES
/// $CONSUMERS $ACC $TOTAL_REGS $SHARED_TOTALS $SHARED_TOTAL_BYTES $THREADS
/// $CHUNK_TILES $SPLIT $B_KN $B_STEP $GROUP $OUT_T $BIAS_T $RES_T.
const char *kMainKernel = R"cuda(
// An output tile: its operands are loaded from column n0 and row m0 on; it
// stores columns nFrom ... and rows mFrom ... of them.
struct bi_gemm_unit { int n0, m0, nFrom, mFrom, chunk, tile; };
// Work unit -> output tile (and, for split schedules, the unit's first
// chunk: its rank among the tile's `split` CTAs). Tiles go in groups of
// $GROUP column tiles, column tiles fastest inside a group (a column's row
// tiles are the group's width apart), so the CTAs in flight share their
// operand tiles in L2; the CTAs of one tile are adjacent. With tile pairs
// `tilesM` counts pairs of row tiles, and the pair's CTA of rank
// `rowTileRank` takes the first (0) or the second (1) of them.
BI_DEVICE bi_gemm_unit bi_gemm_unit_of(int unit, int firstOutputTile,
                                       int tilesN, int tilesM, int split,
                                       int M, int N, int rowTileRank) {
  bi_gemm_unit work;
  work.chunk = $SPLIT ? unit % split : 0;
  const int tile = firstOutputTile + ($SPLIT ? unit / split : unit);
  work.tile = tile;
  const int group = tile / ($GROUP * tilesM);
  const int firstN = group * $GROUP;
  const int groupN = min(tilesN - firstN, $GROUP);
  const int local = tile - group * $GROUP * tilesM;
  work.nFrom = (firstN + local % groupN) * $BN;
  work.mFrom =
      ((local / groupN) * (BI_PAIR_TILES ? 2 : 1) + rowTileRank) * $BM;
  // A last tile that would reach past M (or N) starts earlier instead, so
  // that its TMA boxes lie wholly inside the operands: boxes partly out of
  // bounds load several times slower on the H200 (28672 x 4096, 128 x 128
  // tiles: 166 us at M = 160, 113 us with whole boxes). The rows (columns)
  // before its own are the previous tile's, which stores them; this one
  // computes them again and drops them. Columns move only in steps of 8
  // (N % 8 == 0), so that each 16-byte piece of a row is stored whole or
  // not at all.
  work.m0 = min(work.mFrom, max(0, M - $BM));
  work.n0 = N % 8 == 0 ? min(work.nFrom, max(0, N - $BN)) : work.nFrom;
  return work;
}
// With the roles swapped, the first of consumer c's 64 activation rows
// (one TMA box each): the tile's, or, where the tile has more rows than M
// (one row tile), for a box that would reach past M, the 64 rows ending
// at M, as a box partly past the operand loads several times slower (28672
// x 4096, M = 160, 192-row tiles: 87.5 us against 80.1 at M = 192). The
// rows before the consumer's own are the previous consumer's, which
// stores them; this one computes them again (same bits) and drops them.
BI_DEVICE int bi_consumer_rows(const bi_gemm_unit &work, int c, int M) {
  return min(work.m0 + 64 * c, max(0, M - 64));
}
// Eight 16-bit values to global memory: one 16-byte store when `whole`,
// else the first `count` one by one. Predicated instructions in one asm
// block, not branches: ptxas makes the warps wait for their wgmmas in
// flight at a branch.
BI_DEVICE void bi_store_row(unsigned short *to, uint4 v, bool whole, int count) {
  asm volatile("{\n.reg .pred w, p<8>;\n.reg .b16 h<8>;\n"
               "setp.ne.b32 w, %5, 0;\n"
               "setp.gt.s32 p0, %6, 0;\nsetp.gt.s32 p1, %6, 1;\n"
               "setp.gt.s32 p2, %6, 2;\nsetp.gt.s32 p3, %6, 3;\n"
               "setp.gt.s32 p4, %6, 4;\nsetp.gt.s32 p5, %6, 5;\n"
               "setp.gt.s32 p6, %6, 6;\nsetp.gt.s32 p7, %6, 7;\n"
               "mov.b32 {h0, h1}, %1;\nmov.b32 {h2, h3}, %2;\n"
               "mov.b32 {h4, h5}, %3;\nmov.b32 {h6, h7}, %4;\n"
               "@w st.global.v4.b32 [%0], {%1, %2, %3, %4};\n"
               "@p0 st.global.b16 [%0], h0;\n@p1 st.global.b16 [%0+2], h1;\n"
               "@p2 st.global.b16 [%0+4], h2;\n@p3 st.global.b16 [%0+6], h3;\n"
               "@p4 st.global.b16 [%0+8], h4;\n@p5 st.global.b16 [%0+10], h5;\n"
               "@p6 st.global.b16 [%0+12], h6;\n@p7 st.global.b16 [%0+14], h7;\n"
               "}\n" ::"l"(to), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w),
               "r"((int)whole), "r"(count)
               : "memory");
}
// A box of the output from shared memory to global memory (TMA; rows and
// columns past the map's M x N are not written), in the bulk group of the
// calling thread. The box's writes through the generic proxy (stmatrix)
// must be fenced for the async proxy before (bi_fence_async_shared).
BI_DEVICE void bi_tma_store(const bi_tensor_map *map, bi_u32 src, int x, int y) {
  asm volatile("cp.async.bulk.tensor.2d.global.shared::cta.bulk_group"
               " [%0, {%2, %3}], [%1];\n"
               "cp.async.bulk.commit_group;" ::"l"((bi_u64)map),
               "r"(src), "r"(x), "r"(y)
               : "memory");
}
BI_DEVICE void bi_fence_async_shared() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}
// The calling thread's TMA stores have read their shared memory (which may
// then be written again).
BI_DEVICE void bi_tma_store_wait_read() {
  asm volatile("cp.async.bulk.wait_group.read 0;" ::: "memory");
}
// bi_epilogue of an element the caller stores only inside M x N: behind a
// bounds test when the epilogue reads memory (bias, residual), else
// computed wherever it lies (four instructions fewer per element: 2.5-6 %
// of the time at M = 8192, FINDINGS).
BI_DEVICE float bi_epilogue_inside(float v, int m, int n, int M, int N,
                                   const $BIAS_T *__restrict__ bias,
                                   const $RES_T *__restrict__ residual) {
#if BI_EPILOGUE_READS
  return m < M && n < N ? bi_epilogue(v, m, n, N, bias, residual) : 0.0f;
#else
  return bi_epilogue(v, m, n, N, bias, residual);
#endif
}
// Serial schedules whose totals outgrow the registers (128 accumulators
// per consumer thread) keep those past $TOTAL_REGS in shared memory, each
// consumer thread's own: its quad q at float4 q * kThreads + t (16-byte
// accesses, a warp's 512 contiguous bytes, no bank conflicts).
BI_DEVICE int bi_shared_total_quad(int q) {
  return q * ($CONSUMERS * 128) + (int)threadIdx.x - 128;
}
// Value i of a tile in the accumulator layout: v[i] for the first kRegs,
// then the consumer thread's values in shared memory (`rest`). (i is
// known at compile time wherever this is inlined.)
template <int kRegs>
BI_DEVICE float bi_tile_value(const float (&v)[kRegs], const float4 *rest,
                              int i) {
  if (i < kRegs)
    return v[i < kRegs ? i : 0];
  const int j = i - kRegs;
  return ((const float *)&rest[bi_shared_total_quad(j / 4)])[j % 4];
}
// Epilogue and store of one output tile held in the consumers' registers
// and, past kRegs of them, in shared memory (`rest`; bi_tile_value: v[i]
// at the accumulator layout's (m, n)), when `active` (the same in
// every consumer thread; the barriers run regardless, as ptxas serialises
// the wgmmas of kernels with barriers on divergent paths). Staged: the
// rounded values go through shared memory, then to global memory in boxes
// of 64 x 64 by TMA (`mapC`) or, where TMA cannot store them, in rows of
// 16-byte stores; else one store each.
template <int kRegs>
BI_DEVICE void bi_store_tile(const float (&v)[kRegs], const float4 *rest,
                             bool active,
                             $OUT_T *__restrict__ c,
                             const $BIAS_T *__restrict__ bias,
                             const $RES_T *__restrict__ residual,
                             unsigned char *staging, bi_gemm_unit work,
                             int nBase, int mBase, int M, int N,
                             const bi_tensor_map *mapC) {
#if BI_STAGED_OUTPUT
  // Each consumer stages and stores its own 64 columns between barriers of
  // its own warpgroup: the consumers never wait for each other here, so
  // one's epilogue overlaps the other's wgmmas. (A barrier of all the
  // consumers idled the tensor cores through every epilogue: about a fifth
  // of the time at large M on the H200.) The rows go in passes of
  // $STAGING_ROWS: a smaller staging buffer leaves room for more stages.
  // A consumer's pass is one box of kPassRows rows of 128 bytes in the
  // layout of TMA's 128-byte swizzle: the 16-byte piece p of row r at
  // piece p ^ (r % 8), which also spreads the transposing writes and the
  // row reads over the banks.
  constexpr int kPassRows = $STAGING_ROWS, kBoxBytes = kPassRows * 128;
  const int consumer = (threadIdx.x - 128) / 128;
  const bool whole = N % 8 == 0 && ((bi_u64)c & 15) == 0;
  unsigned char *box = staging + consumer * kBoxBytes;
  // TMA stores whole boxes of 64 rows (clipped at M and N): for the tiles
  // whose rows and this consumer's columns are all their own (a last tile
  // that starts before the previous one's end leaves those rows and
  // columns to it, as the stores below do), when the output takes TMA
  // (the launcher builds mapC whenever `whole`).
  const int boxN = work.n0 + consumer * 64;
  const bool tma = kPassRows == 64 && whole && work.mFrom == work.m0 &&
                   boxN >= work.nFrom;
  // Else thread t of the consumer stores the 8 columns at (t % kRowPieces)
  // * 8 of its 64 in rows t / kRowPieces + k * kRowsPerPass: only the row
  // moves with k, by a constant, so the addresses need no registers per
  // pass (hoisted per-pass addresses spilled the wider tiles).
  constexpr int kRowPieces = 64 / 8, kRowsPerPass = 128 / kRowPieces;
  const int t = threadIdx.x % 128;
  const int row0 = t / kRowPieces, piece = t % kRowPieces;
  const int storeN = boxN + piece * 8;
  const int columnsLeft = storeN >= work.nFrom ? N - storeN : 0;
  // (kRowsPerPass is a multiple of 8: every row of this thread's has the
  // same swizzle.)
  const unsigned char *from = box + row0 * 128 + (piece ^ (row0 % 8)) * 16;
  const bi_u64 passStride = (bi_u64)kRowsPerPass * N;
  constexpr int kPasses = ($BM + kPassRows - 1) / kPassRows;
#pragma unroll
  for (int pass = 0; pass < kPasses; ++pass) {
    const int first = pass * kPassRows;
    const int rows = $BM - first < kPassRows ? $BM - first : kPassRows;
    // The previous pass's rows (or tile's) are out of the staging.
    if (t == 0)
      bi_tma_store_wait_read();
    bi_warpgroup_sync(consumer);
    if (active) {
      // The rounded values go to the staging as 8 x 8 blocks of 16-bit
      // values, transposed on the way (stmatrix .trans). Registers 4j + 2h
      // and 4j + 2h + 1 of a lane hold rows 8j + 2 (lane % 4) and the next
      // of the tile at column 16 warp + 8h + lane / 4 of the consumer's 64:
      // packed, the m8n8 fragment of the block whose transpose is rows 8j
      // ... 8j + 7, columns 16 warp + 8h ... + 7 of the staging, each of its
      // rows one 16-byte store (piece 2 warp + h of the row, swizzled).
      // (Eight instructions per 64 values; one 2-byte store per value was
      // 6.2-way bank conflicted, ncu.)
      const int lane = threadIdx.x % 32, warp = (threadIdx.x / 32) % 4;
      // The block (j + quarter / 2, h = quarter % 2) row this lane's
      // address is for: row lane % 8 of the block, so swizzled by it.
      const int quarter = lane / 8;
      const unsigned char *rowOfLane =
          box + (lane % 8 + 8 * (quarter / 2) - first) * 128 +
          ((2 * warp + quarter % 2) ^ (lane % 8)) * 16;
      const int blocks = (first + rows) / 8;
      // (A trip count that is a constant before the passes are unrolled:
      // else NVVM may keep the loop, indexing `v` at run time, which puts
      // it in local memory.)
#pragma unroll
      for (int jj = 0; jj < kPassRows / 8; jj += 2) {
        const int j = first / 8 + jj;
        if (j >= blocks)
          break;
        bi_u32 packed[4];
#pragma unroll
        for (int b = 0; b < 4; ++b) {
          packed[b] = 0;
          if (j + b / 2 < blocks) {
            const int i = 4 * (j + b / 2) + 2 * (b % 2);
            const int n = nBase + 8 * (b % 2);
            const int m = mBase + 8 * (j + b / 2);
            // (The stores test rows and columns.)
            const float lo =
                bi_epilogue_inside(bi_tile_value(v, rest, i), m, n, M, N,
                                   bias, residual);
            const float hi =
                bi_epilogue_inside(bi_tile_value(v, rest, i + 1), m + 1, n,
                                   M, N, bias, residual);
            packed[b] = (bi_u32)$FROM_F32(lo) | (bi_u32)$FROM_F32(hi) << 16;
          }
        }
        const bi_u32 to = bi_smem(rowOfLane + j * 8 * 128);
        if (j + 1 < blocks)
          asm volatile("stmatrix.sync.aligned.m8n8.x4.trans.shared.b16 [%0], "
                       "{%1, %2, %3, %4};" ::"r"(to), "r"(packed[0]),
                       "r"(packed[1]), "r"(packed[2]), "r"(packed[3])
                       : "memory");
        else // the pass's last 8 rows: lanes 0-15 address two blocks
          asm volatile("stmatrix.sync.aligned.m8n8.x2.trans.shared.b16 [%0], "
                       "{%1, %2};" ::"r"(to), "r"(packed[0]), "r"(packed[1])
                       : "memory");
      }
    }
    bi_fence_async_shared(); // the staging, written, for TMA to read
    bi_warpgroup_sync(consumer);
    if (tma && rows == 64) {
      // One thread's instruction for the pass; the consumer goes on while
      // TMA reads the box and writes it out.
      if (t == 0 && active)
        bi_tma_store(mapC, bi_smem(box), boxN, work.m0 + first);
      continue;
    }
    // A fixed number of pieces per thread and predicated stores: no
    // branch, so the wgmmas the consumers issued ahead keep running
    // meanwhile.
    const int rowsLeft = active ? M - work.m0 - first - row0 : 0;
    const int rowsSkipped = work.mFrom - work.m0 - first - row0;
    $OUT_T *to = c + (bi_u64)(work.m0 + first + row0) * N + storeN;
#pragma unroll
    for (int k = 0; k < (rows + kRowsPerPass - 1) / kRowsPerPass; ++k) {
      const bool real = rows % kRowsPerPass == 0 || row0 + k * kRowsPerPass < rows;
      // Pieces past the pass's rows read (and drop) the staging's first row.
      const uint4 value = *(const uint4 *)(
          real ? from + k * kRowsPerPass * 128 : staging);
      const bool inside = real && k * kRowsPerPass < rowsLeft &&
                          k * kRowsPerPass >= rowsSkipped && columnsLeft > 0;
      bi_store_row(to + k * passStride, value, inside && whole,
                   inside && !whole ? columnsLeft : 0);
    }
  }
#elif BI_SWAP_ROLES
  // Rows of C in the accumulators: register i of lane l in warp w holds
  // row 16w + l/4 + 8((i/2)%2) and column 8(i/4) + 2(l%4) + i%2, so
  // registers 2j and 2j + 1 are neighbours in a row, and the four lanes of
  // a quad hold a row's 8 columns 8q ... 8q + 7 (block q) between them.
  constexpr int kBlocks = $ACC / 4; // of 8 columns
  // Registers below this many are stored by the quads (the rest in pairs).
  constexpr int kQuadRegisters = BI_OUT_16BIT ? kBlocks / 4 * 16 : 0;
  const bool quads = BI_OUT_16BIT && N % 8 == 0 && ((bi_u64)c & 15) == 0;
#if BI_OUT_16BIT
  if (quads) {
    // Four blocks at a time, each lane of the quad gathers one of them
    // from the others (three shuffles) and stores its 16 bytes: rows of
    // 64 contiguous bytes per warp store, as staged stores have. (Stored
    // one pair of columns per lane, rows of 16 bytes: 6 % of the time of
    // 6144 x 4096 at M = 256 against staged stores, lab.)
    const int lane = threadIdx.x % 32, j = lane % 4, quad = lane & ~3;
    // x rotated by r (j or -j): y[p] = x[(p + r) & 3], in two steps of
    // selects (a register array indexed by a lane number would go to
    // local memory; selects on the assignment made ptxas branch).
    auto rotate = [](const bi_u32 (&x)[4], int r, bi_u32 (&y)[4]) {
      bi_u32 t[4];
#pragma unroll
      for (int p = 0; p < 4; ++p)
        t[p] = r & 1 ? x[(p + 1) & 3] : x[p];
#pragma unroll
      for (int p = 0; p < 4; ++p)
        y[p] = r & 2 ? t[(p + 2) & 3] : t[p];
    };
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int m = mBase + 8 * h;
      const bool rowIn = active && m >= work.mFrom && m < M;
#pragma unroll
      for (int g = 0; g < kBlocks / 4; ++g) {
        bi_u32 mine[4];
#pragma unroll
        for (int b = 0; b < 4; ++b) {
          const int i = 4 * (4 * g + b) + 2 * h;
          const int n = nBase + 8 * (4 * g + b);
          const float lo =
              bi_epilogue_inside(bi_tile_value(v, rest, i), m, n, M, N,
                                 bias, residual);
          const float hi =
              bi_epilogue_inside(bi_tile_value(v, rest, i + 1), m, n + 1, M,
                                 N, bias, residual);
          mine[b] = bi_pack_pair(lo, hi);
        }
        // Round k (1-3): lane j sends its pair of block (j + k) % 4 and
        // takes lane (j - k) % 4's pair of block j, which goes to word
        // (j - k) % 4 of the row's 16 bytes (round 0: its own pair).
        bi_u32 send[4], got[4], reversed[4], words[4];
        rotate(mine, j, send); // send[k] = mine[(j + k) % 4]
        got[0] = send[0];
#pragma unroll
        for (int k = 1; k < 4; ++k)
          got[k] = __shfl_sync(0xffffffffu, send[k], quad + ((j - k) & 3));
        // words[p] = got[(j - p) % 4]: reversed[p] = got[-p % 4], then
        // rotated by -j.
#pragma unroll
        for (int p = 0; p < 4; ++p)
          reversed[p] = got[(4 - p) & 3];
        rotate(reversed, -j, words);
        const int n = work.n0 + 8 * (4 * g + j);
        if (rowIn && n >= work.nFrom && n < N)
          *(uint4 *)(c + (bi_u64)m * N + n) =
              make_uint4(words[0], words[1], words[2], words[3]);
      }
    }
  }
#endif
  const bool pairs = N % 2 == 0 && ((bi_u64)c & 7) == 0;
  // One pair of columns per store (register i and the next), in two
  // loops: the quads' registers only when there were no quads. (A
  // predicate per register instead cost a branch for each register the
  // quads had stored.)
  auto storePair = [&](int i) {
    const int m = mBase + 8 * ((i / 2) % 2);
    const int n = nBase + 8 * (i / 4);
    if (active && m >= work.mFrom && m < M && n >= work.nFrom && n < N) {
      const float lo =
          bi_epilogue(bi_tile_value(v, rest, i), m, n, N, bias, residual);
      if (n + 1 < N) {
        const float hi = bi_epilogue(bi_tile_value(v, rest, i + 1), m, n + 1,
                                     N, bias, residual);
        if (pairs) {
          bi_store_pair(c, (bi_u64)m * N + n, lo, hi);
        } else {
          bi_store(c, (bi_u64)m * N + n, lo);
          bi_store(c, (bi_u64)m * N + n + 1, hi);
        }
      } else {
        bi_store(c, (bi_u64)m * N + n, lo);
      }
    }
  };
  // (Loop bounds known at compile time: registers indexed from a value
  // known only at run time would go to local memory.)
  if (!quads) {
#pragma unroll
    for (int i = 0; i < kQuadRegisters; i += 2)
      storePair(i);
  }
#pragma unroll
  for (int i = kQuadRegisters; i < $ACC; i += 2)
    storePair(i);
#else
#pragma unroll
  for (int i = 0; i < $ACC; ++i) {
    const int n = nBase + 8 * ((i / 2) % 2);
    const int m = mBase + 8 * (i / 4) + i % 2;
    if (active && m >= work.mFrom && m < M && n >= work.nFrom && n < N)
      bi_store(c, (bi_u64)m * N + n,
               bi_epilogue(bi_tile_value(v, rest, i), m, n, N, bias,
                           residual));
  }
#endif
}
// Registers q4 ... q4 + 3 of an accumulator (chunk partials move in quads:
// 16-byte stores and loads).
BI_DEVICE float4 bi_quad(const float *v) {
  return make_float4(v[0], v[1], v[2], v[3]);
}
// Adds a quad to sum[0 ... 3], each in place.
BI_DEVICE void bi_add_quad(float *sum, float4 part) {
  sum[0] = __fadd_rn(sum[0], part.x);
  sum[1] = __fadd_rn(sum[1], part.y);
  sum[2] = __fadd_rn(sum[2], part.z);
  sum[3] = __fadd_rn(sum[3], part.w);
}
// Adds the partial's values past $TOTAL_REGS to the totals in shared
// memory (bi_shared_total_quad), from -0 at the `start` of a tile, as the
// registers' totals are.
BI_DEVICE void bi_add_shared_totals(float4 *totals, bool start,
                                    const float *partial) {
#pragma unroll
  for (int q = 0; q < $SHARED_TOTALS / 4; ++q) {
    float4 &total = totals[bi_shared_total_quad(q)];
    float4 sum = start ? make_float4(-0.0f, -0.0f, -0.0f, -0.0f) : total;
    bi_add_quad(&sum.x, bi_quad(partial + 4 * q));
    total = sum;
  }
}
// One K tile (64 k) of this consumer's wgmmas on a stage: the k-steps of 16
// that start before K (a partial step is zero-filled by TMA, steps wholly
// past K are never issued), from zero when not `accumulate`; committed as
// one group. `weights` and `rows` are the descriptor low words of the
// consumer's operands in the stage.
BI_DEVICE void bi_mma_k_tile(float (&acc)[$ACC], bi_u32 weights, bi_u32 rows,
                             int steps, int accumulate) {
  // Descriptors first: ptxas serialises wgmmas whose operands are computed
  // between them.
  bi_u64 descsA[4], descsB[4];
#pragma unroll
  for (int step = 0; step < 4; ++step) {
#if BI_SWAP_ROLES
    // The consumer's 64 activation rows in wgmma's A, the weight tile in B.
    descsA[step] = bi_wgmma_desc(rows + 2 * step);
    descsB[step] = bi_wgmma_desc(weights + 2 * step);
#else
    descsA[step] = bi_wgmma_desc(weights + $B_STEP * step); // 16 k further on
    descsB[step] = bi_wgmma_desc(rows + 2 * step);
#endif
  }
  // A commit in each branch: ptxas then folds it into the last wgmma of
  // the full tile instead of issuing an empty one after the branches meet.
  bi_wgmma_fence();
  if (steps == 4) {
    bi_wgmma(acc, descsA[0], descsB[0], accumulate);
    bi_wgmma(acc, descsA[1], descsB[1], 1);
    bi_wgmma(acc, descsA[2], descsB[2], 1);
    bi_wgmma(acc, descsA[3], descsB[3], 1);
    bi_wgmma_commit();
  } else {
    // The last tile of K.
    bi_wgmma(acc, descsA[0], descsB[0], accumulate);
    if (steps > 1)
      bi_wgmma(acc, descsA[1], descsB[1], 1);
    if (steps > 2)
      bi_wgmma(acc, descsA[2], descsB[2], 1);
    bi_wgmma_commit();
  }
}
// A consumer warp is done with a stage. With tile pairs both CTAs'
// producers wait for it: each writes half of the stage in both.
BI_DEVICE void bi_release_stage(bi_u32 bar, int pairRank) {
  bi_mbar_arrive(bar);
#if BI_PAIR_TILES
  bi_mbar_arrive_peer(bar, pairRank ^ 1);
#endif
}
extern "C" __global__ void __launch_bounds__($THREADS, 1)
bi_gemm_main(const __grid_constant__ bi_tensor_map mapA,
             const __grid_constant__ bi_tensor_map mapB,
             $OUT_T *__restrict__ c, const $BIAS_T *__restrict__ bias,
             const $RES_T *__restrict__ residual, float *__restrict__ partials,
             unsigned *__restrict__ counters, int M, int N, int K,
             int firstOutputTile, int endOutputTile,
             const __grid_constant__ bi_tensor_map mapC) {
  constexpr int kBlockN = $BN, kBlockM = $BM, kStages = $STAGES;
  constexpr int kTileBytesB = kBlockN * 64 * 2, kTileBytesA = kBlockM * 64 * 2;
  constexpr int kStageBytes = kTileBytesB + kTileBytesA;
  constexpr int kChunkTiles = $CHUNK_TILES; // K tiles of 64 per chunk
  extern __shared__ unsigned char rawShared[];
  // TMA's 128-byte swizzle repeats every 1024 bytes: align the tiles to it.
  // (Pointer arithmetic, not a round trip through an integer, so that the
  // compiler still knows these are shared-memory addresses: st.shared, not
  // generic stores.)
  unsigned char *shared =
      rawShared + ((1024 - (bi_smem(rawShared) & 1023)) & 1023);
  // The output tile staged for TMA or coalesced stores (16-bit outputs,
  // when it fits): a pass of $STAGING_ROWS rows, each consumer's 64 columns
  // a box of its own (bi_store_tile), 1024-byte aligned as the swizzle
  // needs (so are the stages). Its size is the launcher's
  // (GemmSchedule::stagingBytes, part of the shared memory it asks for).
  constexpr int kStagingBytes = BI_STAGED_OUTPUT ? $STAGING_BYTES : 0;
  unsigned char *staging = shared + kStages * kStageBytes;
  // The running totals past the registers' (bi_add_shared_totals;
  // GemmSchedule::sharedTotalBytes).
  float4 *sharedTotals = (float4 *)(staging + kStagingBytes);
  bi_u64 *full = (bi_u64 *)(staging + kStagingBytes + $SHARED_TOTAL_BYTES);
  bi_u64 *empty = full + kStages;
#if $SPLIT
  volatile int *lastOfTile = (volatile int *)(empty + kStages);
#endif

  const int warpGroup = threadIdx.x / 128;
  const int kTiles = (K + 63) / 64;
  const int chunks = (kTiles + kChunkTiles - 1) / kChunkTiles;
  const int tilesN = (N + kBlockN - 1) / kBlockN;
  const int tilesM = (M + kBlockM - 1) / kBlockM;
#if BI_CLUSTER_CHUNKS
  // Launched as one cluster of S CTAs per tile (2 <= S <= chunks, one unit
  // per CTA): rank r runs chunks r, r + S, ... one after another, keeping
  // each partial in its shared memory, where they meet at the end.
  const int clusterSize = (int)bi_cluster_size();
  const bool clustered = chunks > 1 && clusterSize > 1 &&
                         clusterSize <= chunks &&
                         (endOutputTile - firstOutputTile) * clusterSize ==
                             (int)gridDim.x;
  // Partials of a CTA's chunks before its last (which stays in the
  // pipeline's shared memory, idle by then), one tile of f32 each.
  float4 *slots = (float4 *)(((bi_u64)(lastOfTile + 1) + 15) & ~(bi_u64)15);
#else
  constexpr bool clustered = false;
  constexpr int clusterSize = 1;
#endif
  // CTAs per tile: a split schedule's chunks, or its cluster.
  const int split = clustered ? clusterSize : chunks;
  // Work units: the output tiles [firstOutputTile, endOutputTile) (times
  // the CTAs per tile for split schedules), visited by a persistent grid.
  // While the consumers store one tile, the producer already loads the
  // next.
  const int units = (endOutputTile - firstOutputTile) * ($SPLIT ? split : 1);
#if BI_RANGE_PAIRS
  // Serial chunks of a tile on a cluster of two CTAs: rank 0 runs the
  // first ceil(chunks / 2) into its total, rank 1 the others, publishing
  // each chunk's partial to the workspace (accumulator layout, whole
  // tiles), which rank 0 then adds in chunk order: the serial order, so
  // the serial schedules' bits. One unit per cluster (each CTA passes one
  // cluster barrier per unit); any other grid traps, never wrong bits.
  const int pairRank = (int)bi_cluster_rank();
  const int rangeSplit = (chunks + 1) / 2;
  if ((int)gridDim.x != 2 * units)
    __trap();
#endif
#if BI_PAIR_TILES
  // Pairs of row tiles on clusters of two CTAs, a unit per cluster at a
  // time: each CTA loads half of the weight tile into both, so the two
  // consume the same stages in step. Rank 1 of a last pair past M computes
  // the rows before M again and stores none (bi_gemm_unit_of).
  const int pairRank = (int)bi_cluster_rank();
  const int unitRows = (tilesM + 1) / 2;
  const int rowTileRank = pairRank; // which row tile of the unit's pair
  // The launcher passes the first pairs' units (the rest of the tiles may
  // run as range pairs in a second launch: tail pairs).
  if (firstOutputTile != 0 || endOutputTile > tilesN * unitRows)
    __trap();
#else
#if !BI_RANGE_PAIRS
  constexpr int pairRank = 0;
#endif
  const int unitRows = tilesM;
  constexpr int rowTileRank = 0; // a unit is one tile
#endif
  // The chunks of a unit: all (serial), one (split), or every S-th from
  // the rank (cluster).
  const int chunkStep = clustered ? clusterSize : 1;

  if (threadIdx.x == 0) {
    for (int s = 0; s < kStages; ++s) {
      bi_mbar_init(bi_smem(&full[s]), 1);
      // One arrival per consumer warp (of both CTAs of a tile pair).
      bi_mbar_init(bi_smem(&empty[s]),
                   4 * $CONSUMERS * (BI_PAIR_TILES ? 2 : 1));
    }
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
#if BI_PAIR_TILES
  bi_cluster_sync(); // the pair's barriers exist before either uses them
#else
  __syncthreads();
#endif

  if (warpGroup == 0) {
    // Producer: one thread streams the K tiles of every chunk through the
    // stages.
    asm volatile("setmaxnreg.dec.sync.aligned.u32 $PRODUCER_REGS;");
    if (threadIdx.x == 0) {
      int s = 0;        // the ring's stage for the next k-tile
      bi_u32 phase = 0; // and the parity of its round
      // With one row tile every weight byte is read by one CTA, once:
      // loaded "evict first", the stream then evicts its own spent lines
      // rather than what else L2 holds (dirty lines above all, which would
      // cost DRAM write-backs in the middle of the stream; see FINDINGS).
      // With more row tiles the other CTAs of a column may still need them.
      // A tile pair reads its weight tile once, for both row tiles.
      const bool streamWeights =
          BI_WEIGHTS_EVICT_FIRST &&
          (tilesM == 1 || (BI_PAIR_TILES && tilesM <= 2));
      for (int unit = BI_UNIT_FIRST; unit < units; unit += BI_UNIT_STEP) {
        const bi_gemm_unit work = bi_gemm_unit_of(
            unit, firstOutputTile, tilesN, unitRows, split, M, N,
            rowTileRank);
#if BI_RANGE_PAIRS
        const int firstChunk = pairRank ? rangeSplit : 0;
        const int endChunk = pairRank ? chunks : rangeSplit;
#else
        const int firstChunk = $SPLIT ? work.chunk : 0;
        const int endChunk = $SPLIT && !clustered ? work.chunk + 1 : chunks;
#endif
        for (int chunk = firstChunk; chunk < endChunk; chunk += chunkStep) {
          const int tileEnd = min(kTiles, (chunk + 1) * kChunkTiles);
          for (int tile = chunk * kChunkTiles; tile < tileEnd; ++tile) {
            bi_mbar_wait(bi_smem(&empty[s]), phase ^ 1);
            const bi_u32 stage = bi_smem(shared + s * kStageBytes);
            bi_mbar_expect_tx(bi_smem(&full[s]), kStageBytes);
#if BI_PAIR_TILES && $B_KN
            // Each CTA of the pair: 32 of the 64 k of every 64-column box
            // (the boxes' halves are 4 KiB apart in the swizzled tile).
            for (int box = 0; box < $CONSUMERS; ++box)
              bi_tma_load_weights_pair(
                  stage + box * 64 * 128 + pairRank * 32 * 128, &mapB,
                  bi_smem(&full[s]), work.n0 + box * 64,
                  tile * 64 + pairRank * 32, streamWeights);
#elif BI_PAIR_TILES
            // Each CTA of the pair: half of the weight rows.
            bi_tma_load_weights_pair(
                stage + pairRank * ($BN / 2) * 128, &mapB, bi_smem(&full[s]),
                tile * 64, work.n0 + pairRank * ($BN / 2), streamWeights);
#elif $B_KN
            // b is [K, N]: boxes of 64 columns x 64 k, one per consumer.
            for (int box = 0; box < $CONSUMERS; ++box)
              bi_tma_load_weights(stage + box * 64 * 128, &mapB,
                                  bi_smem(&full[s]), work.n0 + box * 64,
                                  tile * 64, streamWeights);
#else
            bi_tma_load_weights(stage, &mapB, bi_smem(&full[s]), tile * 64,
                                work.n0, streamWeights);
#endif
#if BI_SWAP_ROLES
            // The activations in boxes of 64 rows, one per consumer.
            for (int box = 0; box < $CONSUMERS; ++box)
              bi_tma_load(stage + kTileBytesB + box * 64 * 128, &mapA,
                          bi_smem(&full[s]), tile * 64,
                          bi_consumer_rows(work, box, M));
#else
            bi_tma_load(stage + kTileBytesB, &mapA, bi_smem(&full[s]), tile * 64,
                        work.m0);
#endif
            if (++s == kStages) {
              s = 0;
              phase ^= 1;
            }
          }
        }
      }
    }
#if BI_CLUSTER_CHUNKS
    if (clustered) { // the consumers' two cluster barriers
      bi_cluster_sync();
      bi_cluster_sync();
    }
#endif
#if BI_RANGE_PAIRS
    bi_cluster_sync(); // the consumers' one
#endif
  } else {
    asm volatile("setmaxnreg.inc.sync.aligned.u32 $CONSUMER_REGS;");
    // Broadcast from lane 0 so that the compiler knows it is the same in
    // the whole warp: what derives from it (the stages' descriptors) then
    // lives in uniform registers, not in per-thread ones moved over for
    // every wgmma.
    const int consumer = __shfl_sync(0xffffffff, warpGroup - 1, 0);
    const int lane = threadIdx.x % 32, warp = (threadIdx.x / 32) % 4;
    float acc[$ACC];
#if !$SPLIT
    // The running total: its first $TOTAL_REGS values (all of them but
    // with 128 accumulators) in registers, the rest in shared memory.
    float total[$TOTAL_REGS];
#endif
    // The descriptor low words of this consumer's operands in stage 0; a
    // stage further on is kStageBytes / 16 more.
    const bi_u32 stage0 = bi_smem(shared);
#if BI_SWAP_ROLES
    const bi_u32 weights0 = bi_desc_low(stage0);
    const bi_u32 rows0 = bi_desc_low(stage0 + kTileBytesB + consumer * 64 * 128);
#elif $B_KN
    const bi_u32 weights0 = bi_desc_low_mn(stage0 + consumer * 64 * 128);
    const bi_u32 rows0 = bi_desc_low(stage0 + kTileBytesB);
#else
    const bi_u32 weights0 = bi_desc_low(stage0 + consumer * 64 * 128);
    const bi_u32 rows0 = bi_desc_low(stage0 + kTileBytesB);
#endif
    constexpr bi_u32 kStageLow = kStageBytes / 16;
    // k-steps of the last K tile (every other has 4).
    const int lastTileSteps = (K - (kTiles - 1) * 64 + 15) / 16;
    int s = 0;          // the ring's stage for the next k-tile
    bi_u32 phase = 0;   // and the parity of its round
    int pending = -1;   // the stage the previous wgmma group still reads
    int ahead = 0; // the unit's first k-tiles already issued
    for (int unit = BI_UNIT_FIRST; unit < units; unit += BI_UNIT_STEP) {
    const bi_gemm_unit work = bi_gemm_unit_of(
        unit, firstOutputTile, tilesN, unitRows, split, M, N, rowTileRank);
#if BI_RANGE_PAIRS
    const int firstChunk = pairRank ? rangeSplit : 0;
    const int endChunk = pairRank ? chunks : rangeSplit;
    constexpr int kThreads = $CONSUMERS * 128, kQuads = $ACC / 4;
    const bi_u64 tileQuads = (bi_u64)kQuads * kThreads;
    // Rank 1's partials of this tile, one whole tile per chunk.
    float4 *rangePartials = (float4 *)partials +
        (bi_u64)work.tile * (chunks - rangeSplit) * tileQuads + threadIdx.x - 128;
#else
    const int firstChunk = $SPLIT ? work.chunk : 0;
    const int endChunk = $SPLIT && !clustered ? work.chunk + 1 : chunks;
#endif
#if !$SPLIT
    // -0 + x is x bit for bit (+0 and -0 included; a NaN stays a NaN), so
    // the first chunk's partial needs no case of its own: a select there
    // kept old and new totals live at once and spilled the wider tiles.
#pragma unroll
    for (int i = 0; i < $TOTAL_REGS; ++i)
      total[i] = -0.0f;
#endif
    // A K tile's wgmmas on stage s once it is full (k-steps of 16 before
    // K, from zero when not `accumulate`)...
    auto issueKTile = [&](int tile, int tileEnd, int steps, int accumulate) {
      bi_mbar_wait(bi_smem(&full[s]), phase);
#ifdef BI_STAGGER_CONSUMERS_NS
      // Test hook (never defined by the compiler): the last consumer
      // starts each chunk's last k-tile late, so that a race between
      // consumers around the end of a chunk shows in the bits.
      if (consumer == $CONSUMERS - 1 && tile == tileEnd - 1)
        __nanosleep(BI_STAGGER_CONSUMERS_NS);
#endif
      bi_mma_k_tile(acc, weights0 + s * kStageLow, rows0 + s * kStageLow,
                    steps, accumulate);
    };
    // ... and then, once the previous K tile's group is complete, its stage
    // released and the ring moved on.
    auto nextStage = [&]() {
      bi_wgmma_wait<1>();
      if (pending >= 0 && lane == 0)
        bi_release_stage(bi_smem(&empty[pending]), pairRank);
      pending = s;
      if (++s == kStages) {
        s = 0;
        phase ^= 1;
      }
    };
    for (int chunk = firstChunk; chunk < endChunk; chunk += chunkStep) {
      const int tileBegin = chunk * kChunkTiles;
      const int tileEnd = min(kTiles, tileBegin + kChunkTiles);
      // The K tiles of a chunk in three loops, so that the one that runs
      // nearly all of them tests nothing per tile: whole tiles of 4 k-steps
      // accumulating (the first tile of a chunk starts from zero, the last
      // of K may have fewer steps). Issue-bound consumers are slower
      // consumers (FINDINGS: "A leaner K loop").
      int tile = tileBegin;
      for (; tile < min(ahead, tileEnd); ++tile)
        nextStage(); // issued before the previous unit's store
      if (tile == tileBegin) {
        issueKTile(tile, tileEnd, tile == kTiles - 1 ? lastTileSteps : 4, 0);
        nextStage();
        ++tile;
      }
      const int wholeEnd =
          tileEnd == kTiles && lastTileSteps != 4 ? tileEnd - 1 : tileEnd;
      for (; tile < wholeEnd; ++tile) {
        issueKTile(tile, tileEnd, 4, 1);
        nextStage();
      }
      if (tile < tileEnd) {
        issueKTile(tile, tileEnd, lastTileSteps, 1);
        nextStage();
      }
      bi_wgmma_wait<0>();
      if (lane == 0)
        bi_release_stage(bi_smem(&empty[pending]), pairRank);
      pending = -1;
#if BI_RANGE_PAIRS
      if (pairRank) {
        float4 *slot = rangePartials + (chunk - rangeSplit) * tileQuads;
#pragma unroll
        for (int q = 0; q < kQuads; ++q)
          __stcg(&slot[q * kThreads], bi_quad(acc + 4 * q));
      } else {
        static_assert($SHARED_TOTALS == 0, "range pairs keep registers");
#pragma unroll
        for (int i = 0; i < $ACC; ++i)
          total[i] = __fadd_rn(total[i], acc[i]);
      }
#elif !$SPLIT
      // Chunk partials, left to right.
#pragma unroll
      for (int i = 0; i < $TOTAL_REGS; ++i)
        total[i] = __fadd_rn(total[i], acc[i]);
#if $SHARED_TOTALS
      bi_add_shared_totals(sharedTotals, chunk == firstChunk,
                           acc + $TOTAL_REGS);
#endif
#endif
#if BI_CLUSTER_CHUNKS
      // A cluster CTA keeps each partial but its last in a slot.
      if (clustered && chunk + chunkStep < chunks) {
        constexpr int kThreads = $CONSUMERS * 128, kQuads = $ACC / 4;
        float4 *slot = slots + (chunk / chunkStep) * kQuads * kThreads;
#pragma unroll
        for (int q = 0; q < kQuads; ++q)
          slot[q * kThreads + threadIdx.x - 128] = bi_quad(acc + 4 * q);
      }
#endif
    }
    ahead = 0;
#if !$SPLIT && !BI_RANGE_PAIRS
    // The next unit's first k-tiles go to the tensor cores now (acc is
    // free, the total has its own registers), so that they work while this
    // unit's tile is stored.
    if (unit + BI_UNIT_STEP < units) {
      // Fewer than the stages; BI_AHEAD_TILES of them overlap the store.
      constexpr int kAhead =
          kStages - 1 < BI_AHEAD_TILES ? kStages - 1 : BI_AHEAD_TILES;
      ahead = min(kAhead, min(kTiles, kChunkTiles));
      int aheadStage = s;
      bi_u32 aheadPhase = phase;
      for (int tile = 0; tile < ahead; ++tile) {
        bi_mbar_wait(bi_smem(&full[aheadStage]), aheadPhase);
        bi_mma_k_tile(acc, weights0 + aheadStage * kStageLow,
                      rows0 + aheadStage * kStageLow,
                      tile == kTiles - 1 ? lastTileSteps : 4, tile != 0);
        if (++aheadStage == kStages) {
          aheadStage = 0;
          aheadPhase ^= 1;
        }
      }
    }
#endif
    // Accumulator layout of m64nNk16: register i of lane l in warp w holds
    // row 16w + l/4 + 8((i/2)%2) (a column of C) and column
    // 8(i/4) + 2(l%4) + i%2 (a row of C).
    // The rows and columns this consumer stores (rows computed twice are
    // stored by the consumer whose own they are).
    bi_gemm_unit stored = work;
#if BI_SWAP_ROLES
    const int mBase =
        bi_consumer_rows(work, consumer, M) + warp * 16 + lane / 4;
    const int nBase = work.n0 + 2 * (lane % 4);
    stored.mFrom = max(work.mFrom, work.m0 + consumer * 64);
#else
    const int nBase = work.n0 + consumer * 64 + warp * 16 + lane / 4;
    const int mBase = work.m0 + 2 * (lane % 4);
#endif
#if $SPLIT
    // Whether this CTA stores the tile: it then turns acc into the tile's
    // total.
    bool store = true;
#if BI_CLUSTER_CHUNKS
    if (clustered) {
      // Each CTA puts its last partial in its own shared memory (the
      // pipeline's, idle now: this was its only unit) next to the slots of
      // its earlier ones. Then each adds a slice of the tile from all the
      // cluster's partials, in chunk order (chunk c is rank c % S's, slot
      // c / S), and stores it.
      constexpr int kThreads = $CONSUMERS * 128, kQuads = $ACC / 4;
      static_assert(kQuads * kThreads * 16 <= kStages * kStageBytes,
                    "the partial fits the pipeline's shared memory");
      float4 *exchange = (float4 *)shared;
      const int t = threadIdx.x - 128;
      // The other consumers' last wgmmas may still read the stages the
      // exchange overwrites (each waited only for its own).
      bi_consumer_sync<kThreads>();
#pragma unroll
      for (int q = 0; q < kQuads; ++q)
        exchange[q * kThreads + t] = bi_quad(acc + 4 * q);
      bi_cluster_sync();
      const int rank = work.chunk;
      const int last = (rank + 1) * kQuads / clusterSize;
      for (int q = rank * kQuads / clusterSize; q < last; ++q) {
        float sum[4];
        // Two chunks' loads in flight at a time: more unrolling costs
        // the first launch more NVRTC time than it saves here.
        for (int first = 0; first < chunks; first += 2) {
          float4 part[2];
#pragma unroll
          for (int j = 0; j < 2; ++j) {
            const int chunk = first + j, owner = chunk % clusterSize;
            const int slot = chunk / clusterSize;
            const float4 *at = slot == (chunks - 1 - owner) / clusterSize
                                   ? exchange
                                   : slots + slot * kQuads * kThreads;
            if (chunk < chunks)
              part[j] = bi_load_cluster(bi_smem(&at[q * kThreads + t]), owner);
          }
#pragma unroll
          for (int j = 0; j < 2; ++j)
            if (first + j < chunks) {
              const bool start = first + j == 0;
              sum[0] = start ? part[j].x : __fadd_rn(sum[0], part[j].x);
              sum[1] = start ? part[j].y : __fadd_rn(sum[1], part[j].y);
              sum[2] = start ? part[j].z : __fadd_rn(sum[2], part[j].z);
              sum[3] = start ? part[j].w : __fadd_rn(sum[3], part[j].w);
            }
        }
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int n = nBase + 8 * (e / 2);
          const int m = mBase + 8 * q + e % 2;
          if (m >= work.mFrom && m < M && n >= work.nFrom && n < N)
            bi_store(c, (bi_u64)m * N + n,
                     bi_epilogue(sum[e], m, n, N, bias, residual));
        }
      }
      bi_cluster_sync(); // the others have read this CTA's partial
      store = false;
    } else if (chunks > 1) {
      // Not launched as clusters: the launcher runs the split schedule of
      // the same tiles instead (this kernel has no workspace path, whose
      // sums written into acc would make ptxas serialise the wgmmas of the
      // multi-chunk loop). Never wrong bits.
      __trap();
    }
#else
    if (chunks > 1) {
      // Publish this chunk's partial. The CTA that completes the tile's set
      // of chunks (whichever it is) adds them all left to right: the order
      // is the contract's, the counter only elects who does it. Partials
      // keep the accumulators' layout, one whole tile after another (quad
      // q of consumer thread t at float4 q * kThreads + t), so that every
      // store and load is 16 bytes and a warp's are 512 contiguous bytes:
      // rows and columns past the output are stored too (zeros, never
      // read into C). In the output's layout (4-byte stores scattered over
      // rows), the epilogue and combine drew 42 % of the stall samples of
      // n128m128s5split at M = 256 (ncu), the K loop 52 %.
      constexpr int kThreads = $CONSUMERS * 128, kQuads = $ACC / 4;
      const int t = threadIdx.x - 128;
      const bi_u64 tileQuads = (bi_u64)kQuads * kThreads;
      const bi_u64 chunkQuads = (bi_u64)tilesN * tilesM * tileQuads;
      float4 *tilePartials = (float4 *)partials + work.tile * tileQuads;
#pragma unroll
      for (int q = 0; q < kQuads; ++q)
        __stcg(&tilePartials[work.chunk * chunkQuads + q * kThreads + t],
               bi_quad(acc + 4 * q));
      // The barrier orders every consumer's stores before the one thread's
      // fence and count (release is cumulative), as the reading side's
      // fence orders the count before its loads.
      bi_consumer_sync<$CONSUMERS * 128>();
      if (threadIdx.x == 128) {
        __threadfence();
        const unsigned seen = atomicAdd(&counters[work.tile], 1u);
        const int last = seen == (unsigned)(chunks - 1);
        if (last)
          counters[work.tile] = 0; // ready for the next launch
        *lastOfTile = last;
      }
      bi_consumer_sync<$CONSUMERS * 128>();
      store = *lastOfTile;
      if (store) {
        __threadfence();
        // The loads are what takes time here (a round trip to L2 each
        // after the count), so a block of registers loads kGroup chunks
        // at once before it adds them left to right. Every chunk comes
        // from the workspace, this CTA's own too (the same bits as acc),
        // and loads past the last chunk repeat it (added never): no
        // per-load predicate or select, which kept NVRTC busy longer than
        // the loads take. The loop stays rolled over the groups: this code
        // runs once per tile, and its instructions come from L2. A block's
        // sums then replace its part of acc, so wide tiles need no second
        // accumulator array.
        constexpr int kBlockQuads = kQuads <= 8         ? kQuads
                                    : kQuads % 4 == 0 ? 4
                                    : kQuads % 2 == 0 ? 2
                                                      : 1;
        constexpr int kGroup = 16 / kBlockQuads < 8 ? 16 / kBlockQuads : 8;
        static_assert(kQuads % kBlockQuads == 0, "whole blocks of quads");
#pragma unroll
        for (int first = 0; first < kQuads; first += kBlockQuads) {
          // -0 + x is x bit for bit: the first chunk needs no case.
          float sum[4 * kBlockQuads];
#pragma unroll
          for (int j = 0; j < 4 * kBlockQuads; ++j)
            sum[j] = -0.0f;
#pragma unroll 1
          for (int group = 0; group < chunks; group += kGroup) {
            float4 part[kGroup][kBlockQuads];
#pragma unroll
            for (int g = 0; g < kGroup; ++g) {
              const float4 *from = tilePartials +
                                   min(group + g, chunks - 1) * chunkQuads +
                                   first * kThreads + t;
#pragma unroll
              for (int j = 0; j < kBlockQuads; ++j)
                part[g][j] = __ldcg(from + j * kThreads);
            }
#pragma unroll
            for (int g = 0; g < kGroup; ++g)
#pragma unroll
              for (int j = 0; j < kBlockQuads; ++j)
                if (group + g < chunks)
                  bi_add_quad(sum + 4 * j, part[g][j]);
          }
#pragma unroll
          for (int j = 0; j < 4 * kBlockQuads; ++j)
            acc[4 * first + j] = sum[j];
        }
      }
    }
#endif
    // With one chunk (K within it) the partial is the total.
    bi_store_tile(acc, nullptr, store, c, bias, residual, staging, stored,
                  nBase, mBase, M, N, &mapC);
#elif BI_RANGE_PAIRS
    // Rank 1's partials are in the workspace once the cluster barrier
    // (release, acquire) is passed; rank 0 adds them in chunk order.
    __threadfence();
    bi_cluster_sync();
    if (pairRank == 0)
      for (int j = 0; j < chunks - rangeSplit; ++j) {
        float4 part[kQuads];
#pragma unroll
        for (int q = 0; q < kQuads; ++q)
          part[q] = __ldcg(&rangePartials[j * tileQuads + q * kThreads]);
#pragma unroll
        for (int q = 0; q < kQuads; ++q)
          bi_add_quad(total + 4 * q, part[q]);
      }
    bi_store_tile(total, nullptr, pairRank == 0, c, bias, residual, staging,
                  stored, nBase, mBase, M, N, &mapC);
#else
    bi_store_tile(total, sharedTotals, true, c, bias, residual, staging,
                  stored, nBase, mBase, M, N, &mapC);
#endif
    }
    // The last unit issued nothing ahead, but ptxas cannot know: without
    // this wait it injects one before the unit loop's closing branch,
    // which its scheduler then hoists over the whole epilogue, so the next
    // unit's K tiles issued ahead of the store never overlapped it (the
    // store began only once they were done; ptxas info C7517).
    bi_wgmma_wait<0>();
#if BI_STAGED_OUTPUT
    // The CTA's shared memory must outlive its TMA stores' reads; they are
    // waited for whole (each consumer's thread 0 issued them).
    if (threadIdx.x % 128 == 0)
      asm volatile("cp.async.bulk.wait_group 0;" ::: "memory");
#endif
  }
#if BI_PAIR_TILES
  // Neither CTA of a pair leaves while the other may still write to its
  // shared memory or arrive on its barriers.
  bi_cluster_sync();
#endif
}
)cuda";

} // namespace

std::string GemmSchedule::validate() const {
  if (swapRoles) {
    if (splitChunks || rangePairs)
      return "swapRoles needs serial chunks in one CTA (or tile pairs)";
    if (blockM != 64 && blockM != 128 && blockM != 192)
      return "blockM must be 64, 128 or 192 with swapRoles (64 rows per "
             "consumer warpgroup)";
    if (blockN < 16 || blockN > (blockM == 192 ? 128 : 192) || blockN % 16 != 0)
      return "blockN must be a multiple of 16 in [16, 192] with swapRoles, "
             "at most 128 with three consumers (the wgmma n; half of it per "
             "CTA of a tile pair)";
  } else if (blockN != 64 && blockN != 128 && blockN != 192) {
    return "blockN must be 64, 128 or 192 (64 rows per consumer warpgroup)";
  } else if (blockM < 8 || blockM > 256 || blockM % 8 != 0) {
    return "blockM must be a multiple of 8 in [8, 256] (the wgmma n)";
  }
  if (!splitChunks && accumulators() > 96 &&
      (consumers() != 2 || rangePairs || pairTiles))
    return "blockM 256 with serial chunks needs blockN 128 and neither "
           "range nor tile pairs (half of each running total lives in "
           "shared memory, which only that kernel has)";
  if (consumers() == 3 && accumulators() > 64)
    return "blockM must be at most 128 with three consumer warpgroups (" +
           std::to_string(consumerRegisters()) +
           " registers per thread for their accumulators)";
  if (clusterChunks && !splitChunks)
    return "clusterChunks needs splitChunks (a cluster runs a tile's chunks)";
  if (stages < 2 || stages > 16)
    return "stages must be in [2, 16]";
  if (pairTiles && (splitChunks || rangePairs))
    return "pairTiles needs serial chunks in one CTA (the pair shares each "
           "stage's weights)";
  if (rangePairs && splitChunks)
    return "rangePairs needs serial chunks (each CTA of a pair runs a range "
           "of them)";
  if (pipelineBytes() > kMaxSharedBytes)
    return "the stages need " + std::to_string(pipelineBytes()) +
           " bytes of shared memory; at most " +
           std::to_string(kMaxSharedBytes) + " fit";
  if (pipelineBytes() + sharedTotalBytes() > kMaxSharedBytes)
    return "the stages and the running totals past the registers need " +
           std::to_string(pipelineBytes() + sharedTotalBytes()) +
           " bytes of shared memory; at most " +
           std::to_string(kMaxSharedBytes) + " fit (fewer stages)";
  return "";
}

int GemmSchedule::clusterSharedBytes(int64_t chunks, int size) const {
  int64_t earlier = (chunks + size - 1) / size - 1;
  return int(std::min<int64_t>(
      sharedBytes() + 16 + earlier * blockM * blockN * 4, INT32_MAX));
}

int GemmSchedule::clusterSize(int64_t chunks) const {
  // Pairs: on the H200 larger clusters of the same tiles ran slower (they
  // are placed within one GPC), and a pair already halves the chunks each
  // CTA runs.
  constexpr int kPair = 2;
  if (!clusterChunks || chunks < kPair ||
      clusterSharedBytes(chunks, kPair) > kMaxSharedBytes)
    return 0;
  return kPair;
}

std::string GemmSchedule::name() const {
  return "n" + std::to_string(blockN) + "m" + std::to_string(blockM) + "s" +
         std::to_string(stages) +
         (clusterChunks ? "cluster"
          : splitChunks ? "split"
          : rangePairs  ? "range"
          : pairTiles   ? (swapRoles ? "swappair" : "pair")
          : swapRoles   ? "swapserial"
                        : "serial");
}

std::string GemmSemantics::serialize() const {
  return std::to_string(int(input)) + " " + std::to_string(int(output)) + " " +
         std::to_string(int(bias)) + " " + std::to_string(int(residual)) + " " +
         std::to_string(hasBias) + " " + std::to_string(hasResidual) + " " +
         std::to_string(int(activation)) + " " + std::to_string(fastMath) +
         " " + std::to_string(chunk) + " " + std::to_string(fmaContract) + " " +
         std::to_string(nnLinear);
}

std::optional<GemmSemantics> GemmSemantics::parse(const std::string &text) {
  std::istringstream in(text);
  int input, output, bias, residual, hasBias, hasResidual, activation, fast,
      fmaContract, nnLinear;
  int64_t chunk;
  if (!(in >> input >> output >> bias >> residual >> hasBias >> hasResidual >>
        activation >> fast >> chunk >> fmaContract >> nnLinear))
    return std::nullopt;
  auto isType = [](int t) { return t >= 0 && t <= 2; };
  if (!isType(input) || !isType(output) || !isType(bias) || !isType(residual) ||
      activation < 0 || activation > 2 || chunk <= 0)
    return std::nullopt;
  GemmSemantics s;
  s.input = Type(input);
  s.output = Type(output);
  s.bias = Type(bias);
  s.residual = Type(residual);
  s.hasBias = hasBias;
  s.hasResidual = hasResidual;
  s.activation = Activation(activation);
  s.fastMath = fast;
  s.chunk = chunk;
  s.fmaContract = fmaContract;
  s.nnLinear = nnLinear;
  return s;
}

/// The schedule with these fields (the catalogue's and the scheduler's).
static GemmSchedule scheduleOf(int blockN, int blockM, int stages, bool split,
                               bool cluster, bool range = false,
                               bool pair = false, bool swap = false) {
  GemmSchedule s;
  s.blockN = blockN;
  s.blockM = blockM;
  s.stages = stages;
  s.splitChunks = split;
  s.clusterChunks = cluster;
  s.rangePairs = range;
  s.pairTiles = pair;
  s.swapRoles = swap;
  return s;
}

const std::vector<GemmSchedule> &hopperGemmSchedules() {
  static const std::vector<GemmSchedule> schedules = [] {
    std::vector<GemmSchedule> list;
    auto add = [&](int blockN, int blockM, int stages, bool split,
                   bool cluster = false) {
      list.push_back(scheduleOf(blockN, blockM, stages, split, cluster));
    };
    // Small batches: memory-bound, chunks on parallel CTAs, their partials
    // added through the workspace or, in clusters, in shared memory.
    for (bool cluster : {false, true}) {
      add(64, 8, 8, true, cluster);
      add(128, 8, 8, true, cluster);
      add(64, 16, 8, true, cluster);
      add(128, 16, 8, true, cluster);
      add(128, 32, 8, true, cluster);
      add(64, 64, 8, true, cluster);
      add(128, 64, 6, true, cluster);
      add(128, 128, 5, true, cluster);
    }
    // Larger batches: chunks one after another, partials in registers.
    add(64, 64, 6, false);
    add(128, 64, 6, false);
    add(64, 128, 8, false);
    add(128, 128, 5, false);
    add(128, 128, 6, false);
    add(128, 192, 4, false);
    // Medium batches whose tiles fill at most half of the SMs: a tile's
    // chunks in two ranges on a pair of CTAs.
    list.push_back(scheduleOf(64, 128, 9, false, false, /*range=*/true));
    list.push_back(scheduleOf(128, 128, 6, false, false, /*range=*/true));
    // Large batches: three consumer warpgroups on 192 weight rows share
    // each activation tile (a sixth less operand traffic per product than
    // 128 x 128 tiles, and no more accumulator registers per consumer).
    add(192, 128, 5, false);
    // Large batches: 256 activation rows on 128 weight rows, a quarter
    // less operand traffic per product than 128 x 128 tiles (at the card's
    // power limit that buys clock: FINDINGS); half of each running total
    // in shared memory, which leaves room for three stages.
    add(128, 256, 3, false);
    // Small batches over many weight tiles: whole K per CTA through deep
    // rings, no combine.
    add(64, 8, 14, false);
    add(64, 16, 14, false);
    add(64, 32, 14, false);
    add(64, 64, 12, false);
    add(128, 16, 12, false);
    // 129-192 rows: two row tiles of 96 rather than of 128.
    add(128, 96, 6, false);
    // Two row tiles: a pair of CTAs reads the weight tile once, for both.
    for (auto [blockN, blockM, stages] :
         {std::tuple{64, 128, 9}, {128, 96, 6}, {128, 128, 6}})
      list.push_back(scheduleOf(blockN, blockM, stages, false, false,
                                /*range=*/false, /*pair=*/true));
    // The same with the operands' roles swapped, for weight tiles of 96 or
    // 112 rows where those fill the waves better than 64 or 128.
    for (auto [blockN, stages] : {std::pair{96, 8}, {112, 7}})
      list.push_back(scheduleOf(blockN, 128, stages, false, false,
                                /*range=*/false, /*pair=*/true,
                                /*swap=*/true));
    // Up to 128 or 192 rows in one row tile: two or three consumers of 64
    // activation rows on 112 weight rows (28672 x 4096: 256 tiles, two
    // nearly full waves).
    for (auto [blockM, stages] : {std::pair{128, 7}, {192, 5}})
      list.push_back(scheduleOf(112, blockM, stages, false, false,
                                /*range=*/false, /*pair=*/false,
                                /*swap=*/true));
    return list;
  }();
  return schedules;
}

int findHopperGemmSchedule(const std::string &name) {
  // The names, built once rather than on every lookup.
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const GemmSchedule &s : hopperGemmSchedules())
      list.push_back(s.name());
    return list;
  }();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return int(i);
  return -1;
}

int findHopperGemmSchedule(const GemmSchedule &schedule) {
  const std::vector<GemmSchedule> &all = hopperGemmSchedules();
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].blockN == schedule.blockN && all[i].blockM == schedule.blockM &&
        all[i].stages == schedule.stages &&
        all[i].splitChunks == schedule.splitChunks &&
        all[i].clusterChunks == schedule.clusterChunks &&
        all[i].rangePairs == schedule.rangePairs &&
        all[i].pairTiles == schedule.pairTiles &&
        all[i].swapRoles == schedule.swapRoles)
      return int(i);
  return -1;
}

int runnableHopperGemmSchedule(int index, int64_t chunks, int64_t tiles) {
  const GemmSchedule &schedule = hopperGemmSchedules()[index];
  if (!schedule.clusterChunks || chunks < 2)
    return index;
  const int size = schedule.clusterSize(chunks);
  if (size > 0 && tiles * size <= INT32_MAX)
    return index;
  GemmSchedule twin = schedule;
  twin.clusterChunks = false;
  return findHopperGemmSchedule(twin); // every cluster schedule has one
}

int hopperGemmRangeTwin(int index) {
  static const std::vector<int> twins = [] {
    const std::vector<GemmSchedule> &all = hopperGemmSchedules();
    std::vector<int> found(all.size(), -1);
    for (size_t i = 0; i < all.size(); ++i) {
      // (Not with the roles swapped: the tail's launch shares the
      // activations' tensor map, whose boxes those have of 64 rows.)
      if (all[i].splitChunks || all[i].rangePairs || all[i].swapRoles)
        continue;
      for (size_t j = 0; j < all.size(); ++j)
        if (all[j].rangePairs && all[j].blockN == all[i].blockN &&
            all[j].blockM == all[i].blockM)
          found[i] = int(j);
    }
    return found;
  }();
  return index >= 0 && size_t(index) < twins.size() ? twins[index] : -1;
}

int hopperGemmLayoutTwin(int index, bool nnLinear) {
  const GemmSchedule &schedule = hopperGemmSchedules()[index];
  if (nnLinear || !schedule.swapRoles)
    return index;
  return findHopperGemmSchedule(
      scheduleOf(128, 128, 6, false, false, false, schedule.pairTiles));
}

int64_t hopperGemmTailPairTiles(int index, int64_t chunks, int64_t tiles,
                                int64_t rowTiles, int64_t ctas) {
  if (chunks < 2 || ctas < 4 || hopperGemmRangeTwin(index) < 0)
    return 0;
  if (hopperGemmSchedules()[index].pairTiles) {
    // Units of both row tiles of a column, on clusters of two. The pairs
    // keep whole tile groups: their first 8g units are the first 16g tiles
    // in tile order, and the range pairs take the rest.
    if (rowTiles != 2)
      return 0;
    const int64_t units = tiles / 2, clusters = ctas / 2;
    const int64_t last = units % clusters;
    if (units <= clusters || last == 0 || 2 * last > clusters)
      return 0;
    constexpr int64_t kGroup = GemmSchedule::kTileGroup;
    const int64_t tail = 2 * (units - (units - last) / kGroup * kGroup);
    return 2 * tail <= ctas ? tail : 0;
  }
  if (tiles <= ctas)
    return 0;
  // Whole waves run serially; a last wave of at most half the CTAs runs as
  // pairs, each CTA about half the chunks: the pairs take about half as
  // long as the serial last wave would.
  const int64_t last = tiles % ctas;
  return 2 * last <= ctas ? last : 0;
}

int chooseHopperGemmSchedule(int64_t M, int64_t N, int64_t K, int64_t chunk,
                             int multiprocessors) {
  const int64_t chunks = chunk > 0 ? (K + chunk - 1) / chunk : 1;
  auto tiles = [&](int64_t blockN, int64_t blockM) {
    return ((N + blockN - 1) / blockN) * ((M + blockM - 1) / blockM);
  };
  // What a grid of one CTA per multiprocessor takes for the tiles: its
  // waves times a tile's work (its area).
  auto waveCost = [&](int64_t blockN, int64_t blockM) {
    return (tiles(blockN, blockM) + multiprocessors - 1) / multiprocessors *
           blockN * blockM;
  };
  // A cluster schedule only where its cluster fits (else the launcher
  // would run the split one instead).
  auto pick = [&](int blockN, int blockM, int stages, bool split, bool cluster,
                  bool range = false, bool pair = false, bool swap = false) {
    const int index = findHopperGemmSchedule(
        scheduleOf(blockN, blockM, stages, split, cluster, range, pair, swap));
    if (index < 0)
      return 0; // unreachable: every pick below is in the catalogue
    return runnableHopperGemmSchedule(index, chunks, tiles(blockN, blockM));
  };
  // Thresholds from the kernel lab on the H200 (bench/gemm_lab, L2 flushed
  // before every run, so the weights come from HBM as in a model).
  // Split chunks run in pairs of CTAs (a cluster schedule: the partials
  // meet in shared memory) when the pairs occupy at least half of the SMs
  // and the tiles alone would not fill them; else one CTA per chunk (the
  // partials meet in the workspace).
  // With 9-16 rows, pairs also when the tiles alone fill the SMs: at
  // 28672 x 4096 (224 tiles), M = 16, n128m16s8cluster beat
  // n128m16s8split in six lab runs of six (75.3-76.9 vs 76.4-79.6 us); at
  // M = 1 and 32 the two were even or split ahead.
  auto split = [&](int blockN, int blockM, int stages,
                   bool pairsWhenFull = false) {
    const int64_t count = tiles(blockN, blockM);
    const bool pairs = chunks >= 2 && 2 * 2 * count >= multiprocessors &&
                       (count < multiprocessors || pairsWhenFull);
    return pick(blockN, blockM, stages, true, pairs);
  };
  // 64 weight rows per CTA while pairs of such CTAs fit one wave.
  auto narrow = [&](int64_t blockM) {
    return 2 * tiles(64, blockM) <= multiprocessors;
  };
  // Up to 64 rows with many weight tiles (at least 64 tiles of 64 rows per
  // 132 SMs): whole K per CTA, serial chunks, through a deep ring (12-14
  // stages in flight, as cuBLAS's small-M kernels keep) beats splitting
  // the chunks over CTAs, with no combine at all. Lab, 2026-11-23, us
  // (deep ring / the split or cluster schedule chosen before / cuBLAS;
  // 16 stages for 8 and 16 rows there, 14 in the catalogue, as
  // bi-lower-to-gpu's 16-stage kernels failed):
  // 4096 x 14336 M = 1 41.9 / 44.2 / 40.6, M = 16 42.1 / 44.2 / 40.8,
  // M = 64 42.9-43.7 / 48.0 / 43.5; 4096 x 4096 M = 1 17.0 / 17.4 /
  // 17.7, M = 64 18.5 / 19.6 / 17.6; 6144 x 4096 M = 64 23.2 / 24.4 /
  // 21.9; 28672 x 4096 (128-row tiles fill the SMs) M = 1 69.0 / 74.2 /
  // 69.1, M = 16 69.6 / 75.0 / 67.4. 128-row tiles with 64 rows there
  // stay ahead of the deep 64 x 64 ring (70.3 against 73.1 us).
  if (M <= 64) {
    if (M <= 16 && tiles(128, 16) >= multiprocessors)
      return pick(128, 16, 12, false, false);
    if (M > 32 && tiles(128, 64) >= multiprocessors)
      return pick(128, 64, 6, false, false);
    const int rows = M <= 8 ? 8 : M <= 16 ? 16 : M <= 32 ? 32 : 64;
    if (tiles(64, rows) * 132 >= 64 * int64_t(multiprocessors))
      return pick(64, rows, rows == 64 ? 12 : 14, false, false);
  }
  if (M <= 8)
    return split(narrow(8) ? 64 : 128, 8, 8);
  if (M <= 16)
    return split(narrow(16) ? 64 : 128, 16, 8, /*pairsWhenFull=*/true);
  if (M <= 32)
    return split(128, 32, 8);
  // Up to 64 rows: 128-row CTAs with serial chunks once they fill the
  // GPU. Else pairs of CTAs when they save more than the combine costs
  // (about 16 K tiles' time), or 64-row CTAs with serial chunks.
  if (M <= 64) {
    if (tiles(128, 64) >= multiprocessors)
      return pick(128, 64, 6, false, false);
    if (chunks >= 2 && K > chunk + 16 * 64)
      return narrow(64) ? pick(64, 64, 8, true, true)
                        : pick(128, 64, 6, true, true);
    return pick(64, 64, 6, false, false);
  }
  // A tile's chunks in two ranges on a pair of CTAs where the pairs fit
  // one wave: 64-row tiles if their pairs do, else 128-row ones. Lab,
  // 2026-11-23, us (pairs / the serial schedule chosen before / cuBLAS):
  // 4096 x 4096 M = 128 19.1 / 25.1 / 17.8, M = 256 23.5 / 26.2 / 23.7;
  // 4096 x 14336 M = 128 49.4 / 59.3 / 44.8, M = 256 58.9 / 60.0 / 51.8;
  // 6144 x 4096 M = 128 25.8 / 28.0 / 23.4. Where the pairs need a second
  // wave they lose (6144 x 4096, M = 256: 37.6 against 31.4). The 64 x
  // 128 tiles keep eight stages in flight (196 KiB): faster than six at
  // every point timed (2026-11-23, tenth session, us, eight / six stages:
  // range pairs 4096 x 14336 M = 128 47.2 / 49.8, 4096 x 4096 M = 128
  // 19.3 / 19.6; serial 4096 x 14336 M = 256 57.1 / 60.9, 6144 x 4096 M =
  // 128 24.9 / 28.6, 28672 x 4096 M = 128 82.0 / 84.5). Range and tile
  // pairs keep nine since their consumers issue half the instructions per
  // K tile (2026-11-24, two lab runs, us, nine / eight stages: range pairs
  // 4096 x 14336 M = 128 43.5 / 43.7, M = 64 51.8 / 52.7, 4096 x 4096 M =
  // 64 22.8 / 23.2; tile pairs M = 256 4096 x 14336 50.8 / 53.5-53.8, 4096
  // x 4096 20.1-20.4 / 20.9-21.0, M = 192 50.4-50.5 / 52.5-52.8).
  // Where the 64-row tiles fit one wave alone and the chunks are odd,
  // each of their CTAs runs all the chunks at half the rows, less than a
  // 128-row pair's first range (K = 14336: 7 half chunks against 4 whole
  // ones; 4096 x 14336, M = 256: 57.1 against 59.1 us); with even chunks
  // the two tie (4096 x 4096, M = 256: 23.3 against 23.0).
  if (M <= 256 && chunks >= 2 && 2 * tiles(64, 128) <= multiprocessors)
    return pick(64, 128, 9, false, false, /*range=*/true);
  // From 129 to 256 rows (two row tiles): the two row tiles of a column on
  // a pair of CTAs that loads the weight tile once for both, "evict first"
  // (see the producer). 64 x 128 tiles where they fit one wave, else 128
  // columns, in two row tiles of 96 rather than 128 rows up to 192 rows
  // (no quarter of the work to padding). Lab, 2026-11-24, us (pairs / the
  // schedule chosen before / cuBLAS): M = 256: 4096 x 4096 20.7 / 22.8
  // (n128m128s6range) / 22.8, 4096 x 14336 55.3 / 55.7 (n64m128s8serial) /
  // 51.7, 6144 x 4096 28.6 / 31.4 (n128m128s6serial) / 27.6, 28672 x 4096
  // 110.8 / 114.1 / 100.6; M = 192: 4096 x 4096 21.3 / 23.4 / 20.8, 4096 x
  // 14336 54.5 / 56.7 / 50.9, 6144 x 4096 26.4 / 29.0 (n128m96s6serial) /
  // 26.1, 28672 x 4096 96.8 / 102.6 / 84.9.
  // Wider weight tiles: the tile pairs' waves (a cluster of two per pair)
  // times a pair's work, 128 columns (with the roles as usual: 64-row
  // pieces of weights) against 96 or 112 with the roles swapped (128
  // activation rows per tile), the last of the least (a tie goes to the
  // swapped tiles, ahead at 6144 x 4096, M = 192); lab, 2026-11-24,
  // us (swapped / the one as usual / cuBLAS): 6144 x 4096 M = 256
  // n96m128s8swappair 26.8 / n128m128s6pair 29.0 / 27.8, M = 192 25.5 /
  // n128m96s6pair 26.4 / 27.0; 28672 x 4096 M = 256 n112m128s7swappair
  // 99.6 / 106.1 / 95.8, M = 192 96.7 / n128m96s6pair 95.2 / 83.3.
  if (M > 128 && M <= 256) {
    if (tiles(64, 128) <= multiprocessors)
      return pick(64, 128, 9, false, false, false, /*pair=*/true);
    const int64_t clusters = std::max(1, multiprocessors / 2);
    auto cost = [&](int64_t blockN, int64_t blockM) {
      const int64_t pairs = (tiles(blockN, blockM) + 1) / 2;
      return (pairs + clusters - 1) / clusters * blockN * blockM;
    };
    struct Tiles {
      int blockN, blockM, stages;
      bool swap;
    };
    Tiles best{128, M <= 192 ? 96 : 128, 6, false};
    for (Tiles swapped : {Tiles{112, 128, 7, true}, Tiles{96, 128, 8, true}})
      if (cost(swapped.blockN, swapped.blockM) <=
          cost(best.blockN, best.blockM))
        best = swapped;
    // Up to 192 rows, all of them in one row tile (three consumers, the
    // roles swapped) where its waves of single CTAs cost less than the
    // pairs' (28672 x 4096: 256 tiles, two waves, against 224 pairs of 128
    // x 96 in four). Lab, 2026-11-24, us (one row tile / n128m96s6pair /
    // cuBLAS): M = 129 77.6 / 89.3 / 73.9, M = 160 79.4 / 92.9 / 75.2, M =
    // 192 80.0 / 94.4 / 85.7.
    if (M <= 192 && waveCost(112, 192) < cost(best.blockN, best.blockM))
      return pick(112, 192, 5, false, false, /*range=*/false,
                  /*pair=*/false, /*swap=*/true);
    return pick(best.blockN, best.blockM, best.stages, false, false, false,
                /*pair=*/true, best.swap);
  }
  if (M <= 128 && chunks >= 2) {
    if (tiles(64, 128) <= multiprocessors && chunks % 2 == 1)
      return pick(64, 128, 8, false, false);
    if (2 * tiles(128, 128) <= multiprocessors)
      return pick(128, 128, 6, false, false, /*range=*/true);
  }
  // Two consumer warpgroups per CTA beat more, smaller CTAs once the
  // 128 x 128 tiles nearly fill the GPU.
  if (M <= 128) {
    if (10 * tiles(128, 128) < 7 * multiprocessors)
      return pick(64, 128, 8, false, false);
    // Weight tiles of 112 rows (the roles swapped) where their waves cost
    // less than those of 128 (28672 x 4096: two waves of 256 tiles against
    // two of 224, each an eighth more work; and a row tile of fewer rows
    // than 128 needs no box past M). Lab, 2026-11-24, us (112 / 128 rows /
    // cuBLAS): M = 72 71.3 / 86.6 / 71.6, M = 100 72.4 / 77.4 / 72.9, M =
    // 128 72.0 / 72.2 / 74.8.
    if (waveCost(112, 128) < waveCost(128, 128))
      return pick(112, 128, 7, false, false, /*range=*/false, /*pair=*/false,
                  /*swap=*/true);
    return pick(128, 128, 6, false, false);
  }
  // Above 256 rows: 128 x 128 tiles, or 128 x 256 or 192 x 128 tiles
  // (three consumers) where their waves come out nearly as full. A sixth stage
  // (the output staged in passes of 64 rows) paid for 128 x 128 tiles at M =
  // 1024 on all four benchmark shapes in the lab (0-2 %), a fifth at M = 4096
  // (0-5 %).
  const int squareStages = M <= 1024 ? 6 : 5;
  // 128 x 256 tiles move a quarter less operand data per product than
  // 128 x 128 ones, which the card's power limit turns into clock (lab,
  // 2026-11-24, nineteenth session, do_bench-like timing, us, 128 x 256 /
  // the schedule chosen before / cuBLAS: 4096 x 14336 M = 1024 172.6 /
  // 185.6 / 165.6, M = 4096 720.7 / 772.6 / 728.2; 4096 x 4096 M = 4096
  // 206.7 / 222.4 / 196.8, M = 8192 428.4 / 447.8 / 422.7; 6144 x 4096 M
  // = 4096 316.6 / 329.2 / 313.2; 28672 x 4096 M = 1024 356.6 / 401.1 /
  // 356.0): where their waves cost at most 3 % more than the narrower
  // tiles', each SM has at least two tiles' chunks to run (one wave of
  // two-chunk tiles, 4096 x 4096 at M = 1024, ran 10 % slower: 56.1
  // against 50.8 us), and there are at least four row tiles (no point
  // timed with two, M = 512, had them ahead).
  const int64_t narrowCost = std::min(waveCost(128, 128), waveCost(192, 128));
  if (M > 3 * 256 && 100 * waveCost(128, 256) <= 103 * narrowCost &&
      tiles(128, 256) * chunks >= 2 * int64_t(multiprocessors))
    return pick(128, 256, 3, false, false);
  // The 192-row tiles ran 3-6 % faster than the 128-row ones where the
  // two fill their waves alike (lab, 2026-11-23, three runs: 6144 x 4096
  // at M = 1024, 28672 x 4096 at M = 4096 and 8192; a fourth had 28672 x
  // 4096 at M = 4096 within the spread between runs) and slower where
  // theirs are emptier (28672 x 4096 at M = 1024: 10 waves 91 % full
  // against 14 waves 97 % full; 4096 x 4096 at M = 4096 and 8192, where
  // 4096 columns are not a multiple of 192). So: the 192-row tiles when
  // their useful share of the wave slots is at least 97 % of the square
  // tiles'. (They also tied or beat the 128 x 192 tiles, taken here
  // before, at every point where those were.)
  if (100 * waveCost(192, 128) <= 103 * waveCost(128, 128))
    return pick(192, 128, 5, false, false);
  return pick(128, 128, squareStages, false, false);
}

int hopperGemmRegisterTotalTwin(int index) {
  const GemmSchedule &schedule = hopperGemmSchedules()[index];
  if (schedule.sharedTotalBytes() == 0)
    return index;
  return findHopperGemmSchedule(scheduleOf(128, 128, 5, false, false));
}

const GemmSchedule &representativeHopperGemmSchedule(int64_t chunk) {
  return hopperGemmSchedules()[hopperGemmRegisterTotalTwin(
      chooseHopperGemmSchedule(4096, 4096, 4096, chunk, 132))];
}

// bi_store_tile stores a pass of rows as one TMA box when the pass has
// 64 rows; the launcher builds c's tensor map with boxes of that height.
static_assert(kGemmStoreBoxRows == 64, "TMA store boxes are passes of 64 rows");

std::string emitHopperGemm(const GemmSemantics &semantics,
                           const GemmSchedule &schedule) {
  std::string source = "// bi: Hopper GEMM, schedule " + schedule.name() +
                       " (generated by bi::emitHopperGemm)\n";
  // Chunks on parallel CTAs (1) or one after another in each CTA (0).
  source += std::string("#define BI_SPLIT_CHUNKS ") +
            (schedule.splitChunks ? "1" : "0") + "\n";
  // Split chunks run by one cluster per tile, combined in distributed
  // shared memory (1; such a kernel must be launched as clusters), or by
  // one CTA per chunk, combined through the workspace (0).
  source += std::string("#define BI_CLUSTER_CHUNKS ") +
            (schedule.clusterChunks ? "1" : "0") + "\n";
  // Serial chunks of a tile split into two ranges on a cluster of two CTAs
  // (1; such a kernel must be launched as clusters of two, a tile each).
  source += std::string("#define BI_RANGE_PAIRS ") +
            (schedule.rangePairs ? "1" : "0") + "\n";
  // Serial chunks on pairs of row tiles sharing the weight tile by TMA
  // multicast (1; such a kernel must be launched as clusters of two).
  source += std::string("#define BI_PAIR_TILES ") +
            (schedule.pairTiles ? "1" : "0") + "\n";
  // The activations in wgmma's A operand, the weights in B (1; b in
  // nn.Linear layout only).
  source += std::string("#define BI_SWAP_ROLES ") +
            (schedule.swapRoles ? "1" : "0") + "\n";
  // 16-bit outputs go through shared memory when the schedule has room.
  const bool staged =
      schedule.stagesOutput() && semantics.output != GemmSemantics::Type::f32;
  source +=
      std::string("#define BI_STAGED_OUTPUT ") + (staged ? "1" : "0") + "\n";
  // Column tiles per raster group (CTAs in flight share operands in L2);
  // a define so that the kernel lab can try others.
  source += "#ifndef BI_TILE_GROUP\n#define BI_TILE_GROUP " +
            std::to_string(GemmSchedule::kTileGroup) + "\n#endif\n";
  // K tiles of the next unit issued before a serial schedule stores a
  // tile (a define for the lab too).
  source += "#ifndef BI_AHEAD_TILES\n#define BI_AHEAD_TILES 2\n#endif\n";
  // Whether a weight stream read once loads "evict first" (a define so
  // that the kernel lab can turn it off).
  source += "#ifndef BI_WEIGHTS_EVICT_FIRST\n"
            "#define BI_WEIGHTS_EVICT_FIRST 1\n#endif\n";
  if (schedule.swapRoles && !semantics.nnLinear)
    source += "#error swapRoles takes b in nn.Linear layout only\n";
  source += kCommonHelpers;
  source += emitWgmma(schedule.swapRoles ? schedule.blockN : schedule.blockM,
                      semantics.input, !semantics.nnLinear);
  source += emitEpilogue(semantics);
  source += kMainKernel;
  replaceAll(source, "$BN", std::to_string(schedule.blockN));
  replaceAll(source, "$BM", std::to_string(schedule.blockM));
  replaceAll(source, "$STAGES", std::to_string(schedule.stages));
  replaceAll(source, "$STAGING_ROWS", std::to_string(schedule.stagingRows()));
  replaceAll(source, "$STAGING_BYTES", std::to_string(schedule.stagingBytes()));
  replaceAll(source, "$CONSUMERS", std::to_string(schedule.consumers()));
  replaceAll(source, "$ACC", std::to_string(schedule.accumulators()));
  replaceAll(source, "$TOTAL_REGS", std::to_string(schedule.registerTotals()));
  replaceAll(source, "$SHARED_TOTALS", std::to_string(schedule.sharedTotals()));
  replaceAll(source, "$SHARED_TOTAL_BYTES",
             std::to_string(schedule.sharedTotalBytes()));
  replaceAll(source, "$THREADS", std::to_string(schedule.threads()));
  replaceAll(source, "$PRODUCER_REGS",
             std::to_string(GemmSchedule::kProducerRegisters));
  replaceAll(source, "$CONSUMER_REGS",
             std::to_string(schedule.consumerRegisters()));
  replaceAll(source, "$CHUNK_TILES", std::to_string(semantics.chunk / 64));
  replaceAll(source, "$GROUP", "BI_TILE_GROUP");
  replaceAll(source, "$SPLIT", "BI_SPLIT_CHUNKS");
  replaceAll(source, "$B_KN", semantics.nnLinear ? "0" : "1");
  // A k-step of 16 moves the descriptor (in 16-byte units) 32 bytes along a
  // K-major row, or 16 rows of 128 bytes down an MN-major tile.
  replaceAll(source, "$B_STEP", semantics.nnLinear ? "2" : "128");
  replaceAll(source, "$OUT_T", storageType(semantics.output));
  replaceAll(source, "$FROM_F32",
             staged ? fromFloatFunction(semantics.output) : "");
  replaceAll(source, "$BIAS_T", storageType(semantics.bias));
  replaceAll(source, "$RES_T", storageType(semantics.residual));
  return source;
}

std::string emitCudaCoreGemm(const GemmSemantics &s) {
  std::string source =
      "// bi: CUDA-core GEMM (generated by bi::emitCudaCoreGemm)\n";
  source += kCommonHelpers;
  source += emitEpilogue(s);
  std::string kernel = R"cuda(
extern "C" __global__ void __launch_bounds__($THREADS)
bi_gemm_fma(const $IN_T *__restrict__ a, const $IN_T *__restrict__ b,
            $OUT_T *__restrict__ c, const $BIAS_T *__restrict__ bias,
            const $RES_T *__restrict__ residual, int M, int N, int K, long long lda,
            long long ldb) {
  const int n = blockIdx.x * blockDim.x + threadIdx.x, m = blockIdx.y;
  if (n >= N)
    return;
  float total = 0.0f;
  for (int chunkBegin = 0; chunkBegin < K; chunkBegin += $CHUNK) {
    const int chunkEnd = min(K, chunkBegin + $CHUNK);
    float acc = 0.0f;
    for (int k = chunkBegin; k < chunkEnd; ++k) {
      const float x = $TO_F32(a[(bi_u64)m * lda + k]);
      const float y = $TO_F32(b[$B_INDEX]);
      acc = $FOLD;
    }
    // Chunk partials left to right, starting from the first.
    total = chunkBegin == 0 ? acc : __fadd_rn(total, acc);
  }
  bi_store(c, (bi_u64)m * N + n, bi_epilogue(total, m, n, N, bias, residual));
}
)cuda";
  replaceAll(kernel, "$THREADS", std::to_string(kGemmFmaThreads));
  replaceAll(kernel, "$IN_T", storageType(s.input));
  replaceAll(kernel, "$OUT_T", storageType(s.output));
  replaceAll(kernel, "$BIAS_T", storageType(s.bias));
  replaceAll(kernel, "$RES_T", storageType(s.residual));
  replaceAll(kernel, "$CHUNK", std::to_string(s.chunk));
  std::string toF32 = toFloatFunction(s.input);
  replaceAll(kernel, "$TO_F32", toF32);
  replaceAll(kernel, "$B_INDEX",
             s.nnLinear ? "(bi_u64)n * ldb + k" : "(bi_u64)k * ldb + n");
  replaceAll(kernel, "$FOLD",
             s.fmaContract ? "__fmaf_rn(x, y, acc)"
                           : "__fadd_rn(acc, __fmul_rn(x, y))");
  return source + kernel;
}

} // namespace bi
