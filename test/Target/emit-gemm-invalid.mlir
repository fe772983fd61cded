// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-emit-cuda -o /dev/null
//
// What the Hopper lowering of bi.matmul cannot take is an error on the op.

bi.kernel @too_wide(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                    %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                    %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{cannot run on the Hopper lowering: blockM 256 with serial chunks needs blockN 128 and neither range nor tile pairs}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 256, block_n = 64, stages = 3,
                                   chunks = serial>
  bi.return
}

// -----

// 128 x 256 serial tiles keep half of each running total in shared
// memory: with four stages those do not fit.
bi.kernel @wide_rows_too_deep(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                              %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                              %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{cannot run on the Hopper lowering: the stages and the running totals past the registers need 263248 bytes of shared memory; at most 232448 fit (fewer stages)}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 256, block_n = 128, stages = 4,
                                   chunks = serial>
  bi.return
}
