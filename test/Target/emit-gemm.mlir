// RUN: bi-opt %kernels/gemm.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=HOPPER
// RUN: bi-opt %s --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=SPLIT
// RUN: bi-opt %kernels/gemm_fma.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=FMA
// RUN: bi-opt %S/Inputs/gemm-kn-silu.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=KN
// RUN: bi-opt %S/Inputs/gemm-fma-silu.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=FMASILU
// RUN: bi-opt %S/Inputs/gemm-cluster.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=CLUSTER
// RUN: bi-opt %S/Inputs/gemm-wide-rows.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=WIDE
//
// The Hopper lowering of bi.matmul (wgmma contract): TMA loads completing
// on mbarriers, a producer warpgroup and consumer warpgroups issuing wgmma
// from 128-byte-swizzled shared memory, K chunks of the contract's size
// (2048 = 32 tiles of 64) each started from a zero accumulator and added
// left to right.

// HOPPER: #define BI_SPLIT_CHUNKS 0
// HOPPER-NEXT: #define BI_CLUSTER_CHUNKS 0
// HOPPER-NEXT: #define BI_RANGE_PAIRS 0
// HOPPER-NEXT: #define BI_PAIR_TILES 0
// HOPPER-NEXT: #define BI_SWAP_ROLES 0
// bf16 output: staged in shared memory, written in rows of 16-byte stores.
// HOPPER-NEXT: #define BI_STAGED_OUTPUT 1
// HOPPER: #define BI_WEIGHTS_EVICT_FIRST 1
// HOPPER: mbarrier.try_wait.parity.shared::cta.b64
// HOPPER: cp.async.bulk.tensor.2d.shared::cluster.global.tile
// HOPPER-NEXT: .mbarrier::complete_tx::bytes
// Weights read by one CTA only load with an "evict first" L2 policy.
// HOPPER: createpolicy.fractional.L2::evict_first.b64
// HOPPER: .mbarrier::complete_tx::bytes.L2::cache_hint
// Descriptors: stride 1024 bytes and the 128-byte swizzle in the high word.
// HOPPER: return ((bi_u64)((1024 >> 4) | (1u << 30)) << 32) | low;
// HOPPER: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// A last tile that would reach past M or N starts earlier: no TMA box reads
// past the operands; it stores only its own rows and columns.
// HOPPER-LABEL: BI_DEVICE bi_gemm_unit bi_gemm_unit_of(
// HOPPER: const int tile = firstOutputTile + (BI_SPLIT_CHUNKS ? unit / split : unit);
// HOPPER: work.m0 = min(work.mFrom, max(0, M - 128));
// HOPPER: work.n0 = N % 8 == 0 ? min(work.nFrom, max(0, N - 128)) : work.nFrom;
// Rows of eight outputs leave in one predicated 16-byte store.
// HOPPER-LABEL: BI_DEVICE void bi_store_row(
// HOPPER: @w st.global.v4.b32 [%0], {%1, %2, %3, %4};
// Or a box of them at once, by TMA from the staging.
// HOPPER-LABEL: BI_DEVICE void bi_tma_store(
// HOPPER: cp.async.bulk.tensor.2d.global.shared::cta.bulk_group
// HOPPER-LABEL: BI_DEVICE void bi_store_tile(
// Each consumer stages and stores its own columns behind barriers of its own
// warpgroup, never waiting for the other consumer, 64 rows at a time.
// HOPPER: kPassRows = 64, kBoxBytes = kPassRows * 128;
// Whole boxes of 64 x 64 go out by TMA when the tile's rows and the
// consumer's columns are its own.
// HOPPER: const bool tma = kPassRows == 64 && whole && work.mFrom == work.m0 &&
// HOPPER-NEXT: boxN >= work.nFrom;
// HOPPER: for (int pass = 0; pass < kPasses; ++pass) {
// The staging is written again only once TMA has read the last pass.
// HOPPER: bi_tma_store_wait_read();
// HOPPER-NEXT: bi_warpgroup_sync(consumer);
// Pairs of rounded values go to the staging as transposed 8 x 8 blocks, in
// the layout of the 128-byte swizzle.
// HOPPER: ((2 * warp + quarter % 2) ^ (lane % 8)) * 16;
// HOPPER: packed[b] = (bi_u32)bi_f32_to_bf16(lo) | (bi_u32)bi_f32_to_bf16(hi) << 16;
// HOPPER: stmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// HOPPER: stmatrix.sync.aligned.m8n8.x2.trans.shared.b16
// HOPPER: bi_fence_async_shared();
// HOPPER-NEXT: bi_warpgroup_sync(consumer);
// HOPPER-NEXT: if (tma && rows == 64) {
// HOPPER: bi_tma_store(mapC, bi_smem(box), boxN, work.m0 + first);
// Else each piece of the store moves one thread's row by a constant.
// HOPPER: unsigned short *to = c + (bi_u64)(work.m0 + first + row0) * N + storeN;
// HOPPER: k * kRowsPerPass >= rowsSkipped && columnsLeft > 0;
// HOPPER: bi_store_row(to + k * passStride, value, inside && whole,
// One K tile of wgmma: a chunk starts from zero, as its first k-step does
// not accumulate.
// HOPPER-LABEL: BI_DEVICE void bi_mma_k_tile(
// HOPPER: descsA[step] = bi_wgmma_desc(weights + 2 * step); // 16 k further on
// HOPPER: bi_wgmma(acc, descsA[0], descsB[0], accumulate);
// HOPPER: bi_wgmma_commit();
// HOPPER-LABEL: bi_gemm_main(const __grid_constant__ bi_tensor_map mapA,
// A launch computes a range of the output tiles (tail pairs: two launches).
// HOPPER: int M, int N, int K,
// HOPPER-NEXT: int firstOutputTile, int endOutputTile,
// HOPPER-NEXT: const __grid_constant__ bi_tensor_map mapC) {
// HOPPER: constexpr int kChunkTiles = 32;
// HOPPER: mbar_init(bi_smem(&full[s]), 1);
// HOPPER: setmaxnreg.dec.sync.aligned.u32 40
// HOPPER: const bool streamWeights =
// HOPPER-NEXT: BI_WEIGHTS_EVICT_FIRST &&
// HOPPER-NEXT: (tilesM == 1 || (BI_PAIR_TILES && tilesM <= 2));
// HOPPER: bi_tma_load_weights(stage, &mapB, bi_smem(&full[s]), tile * 64,
// HOPPER-NEXT: work.n0, streamWeights);
// HOPPER: setmaxnreg.inc.sync.aligned.u32 232
// A unit's total starts at -0, which any first partial leaves unchanged.
// HOPPER: total[i] = -0.0f;
// Every K tile has four k-steps but the last; a chunk's first starts from
// zero. Whole tiles run in a loop of their own that tests nothing per tile.
// HOPPER: bi_mma_k_tile(acc, weights0 + s * kStageLow, rows0 + s * kStageLow,
// HOPPER-NEXT: steps, accumulate);
// HOPPER: if (tile == tileBegin) {
// HOPPER-NEXT: issueKTile(tile, tileEnd, tile == kTiles - 1 ? lastTileSteps : 4, 0);
// HOPPER: tileEnd == kTiles && lastTileSteps != 4 ? tileEnd - 1 : tileEnd;
// HOPPER-NEXT: for (; tile < wholeEnd; ++tile) {
// HOPPER-NEXT: issueKTile(tile, tileEnd, 4, 1);
// HOPPER: if (tile < tileEnd) {
// HOPPER-NEXT: issueKTile(tile, tileEnd, lastTileSteps, 1);
// Serial chunks (the split path compiled out): partials kept in
// registers, added left to right.
// HOPPER: #elif !BI_SPLIT_CHUNKS
// HOPPER-NEXT: // Chunk partials, left to right.
// HOPPER: total[i] = __fadd_rn(total[i], acc[i]);
// The next unit's first K tiles are issued before this unit's tile is
// stored; they start the unit's first chunk from zero.
// HOPPER: if (unit + BI_UNIT_STEP < units) {
// HOPPER: bi_mma_k_tile(acc, weights0 + aheadStage * kStageLow,
// HOPPER-NEXT: rows0 + aheadStage * kStageLow,
// HOPPER-NEXT: tile == kTiles - 1 ? lastTileSteps : 4, tile != 0);
// HOPPER: bi_store_tile(total, sharedTotals, true, c, bias, residual, staging,
// HOPPER-NEXT: stored, nBase, mBase, M, N, &mapC);
// The CTA's shared memory outlives the reads of its TMA stores.
// HOPPER: cp.async.bulk.wait_group 0;

