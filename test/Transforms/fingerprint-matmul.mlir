// RUN: bi-opt %s --bi-fingerprint=print -o /dev/null | FileCheck %s
//
// bi.matmul in the fingerprint: its contract, epilogue and storage types
// decide bits and change it; a schedule, a name, SSA names and spelled-out
// defaults do not. Every kernel has the same signature, so only the op
// differs.

// CHECK: bi.fingerprint @base [[FP:[0-9a-f]{16}]]
bi.kernel @base(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// Same semantics: a schedule, other names, `activation none` and every
// contract default spelled out.
// CHECK: bi.fingerprint @rescheduled [[FP]]{{$}}
bi.kernel @rescheduled(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      activation none
      order #bi.order<chunk = 1024, chunk_combine = seq, lanes = 1, vector = 1, fold = seq, combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 8, chunks = split>
  bi.return
}

// CHECK: bi.fingerprint @other_chunk
// CHECK-NOT: [[FP]]
bi.kernel @other_chunk(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 2048, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// The CUDA-core variant of the same chunks.
// CHECK: bi.fingerprint @no_unit
// CHECK-NOT: [[FP]]
bi.kernel @no_unit(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 1024, chunk_combine = seq>
  bi.return
}

// CHECK: bi.fingerprint @relu
// CHECK-NOT: [[FP]]
bi.kernel @relu(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" activation relu
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// CHECK: bi.fingerprint @silu
// CHECK-NOT: [[FP]]
bi.kernel @silu(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" activation silu
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// CHECK: bi.fingerprint @with_bias
// CHECK-NOT: [[FP]]
bi.kernel @with_bias(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" bias %bias : memref<?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// CHECK: bi.fingerprint @f32_output
// CHECK-NOT: [[FP]]
bi.kernel @f32_output(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c32 : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xf32> over "K"
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// CHECK: bi.fingerprint @fma_off
// CHECK-NOT: [[FP]]
bi.kernel @fma_off(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %c32: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16, fma = off>
  bi.return
}
// CHECK-NOT: [[FP]]
