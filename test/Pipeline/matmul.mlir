// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/gemm_fma.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=FMA --input-file=%t/gemm_fma.ptx
// RUN: bi-opt %s --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=NOFMA --input-file=%t/gemm_mul_add.ptx
// RUN: bi-opt %kernels/gemm_fma.mlir --bi-lower-to-ptx --mlir-print-ir-before=gpu-module-to-binary -o /dev/null 2>&1 | FileCheck %s --check-prefix=NVVM
//
// The CUDA-core GEMM through bi-lower-to-ptx: sm_90a PTX with the launch
// ABI of the CUDA generator's bi_gemm_fma, and the invariance analysis
// passing at all three levels (the pipeline fails otherwise).

// FMA: .target sm_90a
// FMA-LABEL: .visible .entry bi_gemm_fma(
// a, b, c, bias, residual; M, N, K; lda, ldb.
// FMA-COUNT-5: .param .u64 .ptr .global .align 1 bi_gemm_fma_param_{{[0-4]}},
// FMA-NEXT: .param .u32 bi_gemm_fma_param_5,
// FMA-NEXT: .param .u32 bi_gemm_fma_param_6,
// FMA-NEXT: .param .u32 bi_gemm_fma_param_7,
// FMA-NEXT: .param .u64 bi_gemm_fma_param_8,
// FMA-NEXT: .param .u64 bi_gemm_fma_param_9
// FMA-NEXT: )
// FMA-NEXT: .maxntid 128, 1, 1
// The k loop: read-only loads, exact widening, one pinned fma per k. The
// chunk partials: the first taken as it is, the others added (LLVM places
// that block before the k loop).
// FMA-DAG: ld.global.nc.b16
// FMA-DAG: cvt.f32.bf16
// FMA-DAG: fma.rn.f32
// FMA-DAG: add.rn.f32
// FMA-DAG: selp.f32
// FMA: cvt.rn.bf16.f32
// FMA: st.global.b16
// FMA-NOT: atom.
// FMA-NOT: mul.rn.f32

// fma = off: a rounded product and a rounded sum per k, never contracted.
// The entry has the generator's name whatever the kernel's; the file has
// the kernel's.
// NOFMA-LABEL: .visible .entry bi_gemm_fma(
// NOFMA-NOT: fma.rn.f32
// NOFMA: mul.rn.f32
// NOFMA-NEXT: add.rn.f32
// NOFMA-NOT: fma.rn.f32
// NOFMA-NOT: atom.
bi.kernel @gemm_mul_add(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                        %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                        %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = off, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 128, chunk_combine = seq>
  bi.return
}

// What the analysis reads at the LLVM level, where argument attributes are
// gone: the extent kinds in bi.arg_dims, and CFG loops.
// NVVM-LABEL: llvm.func @bi_gemm_fma(
// NVVM-SAME: bi.arg_dims = ["", "", "", "", "", "batch:M", "parallel:N", "reduction:K", "", ""]
// NVVM: llvm.cond_br
