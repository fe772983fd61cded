// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-emit-cuda -o /dev/null
//
// What the Hopper lowering of bi.matmul cannot take is an error on the op.

bi.kernel @too_wide(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{cannot run on the Hopper lowering: blockM must be at most 192 when chunks run serially}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 256, block_n = 128, stages = 3,
                                   chunks = serial>
  bi.return
}
