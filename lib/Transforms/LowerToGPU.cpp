//===- LowerToGPU.cpp - bi kernels to gpu.func ----------------------------===//
//
// Lowers a scheduled row program to a GPU kernel that implements each order
// contract exactly. Thread `t` of a row owns contract lanes
// [t*k, t*k + k) with k = lanes / threads; lane `l` folds vectors
// l, l + lanes, l + 2*lanes, ... sequentially from the identity; lanes are
// then combined in the declared order: in registers, then with shuffle
// butterflies, then across warps through shared memory. Nothing about this
// tree depends on the number of rows, the grid or the rows per block.
//
// Row tensors are never materialised: each consumer (a reduction or a store)
// re-derives the elements it needs from the elementwise definition chain,
// for the vector of elements it is processing.
//
// A kernel whose body is one bi.matmul is lowered by LowerMatmulToGPU.cpp
// instead.
//
//===----------------------------------------------------------------------===//
#include "Transforms/LowerMatmul.h"
#include "Transforms/Passes.h"
#include "Transforms/RowReduction.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/SaveAndRestore.h"
#include <map>

namespace mlir::bi {
#define GEN_PASS_DEF_BILOWERTOGPU
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;
using namespace mlir::bi;

namespace {

/// Lowers one bi.kernel into a gpu.func inside a new gpu.module.
class KernelLowering {
public:
  KernelLowering(KernelOp kernel, MapRowsOp rows)
      : kernel(kernel), rows(rows), b(kernel.getContext()),
        loc(kernel.getLoc()) {}

  LogicalResult run();

private:
  LogicalResult buildSignature();
  LogicalResult emitRowProgram();
  LogicalResult emitReduce(ReduceOp reduce);
  LogicalResult emitStoreRow(StoreRowOp store);
  void emitStoreScalar(StoreScalarOp store);
  /// A first-element index known to be `thread * perThread + offset`,
  /// which lets loads of the same elements be shared across consumers.
  struct StaticIndex {
    int64_t perThread;
    int64_t offset;
  };
  FailureOr<Value> materialize(Value tensor, Value firstElement, int64_t width,
                               DenseMap<Value, Value> &cache,
                               std::optional<StaticIndex> key = std::nullopt);
  /// `thread * perThread + offset` as an index value.
  Value threadIndex(StaticIndex index) {
    return arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, threadX, constIndex(index.perThread)),
        constIndex(index.offset));
  }

  Value constIndex(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value combine(ReductionKind kind, Value lhs, Value rhs);
  Value identity(ReductionKind kind, Type type);
  /// A shared-memory buffer, 16-byte aligned: LLVM reads consecutive
  /// elements with vector loads.
  Value addSharedBuffer(MemRefType type) {
    Value buffer = func.addWorkgroupAttribution(type, loc);
    func.setWorkgroupAttributionAttr(func.getNumWorkgroupAttributions() - 1,
                                     "llvm.align", b.getI64IntegerAttr(16));
    return buffer;
  }

  KernelOp kernel;
  MapRowsOp rows;
  OpBuilder b;
  Location loc;
  gpu::GPUFuncOp func;
  int64_t threads = 0, rowsPerBlock = 0;
  Value threadX, rowValid, rowIndex;
  /// True while code is emitted at the kernel's top level, where loads may
  /// be recorded in sharedLoads.
  bool sharingLoads = false;
  /// Unroll a fold or store loop with at most this many vectors per thread.
  static constexpr int64_t kMaxUnrolledRounds = 16;
  DenseMap<Value, Value> bufferPointer; // kernel buffer arg -> pointer
  DenseSet<Value> writtenBuffers;       // kernel buffer args stored to
  /// Vectors loaded from read-only buffers at the top level of the kernel
  /// (so they dominate everything after), by (load, perThread, offset, width):
  /// a row read for a reduction is reused by the stores instead of being
  /// read from memory again.
  std::map<std::tuple<Operation *, int64_t, int64_t, int64_t>, Value>
      sharedLoads;
  DenseMap<Value, Value> bufferStride; // kernel buffer arg -> row stride
  llvm::StringMap<Value> extents;      // dimension name -> index value
  IRMapping scalars;                   // row-program scalars -> lowered
};

} // namespace

static Type getPointerType(MLIRContext *ctx) {
  return LLVM::LLVMPointerType::get(ctx, /*addressSpace=*/1);
}

