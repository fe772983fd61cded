// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-verify-invariance
//
// The invariance analysis on GPU-level IR: one case per rule, plus loops it
// must accept.

// Accepted: bounds from constants, a reduction extent and the thread index.
gpu.module @ok {
  gpu.func @k(%p: !llvm.ptr<1>, %h: i64 {bi.dim = "H", bi.dim_kind = "reduction"}) kernel {
    %c0 = arith.constant 0 : index
    %c256 = arith.constant 256 : index
    %t = gpu.thread_id x
    %hi = arith.index_cast %h : i64 to index
    %z = arith.constant 0.0 : f32
    %r = scf.for %i = %t to %hi step %c256 iter_args(%a = %z) -> f32 {
      %b = arith.addf %a, %a : f32
      scf.yield %b : f32
    }
    gpu.return
  }
}

// -----

gpu.module @batch {
  gpu.func @k(%m: i64 {bi.dim = "M", bi.dim_kind = "batch"}) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %mi = arith.index_cast %m : i64 to index
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{floating-point accumulation whose upper bound depends on batch extent 'M' (via 'arith.index_cast' <- block argument #0)}}
    %r = scf.for %i = %c0 to %mi step %c1 iter_args(%a = %z) -> f32 {
      %b = arith.addf %a, %a : f32
      scf.yield %b : f32
    }
    gpu.return
  }
}

// -----

gpu.module @grid {
  gpu.func @k() kernel {
    %c0 = arith.constant 0 : index
    %c4096 = arith.constant 4096 : index
    %g = gpu.grid_dim x
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{floating-point accumulation whose step depends on grid size}}
    %r = scf.for %i = %c0 to %c4096 step %g iter_args(%a = %z) -> f32 {
      %b = arith.addf %a, %a : f32
      scf.yield %b : f32
    }
    gpu.return
  }
}

// -----

gpu.module @blockdim {
  gpu.func @k() kernel {
    %c4096 = arith.constant 4096 : index
    %t = gpu.thread_id x
    %n = gpu.block_dim x
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{floating-point accumulation whose step depends on block size (a schedule choice)}}
    %r = scf.for %i = %t to %c4096 step %n iter_args(%a = %z) -> f32 {
      %b = arith.addf %a, %a : f32
      scf.yield %b : f32
    }
    gpu.return
  }
}

// -----

gpu.module @blockid {
  gpu.func @k() kernel {
    %c1 = arith.constant 1 : index
    %c4096 = arith.constant 4096 : index
    %bid = gpu.block_id x
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{floating-point accumulation whose lower bound depends on block index (decided by the grid)}}
    %r = scf.for %i = %bid to %c4096 step %c1 iter_args(%a = %z) -> f32 {
      %b = arith.addf %a, %a : f32
      scf.yield %b : f32
    }
    gpu.return
  }
}

// -----

gpu.module @unmarked {
  gpu.func @k(%n: index) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %z = arith.constant dense<0.0> : vector<4xf32>
    // expected-error @+1 {{floating-point accumulation whose upper bound depends on kernel argument #0 (not marked as a reduction extent)}}
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %z) -> vector<4xf32> {
      scf.yield %a : vector<4xf32>
    }
    gpu.return
  }
}

// -----

gpu.module @memory {
  gpu.func @k(%buf: memref<4xindex>) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.load %buf[%c0] : memref<4xindex>
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{floating-point accumulation whose upper bound depends on a value read from memory by 'memref.load'}}
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %z) -> f32 {
      scf.yield %a : f32
    }
    gpu.return
  }
}

// -----

gpu.module @while {
  gpu.func @k() kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %g = gpu.grid_dim x
    %z = arith.constant 0.0 : f32
    // expected-error @+1 {{floating-point accumulation whose exit condition depends on grid size}}
    %r:2 = scf.while (%i = %c0, %a = %z) : (index, f32) -> (index, f32) {
      %go = arith.cmpi ult, %i, %g : index
      scf.condition(%go) %i, %a : index, f32
    } do {
    ^bb0(%j: index, %b: f32):
      %n = arith.addi %j, %c1 : index
      %s = arith.addf %b, %b : f32
      scf.yield %n, %s : index, f32
    }
    gpu.return
  }
}

// -----

