// The built-in gemm with its schedule pinned in the source: the NVVM
// backend compiles the bi-lower-to-gpu kernel for it.
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
      schedule #bi.matmul_schedule<block_m = 64, block_n = 64, stages = 6,
                                   chunks = serial>
  bi.return
}
