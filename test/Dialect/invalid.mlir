// RUN: bi-opt %s -split-input-file -verify-diagnostics
//
// One case per verifier rule of the bi dialect.

// lanes must be positive
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'lanes' must be >= 1, got 0}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 0>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// vector must be positive
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'vector' must be >= 1, got 0}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 4, vector = 0>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// chunk must be positive
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'chunk' must be >= 1, got -4}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = -4, lanes = 4>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// chunk zero is not 'no chunks'
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'chunk' must be >= 1, got 0; omit 'chunk' for no chunks}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = 0, lanes = 4>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// tree needs a power of two
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'combine = tree' needs a power-of-two number of lanes, got 12}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 12, combine = tree>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// step needs a unit
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'step = 16' needs a hardware 'unit'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 1, step = 16>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// unit fixes the step
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: unit 'wgmma.m64nNk16' reduces 16 elements per step, but 'step = 8'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = 1024, unit = wgmma.m64nNk16, step = 8>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// unit excludes vectors
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: a hardware 'unit' fixes the order inside a step; 'vector' must be 1}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = 1024, unit = wgmma.m64nNk16, step = 16, vector = 2>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// chunk must be a multiple of step
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract: 'chunk = 1000' is not a multiple of 'step = 16'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = 1000, unit = mma.sync.m16n8k16, step = 16>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// unknown key
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{unknown order-contract key 'width'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 4, width = 2>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// key given twice
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order-contract key 'lanes' given twice}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 4, lanes = 8>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// bad enum value
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{invalid value 'random' for order-contract key 'combine'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 4, combine = random>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// chunk_combine without chunk
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{'chunk_combine' needs 'chunk'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 4, chunk_combine = tree>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// batch dimension with a static extent
// expected-error @+1 {{batch dimension 'M' cannot have a static extent}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch = 8>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// empty dimension name
// expected-error @+1 {{dimension name must not be empty}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// non-positive extent
// expected-error @+1 {{dimension 'H' must have a positive extent, got 0}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 0>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// schedule threads
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{schedule threads must be a power of two in [1, 1024], got 96}}
  bi.map_rows %r over "M" row "H" schedule #bi.schedule<threads = 96, rows = 1> {

  }
  bi.return
}

// -----

// schedule rows
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{schedule rows must be >= 1 with threads * rows <= 1024, got rows = 8}}
  bi.map_rows %r over "M" row "H" schedule #bi.schedule<threads = 256, rows = 8> {

  }
  bi.return
}

// -----

// schedule threads must divide every contract's lanes
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{schedule uses 64 threads per row, which does not divide the 32 lanes of a reduction's contract}}
  bi.map_rows %r over "M" row "H" schedule #bi.schedule<threads = 64, rows = 1> {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 32, combine = tree>
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// duplicate dimension
// expected-error @+1 {{declares dimension 'M' twice}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// kernels return nothing
// expected-error @+1 {{a bi.kernel returns nothing; write results through buffer arguments}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}) -> f32 dims [#bi.dim<"M" : batch>] {
  bi.return
}

// -----

// argument of unsupported type
// expected-error @+1 {{argument #1 has type 'vector<4xf32>'; expected a memref buffer or a scalar}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %v: vector<4xf32>) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// scalar with axes
// expected-error @+1 {{scalar argument #1 cannot have 'bi.axes'}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %e: f32 {bi.axes = ["H"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// buffer without axes
// expected-error @+1 {{buffer argument #0 needs 'bi.axes' naming each axis}}
bi.kernel @k(%x: memref<?x?xf32>) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// axes and rank disagree
// expected-error @+1 {{buffer argument #0 has rank 2 but 'bi.axes' names 1 axes}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// strided layout
// expected-error @+1 {{buffer argument #0 must have the identity layout}}
bi.kernel @k(%x: memref<?x?xf32, strided<[?, 1]>> {bi.axes = ["M", "H"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// undeclared axis
// expected-error @+1 {{buffer argument #0 names undeclared dimension 'K'}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "K"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// batch axis must lead
// expected-error @+1 {{buffer argument #0: batch dimension 'M' must be the leading axis}}
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["H", "M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// static extent disagrees
// expected-error @+1 {{buffer argument #0 axis 1 has static extent 64 but dimension 'H' is declared 128}}
bi.kernel @k(%x: memref<?x64xf32> {bi.axes = ["M", "H"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 128>] {
  bi.map_rows %r over "M" row "H" {

  }
  bi.return
}

// -----

// top-level op
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{'arith.constant' op is not allowed at the top level of a bi.kernel; expected 'bi.map_rows', 'bi.matmul' or 'bi.return'}}
  %c = arith.constant 0 : index
  bi.return
}

// -----

// map_rows over undeclared
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{iterates undeclared dimension 'B'}}
  bi.map_rows %r over "B" row "H" {

  }
  bi.return
}

// -----

// map_rows over non-batch
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{must iterate a batch dimension, but 'H' is declared reduction}}
  bi.map_rows %r over "H" row "H" {

  }
  bi.return
}

