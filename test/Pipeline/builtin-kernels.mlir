// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/fused_add_rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: bi-opt %kernels/row_sum.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: bi-opt %kernels/row_mean.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: bi-opt %kernels/softmax.mlir --bi-specialize="dims=N=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=FUSED --input-file=%t/fused_add_rms_norm.ptx
// RUN: FileCheck %s --check-prefix=SUM --input-file=%t/row_sum.ptx
// RUN: FileCheck %s --check-prefix=MEAN --input-file=%t/row_mean.ptx
// RUN: FileCheck %s --check-prefix=SOFTMAX --input-file=%t/softmax.ptx
//
// Every built-in kernel lowers to sm_90a PTX with its contract's structure.

// FUSED: .target sm_90a
// FUSED-LABEL: .entry fused_add_rms_norm(
// The residual sum is rounded to bf16 before it is squared (LLVM uses the
// native bf16 add: rounding the exact sum once equals rounding the f32 sum,
// since f32 has more than 2 * 8 + 2 bits).
// FUSED: add.rn.bf16x2
// FUSED: cvt.f32.bf16
// FUSED: fma.rn.f32
// FUSED-COUNT-5: shfl.sync.bfly.b32
// FUSED: bar.sync
// FUSED: sqrt.rn.f32
// FUSED-NOT: atom.

// Sequential combine: 128 lane partials gathered and folded left to right.
// SUM-LABEL: .entry row_sum(
// SUM: bar.sync
// SUM-COUNT-127: add.rn.f32
// SUM-NOT: shfl
// SUM-NOT: atom.

// MEAN-LABEL: .entry row_mean(
// MEAN: shfl.sync.bfly.b32
// MEAN: div.rn.f32
// MEAN-NOT: atom.

// Two reductions (max, then sum of exp) and the portable exp polynomial.
// SOFTMAX-LABEL: .entry softmax(
// SOFTMAX: max.NaN.f32
// SOFTMAX: shfl.sync.bfly.b32
// SOFTMAX: fma.rn.f32
// SOFTMAX: div.rn.f32
// SOFTMAX-NOT: ex2.approx
// SOFTMAX-NOT: atom.
