//===- BiOps.td - bi operations ----------------------------*- tablegen -*-===//
//
// Kernels, row programs and the ordered reduction.
//
//===----------------------------------------------------------------------===//

#ifndef BI_OPS_TD
#define BI_OPS_TD

include "bi/IR/BiAttrs.td"
include "mlir/Dialect/Arith/IR/ArithBase.td"
include "mlir/Dialect/Arith/IR/ArithOpsInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Bi_RowTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger], [HasAnyRankOfPred<[1]>]>;

//===----------------------------------------------------------------------===//
// bi.kernel
//===----------------------------------------------------------------------===//

def Bi_KernelOp : Bi_Op<"kernel", [
    FunctionOpInterface, IsolatedFromAbove, Symbol]> {
  let summary = "a batch-invariant GPU kernel";
  let description = [{
    A kernel with named, classified dimensions. Buffer arguments are memrefs
    whose axes are named by the `bi.axes` argument attribute; scalar
    arguments are run-time values (they may feed elementwise math, never an
    order contract). The body is a sequence of row programs
    (`bi.map_rows`) and matrix products (`bi.matmul`), run one after
    another in body order, ended by `bi.return`.

    The optional `math` mode (default `#bi.math<fma = off, fn = portable>`)
    governs every operation of the kernel; a reduction's contract may
    override it for its own fold.

    Example:

    ```mlir
    bi.kernel @scale(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                     %y: memref<?x?xf32> {bi.axes = ["M", "H"]}, %s: f32)
        dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel = 64>]
        math #bi.math<fma = off, fn = fast> {
      bi.map_rows %r over "M" row "H" {
        %v = bi.load_row %x[%r] : memref<?x?xf32> -> tensor<?xf32>
        %b = bi.broadcast %s : f32 -> tensor<?xf32>
        %p = arith.mulf %v, %b : tensor<?xf32>
        bi.store_row %p, %y[%r] : tensor<?xf32>, memref<?x?xf32>
      }
      bi.return
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       TypedArrayAttrBase<Bi_DimAttr, "dimension list">:$dims,
                       OptionalAttr<Bi_MathModeAttr>:$math,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    ::llvm::ArrayRef<::mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    ::llvm::ArrayRef<::mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    /// The declaration of dimension `name`, or null.
    DimAttr lookupDim(::llvm::StringRef name);
    /// The names of buffer argument `index`'s axes (empty for scalars).
    ::llvm::SmallVector<::llvm::StringRef> getArgAxes(unsigned index);
    /// The kernel's math mode, with the default filled in.
    MathModeAttr getEffectiveMath();
    static ::llvm::StringRef getAxesAttrName() { return "bi.axes"; }
  }];
}

def Bi_ReturnOp : Bi_Op<"return", [Pure, HasParent<"KernelOp">, Terminator,
                                   ReturnLike]> {
  let summary = "ends a bi.kernel";
  let description = [{
    Terminates the body of a `bi.kernel`. Kernels return nothing: they
    write their results through buffer arguments.

    Example: `bi.return`
  }];
  let assemblyFormat = "attr-dict";
}

//===----------------------------------------------------------------------===//
// Row programs
//===----------------------------------------------------------------------===//

def Bi_MapRowsOp : Bi_Op<"map_rows", [
    HasParent<"KernelOp">, SingleBlockImplicitTerminator<"YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "runs a row program for every index of a batch dimension";
  let description = [{
    Runs the region once for every index `%row` of the batch dimension
    `over`, independently: no value flows between rows, so how rows are
    grouped into thread blocks is a schedule choice and never changes bits.
    Inside, 1-D tensors are rows along the dimension named by `row`;
    elementwise `arith`/`math` ops act on them, `bi.reduce` reduces them
    under an order contract.

    The optional `schedule` fixes threads per row and rows per block; when
    absent the lowering picks one.

    Example:

    ```mlir
    bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 128, rows = 2> {
      %x_row = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
      %m = bi.reduce max %x_row : tensor<?xf32> -> f32 over "H"
          order #bi.order<lanes = 128, combine = tree>
      bi.store_scalar %m, %y[%row] : f32, memref<?xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$over, StrAttr:$row,
                       OptionalAttr<Bi_ScheduleAttr>:$schedule);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::BlockArgument getRowIndex() { return getBody().getArgument(0); }
    KernelOp getKernel() { return (*this)->getParentOfType<KernelOp>(); }
  }];
}

def Bi_YieldOp : Bi_Op<"yield", [Pure, HasParent<"MapRowsOp">, Terminator,
                                 ReturnLike]> {
  let summary = "ends a row program";
  let description = [{
    Terminates the region of `bi.map_rows`; implicit in the custom syntax.

    Example: `bi.yield`
  }];
  let assemblyFormat = "attr-dict";
}