LogicalResult KernelLowering::buildSignature() {
  MLIRContext *ctx = kernel.getContext();
  SmallVector<Type> inputs;
  SmallVector<std::string> abi;
  SmallVector<std::pair<unsigned, NamedAttrList>> argAttrs;
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    if (auto memref = dyn_cast<MemRefType>(type)) {
      inputs.push_back(getPointerType(ctx));
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "ptr " << memref.getElementType() << " arg" << index;
      abi.push_back(text);
    } else {
      inputs.push_back(type);
      std::string text;
      llvm::raw_string_ostream os(text);
      os << type << " arg" << index;
      abi.push_back(text);
    }
  }
  // Dynamic extents, batch dimensions first.
  SmallVector<DimAttr> dynamicDims;
  for (Attribute attr : kernel.getDims())
    if (auto dim = cast<DimAttr>(attr); !dim.getSize())
      dynamicDims.push_back(dim);
  llvm::stable_sort(dynamicDims, [](DimAttr a, DimAttr b) {
    return a.getKind() == DimKind::batch && b.getKind() != DimKind::batch;
  });
  unsigned firstExtent = inputs.size();
  for (DimAttr dim : dynamicDims) {
    inputs.push_back(b.getI64Type());
    abi.push_back("i64 extent " + dim.getName().str());
  }
  unsigned firstStride = inputs.size();
  SmallVector<unsigned> stridedArgs;
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    SmallVector<StringRef> axes = kernel.getArgAxes(index);
    if (axes.size() == 2) {
      DimAttr lead = kernel.lookupDim(axes[0]);
      if (lead && lead.getKind() == DimKind::batch) {
        stridedArgs.push_back(index);
        inputs.push_back(b.getI64Type());
        abi.push_back("i64 row_stride arg" + std::to_string(index));
      }
    }
  }

  b.setInsertionPoint(kernel);
  auto gpuModule = gpu::GPUModuleOp::create(b, loc, kernel.getSymName());
  b.setInsertionPointToStart(gpuModule.getBody());
  func = gpu::GPUFuncOp::create(b, loc, kernel.getSymName(),
                                b.getFunctionType(inputs, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(
      {static_cast<int32_t>(threads), static_cast<int32_t>(rowsPerBlock), 1}));
  func->setAttr("bi.rows_per_block", b.getI64IntegerAttr(rowsPerBlock));
  func->setAttr("bi.math", kernel.getEffectiveMath());
  SmallVector<Attribute> abiAttrs;
  for (const std::string &entry : abi)
    abiAttrs.push_back(b.getStringAttr(entry));
  func->setAttr("bi.abi", b.getArrayAttr(abiAttrs));
  if (Attribute fingerprint = kernel->getAttr("bi.fingerprint"))
    func->setAttr("bi.fingerprint", fingerprint);

  // Argument attributes do not survive convert-gpu-to-nvvm; the invariance
  // analysis reads the extent kinds from this function attribute instead.
  SmallVector<Attribute> argKinds(inputs.size(), b.getStringAttr(""));
  for (auto [offset, dim] : llvm::enumerate(dynamicDims))
    argKinds[firstExtent + offset] = b.getStringAttr(
        stringifyDimKind(dim.getKind()).str() + ":" + dim.getName().str());
  func->setAttr("bi.arg_dims", b.getArrayAttr(argKinds));

  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  kernel.walk([&](Operation *op) {
    if (auto store = dyn_cast<StoreRowOp>(op))
      writtenBuffers.insert(store.getBuffer());
    else if (auto store = dyn_cast<StoreScalarOp>(op))
      writtenBuffers.insert(store.getBuffer());
  });
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    Value kernelArg = kernel.getBody().getArgument(index);
    if (isa<MemRefType>(type)) {
      bufferPointer[kernelArg] = entry.getArgument(index);
      // Buffers never overlap an output (checked at launch): restrict.
      func.setArgAttr(index, LLVM::LLVMDialect::getNoAliasAttrName(),
                      b.getUnitAttr());
    } else
      scalars.map(kernelArg, entry.getArgument(index));
  }
  for (auto [offset, dim] : llvm::enumerate(dynamicDims)) {
    unsigned argIndex = firstExtent + offset;
    func.setArgAttr(argIndex, "bi.dim", b.getStringAttr(dim.getName()));
    func.setArgAttr(argIndex, "bi.dim_kind",
                    b.getStringAttr(stringifyDimKind(dim.getKind())));
    extents[dim.getName()] = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), entry.getArgument(argIndex));
  }
  for (Attribute attr : kernel.getDims())
    if (auto dim = cast<DimAttr>(attr); dim.getSize())
      extents[dim.getName()] = constIndex(*dim.getSize());
  for (auto [offset, argIndex] : llvm::enumerate(stridedArgs)) {
    unsigned strideArg = firstStride + offset;
    func.setArgAttr(strideArg, "bi.row_stride_of",
                    b.getI64IntegerAttr(argIndex));
    bufferStride[kernel.getBody().getArgument(argIndex)] =
        arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                   entry.getArgument(strideArg));
  }
  return success();
}

