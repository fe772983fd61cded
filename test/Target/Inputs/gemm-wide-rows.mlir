// 128 x 256 serial tiles of the wgmma GEMM, half of each running total in
// shared memory (emit-gemm.mlir checks their code).
bi.kernel @wide_rows(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                     %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                     %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 2048, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 256, block_n = 128, stages = 3,
                                   chunks = serial>
  bi.return
}
