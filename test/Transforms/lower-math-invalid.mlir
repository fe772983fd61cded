// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-lower-math

gpu.module @log {
  gpu.func @k(%x: f32) kernel {
    // expected-error @+1 {{has no batch-invariant GPU lowering; bi supports math.exp, math.fma, math.sqrt and math.rsqrt}}
    %l = math.log %x : f32
    gpu.return
  }
}

// -----

gpu.module @half {
  gpu.func @k(%x: f16) kernel {
    // expected-error @+1 {{bi lowers math functions on f32 only, got 'f16'; extend to f32 first}}
    %l = math.sqrt %x : f16
    gpu.return
  }
}
