// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-check-lowerable
// RUN: not bi-opt %kernels/gemm.mlir --bi-lower-to-ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: bi-opt %kernels/gemm_fma.mlir --bi-check-lowerable -o /dev/null
//
// bi-lower-to-gpu lowers one row program or one CUDA-core bi.matmul per
// kernel: anything else is refused by name rather than dropped or reported
// as a missing row program.

// PIPELINE: error: 'bi.matmul' op with unit 'wgmma.m64nNk16' is not lowered by bi-lower-to-gpu yet; the NVRTC backend (bi-emit-cuda) generates it, and a contract without 'unit' (the CUDA-core variant) lowers here

bi.kernel @wgmma(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                 %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                 %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{'bi.matmul' op with unit 'wgmma.m64nNk16' is not lowered by bi-lower-to-gpu yet}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 256, step = 16, unit = wgmma.m64nNk16>
  bi.return
}

// -----

// The CUDA-core variant passes.
bi.kernel @cuda_core(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                     %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                     %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// Next to a row program, which bi-lower-to-gpu would lower alone.
bi.kernel @gemm_and_rows(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                         %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                         %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
                         %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction = 1024>] {
  // expected-error @+1 {{'bi.matmul' op must be the only operation of its kernel to be lowered to the GPU; fusing row programs or other products into a GEMM is not supported}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 256>
  bi.map_rows %row over "M" row "K" {
    %xr = bi.load_row %a[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %sum = bi.reduce add %xr : tensor<?xbf16> -> f32 over "K"
        order #bi.order<lanes = 128, vector = 8, combine = seq>
    bi.store_scalar %sum, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// Row programs pass.
bi.kernel @rows(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 32, combine = tree>
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// Two products in one kernel.
bi.kernel @two_products(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                        %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                        %c: memref<?x?xbf16> {bi.axes = ["M", "N"]},
                        %d: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{'bi.matmul' op must be the only operation of its kernel}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 256>
  bi.matmul %a, %b into %d : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 256>
  bi.return
}