// The CUDA-core variant folds each chunk sequentially with fma from zero.
// FMA-LABEL: bi_gemm_fma(
// FMA: for (int chunkBegin = 0; chunkBegin < K; chunkBegin += 256) {
// FMA: float acc = 0.0f;
// FMA: acc = __fmaf_rn(x, y, acc);
// FMA: total = chunkBegin == 0 ? acc : __fadd_rn(total, acc);

// A split schedule: one chunk per work unit, partials to the workspace;
// the CTA that completes a tile's chunks (elected by an integer counter)
// adds them in chunk order. One chunk: no workspace at all.
// SPLIT: #define BI_SPLIT_CHUNKS 1
// SPLIT-NEXT: #define BI_CLUSTER_CHUNKS 0
// SPLIT-NEXT: #define BI_RANGE_PAIRS 0
// SPLIT-NEXT: #define BI_PAIR_TILES 0
// SPLIT-NEXT: #define BI_SWAP_ROLES 0
// f32 output: stored from the registers.
// SPLIT-NEXT: #define BI_STAGED_OUTPUT 0
// SPLIT: wgmma.mma_async.sync.aligned.m64n16k16.f32.f16.f16
// Partials are added a quad at a time, each register rounded on its own.
// SPLIT-LABEL: BI_DEVICE void bi_add_quad(float *sum, float4 part) {
// SPLIT-NEXT: sum[0] = __fadd_rn(sum[0], part.x);
// SPLIT-NEXT: sum[1] = __fadd_rn(sum[1], part.y);
// SPLIT-NEXT: sum[2] = __fadd_rn(sum[2], part.z);
// SPLIT-NEXT: sum[3] = __fadd_rn(sum[3], part.w);
// SPLIT-LABEL: bi_gemm_main(
// SPLIT: constexpr int kChunkTiles = 16;
// SPLIT: bool store = true;
// SPLIT: if (chunks > 1) {
// Partials in the accumulators' layout, whole tiles: 16-byte stores.
// SPLIT: float4 *tilePartials = (float4 *)partials + work.tile * tileQuads;
// SPLIT: __stcg(&tilePartials[work.chunk * chunkQuads + q * kThreads + t],
// SPLIT: bi_consumer_sync<1 * 128>();
// SPLIT-NEXT: if (threadIdx.x == 128) {
// SPLIT-NEXT: __threadfence();
// SPLIT-NEXT: const unsigned seen = atomicAdd(&counters[work.tile], 1u);
// SPLIT-NEXT: const int last = seen == (unsigned)(chunks - 1);
// SPLIT: counters[work.tile] = 0;
// Every chunk's partial of a block of registers (this CTA's own too) is
// loaded from the workspace, kGroup chunks at a time (past the last chunk
// the loads repeat it), before they are added to a sum that starts at -0,
// in chunk order and only for real chunks; the sums then go in place.
// SPLIT: static_assert(kQuads % kBlockQuads == 0, "whole blocks of quads");
// SPLIT: sum[j] = -0.0f;
// SPLIT: for (int group = 0; group < chunks; group += kGroup) {
// SPLIT: min(group + g, chunks - 1) * chunkQuads +
// SPLIT: part[g][j] = __ldcg(from + j * kThreads);
// SPLIT: for (int g = 0; g < kGroup; ++g)
// SPLIT: if (group + g < chunks)
// SPLIT-NEXT: bi_add_quad(sum + 4 * j, part[g][j]);
// SPLIT: acc[4 * first + j] = sum[j];
// One chunk (K within it): the partial is the total.
// SPLIT: bi_store_tile(acc, nullptr, store, c, bias, residual, staging, stored,
// SPLIT-NEXT: nBase, mBase, M, N, &mapC);
// Split schedules never issue the next unit ahead.
// SPLIT-NOT: if (unit + (int)gridDim.x < units) {
// SPLIT: #else
bi.kernel @split(%a: memref<?x?xf16> {bi.axes = ["M", "K"]},
                 %b: memref<?x?xf16> {bi.axes = ["N", "K"]},
                 %bias: memref<?xf32> {bi.axes = ["N"]},
                 %c: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %a, %b into %c : memref<?x?xf16>, memref<?x?xf16> -> memref<?x?xf32>
      over "K" bias %bias : memref<?xf32> activation relu
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 16, block_n = 64, stages = 8,
                                   chunks = split>
  bi.return
}

