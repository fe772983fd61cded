// Fused residual add + RMSNorm, bf16 in/out, fp32 accumulation:
//   h = bf16(x + r)                       (written back as the new residual)
//   y = h / sqrt(mean(h^2) + eps) * w
// h is rounded to bf16 before it is normalised, exactly as the unfused pair
// `h = x + r; rms_norm(h)` does. The contract is RMSNorm's.
bi.kernel @fused_add_rms_norm(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                              %r: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                              %w: memref<?xbf16> {bi.axes = ["H"]},
                              %y: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                              %h_out: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                              %eps: f32)
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %rr = bi.load_row %r[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %rf = arith.extf %rr : tensor<?xbf16> to tensor<?xf32>
    %sum = arith.addf %xf, %rf : tensor<?xf32>
    %h = arith.truncf %sum : tensor<?xf32> to tensor<?xbf16>
    bi.store_row %h, %h_out[%row] : tensor<?xbf16>, memref<?x?xbf16>
    %hf = arith.extf %h : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %hf, %hf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    %n = bi.dim "H" : index
    %ni = arith.index_cast %n : index to i64
    %nf = arith.uitofp %ni : i64 to f32
    %mean = arith.divf %ss, %nf : f32
    %ms = arith.addf %mean, %eps : f32
    %inv = math.rsqrt %ms : f32
    %wr = bi.load_row %w[] : memref<?xbf16> -> tensor<?xbf16>
    %wf = arith.extf %wr : tensor<?xbf16> to tensor<?xf32>
    %invb = bi.broadcast %inv : f32 -> tensor<?xf32>
    %normed = arith.mulf %hf, %invb : tensor<?xf32>
    %o = arith.mulf %normed, %wf : tensor<?xf32>
    %ob = arith.truncf %o : tensor<?xf32> to tensor<?xbf16>
    bi.store_row %ob, %y[%row] : tensor<?xbf16>, memref<?x?xbf16>
  }
  bi.return
}
