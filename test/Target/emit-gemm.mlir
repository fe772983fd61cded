// RUN: bi-opt %kernels/gemm.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=HOPPER
// RUN: bi-opt %s --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=SPLIT
// RUN: bi-opt %kernels/gemm_fma.mlir --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=FMA
//
// The Hopper lowering of bi.matmul (wgmma contract): TMA loads completing
// on mbarriers, a producer warpgroup and consumer warpgroups issuing wgmma
// from 128-byte-swizzled shared memory, K chunks of the contract's size
// (2048 = 32 tiles of 64) each started from a zero accumulator and added
// left to right.

// HOPPER: mbarrier.try_wait.parity.shared::cta.b64
// HOPPER: cp.async.bulk.tensor.2d.shared::cluster.global.tile
// HOPPER-NEXT: .mbarrier::complete_tx::bytes
// HOPPER: desc |= (bi_u64)1 << 62;
// HOPPER: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// HOPPER-LABEL: bi_gemm_main(const __grid_constant__ bi_tensor_map mapA,
// HOPPER: constexpr int kChunkTiles = 32;
// HOPPER: mbar_init(bi_smem(&full[s]), 1);
// HOPPER: setmaxnreg.dec.sync.aligned.u32 40
// HOPPER: bi_tma_load(stage, &mapB
// HOPPER: setmaxnreg.inc.sync.aligned.u32 232
// A chunk starts from zero: the first k-step of its first tile does not
// accumulate.
// HOPPER: const int accumulate = tile != tileBegin;
// HOPPER: bi_wgmma(acc, descsB[0], descsA[0], accumulate);
// HOPPER: bi_wgmma_commit();
// Serial chunks: partials kept in registers, added left to right.
// HOPPER: total[i] = chunk == 0 ? acc[i] : __fadd_rn(total[i], acc[i]);
// HOPPER-NOT: bi_gemm_combine

// The CUDA-core variant folds each chunk sequentially with fma from zero.
// FMA-LABEL: bi_gemm_fma(
// FMA: for (int chunkBegin = 0; chunkBegin < K; chunkBegin += 256) {
// FMA: float acc = 0.0f;
// FMA: acc = __fmaf_rn(x, y, acc);
// FMA: total = chunkBegin == 0 ? acc : __fadd_rn(total, acc);

// A split schedule: one chunk per work unit, partials to the workspace,
// then the combine kernel adds them in chunk order.
// SPLIT: wgmma.mma_async.sync.aligned.m64n16k16.f32.f16.f16
// SPLIT-LABEL: bi_gemm_main(
// SPLIT: constexpr int kChunkTiles = 16;
// SPLIT: ((float *)outPtr)[((bi_u64)work.chunk * M + m) * N + n] = acc[i];
// SPLIT-LABEL: bi_gemm_combine(
// SPLIT: for (int chunk = 1; chunk < chunks; ++chunk)
// SPLIT-NEXT: v = __fadd_rn(v, partials[chunk * size + index]);
// SPLIT: bi_store(c, index, bi_epilogue(v, m, n, N, bias, residual));
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