// b in [K, N] layout: TMA boxes of 64 columns x 64 k, one per consumer
// warpgroup, read by wgmma in its transposed-A (MN-major) mode; a k-step
// moves the descriptor 16 rows of 128 bytes. silu calls bi's portable exp,
// defined before the kernel.
// KN: float bi_exp_portable(float x) {
// KN: BI_DEVICE bi_u64 bi_wgmma_desc(bi_u32 low) {
// KN-NEXT: return ((bi_u64)((1024 >> 4) | (1u << 30)) << 32) | low;
// KN: BI_DEVICE bi_u32 bi_desc_low_mn(bi_u32 addr) {
// KN-NEXT: return (addr >> 4) | ((8192u >> 4) << 16);
// KN: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// KN-SAME: p, 1, 1, 1, 0;
// KN: v = __fdiv_rn(v, __fadd_rn(1.0f, bi_exp_portable(-v)));
// KN-LABEL: BI_DEVICE void bi_mma_k_tile(
// KN: descsA[step] = bi_wgmma_desc(weights + 128 * step); // 16 k further on
// KN-LABEL: bi_gemm_main(
// KN: bi_tma_load_weights(stage + box * 64 * 128, &mapB,
// KN-NEXT: bi_smem(&full[s]), work.n0 + box * 64,
// KN-NEXT: tile * 64, streamWeights);
// KN: const bi_u32 weights0 = bi_desc_low_mn(stage0 + consumer * 64 * 128);