gpu.module @atomic {
  gpu.func @k(%out: memref<1xf32>, %v: f32) kernel {
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{floating-point atomic read-modify-write: its accumulation order is decided by arrival}}
    %old = memref.atomic_rmw addf %v, %out[%c0] : (f32, memref<1xf32>) -> f32
    gpu.return
  }
}

// -----

gpu.module @llvm_atomic {
  gpu.func @k(%p: !llvm.ptr<1>, %v: f32) kernel {
    // expected-error @+1 {{floating-point atomic read-modify-write}}
    %old = llvm.atomicrmw fadd %p, %v monotonic : !llvm.ptr<1>, f32
    gpu.return
  }
}

// -----

gpu.module @all_reduce {
  gpu.func @k(%v: f32) kernel {
    // expected-error @+1 {{'gpu.all_reduce' leaves the floating-point combine order to the implementation}}
    %s = gpu.all_reduce add %v uniform {} : (f32) -> f32
    gpu.return
  }
}

// -----

gpu.module @subgroup_reduce {
  gpu.func @k(%v: f32) kernel {
    // expected-error @+1 {{'gpu.subgroup_reduce' leaves the floating-point combine order to the implementation}}
    %s = gpu.subgroup_reduce add %v : (f32) -> f32
    gpu.return
  }
}

// -----

// CFG loops after scf-to-cf and conversion to LLVM: the extent comes from
// the function's bi.arg_dims list.
llvm.func @cfg_ok(%h: i64) attributes {bi.arg_dims = ["reduction:H"]} {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %z = llvm.mlir.constant(0.0 : f32) : f32
  llvm.br ^header(%c0, %z : i64, f32)
^header(%i: i64, %a: f32):
  %go = llvm.icmp "slt" %i, %h : i64
  llvm.cond_br %go, ^body, ^exit
^body:
  %b = llvm.fadd %a, %a : f32
  %n = llvm.add %i, %c1 : i64
  llvm.br ^header(%n, %b : i64, f32)
^exit:
  llvm.return
}

// -----

llvm.func @cfg_grid() {
  %c0 = llvm.mlir.constant(0 : i32) : i32
  %c1 = llvm.mlir.constant(1 : i32) : i32
  %z = llvm.mlir.constant(0.0 : f32) : f32
  %g = nvvm.read.ptx.sreg.nctaid.x : i32
  llvm.br ^header(%c0, %z : i32, f32)
^header(%i: i32, %a: f32):
  %go = llvm.icmp "slt" %i, %g : i32
  // expected-error @+1 {{floating-point accumulation whose exit condition depends on special register 'nctaid.x' (decided by the launch or the machine)}}
  llvm.cond_br %go, ^body, ^exit
^body:
  %b = llvm.fadd %a, %a : f32
  %n = llvm.add %i, %c1 : i32
  llvm.br ^header(%n, %b : i32, f32)
^exit:
  llvm.return
}

// -----

llvm.func @cfg_batch(%m: i64) attributes {bi.arg_dims = ["batch:M"]} {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  %z = llvm.mlir.constant(0.0 : f32) : f32
  llvm.br ^header(%c0, %z : i64, f32)
^header(%i: i64, %a: f32):
  %go = llvm.icmp "slt" %i, %m : i64
  // expected-error @+1 {{floating-point accumulation whose exit condition depends on batch extent 'M'}}
  llvm.cond_br %go, ^body, ^exit
^body:
  %b = llvm.fadd %a, %a : f32
  %n = llvm.add %i, %c1 : i64
  llvm.br ^header(%n, %b : i64, f32)
^exit:
  llvm.return
}

// -----

// An aggregate accumulator (wgmma's fragment of f32 registers) is an
// accumulation like any other.
gpu.module @struct_acc {
  gpu.func @k(%m: i64 {bi.dim = "M", bi.dim_kind = "batch"}) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %mi = arith.index_cast %m : i64 to index
    %z = llvm.mlir.poison : !llvm.struct<(f32, f32)>
    // expected-error @+1 {{floating-point accumulation whose upper bound depends on batch extent 'M'}}
    %r = scf.for %i = %c0 to %mi step %c1 iter_args(%a = %z) -> !llvm.struct<(f32, f32)> {
      scf.yield %a : !llvm.struct<(f32, f32)>
    }
    gpu.return
  }
}
