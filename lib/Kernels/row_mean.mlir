// Row mean: mu[m] = (sum_h x[m, h]) / H, fp32 in and out. The division is
// correctly rounded (portable math), so a CPU reproduces every bit.
bi.kernel @row_mean(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                    %mu: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %sum = bi.reduce add %xr : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 4, combine = tree>
    %n = bi.dim "H" : index
    %ni = arith.index_cast %n : index to i64
    %nf = arith.uitofp %ni : i64 to f32
    %mean = arith.divf %sum, %nf : f32
    bi.store_scalar %mean, %mu[%row] : f32, memref<?xf32>
  }
  bi.return
}