// The CUDA-core variant with silu in fn = fast: the hardware exp.
// FMASILU: float bi_exp_fast(float x) {
// FMASILU: v = __fdividef(v, __fadd_rn(1.0f, bi_exp_fast(-v)));
// FMASILU-LABEL: bi_gemm_fma(
// FMASILU: const float y = bi_bf16_to_f32(b[(bi_u64)k * ldb + n]);

// A cluster schedule: launched as one cluster of S CTAs per tile; rank r
// runs chunks r, r + S, ... one after another and keeps each partial but
// its last in a shared-memory slot, the last in the pipeline's shared
// memory (idle by then). After a cluster barrier each CTA adds a slice of
// the tile from all the partials, in chunk order (chunk c is rank c % S's,
// slot c / S), through distributed shared memory, and stores it; a second
// barrier keeps the shared memory alive until all have read it. The
// producer joins both barriers. Not launched as clusters (more than one
// chunk), the kernel traps: the launcher runs the split schedule instead,
// and there is no workspace path to write sums into acc (ptxas would
// serialise the multi-chunk loop's wgmmas).
// CLUSTER: #define BI_SPLIT_CHUNKS 1
// CLUSTER-NEXT: #define BI_CLUSTER_CHUNKS 1
// CLUSTER: barrier.cluster.arrive.release.aligned;
// CLUSTER-NEXT: barrier.cluster.wait.acquire.aligned;
// CLUSTER: mov.u32 %0, %%cluster_nctarank;
// CLUSTER: mapa.shared::cluster.u32
// CLUSTER: ld.shared::cluster.v4.f32
// CLUSTER-LABEL: bi_gemm_main(
// CLUSTER: const bool clustered = chunks > 1 && clusterSize > 1 &&
// CLUSTER-NEXT: clusterSize <= chunks &&
// CLUSTER-NEXT: (endOutputTile - firstOutputTile) * clusterSize ==
// CLUSTER-NEXT: (int)gridDim.x;
// CLUSTER: const int split = clustered ? clusterSize : chunks;
// CLUSTER: const int chunkStep = clustered ? clusterSize : 1;
// CLUSTER: for (int chunk = firstChunk; chunk < endChunk; chunk += chunkStep) {
// CLUSTER: bi_tma_load_weights(stage, &mapB
// CLUSTER: if (clustered) { // the consumers' two cluster barriers
// CLUSTER-NEXT: bi_cluster_sync();
// CLUSTER-NEXT: bi_cluster_sync();
// CLUSTER: for (int chunk = firstChunk; chunk < endChunk; chunk += chunkStep) {
// CLUSTER: if (clustered && chunk + chunkStep < chunks) {
// CLUSTER: float4 *slot = slots + (chunk / chunkStep) * kQuads * kThreads;
// CLUSTER: exchange[q * kThreads + t] =
// CLUSTER: bi_cluster_sync();
// CLUSTER: for (int q = rank * kQuads / clusterSize; q < last; ++q) {
// CLUSTER: for (int first = 0; first < chunks; first += 2) {
// CLUSTER: const int chunk = first + j, owner = chunk % clusterSize;
// CLUSTER-NEXT: const int slot = chunk / clusterSize;
// CLUSTER-NEXT: const float4 *at = slot == (chunks - 1 - owner) / clusterSize
// CLUSTER: part[j] = bi_load_cluster(bi_smem(&at[q * kThreads + t]), owner);
// CLUSTER: sum[0] = start ? part[j].x : __fadd_rn(sum[0], part[j].x);
// CLUSTER: bi_store(c, (bi_u64)m * N + n,
// CLUSTER: bi_cluster_sync(); // the others have read this CTA's partial
// CLUSTER: } else if (chunks > 1) {
// CLUSTER: __trap();