def Bi_DimOp : Bi_Op<"dim", [Pure]> {
  let summary = "the run-time extent of a named dimension";
  let description = [{
    Returns the extent of dimension `name` of the enclosing kernel. Folds to
    a constant when the dimension has a static extent. An order contract
    may use the extent of its own reduction dimension, never a batch extent.

    Example: `%h = bi.dim "H" : index`
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Index:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Bi_LoadRowOp : Bi_Op<"load_row", [
    HasParent<"MapRowsOp">, MemoryEffects<[MemRead]>]> {
  let summary = "reads one row of a buffer as a 1-D tensor";
  let description = [{
    With a row index, reads row `%row` of a buffer whose axes are
    `[batch, row-dim]`; without one, reads a whole buffer whose only axis is
    the row dimension (a weight vector shared by all rows).

    Example:

    ```mlir
    %x_row = bi.load_row %x[%row] : memref<?x4096xbf16> -> tensor<?xbf16>
    %w = bi.load_row %weight[] : memref<4096xbf16> -> tensor<?xbf16>
    ```
  }];
  let arguments = (ins AnyMemRef:$buffer, Optional<Index>:$row);
  let results = (outs Bi_RowTensor:$result);
  let assemblyFormat = [{
    $buffer `[` ($row^)? `]` attr-dict `:` type($buffer) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Bi_StoreRowOp : Bi_Op<"store_row", [
    HasParent<"MapRowsOp">, MemoryEffects<[MemWrite]>]> {
  let summary = "writes a 1-D tensor as one row of a buffer";
  let description = [{
    Writes `value` into row `%row` of a buffer with axes `[batch, row-dim]`.
    The element types must match (convert with `arith.truncf` first).

    Example:

    ```mlir
    bi.store_row %y_row, %y[%row] : tensor<?xbf16>, memref<?x?xbf16>
    ```
  }];
  let arguments = (ins Bi_RowTensor:$value, AnyMemRef:$buffer, Index:$row);
  let assemblyFormat = [{
    $value `,` $buffer `[` $row `]` attr-dict `:` type($value) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def Bi_StoreScalarOp : Bi_Op<"store_scalar", [
    HasParent<"MapRowsOp">, MemoryEffects<[MemWrite]>]> {
  let summary = "writes one value per row";
  let description = [{
    Writes a scalar into element `%row` of a buffer whose only axis is the
    batch dimension (a row sum, a row mean, a row maximum).

    Example: `bi.store_scalar %sum, %y[%row] : f32, memref<?xf32>`
  }];
  let arguments = (ins AnyTypeOf<[AnyFloat, AnySignlessInteger]>:$value,
                       AnyMemRef:$buffer, Index:$row);
  let assemblyFormat = [{
    $value `,` $buffer `[` $row `]` attr-dict `:` type($value) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def Bi_BroadcastOp : Bi_Op<"broadcast", [Pure]> {
  let summary = "a row whose every element is the same scalar";
  let description = [{
    Broadcasts a scalar (a reduction result, a kernel argument) along the
    row dimension so it can meet rows in elementwise ops.

    Example: `%inv_row = bi.broadcast %inv : f32 -> tensor<?xf32>`
  }];
  let arguments = (ins AnyTypeOf<[AnyFloat, AnySignlessInteger]>:$scalar);
  let results = (outs Bi_RowTensor:$result);
  let assemblyFormat = "$scalar attr-dict `:` type($scalar) `->` type($result)";
  let hasVerifier = 1;
}

def Bi_ReduceOp : Bi_Op<"reduce", [Pure]> {
  let summary = "a reduction in the order its contract declares";
  let description = [{
    Reduces a row along dimension `over` with `kind` (`add`, `max`, `min`)
    into a scalar of the accumulator type (the result type; elements are
    extended to it before folding). A floating-point reduction must carry an
    order contract `#bi.order<...>`, which fixes the reduction tree from the
    extent of `over` and constants; parameters written `?` are given by
    `params`, which may derive only from `bi.dim` of `over` and constants.
    Fast-math flags that allow reassociation are rejected.

    Example:

    ```mlir
    %ss = bi.reduce add %sq : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 256, vector = 8, combine = tree>
    %h = bi.dim "H" : index
    %c = arith.constant 4 : index
    %chunk = arith.divui %h, %c : index
    %s = bi.reduce add %x : tensor<?xf32> -> f32 over "H"
        order #bi.order<chunk = ?, lanes = 32, combine = tree> (%chunk)
    ```
  }];
  let arguments = (ins Bi_ReductionKind:$kind, Bi_RowTensor:$input,
                       StrAttr:$over,
                       OptionalAttr<Bi_ReductionOrderAttr>:$order,
                       Variadic<Index>:$params,
                       OptionalAttr<Arith_FastMathAttr>:$fastmath);
  let results = (outs AnyTypeOf<[AnyFloat, AnySignlessInteger]>:$result);
  let assemblyFormat = [{
    $kind $input `:` type($input) `->` type($result) `over` $over
    custom<OrderContract>($order, $params) (`fastmath` $fastmath^)?
    attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The contract's math mode with the kernel's filled in.
    MathModeAttr getEffectiveMath();
  }];
}

//===----------------------------------------------------------------------===//
// bi.matmul
//===----------------------------------------------------------------------===//

def Bi_MatmulOp : Bi_Op<"matmul", [HasParent<"KernelOp">,
                                   AttrSizedOperandSegments]> {
  let summary = "a matrix product with a fixed K order and a fused epilogue";
  let description = [{
    Computes, for every `m` in `[0, M)` and `n` in `[0, N)`,

    ```
    C[m, n] = epilogue(sum_k A[m, k] * B[k, n])
    ```

    on buffer arguments of the enclosing kernel: `a` has axes `[M, K]`, `b`
    has axes `[N, K]` (the nn.Linear layout: one row of weights per output
    column) or `[K, N]` (row-major K x N); the layout is read from `b`'s
    axes, and `B[k, n]` is `b[n, k]` or `b[k, n]` accordingly. The output `c` has axes `[M, N]`, the optional `bias` has axes
    `[N]` and the optional `residual` has axes `[M, N]`. `over` names K,
    which must be a `reduction` dimension; M is `batch` or `parallel`, N is
    never `batch`. `a` and `b` are bf16 or f16 (f32 only with a contract
    without `unit`); `c`, `bias` and `residual` are bf16, f16 or f32. Every
    product and sum is computed in f32.

    The order contract is required. K is cut into `ceil(K / chunk)` chunks
    of `chunk` consecutive k (no `chunk`: one chunk of all of K). Each
    chunk's partial `p_j` is reduced from +0.0:

    * `unit = wgmma.m64nNk16` (`step = 16`, bf16 or f16 operands): in
      k-steps of 16 consecutive k in increasing order, one wgmma instruction
      per step, whose internal order the hardware fixes; a k-step that runs
      past K is zero-padded. `chunk` is a multiple of 64, because the Hopper
      schedule loads K in tiles of 64 that must each lie in one chunk.
    * no `unit` (the CUDA-core variant): sequentially over k in increasing
      order, with `a_k` and `b_k` extended to f32:
      `acc = fma(a_k, b_k, acc)` with `fma = on`, otherwise
      `acc = acc + round(a_k * b_k)`.

    The chunk partials are added left to right (`chunk_combine = seq`):
    `total = p_0`, then `total = total + p_j` for `j = 1, 2, ...`.
    `lanes`, `vector`, `combine` and `?` parameters do not apply;
    `chunk_combine = tree` and `unit = mma.sync.m16n8k16` are not
    implemented for matrix products.

    The epilogue, in this order and in f32: `v = total`; with `bias`,
    `v = v + bias[n]`; the activation (`none` by default; `relu`:
    `v > 0 || v is NaN ? v : +0.0`; `silu`: `v / (1 + exp(-v))` with the
    math mode's exp and division); with `residual`, `v = v + residual[m, n]`;
    then `v` is rounded to `c`'s element type (to nearest even).

    The math mode is the kernel's, overridden by the contract's `fma` and
    `fn`. The optional `schedule` maps the product onto the GPU and never
    changes the bits.

    Example:

    ```mlir
    bi.matmul %a, %w into %y
        : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
        bias %bias : memref<?xbf16> activation silu
        residual %h : memref<?x?xbf16>
        order #bi.order<chunk = 1024, chunk_combine = seq, step = 16,
                        unit = wgmma.m64nNk16>
    ```

    General form (clauses in this order, each optional but `order`, which
    the verifier requires):

    ```
    bi.matmul %a, %b into %c : type(a), type(b) -> type(c) over "K"
        (bias %bias : type)? (activation relu|silu)?
        (residual %r : type)? (order #bi.order<...>)?
        (schedule #bi.matmul_schedule<...>)? (attributes {...})?
    ```
  }];
  let arguments = (ins
    Arg<AnyMemRef, "A, axes [M, K]", [MemRead]>:$a,
    Arg<AnyMemRef, "B, axes [N, K] or [K, N]", [MemRead]>:$b,
    Arg<AnyMemRef, "C, axes [M, N]", [MemWrite]>:$c,
    Arg<Optional<AnyMemRef>, "bias, axes [N]", [MemRead]>:$bias,
    Arg<Optional<AnyMemRef>, "residual, axes [M, N]", [MemRead]>:$residual,
    StrAttr:$over,
    Bi_Activation:$activation,
    OptionalAttr<Bi_ReductionOrderAttr>:$order,
    OptionalAttr<Bi_MatmulScheduleAttr>:$schedule);
  // The types follow the operands (as in bi.reduce): MLIR's attribute
  // parser reads a `: type` after any `#bi.order<...>`, so the contract
  // cannot precede them. The epilogue clauses appear in the order the
  // epilogue applies them.
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    KernelOp getKernel() { return (*this)->getParentOfType<KernelOp>(); }
    /// The rows of `a` and `c` (M), the columns of `c` (N) and the reduced
    /// dimension (K, named by `over`). Empty where the axes do not say.
    ::llvm::StringRef getMDimName();
    ::llvm::StringRef getNDimName();
    ::llvm::StringRef getKDimName() { return getOver(); }
    /// True when `b` has axes [N, K] (nn.Linear), false for [K, N].
    bool isNnLinearLayout();
    /// The contract's math mode with the kernel's filled in.
    MathModeAttr getEffectiveMath();
  }];
}

#endif // BI_OPS_TD
