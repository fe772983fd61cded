// Input of emit-gemm.mlir: a Hopper GEMM with b in [K, N] layout and a silu
// epilogue (fn = portable).
bi.kernel @kn_silu(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                   %b: memref<?x?xbf16> {bi.axes = ["K", "N"]},
                   %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" activation silu
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 6,
                                   chunks = serial>
  bi.return
}
