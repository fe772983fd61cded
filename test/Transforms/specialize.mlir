// RUN: bi-opt %s --bi-specialize="dims=H=4096" | FileCheck %s
// RUN: not bi-opt %s --bi-specialize="dims=M=8" 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not bi-opt %s --bi-specialize="dims=H" 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK-LABEL: bi.kernel @k
// CHECK-SAME: dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 4096>]
// The contract parameter derived from H becomes a constant of the contract.
// CHECK: bi.reduce add %{{.*}} over "H" order #bi.order<chunk = 1024, chunk_combine = seq, lanes = 32, vector = 1, fold = seq, combine = tree>{{$}}
// BATCH: error: 'bi.kernel' op cannot specialise batch dimension 'M': its extent follows the load
// BAD: error: bad --bi-specialize entry 'H'; expected NAME=EXTENT with a positive extent
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
             %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %h = bi.dim "H" : index
    %c4 = arith.constant 4 : index
    %chunk = arith.divui %h, %c4 : index
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H"
        order #bi.order<chunk = ?, lanes = 32, combine = tree> (%chunk)
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
