// RUN: bi-opt %s --bi-lower-to-gpu | FileCheck %s
// RUN: bi-opt %s --bi-lower-to-gpu --bi-verify-invariance -o /dev/null
// RUN: bi-opt %kernels/gemm.mlir --bi-lower-to-gpu | FileCheck %s --check-prefix=BUILTIN
//
// The wgmma bi.matmul as a gpu.func: the kernel emitHopperGemm writes for a
// serial schedule, with its ABI (two by-value tensor maps, c, bias,
// residual, i32 M, N, K), warp roles and order: per chunk, one wgmma per
// k-step of 16 that starts before K, the chunk's first with scale-d = 0;
// chunk partials added left to right; the epilogue in f32. The loops over
// chunks, tiles and k-steps carry the accumulator fragment and are bounded
// by K and the contract only (second RUN line).

// f16 in, f32 out, chunks of 128 (two K tiles), schedule n64m64s6serial:
// one consumer warpgroup, a 64 x 64 output tile, wgmma m64n64k16.
// CHECK-LABEL: gpu.module @gemm_f16
// CHECK: gpu.func @bi_gemm_main(%[[MAPA:[a-z0-9]+]]: !llvm.ptr, %[[MAPB:[a-z0-9]+]]: !llvm.ptr,
// CHECK-SAME: %[[C:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[BIAS:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[RES:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias},
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr<1>, %{{[a-z0-9]+}}: !llvm.ptr<1>,
// CHECK-SAME: %[[M:[a-z0-9]+]]: i32 {bi.dim = "M", bi.dim_kind = "batch"}, %[[N:[a-z0-9]+]]: i32 {bi.dim = "N", bi.dim_kind = "parallel"}, %[[K:[a-z0-9]+]]: i32 {bi.dim = "K", bi.dim_kind = "reduction"})
// CHECK-SAME: kernel
// CHECK-SAME: bi.abi = ["tensor_map f16 a box 64x64 swizzle 128B", "tensor_map f16 b box 64x64 swizzle 128B", "ptr f32 c", "ptr f16 bias", "ptr f32 residual", "ptr f32 partials (unused: serial)", "ptr u32 counters (unused: serial)", "i32 extent M", "i32 extent N", "i32 extent K"]
// CHECK-SAME: bi.arg_dims = ["", "", "", "", "", "", "", "batch:M", "parallel:N", "reduction:K"]
// CHECK-SAME: bi.dynamic_shared_bytes = 107632 : i64
// CHECK-SAME: bi.schedule = "n64m64s6serial"
// CHECK-SAME: bi.tensor_map_params = array<i64: 0, 1>
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: %[[TMA:.*]] = builtin.unrealized_conversion_cast %[[MAPA]] : !llvm.ptr to !nvgpu.tensormap.descriptor<tensor = memref<64x64xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
// CHECK: %[[TMB:.*]] = builtin.unrealized_conversion_cast %[[MAPB]]
// CHECK-DAG: %[[KI:.*]] = arith.index_cast %[[K]] : i32 to index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[KTILES:.*]] = arith.ceildivui %[[KI]], %[[C64]] : index
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[KTILES]], %[[C2]] : index
// Six stages: six "full" barriers (one TMA arrival each) and six "empty"
// ones (one arrival per consumer warp).
// CHECK: %[[BARS:.*]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 12>
// CHECK: gpu.dynamic_shared_memory
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: arith.constant 1024 : index
// CHECK: nvgpu.mbarrier.init %[[BARS]][%{{.*}}], %{{.*}}
// CHECK: nvvm.fence.mbarrier.init
// CHECK: gpu.barrier
// Warpgroup 0: thread 0 streams the K tiles of every output tile.
// CHECK: nvvm.setmaxregister decrease 40
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: scf.for %[[PT:.*]] = %{{.*}} to %[[KTILES]] step
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS]]
// CHECK: nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%{{.*}}], %{{.*}}
// CHECK: %[[K0:.*]] = arith.muli %[[PT]], %{{.*}} : index
// CHECK: nvgpu.tma.async.load %[[TMB]][%[[K0]], %{{.*}}], %[[BARS]]
// CHECK: nvgpu.tma.async.load %[[TMA]][%[[K0]], %{{.*}}], %[[BARS]]
// The consumer warpgroup.
// CHECK: } else {
// CHECK: nvvm.setmaxregister increase 232
// CHECK: scf.for
// CHECK: %[[ZERO:.*]] = llvm.mlir.zero : !llvm.struct<(f32, f32,
// Chunk loop: from 0 to ceil(ceil(K / 64) / 2).
// CHECK: %[[CH:.*]]:2 = scf.for %[[CHUNK:.*]] = %{{.*}} to %[[CHUNKS]] step %{{.*}} iter_args(%[[TOTAL:.*]] = %[[ZERO]], %{{.*}} = %{{.*}}) -> (!llvm.struct<
// CHECK: %[[ZT:.*]] = llvm.mlir.zero : !llvm.struct<(f32, f32,
// CHECK: %[[TB:.*]] = arith.muli %[[CHUNK]], %{{.*}} : index
// CHECK: %[[TE0:.*]] = arith.addi %[[TB]], %{{.*}} : index
// CHECK: %[[TE:.*]] = arith.minui %[[KTILES]], %[[TE0]] : index
// Tile loop over the chunk's K tiles; each waits for its stage.
// CHECK: %[[PART:.*]]:2 = scf.for %[[TILE:.*]] = %[[TB]] to %[[TE]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZT]],
// CHECK: nvgpu.mbarrier.try_wait.parity %[[BARS]]
// The k-steps that start before K: min(ceil((K - 64 tile) / 16), 4).
// CHECK: %[[T64:.*]] = arith.muli %[[TILE]], %{{.*}} : index
// CHECK: %[[LEFT:.*]] = arith.subi %[[KI]], %[[T64]] : index
// CHECK: %[[S0:.*]] = arith.ceildivui %[[LEFT]], %{{.*}} : index
// CHECK: %[[STEPS:.*]] = arith.minui %[[S0]], %{{.*}} : index
// CHECK: %[[FIRSTTILE:.*]] = arith.cmpi eq, %[[TILE]], %[[TB]] : index
// CHECK: scf.for %[[STEP:.*]] = %{{.*}} to %[[STEPS]] step %{{.*}} iter_args(%[[A:.*]] = %[[ACC]])
// Shared-memory descriptors: 128-byte swizzle, 1024-byte 8-row groups.
// CHECK: arith.constant 262143 : i64
// CHECK: arith.constant 4611686293305360384 : i64
// CHECK: %[[DB:.*]] = arith.ori
// CHECK: %[[DA:.*]] = arith.ori
// CHECK: %[[STEP0:.*]] = arith.cmpi eq, %[[STEP]], %{{.*}} : index
// CHECK: %[[FRESH:.*]] = arith.andi %[[FIRSTTILE]], %[[STEP0]] : i1
// CHECK: nvvm.wgmma.fence.aligned
// The rows of B are the wgmma A operand, the rows of A the B operand,
// both K-major; the chunk's first k-step ignores the accumulator.
// CHECK: scf.if %[[FRESH]]
// CHECK-NEXT: nvvm.wgmma.mma_async %[[DB]], %[[DA]], %[[A]], <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK: } else {
// CHECK-NEXT: nvvm.wgmma.mma_async %[[DB]], %[[DA]], %[[A]], <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: nvgpu.mbarrier.arrive %[[BARS]]
// Chunk partials left to right: the first as it is, then total + partial
// per register (32 registers for n = 64).
// CHECK: %[[FIRSTCHUNK:.*]] = arith.cmpi eq, %[[CHUNK]], %{{.*}} : index
// CHECK: scf.if %[[FIRSTCHUNK]]
// CHECK-NEXT: scf.yield %[[PART]]#0
// CHECK: } else {
// CHECK: %[[P0:.*]] = llvm.extractvalue %[[PART]]#0[0]
// CHECK: %[[T0:.*]] = llvm.extractvalue %[[TOTAL]][0]
// CHECK: arith.addf %[[T0]], %[[P0]] : f32
// CHECK-COUNT-31: arith.addf
// CHECK-NOT: arith.addf
// CHECK: scf.yield
// The epilogue per register, inside the output: bias, relu, residual,
// stored as f32.
// CHECK: %[[V:.*]] = llvm.extractvalue %[[CH]]#0[0]
// CHECK: llvm.getelementptr %[[BIAS]]
// CHECK: %[[BV:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[V1:.*]] = arith.addf %[[V]], %[[BV]] : f32
// CHECK: %[[KEEP:.*]] = arith.cmpf ugt, %[[V1]]
// CHECK: %[[V2:.*]] = arith.select %[[KEEP]], %[[V1]]
// CHECK: llvm.getelementptr %[[RES]]
// CHECK: %[[RV:.*]] = llvm.load %{{.*}} invariant {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[V3:.*]] = arith.addf %[[V2]], %[[RV]] : f32
// CHECK: %[[PC:.*]] = llvm.getelementptr %[[C]]
// CHECK: llvm.store %[[V3]], %[[PC]] {alignment = 4 : i64} : f32, !llvm.ptr<1>
bi.kernel @gemm_f16(%x: memref<?x?xf16> {bi.axes = ["M", "K"]},
                    %w: memref<?x?xf16> {bi.axes = ["N", "K"]},
                    %y: memref<?x?xf32> {bi.axes = ["M", "N"]},
                    %bias: memref<?xf16> {bi.axes = ["N"]},
                    %h: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %x, %w into %y
      : memref<?x?xf16>, memref<?x?xf16> -> memref<?x?xf32> over "K"
      bias %bias : memref<?xf16> activation relu residual %h : memref<?x?xf32>
      order #bi.order<chunk = 128, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 64, stages = 6, chunks = serial>
  bi.return
}

