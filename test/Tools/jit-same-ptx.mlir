// REQUIRES: cuda-toolkit
// RUN: rm -rf %t && mkdir -p %t
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-lower-to-ptx --bi-export-binary="dir=%t" -o /dev/null
// RUN: bi-jit rms_norm --dims H=4096 --print code > %t/jit.ptx
// RUN: diff %t/rms_norm.ptx %t/jit.ptx
// RUN: bi-opt %kernels/softmax.mlir --bi-specialize="dims=N=1024" --bi-lower-to-ptx="threads=64 rows=2" --bi-export-binary="dir=%t" -o /dev/null
// RUN: bi-jit softmax --dims N=1024 --threads 64 --rows 2 --print code > %t/jit-softmax.ptx
// RUN: diff %t/softmax.ptx %t/jit-softmax.ptx
// RUN: bi-jit rms_norm --dims H=4096 --print fingerprint > %t/jit.fp
// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-fingerprint=print -o /dev/null | awk '{print $3}' > %t/opt.fp
// RUN: diff %t/opt.fp %t/jit.fp
// RUN: FileCheck %s --check-prefix=FP --input-file=%t/jit.fp
// RUN: bi-jit rms_norm --dims H=4096 | FileCheck %s --check-prefix=SIG
// RUN: not bi-jit rms_norm --dims M=3 2>&1 | FileCheck %s --check-prefix=BATCH
//
// The JIT runs the registered pipeline: its PTX is bi-opt's, byte for byte.

// FP: {{^[0-9a-f]{16}$}}
// SIG: kernel rms_norm fingerprint {{[0-9a-f]+}} block 256x1
// SIG-NEXT: arg0: buffer bf16 M H
// SIG-NEXT: arg1: buffer bf16 H
// SIG-NEXT: arg2: buffer bf16 M H (output)
// SIG-NEXT: arg3: f32
// SIG-NEXT: dim M batch dynamic
// SIG-NEXT: dim H reduction 4096
// BATCH: bi-jit: error: kernel 'rms_norm.mlir' failed verification
// BATCH: error: 'bi.kernel' op cannot specialise batch dimension 'M': its extent follows the load