// -----

// rows along undeclared
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{has rows along undeclared dimension 'N'}}
  bi.map_rows %r over "M" row "N" {

  }
  bi.return
}

// -----

// rows along batch
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{rows cannot run along batch dimension 'M'}}
  bi.map_rows %r over "M" row "M" {

  }
  bi.return
}

// -----

// reduction without contract: foreign op
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %c = arith.constant dense<1.0> : vector<4xf32>
    // expected-error @+1 {{'vector.reduction' op is a reduction without an order contract}}
    %t = vector.reduction <add>, %c : vector<4xf32> into f32
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// reduction without contract: loop
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %c0 = arith.constant 0 : index
    %c4 = arith.constant 4 : index
    %c1 = arith.constant 1 : index
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{'scf.for' op is a reduction without an order contract}}
    %t = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %z) -> f32 {
      %b = arith.addf %a, %a : f32
      scf.yield %b : f32
    }
    bi.store_scalar %t, %s[%r] : f32, memref<?xf32>
  }
  bi.return
}

// -----

// foreign op
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{'memref.load' op is not allowed in a row program}}
    %t = memref.load %s[%c0] : memref<?xf32>
  }
  bi.return
}

// -----

// reassociating fast-math
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{has fast-math flags 'reassoc' that let the compiler reorder}}
    %w = arith.addf %v, %v fastmath<reassoc> : tensor<?xf32>
  }
  bi.return
}

// -----

// contracting fast-math
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{has fast-math flags 'contract' that let the compiler reorder, fuse or approximate}}
    %w = arith.mulf %v, %v fastmath<contract> : tensor<?xf32>
  }
  bi.return
}

// -----

// rows are 1-D
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    // expected-error @+1 {{produces 'tensor<4x4xf32>'; rows are 1-D tensors}}
    %c = arith.constant dense<1.0> : tensor<4x4xf32>
  }
  bi.return
}

// -----

// row length disagrees
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 8>] {
  bi.map_rows %r over "M" row "H" {
    // expected-error @+1 {{produces a row of 4 elements but rows along 'H' have 8}}
    %c = arith.constant dense<1.0> : tensor<4xf32>
  }
  bi.return
}

// -----

// undeclared bi.dim
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    // expected-error @+1 {{refers to undeclared dimension 'K'}}
    %k = bi.dim "K" : index
  }
  bi.return
}

// -----

// load axes
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    // expected-error @+1 {{expects a buffer with axes [H], got [M, H]}}
    %v = bi.load_row %x[] : memref<?x?xf32> -> tensor<?xf32>
  }
  bi.return
}

// -----

// load element type
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    // expected-error @+1 {{element type 'f16' does not match the buffer's 'f32'}}
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf16>
  }
  bi.return
}

// -----

// store axes
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{expects a buffer with axes [M, H], got [M]}}
    bi.store_row %v, %s[%r] : tensor<?xf32>, memref<?xf32>
  }
  bi.return
}

// -----

// store element type
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %h = arith.truncf %v : tensor<?xf32> to tensor<?xf16>
    // expected-error @+1 {{element type 'f16' does not match the buffer's 'f32'}}
    bi.store_row %h, %x[%r] : tensor<?xf16>, memref<?x?xf32>
  }
  bi.return
}

