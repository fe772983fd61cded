// RUN: bi-opt %s --bi-lower-to-gpu | FileCheck %s
// RUN: bi-opt %s --bi-lower-to-gpu --bi-verify-invariance -o /dev/null
//
// The CUDA-core bi.matmul (a contract without 'unit') as a gpu.func: the
// kernel emitCudaCoreGemm writes, with its entry name, parameters and block
// size, one thread per output element. K is folded in scf.for loops whose
// bounds come from K and the contract's chunk only; the analysis accepts
// them on this IR (second RUN line).

// The built-in gemm_fma: bf16, b in nn.Linear layout [N, K], fma = on,
// chunks of 256.
// CHECK-LABEL: gpu.module @gemm_fma
// CHECK: gpu.func @bi_gemm_fma(
// CHECK-SAME: %[[A:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[B:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[C:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %{{[a-z0-9]+}}: !llvm.ptr<1> {llvm.noalias}, %{{[a-z0-9]+}}: !llvm.ptr<1> {llvm.noalias},
// CHECK-SAME: %{{[a-z0-9]+}}: i32 {bi.dim = "M", bi.dim_kind = "batch"}, %[[N:[a-z0-9]+]]: i32 {bi.dim = "N", bi.dim_kind = "parallel"}, %[[K:[a-z0-9]+]]: i32 {bi.dim = "K", bi.dim_kind = "reduction"},
// CHECK-SAME: %[[LDA:[a-z0-9]+]]: i64 {bi.row_stride_of = 0 : i64}, %[[LDB:[a-z0-9]+]]: i64 {bi.row_stride_of = 1 : i64})
// CHECK-SAME: kernel
// CHECK-SAME: bi.abi = ["ptr bf16 a", "ptr bf16 b", "ptr bf16 c", "ptr unused bias", "ptr unused residual", "i32 extent M", "i32 extent N", "i32 extent K", "i64 row_stride a", "i64 row_stride b"]
// CHECK-SAME: bi.arg_dims = ["", "", "", "", "", "batch:M", "parallel:N", "reduction:K", "", ""]
// CHECK-SAME: bi.math = #bi.math<fma = on, fn = portable>
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// Column n = blockIdx.x * 128 + threadIdx.x, row m = blockIdx.y; columns
// past N store nothing.
// CHECK: %[[TX:.*]] = gpu.thread_id x
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[BX:.*]] = gpu.block_id x
// CHECK: %[[N0:.*]] = arith.muli %[[BX]], %[[C128]]
// CHECK: %[[COL:.*]] = arith.addi %[[N0]], %[[TX]]
// CHECK: %[[ROW:.*]] = gpu.block_id y
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : i32 to index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[COL]], %[[NI]]
// CHECK: scf.if %[[IN]] {
// CHECK-DAG: %[[LDAI:.*]] = arith.index_cast %[[LDA]] : i64 to index
// CHECK-DAG: %[[LDBI:.*]] = arith.index_cast %[[LDB]] : i64 to index
// CHECK-DAG: %[[KI:.*]] = arith.index_cast %[[K]] : i32 to index
// CHECK: %[[ROWA:.*]] = arith.muli %[[ROW]], %[[LDAI]]
// CHECK: %[[ROWB:.*]] = arith.muli %[[COL]], %[[LDBI]]
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// The chunk loop: from 0 to K in steps of the contract's 256.
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[TOTAL:.*]] = scf.for %[[BEGIN:.*]] = %{{.*}} to %[[KI]] step %[[C256]] iter_args(%[[SUM:.*]] = %[[ZERO]]) -> (f32) {
// CHECK: %[[END0:.*]] = arith.addi %[[BEGIN]], %[[C256]]
// CHECK: %[[END:.*]] = arith.minui %[[KI]], %[[END0]]
// Each chunk from +0, k increasing, one fma per k.
// CHECK: %[[PARTIAL:.*]] = scf.for %[[KK:.*]] = %[[BEGIN]] to %[[END]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32) {
// CHECK: %[[OA:.*]] = arith.addi %[[ROWA]], %[[KK]]
// CHECK: %[[OA64:.*]] = arith.index_cast %[[OA]] : index to i64
// CHECK: %[[PA:.*]] = llvm.getelementptr %[[A]][%[[OA64]]] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// CHECK: %[[XA:.*]] = llvm.load %[[PA]] invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
// CHECK: %[[X:.*]] = arith.extf %[[XA]] : bf16 to f32
// CHECK: %[[OB:.*]] = arith.addi %[[ROWB]], %[[KK]]
// CHECK: %[[OB64:.*]] = arith.index_cast %[[OB]] : index to i64
// CHECK: %[[PB:.*]] = llvm.getelementptr %[[B]][%[[OB64]]]
// CHECK: %[[YB:.*]] = llvm.load %[[PB]] invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
// CHECK: %[[Y:.*]] = arith.extf %[[YB]] : bf16 to f32
// CHECK: %[[NEXT:.*]] = math.fma %[[X]], %[[Y]], %[[ACC]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// Partials left to right, the first one taken as it is.
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[BEGIN]], %{{.*}} : index
// CHECK: %[[ADDED:.*]] = arith.addf %[[SUM]], %[[PARTIAL]] : f32
// CHECK: %[[PICK:.*]] = arith.select %[[FIRST]], %[[PARTIAL]], %[[ADDED]] : f32
// CHECK: scf.yield %[[PICK]] : f32
// One rounding to bf16, into the dense c at m * N + n.
// CHECK: %[[OUT:.*]] = arith.truncf %[[TOTAL]] : f32 to bf16
// CHECK: %[[OC0:.*]] = arith.muli %[[ROW]], %[[NI]]
// CHECK: %[[OC:.*]] = arith.addi %[[OC0]], %[[COL]]
// CHECK: %[[OC64:.*]] = arith.index_cast %[[OC]] : index to i64
// CHECK: %[[PC:.*]] = llvm.getelementptr %[[C]][%[[OC64]]] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
// CHECK: llvm.store %[[OUT]], %[[PC]] {alignment = 2 : i64} : bf16, !llvm.ptr<1>
// CHECK: gpu.return
bi.kernel @gemm_fma(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 256, chunk_combine = seq>
  bi.return
}

