// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-verify-invariance
// RUN: not bi-opt %s -split-input-file --pass-pipeline="builtin.module(convert-scf-to-cf,gpu.module(convert-gpu-to-nvvm{index-bitwidth=64}),reconcile-unrealized-casts,bi-verify-invariance)" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NVVM
//
// The invariance analysis on the lowered CUDA-core GEMM (what
// bi-lower-to-gpu makes of lib/Kernels/gemm_fma.mlir), and on mutations of
// it that make the K order depend on the batch: the bound of the k loop
// taken from M, and a split-K whose chunk size follows M. The first RUN
// line checks the GPU dialect; the second converts the same code to
// LLVM/NVVM, where the loops are CFG loops and the extents are known only
// from bi.arg_dims, and checks that the analysis accepts and rejects the
// same kernels there.

// Accepted: as lowered. The chunk loop runs from 0 to K in steps of 256,
// the k loop over [begin, min(K, begin + 256)); M is never used.
// NVVM-NOT: error:
gpu.module @lowered {
  gpu.func @bi_gemm_fma(%a: !llvm.ptr<1> {llvm.noalias}, %b: !llvm.ptr<1> {llvm.noalias},
                        %c: !llvm.ptr<1> {llvm.noalias}, %bias: !llvm.ptr<1> {llvm.noalias},
                        %res: !llvm.ptr<1> {llvm.noalias},
                        %m32: i32 {bi.dim = "M", bi.dim_kind = "batch"},
                        %n32: i32 {bi.dim = "N", bi.dim_kind = "parallel"},
                        %k32: i32 {bi.dim = "K", bi.dim_kind = "reduction"},
                        %lda: i64 {bi.row_stride_of = 0 : i64},
                        %ldb: i64 {bi.row_stride_of = 1 : i64}) kernel
      attributes {bi.arg_dims = ["", "", "", "", "", "batch:M", "parallel:N", "reduction:K", "", ""],
                  known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %zero = arith.constant 0.0 : f32
    %tx = gpu.thread_id x
    %bx = gpu.block_id x
    %row = gpu.block_id y
    %n0 = arith.muli %bx, %c128 : index
    %col = arith.addi %n0, %tx : index
    %ni = arith.index_cast %n32 : i32 to index
    %in = arith.cmpi ult, %col, %ni : index
    scf.if %in {
      %ldai = arith.index_cast %lda : i64 to index
      %ldbi = arith.index_cast %ldb : i64 to index
      %ki = arith.index_cast %k32 : i32 to index
      %rowa = arith.muli %row, %ldai : index
      %rowb = arith.muli %col, %ldbi : index
      %total = scf.for %begin = %c0 to %ki step %c256 iter_args(%sum = %zero) -> (f32) {
        %end0 = arith.addi %begin, %c256 : index
        %end = arith.minui %ki, %end0 : index
        %partial = scf.for %k = %begin to %end step %c1 iter_args(%acc = %zero) -> (f32) {
          %oa = arith.addi %rowa, %k : index
          %oa64 = arith.index_cast %oa : index to i64
          %pa = llvm.getelementptr %a[%oa64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
          %xa = llvm.load %pa invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
          %x = arith.extf %xa : bf16 to f32
          %ob = arith.addi %rowb, %k : index
          %ob64 = arith.index_cast %ob : index to i64
          %pb = llvm.getelementptr %b[%ob64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
          %yb = llvm.load %pb invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
          %y = arith.extf %yb : bf16 to f32
          %next = math.fma %x, %y, %acc : f32
          scf.yield %next : f32
        }
        %first = arith.cmpi eq, %begin, %c0 : index
        %added = arith.addf %sum, %partial : f32
        %pick = arith.select %first, %partial, %added : f32
        scf.yield %pick : f32
      }
      %out = arith.truncf %total : f32 to bf16
      %oc0 = arith.muli %row, %ni : index
      %oc = arith.addi %oc0, %col : index
      %oc64 = arith.index_cast %oc : index to i64
      %pc = llvm.getelementptr %c[%oc64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
      llvm.store %out, %pc {alignment = 2 : i64} : bf16, !llvm.ptr<1>
    }
    gpu.return
  }
}

// -----

// Mutated: the k loop ends at min(M, begin + 256), as if a typo had put M
// where K belongs. Rows would then sum a number of products that depends on
// the batch.
gpu.module @k_bound_from_m {
  gpu.func @bi_gemm_fma(%a: !llvm.ptr<1> {llvm.noalias}, %b: !llvm.ptr<1> {llvm.noalias},
                        %c: !llvm.ptr<1> {llvm.noalias}, %bias: !llvm.ptr<1> {llvm.noalias},
                        %res: !llvm.ptr<1> {llvm.noalias},
                        %m32: i32 {bi.dim = "M", bi.dim_kind = "batch"},
                        %n32: i32 {bi.dim = "N", bi.dim_kind = "parallel"},
                        %k32: i32 {bi.dim = "K", bi.dim_kind = "reduction"},
                        %lda: i64 {bi.row_stride_of = 0 : i64},
                        %ldb: i64 {bi.row_stride_of = 1 : i64}) kernel
      attributes {bi.arg_dims = ["", "", "", "", "", "batch:M", "parallel:N", "reduction:K", "", ""],
                  known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %c256 = arith.constant 256 : index
    %zero = arith.constant 0.0 : f32
    %tx = gpu.thread_id x
    %bx = gpu.block_id x
    %row = gpu.block_id y
    %n0 = arith.muli %bx, %c128 : index
    %col = arith.addi %n0, %tx : index
    %ni = arith.index_cast %n32 : i32 to index
    %in = arith.cmpi ult, %col, %ni : index
    scf.if %in {
      %ldai = arith.index_cast %lda : i64 to index
      %ldbi = arith.index_cast %ldb : i64 to index
      %ki = arith.index_cast %k32 : i32 to index
      %mi = arith.index_cast %m32 : i32 to index
      %rowa = arith.muli %row, %ldai : index
      %rowb = arith.muli %col, %ldbi : index
      %total = scf.for %begin = %c0 to %ki step %c256 iter_args(%sum = %zero) -> (f32) {
        %end0 = arith.addi %begin, %c256 : index
        %end = arith.minui %mi, %end0 : index
        // NVVM: matmul.mlir:[[@LINE+2]]:20: error: floating-point accumulation whose exit condition depends on batch extent 'M' (via 'llvm.icmp' <- 'llvm.intr.umin' <- 'llvm.sext' <- block argument #5)
        // expected-error @+1 {{floating-point accumulation whose upper bound depends on batch extent 'M' (via 'arith.minui' <- 'arith.index_cast' <- block argument #5); rule: accumulation order may depend only on reduction extents and constants}}
        %partial = scf.for %k = %begin to %end step %c1 iter_args(%acc = %zero) -> (f32) {
          %oa = arith.addi %rowa, %k : index
          %oa64 = arith.index_cast %oa : index to i64
          %pa = llvm.getelementptr %a[%oa64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
          %xa = llvm.load %pa invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
          %x = arith.extf %xa : bf16 to f32
          %ob = arith.addi %rowb, %k : index
          %ob64 = arith.index_cast %ob : index to i64
          %pb = llvm.getelementptr %b[%ob64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
          %yb = llvm.load %pb invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
          %y = arith.extf %yb : bf16 to f32
          %next = math.fma %x, %y, %acc : f32
          scf.yield %next : f32
        }
        %first = arith.cmpi eq, %begin, %c0 : index
        %added = arith.addf %sum, %partial : f32
        %pick = arith.select %first, %partial, %added : f32
        scf.yield %pick : f32
      }
      %out = arith.truncf %total : f32 to bf16
      %oc0 = arith.muli %row, %ni : index
      %oc = arith.addi %oc0, %col : index
      %oc64 = arith.index_cast %oc : index to i64
      %pc = llvm.getelementptr %c[%oc64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
      llvm.store %out, %pc {alignment = 2 : i64} : bf16, !llvm.ptr<1>
    }
    gpu.return
  }
}

// -----

// Mutated: the split-K bug the contract exists to prevent. The chunk size
// is K / splits with splits = ceil(1024 / M), so small batches cut K into
// more, smaller chunks than large ones. Both the chunk loop's step and the
// k loop's bound follow M.
gpu.module @split_from_m {
  gpu.func @bi_gemm_fma(%a: !llvm.ptr<1> {llvm.noalias}, %b: !llvm.ptr<1> {llvm.noalias},
                        %c: !llvm.ptr<1> {llvm.noalias}, %bias: !llvm.ptr<1> {llvm.noalias},
                        %res: !llvm.ptr<1> {llvm.noalias},
                        %m32: i32 {bi.dim = "M", bi.dim_kind = "batch"},
                        %n32: i32 {bi.dim = "N", bi.dim_kind = "parallel"},
                        %k32: i32 {bi.dim = "K", bi.dim_kind = "reduction"},
                        %lda: i64 {bi.row_stride_of = 0 : i64},
                        %ldb: i64 {bi.row_stride_of = 1 : i64}) kernel
      attributes {bi.arg_dims = ["", "", "", "", "", "batch:M", "parallel:N", "reduction:K", "", ""],
                  known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c128 = arith.constant 128 : index
    %c1024 = arith.constant 1024 : index
    %zero = arith.constant 0.0 : f32
    %tx = gpu.thread_id x
    %bx = gpu.block_id x
    %row = gpu.block_id y
    %n0 = arith.muli %bx, %c128 : index
    %col = arith.addi %n0, %tx : index
    %ni = arith.index_cast %n32 : i32 to index
    %in = arith.cmpi ult, %col, %ni : index
    scf.if %in {
      %ldai = arith.index_cast %lda : i64 to index
      %ldbi = arith.index_cast %ldb : i64 to index
      %ki = arith.index_cast %k32 : i32 to index
      %mi = arith.index_cast %m32 : i32 to index
      %splits = arith.ceildivui %c1024, %mi : index
      %chunk = arith.ceildivui %ki, %splits : index
      %rowa = arith.muli %row, %ldai : index
      %rowb = arith.muli %col, %ldbi : index
      // NVVM: matmul.mlir:[[@LINE+2]]:16: error: floating-point accumulation whose exit condition depends on batch extent 'M' (via 'llvm.icmp' <- block argument #0 <- 'llvm.add' <- 'llvm.select'
      // expected-error @+1 {{floating-point accumulation whose step depends on batch extent 'M' (via 'arith.ceildivui' <- 'arith.ceildivui' <- 'arith.index_cast' <- block argument #5)}}
      %total = scf.for %begin = %c0 to %ki step %chunk iter_args(%sum = %zero) -> (f32) {
        %end0 = arith.addi %begin, %chunk : index
        %end = arith.minui %ki, %end0 : index
        // NVVM: matmul.mlir:[[@LINE+3]]:20: error: floating-point accumulation whose exit condition depends on batch extent 'M' (via 'llvm.icmp' <- block argument #0 <- block argument #0 <- 'llvm.add'
        // expected-error @+2 {{floating-point accumulation whose lower bound depends on batch extent 'M' (via block argument #0 <- 'arith.ceildivui'}}
        // expected-error @+1 {{floating-point accumulation whose upper bound depends on batch extent 'M' (via 'arith.minui' <- 'arith.addi' <- block argument #0 <- 'arith.ceildivui'}}
        %partial = scf.for %k = %begin to %end step %c1 iter_args(%acc = %zero) -> (f32) {
          %oa = arith.addi %rowa, %k : index
          %oa64 = arith.index_cast %oa : index to i64
          %pa = llvm.getelementptr %a[%oa64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
          %xa = llvm.load %pa invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
          %x = arith.extf %xa : bf16 to f32
          %ob = arith.addi %rowb, %k : index
          %ob64 = arith.index_cast %ob : index to i64
          %pb = llvm.getelementptr %b[%ob64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
          %yb = llvm.load %pb invariant {alignment = 2 : i64} : !llvm.ptr<1> -> bf16
          %y = arith.extf %yb : bf16 to f32
          %next = math.fma %x, %y, %acc : f32
          scf.yield %next : f32
        }
        %first = arith.cmpi eq, %begin, %c0 : index
        %added = arith.addf %sum, %partial : f32
        %pick = arith.select %first, %partial, %added : f32
        scf.yield %pick : f32
      }
      %out = arith.truncf %total : f32 to bf16
      %oc0 = arith.muli %row, %ni : index
      %oc = arith.addi %oc0, %col : index
      %oc64 = arith.index_cast %oc : index to i64
      %pc = llvm.getelementptr %c[%oc64] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, bf16
      llvm.store %out, %pc {alignment = 2 : i64} : bf16, !llvm.ptr<1>
    }
    gpu.return
  }
}