// -----

// store_scalar axes
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 32, combine = tree>
    // expected-error @+1 {{expects a buffer whose only axis is the batch dimension 'M'}}
    bi.store_scalar %t, %x[%r] : f32, memref<?x?xf32>
  }
  bi.return
}

// -----

// store_scalar type
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f64 over "H" order #bi.order<lanes = 32, combine = tree>
    // expected-error @+1 {{value type 'f64' does not match the buffer's 'f32'}}
    bi.store_scalar %t, %s[%r] : f64, memref<?xf32>
  }
  bi.return
}

// -----

// broadcast type
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %c = arith.constant 1.0 : f32
    // expected-error @+1 {{result element type must be 'f32'}}
    %b = bi.broadcast %c : f32 -> tensor<?xf16>
  }
  bi.return
}

// -----

// float reduction without contract
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{is a floating-point reduction without an order contract}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" 

  }
  bi.return
}

// -----

// accumulator too narrow
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{accumulator type 'f16' cannot hold elements of type 'f32'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f16 over "H" order #bi.order<lanes = 32, combine = tree>

  }
  bi.return
}

// -----

// reduce over undeclared
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{reduces over undeclared dimension 'K'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "K" order #bi.order<lanes = 32, combine = tree>

  }
  bi.return
}

// -----

// reduce over batch
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{reduces over batch dimension 'M'; rule: a batch extent must never shape a reduction}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "M" order #bi.order<lanes = 32, combine = tree>

  }
  bi.return
}

// -----

// reduce over parallel
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>, #bi.dim<"N" : parallel>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{reduces over 'N', which is declared parallel}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "N" order #bi.order<lanes = 32, combine = tree>

  }
  bi.return
}

// -----

// reduce over another reduction dim
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>, #bi.dim<"K" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{reduces over 'K' but rows of this row program run along 'H'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "K" order #bi.order<lanes = 32, combine = tree>

  }
  bi.return
}

// -----

// reassociating reduction
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{has fast-math flags 'reassoc' that allow reassociating the reduction}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = 32, combine = tree> fastmath #arith.fastmath<reassoc>

  }
  bi.return
}

// -----

// integer reduction parameters without a contract
bi.kernel @k(%x: memref<?x?xi32> {bi.axes = ["M", "H"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xi32> -> tensor<?xi32>
    %c = arith.constant 4 : index
    // expected-error @+1 {{has contract parameters but no contract}}
    %t = "bi.reduce"(%v, %c) <{kind = 0 : i32, over = "H"}> : (tensor<?xi32>, index) -> i32
  }
  bi.return
}

// -----

// unit reduces with add only
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{hardware unit 'wgmma.m64nNk16' only reduces with 'add'}}
    %t = bi.reduce max %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = 64, unit = wgmma.m64nNk16, step = 16>

  }
  bi.return
}

// -----

// parameter count
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order contract has 1 parameter(s) written '?' but 0 operand(s) are given}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = ?>

  }
  bi.return
}

// -----

// parameter from a batch extent
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %m = bi.dim "M" : index
    %c2 = arith.constant 2 : index
    %l = arith.muli %m, %c2 : index
    // expected-error @+1 {{order-contract parameter 'chunk' depends on batch extent 'M' (via 'arith.muli' <- 'bi.dim'); rule: a contract depends only on the reduction extent 'H' and constants}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = ?, lanes = 4> (%l)

  }
  bi.return
}

// -----

// parameter from a kernel argument
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}, %n: index) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order-contract parameter 'lanes' depends on run-time value kernel argument #2}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<lanes = ?> (%n)

  }
  bi.return
}

// -----

// parameter from another dimension
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>, #bi.dim<"N" : parallel>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    %k = bi.dim "N" : index
    // expected-error @+1 {{order-contract parameter 'chunk' depends on run-time value 'bi.dim "N"'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = ?, lanes = 4> (%k)

  }
  bi.return
}

// -----