// b as [K, N], f16 in, f32 out, fma = off (a rounded product, then a
// rounded sum), the batch dimension named T, a chunk that need not divide
// K.
// CHECK-LABEL: gpu.module @kn_layout
// CHECK: gpu.func @bi_gemm_fma(
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr<1> {llvm.noalias}, %[[B:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias},
// CHECK-SAME: %{{[a-z0-9]+}}: i32 {bi.dim = "T", bi.dim_kind = "batch"}
// CHECK-SAME: %[[LDB:[a-z0-9]+]]: i64 {bi.row_stride_of = 1 : i64})
// CHECK-SAME: bi.abi = ["ptr f16 a", "ptr f16 b", "ptr f32 c",
// CHECK-SAME: bi.arg_dims = ["", "", "", "", "", "batch:T", "parallel:N", "reduction:K", "", ""]
// CHECK-SAME: bi.math = #bi.math<fma = off, fn = portable>
// CHECK: %[[COL:.*]] = arith.addi
// CHECK: %[[LDBI:.*]] = arith.index_cast %[[LDB]] : i64 to index
// CHECK: %[[C100:.*]] = arith.constant 100 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C100]] iter_args
// CHECK: scf.for %[[KK:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK: %[[X:.*]] = arith.extf %{{.*}} : f16 to f32
// B[k, n] = b[k * ldb + n].
// CHECK: %[[OB0:.*]] = arith.muli %[[KK]], %[[LDBI]]
// CHECK: %[[OB:.*]] = arith.addi %[[OB0]], %[[COL]]
// CHECK: %[[OB64:.*]] = arith.index_cast %[[OB]] : index to i64
// CHECK: llvm.getelementptr %[[B]][%[[OB64]]] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, f16
// CHECK: %[[Y:.*]] = arith.extf %{{.*}} : f16 to f32
// CHECK: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK: %[[NEXT:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK-NOT: math.fma
// f32 out: no rounding step.
// CHECK-NOT: arith.truncf
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: gpu.return
bi.kernel @kn_layout(%x: memref<?x?xf16> {bi.axes = ["T", "K"]},
                     %w: memref<?x?xf16> {bi.axes = ["K", "N"]},
                     %y: memref<?x?xf32> {bi.axes = ["T", "N"]})
    dims [#bi.dim<"T" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = off, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xf16>, memref<?x?xf16> -> memref<?x?xf32> over "K"
      order #bi.order<chunk = 100, chunk_combine = seq>
  bi.return
}

// The epilogue in the op's order: bias, relu, residual, then one rounding.
// No chunk: one loop over all of K, whose partial is the total.
// CHECK-LABEL: gpu.module @epilogue
// CHECK: gpu.func @bi_gemm_fma(
// CHECK-SAME: %[[BIAS:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %[[RES:[a-z0-9]+]]: !llvm.ptr<1> {llvm.noalias}, %{{[a-z0-9]+}}: i32 {bi.dim = "M"
// CHECK-SAME: %[[N:[a-z0-9]+]]: i32 {bi.dim = "N"
// CHECK-SAME: %[[K:[a-z0-9]+]]: i32 {bi.dim = "K"
// CHECK-SAME: bi.abi = ["ptr bf16 a", "ptr bf16 b", "ptr bf16 c", "ptr f32 bias", "ptr f16 residual",
// CHECK: %[[COL:.*]] = arith.addi
// CHECK: %[[ROW:.*]] = gpu.block_id y
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : i32 to index
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]] : i32 to index
// CHECK: %[[TOTAL:.*]] = scf.for %{{.*}} = %{{.*}} to %[[KI]] step %{{.*}} iter_args
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: scf.yield
// CHECK-NOT: scf.for
// CHECK: %[[OBIAS:.*]] = arith.index_cast %[[COL]] : index to i64
// CHECK: llvm.getelementptr %[[BIAS]][%[[OBIAS]]] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, f32
// CHECK: %[[BV:.*]] = llvm.load
// CHECK: %[[V1:.*]] = arith.addf %[[TOTAL]], %[[BV]] : f32
// relu: v > 0 or NaN keeps v; negatives and -0 become +0.
// CHECK: %[[KEEP:.*]] = arith.cmpf ugt, %[[V1]], %{{.*}} : f32
// CHECK: %[[V2:.*]] = arith.select %[[KEEP]], %[[V1]], %{{.*}} : f32
// CHECK: %[[OR0:.*]] = arith.muli %[[ROW]], %[[NI]]
// CHECK: %[[OR:.*]] = arith.addi %[[OR0]], %[[COL]]
// CHECK: %[[OR64:.*]] = arith.index_cast %[[OR]] : index to i64
// CHECK: llvm.getelementptr %[[RES]][%[[OR64]]] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, f16
// CHECK: %[[RH:.*]] = llvm.load
// CHECK: %[[RV:.*]] = arith.extf %[[RH]] : f16 to f32
// CHECK: %[[V3:.*]] = arith.addf %[[V2]], %[[RV]] : f32
// CHECK: %[[OUT:.*]] = arith.truncf %[[V3]] : f32 to bf16
// CHECK: llvm.store %[[OUT]]
bi.kernel @epilogue(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
                    %bias: memref<?xf32> {bi.axes = ["N"]},
                    %h: memref<?x?xf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xf32> activation relu residual %h : memref<?x?xf16>
      order #bi.order<fold = seq>
  bi.return
}

// silu is v / (1 + exp(-v)); exp and the division stay math ops for
// bi-lower-math, which reads the contract's fn = fast from bi.math.
// CHECK-LABEL: gpu.module @silu
// CHECK: bi.math = #bi.math<fma = on, fn = fast>
// CHECK: %[[TOTAL:.*]] = scf.for
// CHECK: %[[NEG:.*]] = arith.negf %[[TOTAL]] : f32
// CHECK: %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK: %[[V:.*]] = arith.divf %[[TOTAL]], %[[D]] : f32
// CHECK: arith.truncf %[[V]] : f32 to f16
bi.kernel @silu(%x: memref<?x?xf32> {bi.axes = ["M", "K"]},
                %w: memref<?x?xf32> {bi.axes = ["N", "K"]},
                %y: memref<?x?xf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] math #bi.math<fma = off, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xf32>, memref<?x?xf32> -> memref<?x?xf16> over "K"
      activation silu
      order #bi.order<chunk = 64, fma = on, fn = fast>
  bi.return
}
