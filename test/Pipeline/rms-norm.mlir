// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t" -o %t/out.mlir
// RUN: FileCheck %s --input-file=%t/rms_norm.ptx
// RUN: FileCheck %s --check-prefix=BINARY --input-file=%t/out.mlir
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx="threads=64 rows=4" --bi-export-binary="dir=%t/forced" -o /dev/null
// RUN: FileCheck %s --check-prefix=FORCED --input-file=%t/forced/rms_norm.ptx
// RUN: bi-opt %kernels/rms_norm.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t/dynamic" -o /dev/null
// RUN: FileCheck %s --check-prefix=DYNAMIC --input-file=%t/dynamic/rms_norm.ptx
//
// RMSNorm through the whole pipeline: the PTX has the structure the contract
// implies and nothing else.

// CHECK: .target sm_90a
// CHECK-LABEL: .visible .entry rms_norm(
// CHECK: .maxntid 256, 1, 1
// Every lane folds 2 x 8 elements with fused multiply-adds, in order, from
// 16-byte read-only vector loads of x.
// CHECK: ld.global.nc.v4.b32
// CHECK-COUNT-8: fma.rn.f32
// CHECK: ld.global.nc.v4.b32
// CHECK-COUNT-8: fma.rn.f32
// CHECK-NOT: fma.rn.f32
// The pairwise tree over lanes: 5 butterfly steps in a warp, then 8 warps.
// CHECK-COUNT-5: shfl.sync.bfly.b32
// CHECK: bar.sync
// CHECK-COUNT-7: add.rn.f32
// Portable math: mean by a correctly rounded division, 1/sqrt correctly
// rounded in two steps.
// CHECK: div.rn.f32
// CHECK: sqrt.rn.f32
// CHECK: div.rn.f32
// The stores reuse the x vectors already in registers: only the weight is
// read again, so every byte of x is read once.
// CHECK: ld.global.nc.v4.b32
// CHECK: st.global.v4.b32
// CHECK: ld.global.nc.v4.b32
// CHECK: st.global.v4.b32
// CHECK-NOT: ld.global
// CHECK-NOT: atom.
// CHECK-NOT: red.
// CHECK-NOT: approx

// BINARY: gpu.binary @rms_norm {{ *}}[#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, {{.*}}assembly = "

// A forced schedule changes the launch shape, never the contract's tree.
// FORCED: .maxntid 64, 4, 1
// FORCED-COUNT-5: shfl.sync.bfly.b32
// FORCED-NOT: atom.

// With a run-time extent, the fold loop is bounded by H alone.
// DYNAMIC-LABEL: .visible .entry rms_norm(
// DYNAMIC: .param .u64 rms_norm_param_5
// DYNAMIC: fma.rn.f32
// DYNAMIC-NOT: atom.
