// REQUIRES: cuda-toolkit
// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-schedule --bi-emit-cuda="dir=%t cubin" -o /dev/null
// RUN: bi-opt %kernels/fused_add_rms_norm.mlir --bi-specialize="dims=H=4096" --bi-schedule --bi-emit-cuda="dir=%t cubin" -o /dev/null
// RUN: bi-opt %kernels/row_sum.mlir --bi-specialize="dims=H=4096" --bi-schedule --bi-emit-cuda="dir=%t cubin" -o /dev/null
// RUN: bi-opt %kernels/row_mean.mlir --bi-schedule --bi-emit-cuda="dir=%t cubin" -o /dev/null
// RUN: bi-opt %kernels/softmax.mlir --bi-specialize="dims=N=4096" --bi-schedule="threads=64 rows=4" --bi-emit-cuda="dir=%t cubin chip=sm_90a" -o /dev/null
// RUN: od -An -c -N4 %t/rms_norm.nvrtc.cubin | FileCheck %s --check-prefix=ELF
// RUN: od -An -c -N4 %t/fused_add_rms_norm.nvrtc.cubin | FileCheck %s --check-prefix=ELF
// RUN: od -An -c -N4 %t/row_sum.nvrtc.cubin | FileCheck %s --check-prefix=ELF
// RUN: od -An -c -N4 %t/row_mean.nvrtc.cubin | FileCheck %s --check-prefix=ELF
// RUN: od -An -c -N4 %t/softmax.nvrtc.cubin | FileCheck %s --check-prefix=ELF
// RUN: FileCheck %s --check-prefix=SOURCE --input-file=%t/softmax.cu
//
// Every built-in kernel's CUDA C++ compiles in-process with NVRTC to an
// sm_90a ELF cubin, next to its source.
// ELF: 177   E   L   F
// SOURCE: extern "C" __global__ void __launch_bounds__(256)
// SOURCE-NEXT: softmax(

// The same kernel through both backends: the NVVM path's cubin (nvJitLink)
// and the NVRTC one are both CUDA ELF objects (e_machine EM_CUDA = 190),
// built for the same ABI from the same schedule.
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t cubin" -o /dev/null
// RUN: od -An -c -N4 %t/rms_norm.cubin | FileCheck %s --check-prefix=ELF
// RUN: od -An -tu2 -j18 -N2 %t/rms_norm.cubin | FileCheck %s --check-prefix=CUDA
// RUN: od -An -tu2 -j18 -N2 %t/rms_norm.nvrtc.cubin | FileCheck %s --check-prefix=CUDA
// CUDA: 190

// NVRTC's own diagnostics come back in full.
// RUN: not bi-opt %kernels/row_sum.mlir --bi-schedule --bi-emit-cuda="dir=%t/bad cubin chip=sm_1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADCHIP
// BADCHIP: error: cannot compile the CUDA C++ of 'row_sum' with NVRTC: NVRTC compilation of 'row_sum.cu' failed: NVRTC_ERROR_INVALID_OPTION