// parameter from the row index
bi.kernel @k(%x: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: memref<?xf32> {bi.axes = ["M"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %r over "M" row "H" {
    %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{order-contract parameter 'chunk' depends on run-time value block argument #0 of 'bi.map_rows'}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H" order #bi.order<chunk = ?, lanes = 4> (%r)

  }
  bi.return
}

// -----

// bi.matmul sits at the top level of a kernel
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  bi.map_rows %r over "M" row "N" {
    // expected-error @+1 {{'bi.matmul' op expects parent op 'bi.kernel'}}
    bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  }
  bi.return
}

// -----

// matmul operands are kernel buffer arguments
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  %m = memref.alloc() : memref<4x4xbf16>
  // expected-error @+1 {{operand 'a' must be a buffer argument of the enclosing bi.kernel; bi.matmul reads and writes kernel buffers directly}}
  bi.matmul %m, %b into %c : memref<4x4xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul operand ranks
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{operand 'bias' must have rank 1 (axes [N]), got rank 2}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" bias %c : memref<?x?xbf16> order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul output aliases an input
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{output 'c' is also operand 'residual'; write the product to a buffer that no operand reads}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" residual %c : memref<?x?xbf16> order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul over undeclared dim
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{reduces over undeclared dimension 'Q'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "Q" order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul over batch dim
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{reduces over batch dimension 'M'; rule: a batch extent must never shape a reduction}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "M" order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul over parallel dim
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{reduces over 'N', which is declared parallel; declare it 'reduction'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "N" order #bi.order<chunk = 256>
  bi.return
}

// -----

// a is [M, K]
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "H"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{operand 'a' has axes [M, H]; expected [M, K]: axis 1 must be the reduced dimension 'K'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// M is not reduced
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["J", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["J", "N"]}) dims [#bi.dim<"J" : reduction>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{the rows 'J' of 'a' are declared reduction; M must be a batch or parallel dimension, since only 'K' is reduced}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// c is [M, N]: rows
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["P", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"P" : parallel>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{output 'c' has axes [P, N]; expected [M, N]: axis 0 must be 'M', the rows of 'a'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// c is [M, N]: columns other than K
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["K", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "K"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{output 'c' has axes [M, K]; expected [M, N]: axis 1 must be the columns N, a dimension other than the reduced 'K'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// N is never a batch dimension: as axis 1 of 'c' it falls under the
// kernel's rule that a batch axis leads
// expected-error @+1 {{buffer argument #2: batch dimension 'B' must be the leading axis}}
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["B", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "B"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"B" : batch>, #bi.dim<"K" : reduction>] {
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// b is [N, K] or [K, N]
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "H"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>, #bi.dim<"H" : reduction>] {
  // expected-error @+1 {{operand 'b' has axes [N, H]; expected [N, K] (nn.Linear layout) or [K, N] (row-major K x N)}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// bias is [N]
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}, %v: memref<?xbf16> {bi.axes = ["K"]}, %r: memref<?x?xbf16> {bi.axes = ["M", "K"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{operand 'bias' has axes [K]; expected [N], the columns of 'c'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" bias %v : memref<?xbf16> order #bi.order<chunk = 256>
  bi.return
}

// -----

// residual is [M, N]
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}, %v: memref<?xbf16> {bi.axes = ["K"]}, %r: memref<?x?xbf16> {bi.axes = ["M", "K"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{operand 'residual' has axes [M, K]; expected [M, N], the axes of 'c'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" residual %r : memref<?x?xbf16> order #bi.order<chunk = 256>
  bi.return
}

// -----

// a and b have one element type
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{operands 'a' and 'b' must have the same element type, got 'bf16' and 'f16'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// a and b are bf16, f16 or f32
bi.kernel @k(%a: memref<?x?xf64> {bi.axes = ["M", "K"]}, %b: memref<?x?xf64> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{operand 'a' has element type 'f64'; expected bf16 or f16 (or f32 with a contract without 'unit')}}
  bi.matmul %a, %b into %c : memref<?x?xf64>, memref<?x?xf64> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// c, bias and residual are bf16, f16 or f32
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xi32> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{output 'c' has element type 'i32'; expected bf16, f16 or f32}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xi32> over "K" order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul without contract
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{is a floating-point reduction without an order contract; rule: every floating-point reduction declares its order}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
  bi.return
}

// -----

// matmul contract with ? parameters
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract has parameters written '?'; bi.matmul takes constant contracts only, so write 'chunk' and 'step' as integers}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = ?>
  bi.return
}

// -----

// matmul contract: lanes
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: 'lanes = 4' does not apply to bi.matmul, which folds each chunk with one accumulator; omit 'lanes'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256, lanes = 4>
  bi.return
}

// -----

// matmul contract: vector
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: 'vector = 8' does not apply to bi.matmul, which folds each chunk one k (or one unit step) at a time; omit 'vector'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256, vector = 8>
  bi.return
}

// -----

// matmul contract: combine
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: 'combine = tree' does not apply to bi.matmul, which has no lanes to combine; omit 'combine'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256, combine = tree>
  bi.return
}

// -----

// matmul contract: chunk_combine
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: 'chunk_combine = tree' is not implemented for bi.matmul; use 'chunk_combine = seq' (chunk partials added left to right)}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256, chunk_combine = tree>
  bi.return
}

// -----

// matmul contract: mma.sync
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: unit 'mma.sync.m16n8k16' is not implemented for bi.matmul; use wgmma.m64nNk16 or no unit}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256, unit = mma.sync.m16n8k16, step = 16>
  bi.return
}

// -----

// matmul contract: wgmma multiplies bf16 or f16
bi.kernel @k(%a: memref<?x?xf32> {bi.axes = ["M", "K"]}, %b: memref<?x?xf32> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: unit 'wgmma.m64nNk16' multiplies bf16 or f16, but 'a' and 'b' are 'f32'; use bf16 or f16 operands or a contract without 'unit'}}
  bi.matmul %a, %b into %c : memref<?x?xf32>, memref<?x?xf32> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256, unit = wgmma.m64nNk16, step = 16>
  bi.return
}

