// RUN: rm -rf %t && mkdir -p %t
// RUN: env BI_CUDA_PATH=%t/no-cuda-here not bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t cubin" -o /dev/null 2>&1 | FileCheck %s
// RUN: env BI_CUDA_PATH=%t/no-cuda-here bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/rms_norm.ptx
//
// Without a CUDA toolkit, assembling a cubin fails with a message that says
// what was tried and what to do; PTX needs no toolkit at all.
// CHECK: error: cannot assemble a cubin for 'rms_norm': cannot load libnvJitLink.so.13 from the CUDA toolkit; tried:
// CHECK: no-cuda-here/lib64/libnvJitLink.so.13
// CHECK: install the CUDA 13 toolkit or point BI_CUDA_PATH at it
// PTX: .target sm_90a
