// RUN: bi-opt %s | bi-opt | FileCheck %s
// RUN: bi-opt %s -mlir-print-op-generic | bi-opt | FileCheck %s

// CHECK-LABEL: bi.kernel @rms_norm(
// CHECK-SAME: %[[X:[a-z0-9]+]]: memref<?x?xbf16> {bi.axes = ["M", "H"]}
// CHECK-SAME: %[[W:[a-z0-9]+]]: memref<?xbf16> {bi.axes = ["H"]}
// CHECK-SAME: %[[EPS:[a-z0-9]+]]: f32)
// CHECK-SAME: dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 4096>]
// CHECK-SAME: math #bi.math<fma = on, fn = portable>
bi.kernel @rms_norm(%x: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                    %w: memref<?xbf16> {bi.axes = ["H"]},
                    %y: memref<?x?xbf16> {bi.axes = ["M", "H"]},
                    %eps: f32)
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 4096>]
    math #bi.math<fma = on, fn = portable> {
  // CHECK: bi.map_rows %[[ROW:[a-z0-9]+]] over "M" row "H" schedule #bi.schedule<threads = 128, rows = 2> {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 128, rows = 2> {
    // CHECK: %[[XR:[a-z0-9]+]] = bi.load_row %[[X]][%[[ROW]]] : memref<?x?xbf16> -> tensor<?xbf16>
    %xr = bi.load_row %x[%row] : memref<?x?xbf16> -> tensor<?xbf16>
    %xf = arith.extf %xr : tensor<?xbf16> to tensor<?xf32>
    %sq = arith.mulf %xf, %xf : tensor<?xf32>
    // CHECK: bi.reduce add %{{.*}} : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 256, vector = 8, fold = seq, combine = tree>
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    // CHECK: bi.dim "H" : index
    %h = bi.dim "H" : index
    %hi = arith.index_cast %h : index to i64
    %hf = arith.uitofp %hi : i64 to f32
    %mean = arith.divf %ss, %hf : f32
    %ms = arith.addf %mean, %eps : f32
    %inv = math.rsqrt %ms : f32
    // CHECK: bi.load_row %[[W]][] : memref<?xbf16> -> tensor<?xbf16>
    %wr = bi.load_row %w[] : memref<?xbf16> -> tensor<?xbf16>
    %wf = arith.extf %wr : tensor<?xbf16> to tensor<?xf32>
    // CHECK: bi.broadcast %{{.*}} : f32 -> tensor<?xf32>
    %invb = bi.broadcast %inv : f32 -> tensor<?xf32>
    %n = arith.mulf %xf, %invb : tensor<?xf32>
    %o = arith.mulf %n, %wf : tensor<?xf32>
    %ob = arith.truncf %o : tensor<?xf32> to tensor<?xbf16>
    // CHECK: bi.store_row %{{.*}}, %{{.*}}[%[[ROW]]] : tensor<?xbf16>, memref<?x?xbf16>
    bi.store_row %ob, %y[%row] : tensor<?xbf16>, memref<?x?xbf16>
  }
  // CHECK: bi.return
  bi.return
}

// CHECK-LABEL: bi.kernel @contracts(
bi.kernel @contracts(%x: memref<?x?xf32> {bi.axes = ["M", "K"]},
                     %s: memref<?xf32> {bi.axes = ["M"]},
                     %i: memref<?x?xi32> {bi.axes = ["M", "K"]},
                     %si: memref<?xi32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"K" : reduction>] {
  bi.map_rows %row over "M" row "K" {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // CHECK: order #bi.order<chunk = 1024, chunk_combine = seq, lanes = 1, vector = 1, fold = seq, combine = seq, unit = wgmma.m64nNk16, step = 16>
    %a = bi.reduce add %v : tensor<?xf32> -> f32 over "K"
        order #bi.order<chunk = 1024, unit = wgmma.m64nNk16, step = 16>
    // CHECK: %[[K:[a-z0-9]+]] = bi.dim "K"
    // CHECK: %[[CHUNK:[a-z0-9]+]] = arith.divui %[[K]]
    // CHECK: order #bi.order<chunk = ?, chunk_combine = tree, lanes = 32, vector = 1, fold = seq, combine = tree, fma = off, fn = fast> (%[[CHUNK]])
    %k = bi.dim "K" : index
    %c4 = arith.constant 4 : index
    %chunk = arith.divui %k, %c4 : index
    %b = bi.reduce add %v : tensor<?xf32> -> f32 over "K"
        order #bi.order<chunk = ?, chunk_combine = tree, lanes = 32, combine = tree, fma = off, fn = fast> (%chunk)
    // CHECK: bi.reduce max {{.*}} fastmath <nnan>
    %m = bi.reduce max %v : tensor<?xf32> -> f32 over "K"
        order #bi.order<lanes = 64, combine = tree> fastmath #arith.fastmath<nnan>
    // CHECK: bi.reduce min {{.*}} tensor<?xf32> -> f64 over "K"
    %n = bi.reduce min %v : tensor<?xf32> -> f64 over "K"
        order #bi.order<lanes = 8, combine = seq>
    // Integer reductions are associative and need no contract.
    // CHECK: bi.reduce add %{{.*}} : tensor<?xi32> -> i32 over "K"{{ *$}}
    %iv = bi.load_row %i[%row] : memref<?x?xi32> -> tensor<?xi32>
    %is = bi.reduce add %iv : tensor<?xi32> -> i32 over "K"
    %ab = arith.addf %a, %b : f32
    %abm = arith.addf %ab, %m : f32
    // CHECK: bi.store_scalar
    bi.store_scalar %abm, %s[%row] : f32, memref<?xf32>
    bi.store_scalar %is, %si[%row] : i32, memref<?xi32>
  }
  bi.return
}

