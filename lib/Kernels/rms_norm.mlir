// RMSNorm: y = x / sqrt(mean(x^2) + eps) * w, bf16 in/out, fp32 accumulation.
//
// The sum of squares is the only reduction. Its contract: 256 interleaved
// lanes, each folding 8-element vectors (16-byte loads) sequentially with
// fused multiply-adds, lanes combined as a balanced pairwise tree. None of
// it depends on the number of rows M.
bi.kernel @rms_norm(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                    %w: memref<?xbf16> {bi.axes = ["H"]},
                    %y: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                    %eps: f32)
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    %h = bi.dim "H" : index
    %hi = arith.index_cast %h : index to i64
    %hf = arith.uitofp %hi : i64 to f32
    %mean = arith.divf %ss, %hf : f32
    %ms = arith.addf %mean, %eps : f32
    %inv = math.rsqrt %ms : f32
    %wr = bi.load_row %w[] : memref<?xbf16> -> tensor<?xbf16>
    %wf = arith.extf %wr : tensor<?xbf16> to tensor<?xf32>
    %invb = bi.broadcast %inv : f32 -> tensor<?xf32>
    %n = arith.mulf %xf, %invb : tensor<?xf32>
    %o = arith.mulf %n, %wf : tensor<?xf32>
    %ob = arith.truncf %o : tensor<?xf32> to tensor<?xbf16>
    bi.store_row %ob, %y[%row] : tensor<?xbf16>, memref<?x?xbf16>
  }
  bi.return
}
