// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-lower-to-gpu

bi.kernel @unscheduled(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                       %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 64>] {
  // expected-error @+1 {{has no schedule; run --bi-schedule before --bi-lower-to-gpu}}
  bi.map_rows %row over "M" row "H" {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 32, combine = tree>
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// expected-error @+1 {{has 2 row programs; the GPU lowering takes exactly one per kernel}}
bi.kernel @two(%x: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 64>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
  }
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
  }
  bi.return
}

// -----

bi.kernel @dynamic_param(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                         %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %h = bi.dim "H" : index
    %c64 = arith.constant 64 : index
    %l = arith.divui %h, %c64 : index
    // expected-error @+1 {{has contract parameters written '?'; specialise the kernel (--bi-specialize)}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = ?, combine = seq> (%l)
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

bi.kernel @chunked(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                   %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 4096>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{row reductions with 'chunk' or a hardware 'unit' are not lowered yet}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = 1024, lanes = 32, combine = tree>
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

bi.kernel @ragged(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                  %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 100>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{row extent 100 is not a multiple of the contract's vector width 8}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 32, vector = 8, combine = tree>
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

bi.kernel @wide(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %s: memref<?xf64> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 64>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{lowering needs an f32 or i32 accumulator, got 'f64'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f64 over "H" order #bi.order<lanes = 32, combine = tree>
    bi.store_scalar %t, %s[%row] : f64, memref<?xf64>
  }
  bi.return
}

// -----

bi.kernel @too_many_lanes(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                          %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 4096>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 2, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{schedule gives each thread 128 lanes of this contract; at most 32 are lowered (use at least 8 threads per row)}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 256, combine = tree>
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// bi-lower-to-gpu applies bi-check-lowerable's rules itself: a cluster
// schedule is NVRTC-only.
bi.kernel @wgmma_cluster(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                         %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                         %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{'bi.matmul' op schedule n128m64s6cluster adds the chunk partials of a thread-block cluster in distributed shared memory, which bi-lower-to-gpu does not lower yet}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 1024, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 6, chunks = cluster>
  bi.return
}
