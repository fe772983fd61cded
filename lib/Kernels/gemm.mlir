// GEMM: y[m, n] = sum_k x[m, k] * w[n, k], bf16 in/out, fp32 accumulation on
// the tensor cores. w is in the nn.Linear layout (one row of K weights per
// output column).
//
// The contract cuts K into chunks of 2048. Each chunk is reduced from zero
// by wgmma in k-steps of 16, and the chunk partials are added left to
// right. The chunk size is fixed, so a schedule may run the chunks of one
// output tile on parallel thread blocks at small M (split-K) or one after
// another at large M: the sums, and the bits, are the same.
bi.kernel @gemm(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 2048, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
  bi.return
}
