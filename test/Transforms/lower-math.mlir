// RUN: bi-opt %s --bi-lower-math | FileCheck %s
// RUN: bi-opt %s --bi-lower-math -split-input-file -verify-diagnostics -o /dev/null 2>&1 | FileCheck %s --check-prefix=NONE --allow-empty

// Portable math: correctly rounded instructions, bi's exp polynomial.
// CHECK-LABEL: gpu.func @portable
gpu.module @portable {
  gpu.func @portable(%x: f32, %v: vector<2xf32>) kernel attributes {bi.math = #bi.math<fma = off, fn = portable>} {
    // CHECK: llvm.inline_asm asm_dialect = att "sqrt.rn.f32 $0, $1;", "=f,f"
    %s = math.sqrt %x : f32
    // CHECK: llvm.inline_asm asm_dialect = att "sqrt.rn.f32 $0, $1;"
    // CHECK: llvm.inline_asm asm_dialect = att "div.rn.f32 $0, $1, $2;"
    %r = math.rsqrt %x : f32
    // The polynomial: reduction by fma, Horner by fma, two exponent scalings.
    // CHECK: math.copysign
    // CHECK: arith.fptosi
    // CHECK-COUNT-9: llvm.inline_asm asm_dialect = att "fma.rn.f32 $0, $1, $2, $3;"
    // CHECK: arith.bitcast
    // CHECK: arith.select
    %e = math.exp %x : f32
    // Vectors are lowered element by element.
    // CHECK: vector.extract %{{.*}}[0]
    // CHECK: llvm.inline_asm asm_dialect = att "div.rn.f32
    // CHECK: vector.extract %{{.*}}[1]
    // CHECK: llvm.inline_asm asm_dialect = att "div.rn.f32
    %d = arith.divf %v, %v : vector<2xf32>
    // CHECK-NOT: math.
    gpu.return
  }
}

// Fast math: the hardware approximations.
// CHECK-LABEL: gpu.func @fast
gpu.module @fast {
  gpu.func @fast(%x: f32) kernel attributes {bi.math = #bi.math<fma = on, fn = fast>} {
    // CHECK: llvm.inline_asm asm_dialect = att "rsqrt.approx.f32 $0, $1;"
    %r = math.rsqrt %x : f32
    // CHECK: llvm.inline_asm asm_dialect = att "mul.rn.f32
    // CHECK: llvm.inline_asm asm_dialect = att "ex2.approx.f32
    %e = math.exp %x : f32
    // CHECK: llvm.inline_asm asm_dialect = att "div.full.f32
    %d = arith.divf %x, %e : f32
    gpu.return
  }
}
// NONE-NOT: error
