// RUN: bi-opt %s --bi-fingerprint=print -o /dev/null | FileCheck %s
// RUN: bi-opt %s --bi-fingerprint | FileCheck %s --check-prefix=ATTR
//
// The fingerprint hashes what decides bits. Schedule, name and location
// changes keep it; a contract, type, math or op change alters it.

// CHECK: bi.fingerprint @base [[FP:[0-9a-f]{16}]]
// ATTR-LABEL: bi.kernel @base
// ATTR-SAME: bi.fingerprint = "{{[0-9a-f]+}}"
bi.kernel @base(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// Same semantics: another name, another schedule, other SSA names and
// locations.
// CHECK: bi.fingerprint @rescheduled [[FP]]{{$}}
bi.kernel @rescheduled(%in: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                       %out: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %r over "M" row "H" schedule #bi.schedule<threads = 64, rows = 8> {
    %a = bi.load_row %in[%r] : memref<?x?xbf16> -> tensor<?xbf16>
    %b = arith.extf %a : tensor<?xbf16> to tensor<?xf32>
    %c = arith.mulf %b, %b : tensor<?xf32>
    %d = bi.reduce add %c : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, fold = seq, combine = tree>
    bi.store_scalar %d, %out[%r] : f32, memref<?xf32>
  }
  bi.return
}

// CHECK: bi.fingerprint @other_lanes
// CHECK-NOT: [[FP]]
bi.kernel @other_lanes(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                       %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 128, vector = 8, combine = tree>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// CHECK: bi.fingerprint @seq_combine
// CHECK-NOT: [[FP]]
bi.kernel @seq_combine(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                       %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = seq>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// CHECK: bi.fingerprint @no_fma
// CHECK-NOT: [[FP]]
bi.kernel @no_fma(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                  %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = off, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// The kernel's math mode counts even where a contract overrides it: the
// fingerprint may separate kernels that agree, never merge ones that differ.
// CHECK: bi.fingerprint @fma_in_contract
// CHECK-NOT: [[FP]]
bi.kernel @fma_in_contract(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                           %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = off, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree, fma = on>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// CHECK: bi.fingerprint @f16_input
// CHECK-NOT: [[FP]]
bi.kernel @f16_input(%x: memref<?x?xf16> {bi.axes = ["M", "H"]},
                     %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.map_rows %row over "M" row "H" {
    %xr = bi.load_row %x[%row] : memref<?x?xf16> -> tensor<?xf16>
    %xf = arith.extf %xr : tensor<?xf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    bi.store_scalar %ss, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
// CHECK-NOT: [[FP]]
