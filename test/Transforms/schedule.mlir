// RUN: bi-opt %s --bi-schedule | FileCheck %s
// RUN: bi-opt %s --bi-schedule="threads=32 rows=8 force" | FileCheck %s --check-prefix=FORCED
// RUN: not bi-opt %s --bi-schedule="threads=512 force" 2>&1 | FileCheck %s --check-prefix=TOO-MANY

// The largest power of two dividing every contract's lanes.
// CHECK-LABEL: bi.kernel @two_contracts
// CHECK: bi.map_rows %{{.*}} over "M" row "H" schedule #bi.schedule<threads = 128, rows = 1>
// FORCED-LABEL: bi.kernel @two_contracts
// FORCED: schedule #bi.schedule<threads = 32, rows = 8>
// TOO-MANY: error: 'bi.map_rows' op schedule uses 512 threads per row, which does not divide the 256 lanes of a reduction's contract
bi.kernel @two_contracts(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                         %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %a = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 256, combine = tree>
    %b = bi.reduce max %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 384, combine = seq>
    %c = arith.addf %a, %b : f32
    bi.store_scalar %c, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// An existing schedule is kept unless forced.
// CHECK-LABEL: bi.kernel @kept
// CHECK: schedule #bi.schedule<threads = 64, rows = 2>
// FORCED-LABEL: bi.kernel @kept
// FORCED: schedule #bi.schedule<threads = 32, rows = 8>
bi.kernel @kept(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 64, rows = 2> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %a = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 256, combine = tree>
    bi.store_scalar %a, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
