// A cluster schedule of the wgmma GEMM (emit-gemm.mlir checks its code).
bi.kernel @cluster(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                   %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                   %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 2048, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 6,
                                   chunks = cluster>
  bi.return
}
