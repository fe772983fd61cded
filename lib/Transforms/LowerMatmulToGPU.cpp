//===- LowerMatmulToGPU.cpp - the CUDA-core bi.matmul as a gpu.func -------===//
//
// A contract without a hardware unit is a plain loop nest: one thread per
// output element folds K chunk by chunk, each chunk from +0 in increasing k
// with one f32 accumulator, adds the chunk partials left to right and
// applies the epilogue. Nothing of that loop nest depends on M: the row is
// the block's y index, and the loops are bounded by K and the contract's
// chunk. Written as scf.for loops, the invariance analysis can check that
// claim on this code and, after conversion, on its LLVM/NVVM form.
//
// The kernel is the one emitCudaCoreGemm writes, operation for operation,
// so the NVVM and NVRTC backends agree bit for bit and share the launcher:
// entry `bi_gemm_fma(a, b, c, bias, residual, M, N, K, lda, ldb)` with i32
// extents and i64 row strides, grid (ceil(N / 128), M), 128 threads.
//
//===----------------------------------------------------------------------===//
#include "Target/HopperGemm.h"
#include "Transforms/LowerMatmul.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::bi;

namespace {
/// Builds the gpu.func of one CUDA-core matmul.
class CudaCoreMatmulLowering {
public:
  CudaCoreMatmulLowering(KernelOp kernel, MatmulOp matmul)
      : kernel(kernel), matmul(matmul), b(kernel.getContext()),
        loc(matmul.getLoc()) {}

  LogicalResult run();

private:
  /// The parameters, in the order of emitCudaCoreGemm's.
  enum Param { A, B, C, Bias, Residual, M, N, K, Lda, Ldb, NumParams };

  void buildSignature();
  /// Folds K into the f32 total of output element (m, n).
  Value emitReduction(Value m, Value n);

  Value constIndex(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value param(Param p) { return func.getArgument(p); }
  /// An i32 extent or i64 stride parameter as an index (all are >= 0).
  Value indexParam(Param p) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), param(p));
  }

  KernelOp kernel;
  MatmulOp matmul;
  OpBuilder b;
  Location loc;
  gpu::GPUFuncOp func;
};
} // namespace

void CudaCoreMatmulLowering::buildSignature() {
  MLIRContext *ctx = b.getContext();
  Type pointer = LLVM::LLVMPointerType::get(ctx, /*addressSpace=*/1);
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  SmallVector<Type> inputs = {pointer, pointer, pointer, pointer, pointer,
                              i32,     i32,     i32,     i64,     i64};

  b.setInsertionPoint(kernel);
  auto gpuModule = gpu::GPUModuleOp::create(b, loc, kernel.getSymName());
  b.setInsertionPointToStart(gpuModule.getBody());
  func = gpu::GPUFuncOp::create(b, loc, ::bi::kGemmFmaFunction,
                                b.getFunctionType(inputs, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({::bi::kGemmFmaThreads, 1, 1}));
  func->setAttr("bi.math", matmul.getEffectiveMath());
  if (Attribute fingerprint = kernel->getAttr("bi.fingerprint"))
    func->setAttr("bi.fingerprint", fingerprint);

  // What each parameter is, for readers and for the invariance analysis.
  SmallVector<Attribute> abi, argDims(NumParams, b.getStringAttr(""));
  Value buffers[5] = {matmul.getA(), matmul.getB(), matmul.getC(),
                      matmul.getBias(), matmul.getResidual()};
  const char *roles[5] = {"a", "b", "c", "bias", "residual"};
  for (int i = A; i <= Residual; ++i) {
    abi.push_back(b.getStringAttr("ptr " + describeElementType(buffers[i]) +
                                  " " + roles[i]));
    // Inputs and output never overlap (the verifier and the launcher say
    // so).
    func.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                    b.getUnitAttr());
  }
  markMatmulExtents(func, matmul, M, abi, argDims);
  abi.push_back(b.getStringAttr("i64 row_stride a"));
  abi.push_back(b.getStringAttr("i64 row_stride b"));
  func.setArgAttr(Lda, "bi.row_stride_of", b.getI64IntegerAttr(A));
  func.setArgAttr(Ldb, "bi.row_stride_of", b.getI64IntegerAttr(B));
  func->setAttr("bi.abi", b.getArrayAttr(abi));
  func->setAttr("bi.arg_dims", b.getArrayAttr(argDims));
  b.setInsertionPointToStart(&func.getBody().front());
}