LogicalResult KernelLowering::run() {
  ScheduleAttr schedule = rows.getScheduleAttr();
  if (!schedule)
    return rows.emitOpError()
           << "has no schedule; run --bi-schedule before --bi-lower-to-gpu";
  threads = schedule.getThreads();
  rowsPerBlock = schedule.getRows();
  if (failed(buildSignature()))
    return failure();
  if (failed(emitRowProgram()))
    return failure();
  gpu::ReturnOp::create(b, loc);
  return success();
}

LogicalResult KernelLowering::emitRowProgram() {
  threadX = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value threadY = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::y);
  Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value row = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block, constIndex(rowsPerBlock)),
      threadY);
  rowValid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row,
                                   extents[rows.getOver()]);
  // Rows past the end still take part in barriers; they read row 0 and
  // store nothing.
  rowIndex = arith::SelectOp::create(b, loc, rowValid, row, constIndex(0));
  scalars.map(rows.getRowIndex(), rowIndex);

  for (Operation &op : rows.getBody().front().without_terminator()) {
    if (auto reduce = dyn_cast<ReduceOp>(op)) {
      if (failed(emitReduce(reduce)))
        return failure();
      continue;
    }
    if (auto store = dyn_cast<StoreRowOp>(op)) {
      if (failed(emitStoreRow(store)))
        return failure();
      continue;
    }
    if (auto store = dyn_cast<StoreScalarOp>(op)) {
      emitStoreScalar(store);
      continue;
    }
    if (auto dim = dyn_cast<DimOp>(op)) {
      scalars.map(dim.getResult(), extents[dim.getName()]);
      continue;
    }
    bool isRowValue =
        llvm::any_of(op.getResultTypes(), llvm::IsaPred<TensorType>);
    if (isRowValue)
      continue; // Materialised by its consumers.
    if (isa<LoadRowOp, BroadcastOp>(op))
      continue;
    b.clone(op, scalars);
  }
  return success();
}

