//===- BiAttrs.td - bi attributes and enums ----------------*- tablegen -*-===//
//
// The order contract, the math mode, dimension declarations and schedules.
//
//===----------------------------------------------------------------------===//

#ifndef BI_ATTRS_TD
#define BI_ATTRS_TD

include "bi/IR/BiDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Bi_DimKind : I32EnumAttr<"DimKind", "classification of a kernel dimension",
    [I32EnumAttrCase<"batch", 0>, I32EnumAttrCase<"parallel", 1>,
     I32EnumAttrCase<"reduction", 2>]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

def Bi_ReductionKind : I32EnumAttr<"ReductionKind",
    "the binary operation a reduction folds with",
    [I32EnumAttrCase<"add", 0>, I32EnumAttrCase<"max", 1>,
     I32EnumAttrCase<"min", 2>]> {
  let cppNamespace = "::mlir::bi";
}

def Bi_CombineOrder : I32EnumAttr<"CombineOrder",
    "how partial results of the parts of a reduction are combined",
    [I32EnumAttrCase<"seq", 0>, I32EnumAttrCase<"tree", 1>]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

def Bi_FoldOrder : I32EnumAttr<"FoldOrder",
    "how the elements inside one part of a reduction are folded",
    [I32EnumAttrCase<"seq", 0>]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

def Bi_HardwareUnit : I32EnumAttr<"HardwareUnit",
    "a hardware reduction unit whose internal order the instruction fixes",
    [I32EnumAttrCase<"none", 0>,
     I32EnumAttrCase<"wgmma_m64nNk16", 1, "wgmma.m64nNk16">,
     I32EnumAttrCase<"mma_sync_m16n8k16", 2, "mma.sync.m16n8k16">]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

def Bi_FmaMode : I32EnumAttr<"FmaMode", "FMA contraction in reduction folds",
    [I32EnumAttrCase<"off", 0>, I32EnumAttrCase<"on", 1>]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

def Bi_FnMode : I32EnumAttr<"FnMode",
    "implementation of exp, rsqrt, sqrt and division",
    [I32EnumAttrCase<"portable", 0>, I32EnumAttrCase<"fast", 1>]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

def Bi_Activation : I32EnumAttr<"Activation",
    "the activation of a bi.matmul epilogue",
    [I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"relu", 1>,
     I32EnumAttrCase<"silu", 2>]> {
  let cppNamespace = "::mlir::bi";
}