// The built-in GEMM: nn.Linear layout, wgmma contract, no epilogue.
// CHECK-LABEL: bi.kernel @gemm(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?x?xbf16> {bi.axes = ["M", "K"]}
// CHECK-SAME: %[[B:[a-z0-9]+]]: memref<?x?xbf16> {bi.axes = ["N", "K"]}
// CHECK-SAME: %[[C:[a-z0-9]+]]: memref<?x?xbf16> {bi.axes = ["M", "N"]})
// CHECK-SAME: dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
bi.kernel @gemm(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                %b: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                %c: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  // CHECK: bi.matmul %[[A]], %[[B]] into %[[C]] : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 1024, chunk_combine = seq, lanes = 1, vector = 1, fold = seq, combine = seq, unit = wgmma.m64nNk16, step = 16>{{$}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16>
      over "K" order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
  // CHECK-NEXT: bi.return
  bi.return
}

// Every epilogue clause, printed in the order the epilogue applies them,
// a [K, N] weight, mixed storage types, a contract overriding the math
// mode and a schedule.
// CHECK-LABEL: bi.kernel @gemm_epilogue(
// CHECK-SAME: %[[A:[a-z0-9]+]]: memref<?x?xf16> {bi.axes = ["T", "K"]}
// CHECK-SAME: %[[B:[a-z0-9]+]]: memref<?x64xf16> {bi.axes = ["K", "N"]}
// CHECK-SAME: %[[BIAS:[a-z0-9]+]]: memref<64xf32> {bi.axes = ["N"]}
// CHECK-SAME: %[[R:[a-z0-9]+]]: memref<?x64xbf16> {bi.axes = ["T", "N"]}
// CHECK-SAME: %[[C:[a-z0-9]+]]: memref<?x64xf32> {bi.axes = ["T", "N"]})
bi.kernel @gemm_epilogue(%a: memref<?x?xf16> {bi.axes = ["T", "K"]},
                         %b: memref<?x64xf16> {bi.axes = ["K", "N"]},
                         %bias: memref<64xf32> {bi.axes = ["N"]},
                         %r: memref<?x64xbf16> {bi.axes = ["T", "N"]},
                         %c: memref<?x64xf32> {bi.axes = ["T", "N"]})
    dims [#bi.dim<"T" : batch>, #bi.dim<"N" : parallel = 64>, #bi.dim<"K" : reduction>] {
  // CHECK: bi.matmul %[[A]], %[[B]] into %[[C]] : memref<?x?xf16>, memref<?x64xf16> -> memref<?x64xf32> over "K"
  // CHECK-SAME: bias %[[BIAS]] : memref<64xf32> activation silu residual %[[R]] : memref<?x64xbf16>
  // CHECK-SAME: order #bi.order<chunk = 256, chunk_combine = seq, lanes = 1, vector = 1, fold = seq, combine = seq, fma = off, fn = portable>
  // CHECK-SAME: schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 4, chunks = split>{{$}}
  bi.matmul %a, %b into %c : memref<?x?xf16>, memref<?x64xf16> -> memref<?x64xf32> over "K"
      bias %bias : memref<64xf32> activation silu residual %r : memref<?x64xbf16>
      order #bi.order<chunk = 256, fma = off, fn = portable>
      schedule #bi.matmul_schedule<chunks = split, block_m = 64, block_n = 128, stages = 4>
  // `activation none` is the default and is not printed; f32 operands are
  // allowed without a unit; no chunk means one chunk of all of K.
  // CHECK: bi.matmul {{.*}} : memref<?x?xf16>, memref<?x64xf16> -> memref<?x64xf32> over "K" residual %[[R]] : memref<?x64xbf16> order #bi.order<lanes = 1, vector = 1, fold = seq, combine = seq>{{$}}
  bi.matmul %a, %b into %c : memref<?x?xf16>, memref<?x64xf16> -> memref<?x64xf32> over "K"
      activation none residual %r : memref<?x64xbf16> order #bi.order<lanes = 1>
  bi.return
}

// A product next to a row program: both run, in body order.
// CHECK-LABEL: bi.kernel @gemm_then_rows(
bi.kernel @gemm_then_rows(%a: memref<?x?xf32> {bi.axes = ["M", "K"]},
                          %b: memref<?x?xf32> {bi.axes = ["N", "K"]},
                          %c: memref<?x?xf32> {bi.axes = ["M", "N"]},
                          %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : reduction>, #bi.dim<"K" : reduction>] {
  // CHECK: bi.matmul {{.*}} activation relu order #bi.order<chunk = 64,
  bi.matmul %a, %b into %c : memref<?x?xf32>, memref<?x?xf32> -> memref<?x?xf32>
      over "K" activation relu order #bi.order<chunk = 64>
  // CHECK-NEXT: bi.map_rows
  bi.map_rows %row over "M" row "N" {
    %cr = bi.load_row %c[%row] : memref<?x?xf32> -> tensor<?xf32>
    %sum = bi.reduce add %cr : tensor<?xf32> -> f32 over "N"
        order #bi.order<lanes = 32, combine = tree>
    bi.store_scalar %sum, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}
