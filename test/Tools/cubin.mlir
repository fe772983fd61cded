// REQUIRES: cuda-toolkit
// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t cubin" -o /dev/null
// RUN: od -An -c -N4 %t/rms_norm.cubin | FileCheck %s --check-prefix=ELF
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/rms_norm.ptx
// RUN: bi-opt %kernels/gemm_fma.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t cubin" -o /dev/null
// RUN: od -An -c -N4 %t/gemm_fma.cubin | FileCheck %s --check-prefix=ELF
// RUN: bi-opt %kernels/gemm.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t cubin" -o /dev/null
// RUN: od -An -c -N4 %t/gemm.cubin | FileCheck %s --check-prefix=ELF
// RUN: bi-opt %S/../Pipeline/Inputs/wgmma-schedules.mlir --bi-lower-to-ptx --bi-export-binary="dir=%t/schedules cubin" -o /dev/null
// RUN: head -q -c 4 %t/schedules/*.cubin | od -An -v -w4 -c | FileCheck %s --check-prefix=SERIAL
//
// nvJitLink assembles the PTX into an sm_90a ELF cubin in-process (a row
// kernel, the CUDA-core GEMM and the wgmma GEMM, the latter for every
// serial schedule).
// ELF: 177   E   L   F
// PTX: .target sm_90a
// SERIAL-COUNT-13: 177   E   L   F
// SERIAL-NOT: {{.}}
