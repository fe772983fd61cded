//===- BiDialect.td - the bi dialect definition ------------*- tablegen -*-===//
//
// The `bi` dialect: kernels whose floating-point reductions carry an explicit
// order contract, so that their bits never depend on a batch extent.
//
//===----------------------------------------------------------------------===//

#ifndef BI_DIALECT_TD
#define BI_DIALECT_TD

include "mlir/IR/OpBase.td"

def Bi_Dialect : Dialect {
  let name = "bi";
  let cppNamespace = "::mlir::bi";
  let summary = "Batch-invariant kernels with explicit reduction-order contracts";
  let description = [{
    The `bi` dialect describes GPU kernels whose results are bitwise
    independent of the batch size. Every floating-point reduction carries an
    order contract (`#bi.order`) that fixes the reduction tree as a function of
    the reduction extent and compile-time constants only. The schedule (tiles,
    threads, rows per block) is free and never changes the bits.

    Dimensions of a kernel are classified as `batch` (their extent follows
    the load: rows, tokens), `parallel` (never reduced) or `reduction`
    (reduced by some `bi.reduce` or `bi.matmul`, possibly also used
    elementwise).

    Example:

    ```mlir
    bi.kernel @row_sum(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                       %y: memref<?xf32> {bi.axes = ["M"]})
        dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 1024>] {
      bi.map_rows %row over "M" row "H" {
        %x_row = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
        %sum = bi.reduce add %x_row : tensor<?xf32> -> f32 over "H"
            order #bi.order<lanes = 128, vector = 4, combine = tree>
        bi.store_scalar %sum, %y[%row] : f32, memref<?xf32>
      }
      bi.return
    }
    ```
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class Bi_Op<string mnemonic, list<Trait> traits = []>
    : Op<Bi_Dialect, mnemonic, traits>;

#endif // BI_DIALECT_TD
