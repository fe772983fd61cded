// Row softmax, bf16 in/out, fp32 internally:
//   m = max_h x;  e = exp(x - m);  y = e / sum_h e
// Two reductions, each with its own contract. exp is bi's portable
// polynomial, so the CPU reference reproduces every bit.
bi.kernel @softmax(%x: memref<?x?xbf16> {bi.axes = ["M", "N"]},
                   %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : reduction>]
    math #bi.math<fma = off, fn = portable> {
  bi.map_rows %row over "M" row "N" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %max = bi.reduce max %xf : tensor<?xf32> -> f32 over "N"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    %maxb = bi.broadcast %max : f32 -> tensor<?xf32>
    %shifted = arith.subf %xf, %maxb : tensor<?xf32>
    %e = math.exp %shifted : tensor<?xf32>
    %sum = bi.reduce add %e : tensor<?xf32> -> f32 over "N"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    %sumb = bi.broadcast %sum : f32 -> tensor<?xf32>
    %p = arith.divf %e, %sumb : tensor<?xf32>
    %pb = arith.truncf %p : tensor<?xf32> to tensor<?xbf16>
    bi.store_row %pb, %y[%row] : tensor<?xbf16>, memref<?x?xbf16>
  }
  bi.return
}