FailureOr<Value> KernelLowering::materialize(Value tensor, Value firstElement,
                                             int64_t width,
                                             DenseMap<Value, Value> &cache,
                                             std::optional<StaticIndex> key) {
  if (Value cached = cache.lookup(tensor))
    return cached;
  auto tensorType = cast<RankedTensorType>(tensor.getType());
  Type element = tensorType.getElementType();
  auto vectorType = VectorType::get({width}, element);
  Operation *def = tensor.getDefiningOp();
  Value result;
  auto sharedKey = [&](Operation *op) {
    return std::make_tuple(op, key->perThread, key->offset, width);
  };
  if (auto load = dyn_cast_or_null<LoadRowOp>(def);
      load && key && sharedLoads.count(sharedKey(load))) {
    result = sharedLoads[sharedKey(load)];
  } else if (auto load = dyn_cast_or_null<LoadRowOp>(def)) {
    Value offset = firstElement;
    if (load.getRow())
      offset = arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(b, loc, scalars.lookup(load.getRow()),
                                bufferStride.lookup(load.getBuffer())),
          firstElement);
    Value offset64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), offset);
    Value address = LLVM::GEPOp::create(
        b, loc, getPointerType(b.getContext()), element,
        bufferPointer.lookup(load.getBuffer()), ValueRange{offset64});
    int64_t bytes = width * element.getIntOrFloatBitWidth() / 8;
    unsigned alignment = llvm::isPowerOf2_64(bytes) && bytes <= 16
                             ? bytes
                             : element.getIntOrFloatBitWidth() / 8;
    // A buffer the kernel never writes is read-only for the whole launch
    // (the launcher rejects outputs that overlap inputs), so its loads are
    // invariant: LLVM may reuse a vector loaded for a reduction when a store
    // needs the same elements again, instead of reading memory twice.
    bool readOnly = !writtenBuffers.contains(load.getBuffer());
    result = LLVM::LoadOp::create(b, loc, vectorType, address, alignment,
                                  /*isVolatile=*/false, /*isNonTemporal=*/false,
                                  /*isInvariant=*/readOnly);
    if (key && readOnly && sharingLoads)
      sharedLoads[sharedKey(load)] = result;
  } else if (auto broadcast = dyn_cast_or_null<BroadcastOp>(def)) {
    result = vector::BroadcastOp::create(b, loc, vectorType,
                                         scalars.lookup(broadcast.getScalar()));
  } else if (auto constant = dyn_cast_or_null<arith::ConstantOp>(def)) {
    auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
    if (!dense || !dense.isSplat())
      return constant.emitOpError()
             << "only splat constants can be used as rows";
    result = arith::ConstantOp::create(
        b, loc, vectorType,
        DenseElementsAttr::get(vectorType, dense.getSplatValue<Attribute>()));
  } else if (def && def->hasTrait<OpTrait::Elementwise>() &&
             (isa<arith::ArithDialect, math::MathDialect>(def->getDialect()))) {
    SmallVector<Value> operands;
    for (Value operand : def->getOperands()) {
      if (!isa<TensorType>(operand.getType())) {
        operands.push_back(scalars.lookup(operand));
        continue;
      }
      FailureOr<Value> lowered =
          materialize(operand, firstElement, width, cache, key);
      if (failed(lowered))
        return failure();
      operands.push_back(*lowered);
    }
    SmallVector<Type> resultTypes;
    for (Type type : def->getResultTypes())
      resultTypes.push_back(
          VectorType::get({width}, cast<TensorType>(type).getElementType()));
    OperationState state(loc, def->getName().getIdentifier(), operands,
                         resultTypes, def->getAttrs());
    result = b.create(state)->getResult(0);
  } else {
    return emitError(tensor.getLoc())
           << "cannot lower this row value to GPU code";
  }
  cache[tensor] = result;
  return result;
}

Value KernelLowering::identity(ReductionKind kind, Type type) {
  return arith::ConstantOp::create(b, loc, getReductionIdentity(kind, type));
}

Value KernelLowering::combine(ReductionKind kind, Value lhs, Value rhs) {
  bool isFloat = isa<FloatType>(lhs.getType());
  switch (kind) {
  case ReductionKind::add:
    return isFloat ? arith::AddFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(b, loc, lhs, rhs).getResult();
  case ReductionKind::max:
    return isFloat ? arith::MaximumFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MaxSIOp::create(b, loc, lhs, rhs).getResult();
  case ReductionKind::min:
    return isFloat ? arith::MinimumFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MinSIOp::create(b, loc, lhs, rhs).getResult();
  }
  llvm_unreachable("unknown reduction kind");
}

/// Widens `value` to the accumulator type.
static Value extendTo(OpBuilder &b, Location loc, Value value, Type accType) {
  if (value.getType() == accType)
    return value;
  if (isa<FloatType>(accType))
    return arith::ExtFOp::create(b, loc, accType, value);
  return arith::ExtSIOp::create(b, loc, accType, value);
}

