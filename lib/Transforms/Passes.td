//===- Passes.td - bi passes -------------------------------*- tablegen -*-===//
#ifndef BI_TRANSFORMS_PASSES_TD
#define BI_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BiSpecialize : Pass<"bi-specialize", "ModuleOp"> {
  let summary = "gives dynamic kernel dimensions static extents";
  let description = [{
    Sets the extent of the named non-batch dimensions of every `bi.kernel`,
    folds `bi.dim` of them to constants and folds contract parameters written
    `?` that became constant into the `#bi.order` attribute. Batch
    dimensions cannot be specialised: their extent follows the load.

    Example: `bi-opt --bi-specialize="dims=H=4096" k.mlir`
  }];
  let options = [
    ListOption<"dims", "dims", "std::string",
               "NAME=EXTENT pairs, comma separated">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def BiFingerprint : Pass<"bi-fingerprint", "ModuleOp"> {
  let summary = "hashes everything that decides a kernel's bits";
  let description = [{
    Computes for every `bi.kernel` a stable hash of its semantics: the
    operations, order contracts, element and accumulator types, math mode,
    hardware units and static extents, but not its name, its schedule or its
    source locations. Two kernels with the same fingerprint must agree
    bitwise on the same inputs; a schedule-only change keeps the
    fingerprint. The result is attached as the `bi.fingerprint` attribute
    and, with `print`, written to standard output as
    `bi.fingerprint @name <hex>` lines.

    Example: `bi-opt --bi-fingerprint=print k.mlir -o /dev/null`
  }];
  let options = [
    Option<"print", "print", "bool", "false",
           "print one line per kernel to stdout">
  ];
}

def BiVerifyInvariance : Pass<"bi-verify-invariance"> {
  let summary = "proves that no accumulation order depends on a batch extent";
  let description = [{
    Runs the invariance analysis on any IR the pipeline produces: `bi`
    kernels, the GPU dialect after `bi-lower-to-gpu`, and the LLVM/NVVM
    dialect after `convert-gpu-to-nvvm`. Every loop that carries a
    floating-point value (an `scf.for`/`scf.while` with float iteration
    arguments, or a CFG loop whose header takes a float block argument) must
    have bounds, step and exit condition derived only from constants,
    reduction extents (function arguments marked `bi.dim_kind =
    "reduction"`) and thread indices. Batch extents, grid and block sizes,
    block indices, unannotated arguments and values loaded from memory are
    rejected, naming the value chain. Floating-point atomics and unordered
    GPU reductions (`gpu.all_reduce`, `gpu.subgroup_reduce`) are rejected
    outright.

    Example: `bi-opt --bi-lower-to-gpu --bi-verify-invariance k.mlir`
  }];
}

def BiSchedule : Pass<"bi-schedule", "ModuleOp"> {
  let summary = "chooses a schedule for row programs that have none";
  let description = [{
    Attaches `#bi.schedule` to every `bi.map_rows` without one. `threads`
    and `rows`, when non-zero, force a schedule (for testing that schedules
    never change bits); otherwise the largest power of two that divides
    every reduction's lanes (at most 1024) is used with one row per block,
    or 128 threads per row for row programs with no reduction.

    Example: `bi-opt --bi-schedule="threads=64 rows=4" k.mlir`
  }];
  let options = [
    Option<"threads", "threads", "int64_t", "0", "threads per row (0: auto)">,
    Option<"rows_", "rows", "int64_t", "0", "rows per block (0: auto)">,
    Option<"force", "force", "bool", "false",
           "replace schedules already present">
  ];
}

def BiCheckLowerable : Pass<"bi-check-lowerable", "ModuleOp"> {
  let summary = "refuses operations that bi-lower-to-gpu does not lower yet";
  let description = [{
    Fails with an error on the first `bi.matmul`: `bi-lower-to-gpu` lowers
    row programs only, and would otherwise drop a `bi.matmul` that sits next
    to a row program or report a kernel holding only a `bi.matmul` as
    having no row program. `bi-lower-to-ptx` runs it before
    `bi-lower-to-gpu`.

    Example: `bi-opt --bi-check-lowerable k.mlir`
  }];
}

def BiLowerToGPU : Pass<"bi-lower-to-gpu", "ModuleOp"> {
  let summary = "lowers bi kernels to gpu.func kernels that keep the order";
  let description = [{
    Turns every scheduled `bi.kernel` into a `gpu.module` holding one
    `gpu.func` kernel. The kernel ABI is: one pointer per buffer argument
    and the scalar arguments in order, then an `i64` extent per dynamic
    dimension (batch dimensions first), then an `i64` row stride (in
    elements) per buffer with a batch axis. Each reduction is lowered
    exactly as its contract declares: per-lane sequential folds from the
    identity over the lane's elements, then the declared combine, through
    `gpu.shuffle` butterflies and shared memory, with no atomics. Extent
    arguments are marked `bi.dim`/`bi.dim_kind` so the invariance analysis
    can check the result. The kernel's fingerprint and math mode are kept as
    attributes of the `gpu.func`.

    Example: `bi-opt --bi-schedule --bi-lower-to-gpu k.mlir`
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def BiLowerMath : Pass<"bi-lower-math"> {
  let summary = "pins exp, rsqrt, sqrt and division to the math mode";
  let description = [{
    Replaces `math` operations in GPU kernels with the exact instruction
    sequence the kernel's math mode (`bi.math` on the `gpu.func`) names, so
    that neither libdevice nor LLVM picks an implementation. `fn = portable`:
    `sqrt.rn`, `div.rn` and bi's fixed exp polynomial (reproducible on a
    CPU); `fn = fast`: `sqrt.approx`, `rsqrt.approx`, `ex2.approx` and
    `div.full`.

    Example: `bi-opt --bi-lower-math k.gpu.mlir`
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect", "::mlir::vector::VectorDialect"
  ];
}

def BiExportBinary : Pass<"bi-export-binary", "ModuleOp"> {
  let summary = "writes each kernel's PTX and cubin to files";
  let description = [{
    For every `gpu.binary` produced by `gpu-module-to-binary` with
    `format=isa`, writes `<dir>/<kernel>.ptx` and, with `cubin`, assembles
    it in-process with nvJitLink from the CUDA toolkit into
    `<dir>/<kernel>.cubin`. The toolkit is found through `BI_CUDA_PATH`,
    `CUDA_HOME`, `CUDA_PATH` or `/usr/local/cuda`.

    Example: `bi-opt --bi-lower-to-ptx --bi-export-binary="dir=out cubin" k.mlir`
  }];
  let options = [
    Option<"dir", "dir", "std::string", "\".\"", "output directory">,
    Option<"cubin", "cubin", "bool", "false",
           "also assemble a cubin with nvJitLink">,
    Option<"chip", "chip", "std::string", "\"sm_90a\"",
           "target chip for the cubin">
  ];
}

def BiEmitCUDA : Pass<"bi-emit-cuda", "ModuleOp"> {
  let summary = "emits each scheduled kernel as CUDA C++ (the NVRTC side path)";
  let description = [{
    Writes every scheduled, specialised `bi.kernel` as readable CUDA C++: an
    `extern "C" __global__` function with exactly the parameters of the
    kernel that `bi-lower-to-gpu` builds (one launcher serves both
    backends), the same mapping of contract lanes onto threads, and every
    operation pinned to the instruction the NVVM path uses (`__fadd_rn`,
    `__fmaf_rn`, `__fdiv_rn`, `__fsqrt_rn`, inline PTX for `max.NaN.f32` and
    the fast-math approximations, bi's portable exp), so that the two
    backends give the same bits. Compiled with NVRTC (`--fmad=false`), the
    result is an independent second cubin for bitwise cross-checks.

    With `dir` empty the source is printed to standard output; otherwise
    it is written to `<dir>/<kernel>.cu`, and with `cubin` also compiled
    in-process by the toolkit's NVRTC to `<dir>/<kernel>.nvrtc.cubin`.
    Unscheduled kernels, contract parameters written `?` and operations
    without an exact CUDA spelling are errors.

    Example:
    `bi-opt --bi-specialize="dims=H=4096" --bi-schedule --bi-emit-cuda k.mlir -o /dev/null`
  }];
  let options = [
    Option<"dir", "dir", "std::string", "\"\"",
           "output directory (empty: stdout)">,
    Option<"cubin", "cubin", "bool", "false",
           "also compile with NVRTC to <dir>/<kernel>.nvrtc.cubin">,
    Option<"chip", "chip", "std::string", "\"sm_90a\"",
           "target chip for NVRTC">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

#endif // BI_TRANSFORMS_PASSES_TD