def Bi_ChunkPlacement : I32EnumAttr<"ChunkPlacement",
    "where the K chunks of one output tile of a bi.matmul run",
    [I32EnumAttrCase<"serial", 0>, I32EnumAttrCase<"split", 1>,
     I32EnumAttrCase<"cluster", 2>]> {
  let cppNamespace = "::mlir::bi";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class Bi_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Bi_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Bi_MathModeAttr : Bi_Attr<"MathMode", "math"> {
  let summary = "floating-point math mode: FMA contraction and functions";
  let description = [{
    Decides the bits of everything that is not a plain IEEE operation:

    * `fma = on`: a reduction whose input is a product `a * b` folds each
      element as `acc = fma(a, b, acc)` (one rounding); `fma = off` rounds
      the product first. Elementwise code is never contracted.
    * `fn = portable`: `math.sqrt` and `arith.divf` are correctly rounded,
      `math.rsqrt` is `1 / sqrt(x)` with both steps correctly rounded and
      `math.exp` is bi's fixed polynomial; a CPU reproduces every bit.
      `fn = fast`: the hardware approximations (`rsqrt.approx`,
      `ex2.approx`), deterministic on one GPU model only.

    Example: `#bi.math<fma = on, fn = portable>`
  }];
  let parameters = (ins
    EnumParameter<Bi_FmaMode>:$fma,
    EnumParameter<Bi_FnMode>:$fn);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Bi_DimAttr : Bi_Attr<"Dim", "dim"> {
  let summary = "a named kernel dimension and its classification";
  let description = [{
    Declares one dimension of a `bi.kernel`: its name, whether it is a
    `batch`, `parallel` or `reduction` dimension, and optionally its static
    extent. A batch dimension never has a static extent: its extent follows
    the load, and nothing that decides bits may depend on it.

    Example: `#bi.dim<"M" : batch>`, `#bi.dim<"H" : reduction = 4096>`
  }];
  let parameters = (ins
    StringRefParameter<"the dimension's name">:$name,
    EnumParameter<Bi_DimKind>:$kind,
    OptionalParameter<"std::optional<int64_t>">:$size);
  let assemblyFormat = "`<` $name `:` $kind (`=` $size^)? `>`";
  let genVerifyDecl = 1;
}

def Bi_ScheduleAttr : Bi_Attr<"Schedule", "schedule"> {
  let summary = "how a row program is mapped onto the GPU (never the bits)";
  let description = [{
    A schedule chooses the number of threads that cooperate on one row and
    the number of rows a thread block processes. It may depend on anything
    (the shape, the GPU, an autotuner): the lowering implements every order
    contract exactly whatever the schedule, so the bits stay the same.
    `threads` must divide the `lanes` of every reduction of the row program.

    Example: `#bi.schedule<threads = 128, rows = 2>`
  }];
  let parameters = (ins "int64_t":$threads, "int64_t":$rows);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Bi_MatmulScheduleAttr : Bi_Attr<"MatmulSchedule", "matmul_schedule"> {
  let summary = "how a bi.matmul is mapped onto the GPU (never the bits)";
  let description = [{
    A GEMM schedule: each thread block computes a `block_m` x `block_n` tile
    of the output through a shared-memory pipeline `stages` deep, and the K
    chunks of the order contract run either one after another in the block
    (`chunks = serial`, partials kept on chip) or on parallel blocks: with
    `chunks = split` each block writes its partial to a workspace and the
    last block of a tile to finish adds them; with `chunks = cluster` a
    tile's blocks (a pair) form one thread-block cluster, each runs every
    other chunk, and they add the partials in distributed shared memory.
    Whatever the choice, the chunk partials are added in the
    contract's order, so the schedule may depend on M, N, K or the GPU and
    still never changes the bits; the fingerprint ignores it. Which values a
    GPU supports is checked by its lowering.

    Example:

    ```mlir
    #bi.matmul_schedule<block_m = 128, block_n = 128, stages = 4,
                        chunks = serial>
    ```
  }];
  let parameters = (ins "int64_t":$block_m, "int64_t":$block_n,
                        "int64_t":$stages,
                        EnumParameter<Bi_ChunkPlacement>:$chunks);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Bi_ReductionOrderAttr : Bi_Attr<"ReductionOrder", "order"> {
  let summary = "the order contract of a floating-point reduction";
  let description = [{
    Fixes the reduction tree of a reduction of extent `E` (the reduction
    dimension's extent) as a function of `E` and constants only:

    1. Partition. With `chunk = C`, the extent is first cut into
       `ceil(E / C)` fixed chunks of `C` consecutive elements; each chunk is
       reduced on its own (steps 2-3) and the chunk results are combined by
       `chunk_combine` (`seq`: left to right; `tree`: pairwise). Inside the
       extent (or a chunk), element `i` belongs to lane
       `(i / vector) mod lanes`.
    2. Fold. Each lane folds its elements in increasing index order,
       starting from the identity (`fold = seq`). With a hardware `unit`,
       the lane instead consumes `step` elements per instruction and the
       instruction fixes the order inside a step.
    3. Combine. Lane results are combined left to right (`combine = seq`)
       or as a balanced binary tree over lanes in index order, adjacent
       pairs first (`combine = tree`; `lanes` a power of two).

    `fma` and `fn` override the kernel's math mode for this reduction.
    A parameter written `?` is given by an SSA operand of the reduction,
    which may depend only on the reduction's extent and constants.

    Examples:

    ```mlir
    // RMSNorm: 256 interleaved lanes of 8-element vectors, tree combine.
    #bi.order<lanes = 256, vector = 8, combine = tree, fma = on>
    // GEMM over K: chunks of 1024 reduced by wgmma in k-steps of 16.
    #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
              unit = wgmma.m64nNk16>
    ```
  }];
  let parameters = (ins
    "int64_t":$chunk,
    "CombineOrder":$chunkCombine,
    "int64_t":$lanes,
    "int64_t":$vector,
    "FoldOrder":$fold,
    "CombineOrder":$combine,
    "HardwareUnit":$unit,
    "int64_t":$step,
    OptionalParameter<"std::optional<FmaMode>">:$fma,
    OptionalParameter<"std::optional<FnMode>">:$fn);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of parameters written `?`, given by operands of the reduction.
    unsigned getNumDynamicParams() const;
    /// Names of the dynamic parameters in operand order.
    ::llvm::SmallVector<::llvm::StringRef> getDynamicParamNames() const;
    /// The same contract with dynamic parameters replaced by `values` (in
    /// operand order).
    ReductionOrderAttr withDynamicParams(::llvm::ArrayRef<int64_t> values) const;
  }];
}

#endif // BI_ATTRS_TD