Value CudaCoreMatmulLowering::emitReduction(Value m, Value n) {
  Type input = getBufferElementType(matmul.getA());
  bool fused = matmul.getEffectiveMath().getFma() == FmaMode::on;
  bool nnLinear = matmul.isNnLinearLayout();
  Value lda = indexParam(Lda), ldb = indexParam(Ldb);
  Value extentK = indexParam(K);
  Value rowA = arith::MulIOp::create(b, loc, m, lda);
  Value rowB =
      nnLinear ? arith::MulIOp::create(b, loc, n, ldb).getResult() : Value();
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));

  // One chunk [begin, end): its partial, folded from +0 in increasing k.
  auto foldChunk = [&](Value begin, Value end) {
    auto loop = scf::ForOp::create(b, loc, begin, end, constIndex(1), {zero});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k = loop.getInductionVar();
    Value acc = loop.getRegionIterArg(0);
    Value x = loadGlobalAsF32(b, loc, param(A), input,
                              arith::AddIOp::create(b, loc, rowA, k));
    // B[k, n] is b[n, k] (nn.Linear) or b[k, n].
    Value offsetB = nnLinear
                        ? arith::AddIOp::create(b, loc, rowB, k)
                        : arith::AddIOp::create(
                              b, loc, arith::MulIOp::create(b, loc, k, ldb), n);
    Value y = loadGlobalAsF32(b, loc, param(B), input, offsetB);
    Value next = fused ? math::FmaOp::create(b, loc, x, y, acc).getResult()
                       : arith::AddFOp::create(
                             b, loc, acc, arith::MulFOp::create(b, loc, x, y))
                             .getResult();
    scf::YieldOp::create(b, loc, next);
    return loop.getResult(0);
  };

  int64_t chunk = matmul.getOrderAttr().getChunk();
  if (chunk == 0) // One chunk spanning K: its partial is the total.
    return foldChunk(constIndex(0), extentK);

  Value chunkSize = constIndex(chunk);
  auto chunks =
      scf::ForOp::create(b, loc, constIndex(0), extentK, chunkSize, {zero});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(chunks.getBody());
  Value begin = chunks.getInductionVar();
  Value total = chunks.getRegionIterArg(0);
  Value end = arith::MinUIOp::create(
      b, loc, extentK, arith::AddIOp::create(b, loc, begin, chunkSize));
  Value partial = foldChunk(begin, end);
  // Left to right, starting from the first partial itself: 0.0 + p0 would
  // turn a -0 partial into +0.
  Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, begin,
                                        constIndex(0));
  Value sum = arith::AddFOp::create(b, loc, total, partial);
  scf::YieldOp::create(
      b, loc,
      ValueRange{arith::SelectOp::create(b, loc, isFirst, partial, sum)});
  return chunks.getResult(0);
}

LogicalResult CudaCoreMatmulLowering::run() {
  buildSignature();
  // Column n = blockIdx.x * 128 + threadIdx.x, row m = blockIdx.y.
  Value n = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc,
                            gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                            constIndex(::bi::kGemmFmaThreads)),
      gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  Value m = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value extentN = indexParam(N);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, n, extentN);
  auto ifOp = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value v = buildMatmulEpilogue(b, loc, matmul, emitReduction(m, n), m, n,
                                  extentN, param(Bias), param(Residual));
    buildMatmulStore(b, loc, matmul, v, m, n, extentN, param(C));
  }
  gpu::ReturnOp::create(b, loc);
  return success();
}

LogicalResult mlir::bi::lowerCudaCoreMatmul(KernelOp kernel, MatmulOp matmul) {
  return CudaCoreMatmulLowering(kernel, matmul).run();
}