LogicalResult KernelLowering::emitReduce(ReduceOp reduce) {
  Type accType = reduce.getResult().getType();
  ReductionKind kind = reduce.getKind();
  Value extent = extents[reduce.getOver()];
  FailureOr<ReductionOrderAttr> lowerable = getLowerableRowOrder(
      reduce, threads, getConstantIntValue(extent), "lowering");
  if (failed(lowerable))
    return failure();
  ReductionOrderAttr order = *lowerable;
  int64_t lanes = order.getLanes(), vectorWidth = order.getVector();
  int64_t lanesPerThread = lanes / threads;

  // With fma = on, a reduced product a*b folds as fma(a, b, acc).
  auto product = reduce.getInput().getDefiningOp<arith::MulFOp>();
  bool fused = reduce.getEffectiveMath().getFma() == FmaMode::on && product &&
               kind == ReductionKind::add;

  Value numVectors =
      arith::DivUIOp::create(b, loc, extent, constIndex(vectorWidth));
  Value rounds =
      arith::CeilDivUIOp::create(b, loc, numVectors, constIndex(lanes));
  std::optional<int64_t> staticExtent = getConstantIntValue(extent);
  bool everyLaneFull =
      staticExtent && (*staticExtent / vectorWidth) % lanes == 0;
  Value init = identity(kind, accType);
  SmallVector<Value> inits(lanesPerThread, init);
  // Folds the `vector`-element vector `vectorIndex` into `acc`, in order.
  auto foldVector = [&](Value acc, Value vectorIndex,
                        std::optional<StaticIndex> key =
                            std::nullopt) -> FailureOr<Value> {
    Value first = key ? threadIndex(*key)
                      : arith::MulIOp::create(b, loc, vectorIndex,
                                              constIndex(vectorWidth))
                            .getResult();
    DenseMap<Value, Value> cache;
    Value lhs, rhs, values;
    if (fused) {
      FailureOr<Value> a =
          materialize(product.getLhs(), first, vectorWidth, cache, key);
      FailureOr<Value> c =
          materialize(product.getRhs(), first, vectorWidth, cache, key);
      if (failed(a) || failed(c))
        return failure();
      lhs = *a;
      rhs = *c;
    } else {
      FailureOr<Value> v =
          materialize(reduce.getInput(), first, vectorWidth, cache, key);
      if (failed(v))
        return failure();
      values = *v;
    }
    Value folded = acc;
    for (int64_t j = 0; j < vectorWidth; ++j) {
      if (fused) {
        Value x = extendTo(b, loc, vector::ExtractOp::create(b, loc, lhs, j),
                           accType);
        Value y = extendTo(b, loc, vector::ExtractOp::create(b, loc, rhs, j),
                           accType);
        folded = math::FmaOp::create(b, loc, x, y, folded);
      } else {
        Value x = extendTo(b, loc, vector::ExtractOp::create(b, loc, values, j),
                           accType);
        folded = combine(kind, folded, x);
      }
    }
    return folded;
  };
  SmallVector<Value> partials;
  int64_t staticRounds =
      staticExtent ? llvm::divideCeil(*staticExtent / vectorWidth, lanes) : 0;
  if (everyLaneFull && staticRounds * lanesPerThread <= kMaxUnrolledRounds) {
    // Straight-line code at the kernel's top level: every round of every
    // lane, in order. Thread t's slot s in round r folds the elements from
    // (r * lanes + t * k + s) * vector on.
    partials = inits;
    llvm::SaveAndRestore<bool> share(sharingLoads, true);
    for (int64_t round = 0; round < staticRounds; ++round)
      for (int64_t slot = 0; slot < lanesPerThread; ++slot) {
        StaticIndex key{lanesPerThread * vectorWidth,
                        (round * lanes + slot) * vectorWidth};
        FailureOr<Value> folded = foldVector(partials[slot], Value(), key);
        if (failed(folded))
          return failure();
        partials[slot] = *folded;
      }
  } else {
    auto loop =
        scf::ForOp::create(b, loc, constIndex(0), rounds, constIndex(1), inits);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value round = loop.getInductionVar();
      Value firstLane =
          arith::MulIOp::create(b, loc, threadX, constIndex(lanesPerThread));
      Value roundBase = arith::MulIOp::create(b, loc, round, constIndex(lanes));
      SmallVector<Value> next;
      for (int64_t slot = 0; slot < lanesPerThread; ++slot) {
        Value acc = loop.getRegionIterArg(slot);
        Value vectorIndex = arith::AddIOp::create(
            b, loc, roundBase,
            arith::AddIOp::create(b, loc, firstLane, constIndex(slot)));
        if (everyLaneFull) {
          // Every lane owns the same number of vectors: no bounds check, so
          // the loads dominate later uses of the same elements.
          FailureOr<Value> folded = foldVector(acc, vectorIndex);
          if (failed(folded))
            return failure();
          next.push_back(*folded);
          continue;
        }
        Value inBounds = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::ult, vectorIndex, numVectors);
        auto ifOp = scf::IfOp::create(b, loc, TypeRange{accType}, inBounds,
                                      /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard inner(b);
          b.setInsertionPointToStart(ifOp.thenBlock());
          FailureOr<Value> folded = foldVector(acc, vectorIndex);
          if (failed(folded))
            return failure();
          scf::YieldOp::create(b, loc, *folded);
          b.setInsertionPointToStart(ifOp.elseBlock());
          scf::YieldOp::create(b, loc, acc);
        }
        next.push_back(ifOp.getResult(0));
      }
      scf::YieldOp::create(b, loc, next);
    }
    partials.assign(loop.getResults().begin(), loop.getResults().end());
  }

  Value result;
  MLIRContext *ctx = b.getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Value threadY = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::y);
  if (order.getCombine() == CombineOrder::seq) {
    // Left to right over all lanes: gather them, then every thread folds
    // the same sequence.
    if (threads == 1) {
      result = partials[0];
      for (int64_t i = 1; i < lanesPerThread; ++i)
        result = combine(kind, result, partials[i]);
    } else {
      auto type =
          MemRefType::get({rowsPerBlock, lanes}, accType, nullptr, workgroup);
      Value smem = addSharedBuffer(type);
      Value firstLane =
          arith::MulIOp::create(b, loc, threadX, constIndex(lanesPerThread));
      for (int64_t slot = 0; slot < lanesPerThread; ++slot)
        memref::StoreOp::create(
            b, loc, partials[slot], smem,
            ValueRange{threadY, arith::AddIOp::create(b, loc, firstLane,
                                                      constIndex(slot))});
      gpu::BarrierOp::create(b, loc);
      result = memref::LoadOp::create(b, loc, smem,
                                      ValueRange{threadY, constIndex(0)});
      for (int64_t lane = 1; lane < lanes; ++lane)
        result =
            combine(kind, result,
                    memref::LoadOp::create(
                        b, loc, smem, ValueRange{threadY, constIndex(lane)}));
    }
  } else {
    // Balanced tree over lanes in index order, adjacent pairs first:
    // the in-thread slots are the low bits of the lane index, the thread
    // index the high bits.
    while (partials.size() > 1) {
      SmallVector<Value> level;
      for (size_t i = 0; i + 1 < partials.size(); i += 2)
        level.push_back(combine(kind, partials[i], partials[i + 1]));
      partials = level;
    }
    result = partials[0];
    int64_t warpThreads = std::min<int64_t>(threads, 32);
    for (int64_t stride = 1; stride < warpThreads; stride *= 2) {
      auto shuffle = gpu::ShuffleOp::create(b, loc, result, stride, 32,
                                            gpu::ShuffleMode::XOR);
      result = combine(kind, result, shuffle.getShuffleResult());
    }
    if (threads > 32) {
      int64_t warps = threads / 32;
      auto type =
          MemRefType::get({rowsPerBlock, warps}, accType, nullptr, workgroup);
      Value smem = addSharedBuffer(type);
      Value warp = arith::DivUIOp::create(b, loc, threadX, constIndex(32));
      Value laneInWarp =
          arith::RemUIOp::create(b, loc, threadX, constIndex(32));
      Value isLeader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             laneInWarp, constIndex(0));
      auto write = scf::IfOp::create(b, loc, isLeader, /*withElse=*/false);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(write.thenBlock());
        memref::StoreOp::create(b, loc, result, smem,
                                ValueRange{threadY, warp});
      }
      gpu::BarrierOp::create(b, loc);
      SmallVector<Value> warpPartials;
      for (int64_t w = 0; w < warps; ++w)
        warpPartials.push_back(memref::LoadOp::create(
            b, loc, smem, ValueRange{threadY, constIndex(w)}));
      while (warpPartials.size() > 1) {
        SmallVector<Value> level;
        for (size_t i = 0; i + 1 < warpPartials.size(); i += 2)
          level.push_back(combine(kind, warpPartials[i], warpPartials[i + 1]));
        warpPartials = level;
      }
      result = warpPartials[0];
    }
  }
  scalars.map(reduce.getResult(), result);
  return success();
}