// -----

// matmul contract: wgmma chunks are whole K tiles
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: 'chunk = 1040' must be a multiple of 64 with unit 'wgmma.m64nNk16', because the Hopper schedule loads K in tiles of 64 and each tile must lie inside one chunk}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 1040, unit = wgmma.m64nNk16, step = 16>
  bi.return
}

// -----

// matmul contract: wgmma needs step = 16 (the contract's own rule)
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: unit 'wgmma.m64nNk16' reduces 16 elements per step, but 'step = 1'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 1024, unit = wgmma.m64nNk16>
  bi.return
}

// -----

// matmul contract: chunk a multiple of step (the contract's own rule)
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{order contract: 'chunk = 1000' is not a multiple of 'step = 16'}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 1000, unit = wgmma.m64nNk16, step = 16>
  bi.return
}

// -----

// matmul order must be a contract
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{expected an order contract #bi.order<...>}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.math<fma = on, fn = portable>
  bi.return
}

// -----

// matmul activation
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{unknown activation 'gelu'; expected none, relu or silu}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" activation gelu order #bi.order<chunk = 256>
  bi.return
}

// -----

// matmul schedule blocks
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{matmul schedule: 'block_m' and 'block_n' must be >= 1, got 0 and 128}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256> schedule #bi.matmul_schedule<block_m = 0, block_n = 128, stages = 4, chunks = serial>
  bi.return
}

// -----

// matmul schedule stages
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{matmul schedule: 'stages' must be >= 1, got 0}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256> schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 0, chunks = serial>
  bi.return
}

// -----

// matmul schedule must be a GEMM schedule
bi.kernel @k(%a: memref<?x?xbf16> {bi.axes = ["M", "K"]}, %b: memref<?x?xbf16> {bi.axes = ["N", "K"]}, %c: memref<?x?xbf16> {bi.axes = ["M", "N"]}) dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>] {
  // expected-error @+1 {{expected a GEMM schedule #bi.matmul_schedule<...>}}
  bi.matmul %a, %b into %c : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K" order #bi.order<chunk = 256> schedule #bi.schedule<threads = 32, rows = 1>
  bi.return
}
