// GEMM on CUDA cores: y[m, n] = sum_k x[m, k] * w[n, k], bf16 in/out, fp32
// accumulation, w in the nn.Linear layout (one row of K weights per output
// column).
//
// The contract cuts K into chunks of 256. Each chunk is folded from zero
// one k at a time in increasing order with fused multiply-adds
// (fma = on), and the chunk partials are added left to right. Every step
// is an IEEE operation, so the CPU reference reproduces the bits exactly.
bi.kernel @gemm_fma(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 256, chunk_combine = seq>
  bi.return
}
