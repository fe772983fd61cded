// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/gemm.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --input-file=%t/gemm.ptx
// RUN: bi-opt %S/Inputs/wgmma-schedules.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=N64M64 --input-file=%t/gemm_n64m64s6.ptx
// RUN: FileCheck %s --check-prefix=N128M192 --input-file=%t/gemm_n128m192s4.ptx
// RUN: FileCheck %s --check-prefix=N192M128 --input-file=%t/gemm_n192m128s5.ptx
// RUN: FileCheck %s --check-prefix=N64M8 --input-file=%t/gemm_n64m8s14.ptx
// RUN: bi-opt %S/Inputs/wgmma-split-schedules.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=SPLIT --input-file=%t/gemm_n64m8s8split.ptx
// RUN: FileCheck %s --check-prefix=SPLIT128 --input-file=%t/gemm_n128m128s5split.ptx
// RUN: bi-opt %kernels/gemm.mlir --bi-lower-to-ptx --mlir-print-ir-before=gpu-module-to-binary -o /dev/null 2>&1 | FileCheck %s --check-prefix=NVVM
//
// The wgmma GEMM through bi-lower-to-ptx (nvgpu -> NVVM -> PTX for sm_90a),
// with the invariance analysis passing on bi IR, the GPU dialect and
// LLVM/NVVM; every serial schedule lowers (Inputs/wgmma-schedules.mlir),
// and every split one (Inputs/wgmma-split-schedules.mlir).

// The generator's ABI: the tensor maps of a and b as 128-byte,
// 64-byte-aligned by-value parameters whose address TMA reads.
// CHECK: .target sm_90a
// CHECK-LABEL: .visible .entry bi_gemm_main(
// CHECK-NEXT: .param .align 64 .b8 bi_gemm_main_param_0[128],
// CHECK-NEXT: .param .align 64 .b8 bi_gemm_main_param_1[128],
// CHECK-NEXT: .param .u64 .ptr .global .align 1 bi_gemm_main_param_2,
// CHECK-NEXT: .param .u64 .ptr .global .align 1 bi_gemm_main_param_3,
// CHECK-NEXT: .param .u64 .ptr .global .align 1 bi_gemm_main_param_4,
// CHECK-NEXT: .param .u64 .ptr .global .align 1 bi_gemm_main_param_5,
// CHECK-NEXT: .param .u64 .ptr .global .align 1 bi_gemm_main_param_6,
// CHECK-NEXT: .param .u32 bi_gemm_main_param_7,
// CHECK-NEXT: .param .u32 bi_gemm_main_param_8,
// CHECK-NEXT: .param .u32 bi_gemm_main_param_9
// CHECK-NEXT: )
// CHECK-NEXT: .maxntid 384, 1, 1
// CHECK-DAG: cvta.param.u64
// CHECK-DAG: fence.mbarrier_init.release.cluster;
// CHECK-DAG: setmaxnreg.dec.sync.aligned.u32 40;
// CHECK-DAG: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// CHECK-DAG: mbarrier.try_wait.parity.shared.b64
// CHECK-DAG: setmaxnreg.inc.sync.aligned.u32 232;
// The chunk's first k-step with scale-d = 0 (the predicate is false), the
// others with 1; both operands K-major (trans-a = trans-b = 0).
// CHECK-DAG: setp.ne.b32 p, 0, 0;
// CHECK-DAG: setp.ne.b32 p, 1, 0;
// CHECK-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// CHECK-DAG: wgmma.commit_group.sync.aligned;
// CHECK-DAG: wgmma.wait_group.sync.aligned 0;
// CHECK-DAG: cvt.rn.bf16.f32
// CHECK-NOT: atom.

// N64M64: .maxntid 256, 1, 1
// N64M64: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// N128M192: .maxntid 384, 1, 1
// N128M192: wgmma.mma_async.sync.aligned.m64n192k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// Three consumer warpgroups share the SM's registers: 40 for the
// producer, 152 for each consumer (128 x 40 + 384 x 152 <= 64K).
// N192M128: .maxntid 512, 1, 1
// N192M128-DAG: setmaxnreg.dec.sync.aligned.u32 40;
// N192M128-DAG: setmaxnreg.inc.sync.aligned.u32 152;
// N192M128-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// A deep ring for small batches: fourteen stages of 64 x 8 tiles, whole K.
// N64M8: .maxntid 256, 1, 1
// N64M8: wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// A split schedule: its chunk's partial to the workspace, a barrier of the
// consumers (barrier 1), a fence and the tile's count, then the sum of all
// the partials read past L1.
// SPLIT: .maxntid 256, 1, 1
// SPLIT: wgmma.mma_async.sync.aligned.m64n8k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// SPLIT: st.global.b32
// SPLIT: bar.sync 1, 128;
// SPLIT: membar.gl;
// SPLIT: atom.global.add.u32
// SPLIT: bar.sync 1, 128;
// SPLIT: membar.gl;
// SPLIT: ld.volatile.global.b32
// SPLIT128: .maxntid 384, 1, 1
// SPLIT128: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// SPLIT128: bar.sync 1, 256;
// SPLIT128: atom.global.add.u32

// At the LLVM level the tensor maps are byval grid constants, and the
// accumulator fragment is a loop-carried struct the analysis checks.
// NVVM-LABEL: llvm.func @bi_gemm_main(
// NVVM-SAME: %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<16 x i64>, nvvm.grid_constant}, %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<16 x i64>, nvvm.grid_constant}
// NVVM-SAME: bi.arg_dims = ["", "", "", "", "", "", "", "batch:M", "parallel:N", "reduction:K"]
// NVVM: ^bb{{[0-9]+}}({{.*}}!llvm.struct<(f32,