LogicalResult KernelLowering::emitStoreRow(StoreRowOp store) {
  Type element = store.getValue().getType().getElementType();
  int64_t elementBytes = element.getIntOrFloatBitWidth() / 8;
  Value extent = extents[rows.getRow()];
  // Any mapping of elements to threads is fine for a store; use 16-byte
  // vectors where the extent allows.
  int64_t width = std::max<int64_t>(1, 16 / elementBytes);
  if (auto size = getConstantIntValue(extent))
    while (width > 1 && *size % width)
      width /= 2;
  Value numVectors = arith::DivUIOp::create(b, loc, extent, constIndex(width));
  std::optional<int64_t> staticExtent = getConstantIntValue(extent);
  auto storeVector = [&](Value first,
                         std::optional<StaticIndex> key) -> LogicalResult {
    DenseMap<Value, Value> cache;
    FailureOr<Value> value =
        materialize(store.getValue(), first, width, cache, key);
    if (failed(value))
      return failure();
    Value offset = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, rowIndex,
                              bufferStride.lookup(store.getBuffer())),
        first);
    Value offset64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), offset);
    Value address = LLVM::GEPOp::create(
        b, loc, getPointerType(b.getContext()), element,
        bufferPointer.lookup(store.getBuffer()), ValueRange{offset64});
    LLVM::StoreOp::create(b, loc, *value, address, width * elementBytes);
    return success();
  };

  // A static extent the threads cover evenly: straight-line code under one
  // row check, reusing vectors the reductions already loaded.
  if (staticExtent && (*staticExtent / width) % threads == 0 &&
      *staticExtent / width / threads <= kMaxUnrolledRounds) {
    auto ifOp = scf::IfOp::create(b, loc, rowValid, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    for (int64_t round = 0; round < *staticExtent / width / threads; ++round) {
      StaticIndex key{width, round * threads * width};
      if (failed(storeVector(threadIndex(key), key)))
        return failure();
    }
    return success();
  }

  Value rounds =
      arith::CeilDivUIOp::create(b, loc, numVectors, constIndex(threads));
  auto loop = scf::ForOp::create(b, loc, constIndex(0), rounds, constIndex(1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value vectorIndex = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, loop.getInductionVar(),
                            constIndex(threads)),
      threadX);
  Value inBounds = arith::AndIOp::create(
      b, loc, rowValid,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, vectorIndex,
                            numVectors));
  auto ifOp = scf::IfOp::create(b, loc, inBounds, /*withElse=*/false);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value first = arith::MulIOp::create(b, loc, vectorIndex, constIndex(width));
  return storeVector(first, std::nullopt);
}

