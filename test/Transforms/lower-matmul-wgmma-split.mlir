// RUN: bi-opt %s --bi-lower-to-gpu | FileCheck %s
// RUN: bi-opt %s --bi-lower-to-gpu --bi-verify-invariance -o /dev/null
//
// A split schedule through bi-lower-to-gpu: the chunks of an output tile
// run on parallel CTAs (one work unit per tile and chunk), each publishes
// its chunk's partial to the workspace and counts itself on the tile's
// counter; the CTA that completes the count adds every chunk's partial in
// chunk order and stores the tile. The order of every accumulation still
// follows from K alone (second RUN line): each CTA walks all the chunks in
// order and works on its own only, and the combine walks all of them.

// CHECK-LABEL: gpu.module @split
// CHECK: gpu.func @bi_gemm_main(
// CHECK-SAME: "ptr f32 partials", "ptr u32 counters"
// CHECK-SAME: bi.schedule = "n64m8s8split"
// K tiles of 64, chunks of 4 of them, tiles of 64 x 8, units = tiles x chunks.
// CHECK: %[[KTILES:.*]] = arith.ceildivui %{{.*}}, %{{.*}} : index
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[KTILES]], %{{.*}} : index
// CHECK: %[[TILES:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK: %[[UNITS:.*]] = arith.muli %[[TILES]], %[[CHUNKS]] : index
// The flag after the stages: 8 stages of (64 + 8) x 128 bytes.
// CHECK: %[[C73728:.*]] = arith.constant 73728 : index
// CHECK: %[[FLAGAT:.*]] = arith.addi %{{.*}}, %[[C73728]] : index
// CHECK: %[[FLAG:.*]] = memref.view %{{.*}}[%[[FLAGAT]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1xi32, #gpu.address_space<workgroup>>
// The producer loads only its unit's chunk: K tiles 4c to min(K tiles, 4c + 4).
// CHECK: scf.for %[[PU:.*]] = %{{.*}} to %[[UNITS]] step
// CHECK: %[[PCHUNK:.*]] = arith.remui %[[PU]], %[[CHUNKS]] : index
// CHECK: %[[PFIRST:.*]] = arith.muli %[[PCHUNK]], %{{.*}} : index
// CHECK: %[[PEND0:.*]] = arith.addi %[[PFIRST]], %{{.*}} : index
// CHECK: %[[PEND:.*]] = arith.minui %[[KTILES]], %[[PEND0]] : index
// CHECK: scf.for %{{.*}} = %[[PFIRST]] to %[[PEND]] step
// CHECK: nvgpu.tma.async.load
// A consumer walks every chunk (bounds from K) and works on its unit's.
// CHECK: } else {
// CHECK: scf.for %[[U:.*]] = %{{.*}} to %[[UNITS]] step
// CHECK: %[[TILE:.*]] = arith.divui %[[U]], %[[CHUNKS]] : index
// CHECK: %[[MINE:.*]] = arith.remui %[[U]], %[[CHUNKS]] : index
// CHECK: %[[CH:.*]]:2 = scf.for %[[C:.*]] = %{{.*}} to %[[CHUNKS]] step %{{.*}} iter_args
// CHECK: %[[ISMINE:.*]] = arith.cmpi eq, %[[C]], %[[MINE]] : index
// CHECK: scf.if %[[ISMINE]] -> (!llvm.struct<(f32, f32, f32, f32)>, index)
// CHECK: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 8, k = 16>, D[<f32>, <zero>]
// CHECK: scf.yield %{{.*}}#0, %{{.*}}#1 : !llvm.struct<(f32, f32, f32, f32)>, index
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %arg{{[0-9]+}}, %arg{{[0-9]+}} : !llvm.struct<(f32, f32, f32, f32)>, index
// With more than one chunk: publish, count, and add in the last CTA.
// CHECK: %[[SEVERAL:.*]] = arith.cmpi ugt, %[[CHUNKS]], %{{.*}} : index
// CHECK: scf.if %[[SEVERAL]] -> (!llvm.struct<(f32, f32, f32, f32)>, i1)
// CHECK-COUNT-4: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: nvvm.barrier id = %{{.*}} number_of_threads = %{{.*}}
// CHECK: nvvm.memory.barrier <gpu>
// CHECK: llvm.atomicrmw add %{{.*}}, %{{.*}} monotonic : !llvm.ptr<1>, i32
// CHECK: memref.store %{{.*}}, %[[FLAG]][%{{.*}}]
// CHECK: nvvm.barrier id = %{{.*}} number_of_threads = %{{.*}}
// CHECK: memref.load %[[FLAG]][%{{.*}}]
// CHECK: nvvm.memory.barrier <gpu>
// Sums from -0, every chunk in order, loads past L1.
// CHECK: arith.constant -0.000000e+00 : f32
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[CHUNKS]] step
// CHECK-COUNT-4: llvm.load volatile
// The tile is stored by the CTA that added it (or right away: one chunk).
// CHECK: scf.if %{{.*}}#1 {
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : bf16, !llvm.ptr<1>
bi.kernel @split(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                 %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                 %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 256, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 8, block_n = 64, stages = 8, chunks = split>
  bi.return
}