// The built-in gemm without a schedule: the large-batch default,
// n128m128s5serial. Two consumer warpgroups, each with its 64 rows of the
// B tile; chunks of 2048 are 32 K tiles; 64 registers per fragment.
// BUILTIN-LABEL: gpu.module @gemm
// BUILTIN: gpu.func @bi_gemm_main(
// BUILTIN-SAME: bi.abi = ["tensor_map bf16 a box 64x128 swizzle 128B", "tensor_map bf16 b box 64x128 swizzle 128B", "ptr bf16 c", "ptr unused bias", "ptr unused residual",
// BUILTIN-SAME: bi.schedule = "n128m128s5serial"
// BUILTIN-SAME: known_block_size = array<i32: 384, 1, 1>
// BUILTIN: arith.constant 32 : index
// BUILTIN: nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 10>
// BUILTIN: %[[C8:.*]] = arith.constant 8 : index
// BUILTIN-NEXT: nvgpu.mbarrier.init %{{.*}}[%{{.*}}], %[[C8]]
// BUILTIN: nvgpu.mbarrier.arrive.expect_tx %{{.*}}[%{{.*}}], %{{.*}}
// BUILTIN: } else {
// BUILTIN: %[[WG:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// BUILTIN: %[[CONSUMER:.*]] = arith.subi %[[WG]], %{{.*}} : index
// BUILTIN: %[[C8192:.*]] = arith.constant 8192 : index
// BUILTIN: arith.muli %[[CONSUMER]], %[[C8192]] : index
// BUILTIN: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// BUILTIN: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 128, k = 16>, D[<f32>, <one>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// BUILTIN-COUNT-64: arith.addf
// BUILTIN: arith.truncf %{{.*}} : f32 to bf16