// 128 x 256 serial tiles: 128 accumulators per consumer thread, the
// running total's first 64 values in registers, the other 64 in shared
// memory (each thread's own quads), between the staging and the barriers.
// WIDE-LABEL: // bi: Hopper GEMM, schedule n128m256s3serial
// WIDE: BI_DEVICE int bi_shared_total_quad(int q) {
// WIDE-NEXT: return q * (2 * 128) + (int)threadIdx.x - 128;
// WIDE: for (int q = 0; q < 64 / 4; ++q) {
// WIDE-NEXT: float4 &total = totals[bi_shared_total_quad(q)];
// WIDE-NEXT: float4 sum = start ? make_float4(-0.0f, -0.0f, -0.0f, -0.0f) : total;
// WIDE-NEXT: bi_add_quad(&sum.x, bi_quad(partial + 4 * q));
// WIDE-NEXT: total = sum;
// WIDE: float4 *sharedTotals = (float4 *)(staging + kStagingBytes);
// WIDE-NEXT: bi_u64 *full = (bi_u64 *)(staging + kStagingBytes + 65536);
// WIDE: float acc[128];
// WIDE: float total[64];
// WIDE: for (int i = 0; i < 64; ++i)
// WIDE-NEXT: total[i] = -0.0f;
// WIDE: // Chunk partials, left to right.
// WIDE: for (int i = 0; i < 64; ++i)
// WIDE-NEXT: total[i] = __fadd_rn(total[i], acc[i]);
// WIDE-NEXT: #if 64
// WIDE-NEXT: bi_add_shared_totals(sharedTotals, chunk == firstChunk,
// WIDE-NEXT: acc + 64);
// WIDE: bi_store_tile(total, sharedTotals, true,
