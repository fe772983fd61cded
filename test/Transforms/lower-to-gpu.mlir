// RUN: bi-opt %s --bi-schedule --bi-lower-to-gpu | FileCheck %s
// RUN: bi-opt %s --bi-schedule="threads=64 rows=4" --bi-lower-to-gpu | FileCheck %s --check-prefix=FORCED
// RUN: bi-opt %s --bi-schedule --bi-lower-to-gpu --bi-verify-invariance -o /dev/null

// Static extent, 256 lanes of 8-element vectors, tree combine, fma = on.
// CHECK-LABEL: gpu.module @sum_squares
// CHECK: gpu.func @sum_squares(%[[X:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[S:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[M:[a-z0-9]+]]: i64 {bi.dim = "M", bi.dim_kind = "batch"}, %[[STRIDE:[a-z0-9]+]]: i64 {bi.row_stride_of = 0 : i64})
// CHECK-SAME: workgroup(%[[SMEM:[a-z0-9]+]] : memref<1x8xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: kernel
// CHECK-SAME: bi.arg_dims = ["", "", "batch:M", ""]
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// Every lane folds its vectors in order: 4096 / 8 / 256 = 2 rounds, unrolled;
// thread t's lane reads elements t*8.. and then 2048 + t*8..
// CHECK: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-COUNT-8: math.fma
// CHECK: arith.constant 2048 : index
// CHECK: llvm.load %{{.*}} invariant {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-COUNT-8: math.fma
// CHECK-NOT: math.fma
// Lanes combine as a pairwise tree: shuffles with strides 1..16, then 8 warps.
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32
// CHECK: gpu.shuffle xor %{{.*}}, %c2_i32
// CHECK: gpu.shuffle xor %{{.*}}, %c4_i32
// CHECK: gpu.shuffle xor %{{.*}}, %c8_i32
// CHECK: gpu.shuffle xor %{{.*}}, %c16_i32
// CHECK: memref.store %{{.*}}, %[[SMEM]]
// CHECK: gpu.barrier
// CHECK-COUNT-8: memref.load %[[SMEM]]
// CHECK-COUNT-7: arith.addf
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: gpu.return

// With 64 threads each thread plays 4 consecutive lanes, combined in
// registers first (adjacent pairs), then shuffled, then 2 warps.
// FORCED-LABEL: gpu.module @sum_squares
// FORCED: workgroup(%{{.*}} : memref<4x2xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// FORCED: known_block_size = array<i32: 64, 4, 1>
// FORCED-COUNT-32: math.fma
// FORCED-COUNT-3: arith.addf %{{.*}}, %{{.*}} : f32
// FORCED-COUNT-5: gpu.shuffle xor
// FORCED: gpu.barrier
bi.kernel @sum_squares(%x: memref<?x4096xbf16> {bi.axes = ["M", "H"]},
                       %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 4096>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x4096xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// Dynamic extent, sequential combine, fma = off: every thread folds all 64
// lane partials left to right from shared memory; products are rounded.
// CHECK-LABEL: gpu.module @seq_sum
// CHECK: gpu.func @seq_sum({{.*}}%{{.*}}: i64 {bi.dim = "H", bi.dim_kind = "reduction"}
// CHECK-SAME: workgroup(%[[SEQ:[a-z0-9]+]] : memref<1x64xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK: scf.for
// CHECK: arith.mulf
// CHECK-NOT: math.fma
// CHECK: gpu.barrier
// CHECK-COUNT-64: memref.load %[[SEQ]]
bi.kernel @seq_sum(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                   %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %sq = arith.mulf %xr, %xr : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 64, vector = 4, combine = seq>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