void KernelLowering::emitStoreScalar(StoreScalarOp store) {
  Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        threadX, constIndex(0));
  Value doStore = arith::AndIOp::create(b, loc, rowValid, isFirst);
  auto ifOp = scf::IfOp::create(b, loc, doStore, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value offset64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), rowIndex);
  Type element = store.getValue().getType();
  Value address = LLVM::GEPOp::create(
      b, loc, getPointerType(b.getContext()), element,
      bufferPointer.lookup(store.getBuffer()), ValueRange{offset64});
  LLVM::StoreOp::create(b, loc, scalars.lookup(store.getValue()), address,
                        element.getIntOrFloatBitWidth() / 8);
}

namespace {
struct BiLowerToGPUPass
    : public mlir::bi::impl::BiLowerToGPUBase<BiLowerToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<KernelOp> kernels(module.getOps<KernelOp>());
    for (KernelOp kernel : kernels) {
      if (failed(checkMatmulKernelLowerable(kernel)))
        return signalPassFailure();
      if (auto matmuls = kernel.getOps<MatmulOp>(); !matmuls.empty()) {
        MatmulOp matmul = *matmuls.begin();
        LogicalResult lowered = success();
        if (matmul.getOrderAttr().getUnit() == HardwareUnit::wgmma_m64nNk16)
          lowered = lowerWgmmaMatmul(kernel, matmul,
                                     *getLowerableWgmmaSchedule(matmul));
        else
          lowered = lowerCudaCoreMatmul(kernel, matmul);
        if (failed(lowered))
          return signalPassFailure();
        kernel.erase();
        continue;
      }
      SmallVector<MapRowsOp> programs(kernel.getOps<MapRowsOp>());
      if (programs.size() != 1) {
        kernel.emitOpError()
            << "has " << programs.size()
            << " row programs; the GPU lowering takes exactly one per kernel";
        return signalPassFailure();
      }
      KernelLowering lowering(kernel, programs.front());
      if (failed(lowering.run()))
        return signalPassFailure();
      kernel.erase();
    }
  }
};
} // namespace
