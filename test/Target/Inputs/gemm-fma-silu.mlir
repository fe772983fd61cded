// Input of emit-gemm.mlir: the CUDA-core GEMM with b in [K, N] layout and
// silu in fn = fast.
bi.kernel @fma_silu(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                    %b: memref<?x?xbf16> {bi.axes = ["K", "N"]},
                    %c: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = fast> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xf32>
      over "K" activation silu order #bi.order<chunk = 256, chunk_combine = seq>
  bi.return
}
