// Row sum: s[m] = sum_h x[m, h], bf16 input, fp32 accumulation and output.
// 128 interleaved lanes of 8-element vectors, combined left to right.
bi.kernel @row_sum(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                   %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %sum = bi.reduce add %xr : tensor<?xbf16> -> f32 over "H"
        order #bi.order<lanes = 128, vector = 8, combine = seq>
    bi.store_scalar %sum, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
