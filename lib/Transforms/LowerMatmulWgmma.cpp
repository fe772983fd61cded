//===- LowerMatmulWgmma.cpp - the Hopper bi.matmul as a gpu.func ----------===//
//
// A contract with `unit = wgmma.m64nNk16` becomes the kernel emitHopperGemm
// writes for a serial schedule, with the same bits and the same launch ABI:
// `bi_gemm_main(mapA, mapB, c, bias, residual, partials, counters, M, N,
// K)`, less the generator's last three parameters (a range of output tiles:
// the launcher gives these kernels every tile; and c's tensor map for TMA
// stores: these kernels store with st.global; a launch's parameters past a
// kernel's own are never read), the tensor maps passed by value as grid
// constants, one producer
// warpgroup and one to three consumer warpgroups, a persistent grid over
// output tiles.
//
// Operands are swapped as in the generator: the rows of B (weights,
// K-major) are the wgmma A operand, 64 per consumer warpgroup; the rows of A
// are the wgmma B operand, so the block of M is the instruction's n. The
// producer streams 64-wide K tiles of both through a ring of shared-memory
// stages with TMA (a tile running past K is zero-filled), signalling
// mbarriers. Each consumer, for each chunk of the contract, issues one wgmma
// per k-step of 16 that starts before K, the chunk's first from a zero
// accumulator (scale-d = 0), adds the chunk partials left to right in f32
// and applies the epilogue once, rounding once.
//
// nvgpu covers the mbarriers and TMA. The wgmma steps are NVVM ops:
// nvgpu.warpgroup.mma always accumulates (scale-d = 1, from a zeroed
// accumulator, which turns a -0 chunk partial into +0) and issues every
// k-step of a tile, also those wholly past K; both would change bits. The
// loops over chunks, tiles and k-steps carry the accumulator fragment (an
// LLVM struct of f32) and are bounded by K and the contract's chunk only,
// which the invariance analysis checks.
//
//===----------------------------------------------------------------------===//
#include "Target/MatmulSemantics.h"
#include "Transforms/LowerMatmul.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::bi;

FailureOr<::bi::GemmSchedule>
mlir::bi::getLowerableWgmmaSchedule(MatmulOp matmul) {
  ::bi::GemmSchedule schedule =
      ::bi::representativeHopperGemmSchedule(getGemmSemantics(matmul).chunk);
  if (MatmulScheduleAttr attr = matmul.getScheduleAttr()) {
    FailureOr<::bi::GemmSchedule> chosen = getHopperSchedule(matmul, attr);
    if (failed(chosen))
      return failure();
    schedule = *chosen;
  }
  if (schedule.clusterChunks)
    return matmul.emitOpError()
           << "schedule " << schedule.name()
           << " adds the chunk partials of a thread-block cluster in "
              "distributed shared memory, which bi-lower-to-gpu does not "
              "lower yet (the NVRTC backend does); use its split twin or "
              "'chunks = serial'";
  if (schedule.sharedTotalBytes() > 0)
    return matmul.emitOpError()
           << "schedule " << schedule.name()
           << " keeps half of each running total in shared memory, which "
              "bi-lower-to-gpu does not lower (it keeps every total in "
              "registers; the NVRTC backend builds it); use block_m <= 192 "
              "or the NVRTC backend";
  // A measured limit, not a design one: on the H200 this lowering's
  // serial kernels with 16 stages (n64m8s16, n64m16s16) failed at their
  // first launch (an unspecified launch failure in the producer thread)
  // where the generator's kernels of the same schedules ran; with 12 and
  // 14 stages they give the generator's bits. Until the cause is found,
  // more stages than that are refused rather than launched.
  constexpr int kMaxLoweredStages = 14;
  if (schedule.stages > kMaxLoweredStages)
    return matmul.emitOpError()
           << "schedule " << schedule.name() << " has " << schedule.stages
           << " stages; bi-lower-to-gpu builds kernels of at most "
           << kMaxLoweredStages
           << " (its 16-stage kernels failed on the H200); use fewer stages "
              "or the NVRTC backend";
  return schedule;
}

namespace {
/// K is loaded in tiles of 64 elements (128 bytes, one swizzle row).
constexpr int64_t kTileK = 64;
/// Bytes of one 64-element bf16/f16 row of a tile.
constexpr int64_t kRowBytes = 128;
/// The suspend-time hint of mbarrier.try_wait; the wait loops until the
/// phase completes whatever it is.
constexpr int64_t kWaitTicks = 10000000;

/// Builds the gpu.func of one wgmma matmul for one schedule.
class WgmmaMatmulLowering {
public:
  WgmmaMatmulLowering(KernelOp kernel, MatmulOp matmul,
                      const ::bi::GemmSchedule &schedule)
      : kernel(kernel), matmul(matmul), schedule(schedule),
        b(kernel.getContext()), loc(matmul.getLoc()) {}

  LogicalResult run();

private:
  /// The parameters, in the order of emitHopperGemm's bi_gemm_main.
  enum Param {
    MapA,
    MapB,
    C,
    Bias,
    Residual,
    Partials, // split schedules' workspace: unused by the serial ones here
    Counters,
    M,
    N,
    K,
    NumParams
  };

  void buildSignature();
  void emitProducer();
  void emitConsumer();
  /// Serial schedules: the chunk partials of this consumer's fragment of
  /// one output tile, added left to right; split ones: the partial of chunk
  /// `unitChunk` alone. And the count of K tiles consumed after it (`it`
  /// before it).
  std::pair<Value, Value> emitChunks(Value it, Value consumer, Value lane,
                                     Value unitChunk);
  /// The K tiles of chunk `chunk` from a zero accumulator: the partial and
  /// the count of K tiles consumed after it.
  std::pair<Value, Value> emitChunkTiles(Value chunk, Value it, Value firstB,
                                         Value firstA, Value isLane0);
  /// Split schedules: publishes this CTA's chunk partial, counts it on the
  /// tile's counter and, in the CTA that completes the count, adds every
  /// chunk's partial from the workspace in chunk order; stores the tile
  /// there (or right away when K is one chunk).
  void emitSplitCombine(Value partial, Value tile, Value unitChunk, Value n0,
                        Value m0, Value consumer, Value lane, Value warp);
  /// Rows (m) and columns (n) of C that register `i` of this thread's
  /// fragment holds, from the bases of the accumulator layout.
  std::pair<Value, Value> elementOf(Value nBase, Value mBase, int64_t i);
  std::pair<Value, Value> fragmentBases(Value n0, Value m0, Value consumer,
                                        Value lane, Value warp);
  /// An scf.if on (m, n) lying inside C, with no else.
  scf::IfOp ifInsideOutput(Value m, Value n);
  /// One k-step: D = B-rows x A-rows^T (+ D unless `fresh`).
  Value emitWgmma(Value acc, Value descriptorB, Value descriptorA, bool fresh);
  void emitEpilogue(Value total, Value n0, Value m0, Value consumer, Value lane,
                    Value warp);

  /// The wgmma shared-memory descriptor of a K-major tile of 128-byte rows
  /// that TMA wrote with the 128-byte swizzle (8-row groups 1024 B apart),
  /// starting at shared address `address`.
  Value descriptor(Value address);
  /// The work unit's output tile (its index) and, for split schedules, its
  /// chunk (0 for serial ones).
  std::pair<Value, Value> tileAndChunk(Value unit);
  /// An output tile's origin: (first row of B, first row of A).
  std::pair<Value, Value> tileOrigin(Value tile);
  /// The shared-memory stage `it % stages` and the parity to wait for.
  std::pair<Value, Value> stageOf(Value it, bool producer);
  /// A tile of `rows` x 64 elements at byte `offset` of the stages.
  Value tileView(Value offset, int64_t rows);

  Value constIndex(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value param(Param p) { return func.getArgument(p); }
  Value indexParam(Param p) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), param(p));
  }
  int64_t stageBytes() const {
    return (schedule.blockN + schedule.blockM) * kRowBytes;
  }

  KernelOp kernel;
  MatmulOp matmul;
  ::bi::GemmSchedule schedule;
  OpBuilder b;
  Location loc;
  gpu::GPUFuncOp func;
  Type input, accType;
  int64_t chunkTiles = 0;
  // Values defined at the top of the kernel.
  Value mapA, mapB, barriers, stages, stagesAddress;
  Value extentM, extentN, extentK, kTiles, chunks, tilesN, units;
  Value threadX, blockX, gridX;
  /// Split schedules: the "this CTA adds the tile" flag in shared memory.
  Value lastFlag;
};
} // namespace

void WgmmaMatmulLowering::buildSignature() {
  MLIRContext *ctx = b.getContext();
  Type generic = LLVM::LLVMPointerType::get(ctx);
  Type global = LLVM::LLVMPointerType::get(ctx, /*addressSpace=*/1);
  Type i32 = b.getI32Type();
  SmallVector<Type> inputs = {generic, generic, global, global, global,
                              global,  global,  i32,    i32,    i32};

  b.setInsertionPoint(kernel);
  auto gpuModule = gpu::GPUModuleOp::create(b, loc, kernel.getSymName());
  b.setInsertionPointToStart(gpuModule.getBody());
  func = gpu::GPUFuncOp::create(b, loc, ::bi::kGemmMainFunction,
                                b.getFunctionType(inputs, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(schedule.threads()), 1, 1}));
  // Written for one CTA per SM (.minnctapersm 1), as the generator's
  // __launch_bounds__(threads, 1): ptxas then sizes the registers so that
  // what the producer gives back (setmaxnreg.dec) is what the consumers
  // take (setmaxnreg.inc). nvJitLink drops setmaxnreg (and with it this
  // sizing), so the launcher also reserves more than half of an SM's shared
  // memory (launchSharedBytes in lib/JIT/GemmLaunch.cpp).
  func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                b.getI32IntegerAttr(1));
  func->setAttr("bi.math", matmul.getEffectiveMath());
  func->setAttr("bi.schedule", b.getStringAttr(schedule.name()));
  // Dynamic shared memory the launcher must reserve (the stages and 1 KiB
  // of alignment slack; the mbarriers are static).
  func->setAttr("bi.dynamic_shared_bytes",
                b.getI64IntegerAttr(schedule.sharedBytes()));
  // gpu.func cannot carry by-value parameters through convert-gpu-to-nvvm;
  // bi-tensor-map-params makes these two __grid_constant__ tensor maps.
  func->setAttr("bi.tensor_map_params", b.getDenseI64ArrayAttr({MapA, MapB}));
  if (Attribute fingerprint = kernel->getAttr("bi.fingerprint"))
    func->setAttr("bi.fingerprint", fingerprint);

  std::string typeName = describeElementType(matmul.getA());
  SmallVector<Attribute> abi, argDims(NumParams, b.getStringAttr(""));
  abi.push_back(b.getStringAttr("tensor_map " + typeName + " a box 64x" +
                                std::to_string(schedule.blockM) +
                                " swizzle 128B"));
  abi.push_back(b.getStringAttr("tensor_map " + typeName + " b box 64x" +
                                std::to_string(schedule.blockN) +
                                " swizzle 128B"));
  Value buffers[3] = {matmul.getC(), matmul.getBias(), matmul.getResidual()};
  const char *roles[3] = {"c", "bias", "residual"};
  for (int i = C; i <= Residual; ++i) {
    abi.push_back(b.getStringAttr("ptr " + describeElementType(buffers[i - C]) +
                                  " " + roles[i - C]));
    func.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(),
                    b.getUnitAttr());
  }
  if (schedule.splitChunks) {
    abi.push_back(b.getStringAttr("ptr f32 partials"));
    abi.push_back(b.getStringAttr("ptr u32 counters"));
  } else {
    abi.push_back(b.getStringAttr("ptr f32 partials (unused: serial)"));
    abi.push_back(b.getStringAttr("ptr u32 counters (unused: serial)"));
  }
  markMatmulExtents(func, matmul, M, abi, argDims);
  func->setAttr("bi.abi", b.getArrayAttr(abi));
  func->setAttr("bi.arg_dims", b.getArrayAttr(argDims));
  b.setInsertionPointToStart(&func.getBody().front());
}

Value WgmmaMatmulLowering::descriptor(Value address) {
  Type i64 = b.getI64Type();
  auto constI64 = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value bits = arith::IndexCastOp::create(b, loc, i64, address);
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, bits, constI64(0x3FFFF)),
      constI64(4));
  int64_t fixed = int64_t(1) << 16           // leading byte offset (unused)
                  | int64_t(1024 >> 4) << 32 // stride byte offset
                  | int64_t(1) << 62;        // 128-byte swizzle
  return arith::OrIOp::create(b, loc, start, constI64(fixed));
}

std::pair<Value, Value> WgmmaMatmulLowering::tileAndChunk(Value unit) {
  if (!schedule.splitChunks)
    return {unit, constIndex(0)};
  // A tile's chunks are adjacent units.
  return {arith::DivUIOp::create(b, loc, unit, chunks),
          arith::RemUIOp::create(b, loc, unit, chunks)};
}

std::pair<Value, Value> WgmmaMatmulLowering::tileOrigin(Value tile) {
  // Any order of the tiles gives the same bits; row tiles of B fastest.
  Value n0 = arith::MulIOp::create(b, loc,
                                   arith::RemUIOp::create(b, loc, tile, tilesN),
                                   constIndex(schedule.blockN));
  Value m0 = arith::MulIOp::create(b, loc,
                                   arith::DivUIOp::create(b, loc, tile, tilesN),
                                   constIndex(schedule.blockM));
  return {n0, m0};
}

std::pair<Value, Value> WgmmaMatmulLowering::stageOf(Value it, bool producer) {
  Value stage = arith::RemUIOp::create(b, loc, it, constIndex(schedule.stages));
  Value round = arith::DivUIOp::create(b, loc, it, constIndex(schedule.stages));
  Value parity = arith::RemUIOp::create(b, loc, round, constIndex(2));
  // The producer waits for the consumers to have released the stage in
  // the previous round; a fresh barrier counts as released.
  if (producer)
    parity = arith::XOrIOp::create(b, loc, parity, constIndex(1));
  return {
      stage,
      arith::IndexCastOp::create(b, loc, b.getI1Type(), parity).getResult()};
}

Value WgmmaMatmulLowering::tileView(Value offset, int64_t rows) {
  auto type = MemRefType::get(
      {rows, kTileK}, input, MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  return memref::ViewOp::create(b, loc, type, stages, offset, ValueRange{});
}

void WgmmaMatmulLowering::emitProducer() {
  // One thread streams the K tiles of every unit through the stages; the
  // other producer threads only give their registers to the consumers.
  NVVM::SetMaxRegisterOp::create(b, loc, ::bi::GemmSchedule::kProducerRegisters,
                                 NVVM::SetMaxRegisterAction::decrease);
  Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        threadX, constIndex(0));
  auto ifFirst = scf::IfOp::create(b, loc, isFirst, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifFirst.thenBlock());
  Value ticks = constIndex(kWaitTicks);
  auto unitLoop =
      scf::ForOp::create(b, loc, blockX, units, gridX, {constIndex(0)});
  b.setInsertionPointToStart(unitLoop.getBody());
  auto [tile, unitChunk] = tileAndChunk(unitLoop.getInductionVar());
  auto [n0, m0] = tileOrigin(tile);
  // Serial schedules load every K tile; split ones their chunk's.
  Value firstTile = constIndex(0), endTile = kTiles;
  if (schedule.splitChunks) {
    firstTile =
        arith::MulIOp::create(b, loc, unitChunk, constIndex(chunkTiles));
    endTile = arith::MinUIOp::create(
        b, loc, kTiles,
        arith::AddIOp::create(b, loc, firstTile, constIndex(chunkTiles)));
  }
  auto tileLoop = scf::ForOp::create(b, loc, firstTile, endTile, constIndex(1),
                                     {unitLoop.getRegionIterArg(0)});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(tileLoop.getBody());
    Value it = tileLoop.getRegionIterArg(0);
    auto [stage, parity] = stageOf(it, /*producer=*/true);
    Value empty =
        arith::AddIOp::create(b, loc, stage, constIndex(schedule.stages));
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity, ticks,
                                           empty);
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, loc, barriers, constIndex(stageBytes()), stage, Value());
    Value offsetB =
        arith::MulIOp::create(b, loc, stage, constIndex(stageBytes()));
    Value offsetA = arith::AddIOp::create(
        b, loc, offsetB, constIndex(schedule.blockN * kRowBytes));
    Value k0 = arith::MulIOp::create(b, loc, tileLoop.getInductionVar(),
                                     constIndex(kTileK));
    nvgpu::TmaAsyncLoadOp::create(b, loc, tileView(offsetB, schedule.blockN),
                                  barriers, mapB, ValueRange{k0, n0}, stage,
                                  Value(), Value());
    nvgpu::TmaAsyncLoadOp::create(b, loc, tileView(offsetA, schedule.blockM),
                                  barriers, mapA, ValueRange{k0, m0}, stage,
                                  Value(), Value());
    scf::YieldOp::create(
        b, loc, ValueRange{arith::AddIOp::create(b, loc, it, constIndex(1))});
  }
  scf::YieldOp::create(b, loc, tileLoop.getResults());
}

Value WgmmaMatmulLowering::emitWgmma(Value acc, Value descriptorB,
                                     Value descriptorA, bool fresh) {
  MLIRContext *ctx = b.getContext();
  auto type = NVVM::WGMMATypesAttr::get(
      ctx, input.isF16() ? NVVM::WGMMATypes::f16 : NVVM::WGMMATypes::bf16);
  auto one = NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one);
  // Both operands K-major, as in the generator (trans-a = trans-b = 0).
  return NVVM::WgmmaMmaAsyncOp::create(
      b, loc, accType, acc, descriptorB, descriptorA,
      NVVM::MMAShapeAttr::get(ctx, 64, schedule.blockM, 16), type, type,
      NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
      NVVM::WGMMAScaleOutAttr::get(ctx, fresh ? NVVM::WGMMAScaleOut::zero
                                              : NVVM::WGMMAScaleOut::one),
      one, one, NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
      NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
      NVVM::MMAIntOverflowAttr());
}

std::pair<Value, Value>
WgmmaMatmulLowering::emitChunkTiles(Value chunk, Value it, Value firstB,
                                    Value firstA, Value isLane0) {
  Value ticks = constIndex(kWaitTicks);
  Value zeros = LLVM::ZeroOp::create(b, loc, accType);
  Value tileBegin =
      arith::MulIOp::create(b, loc, chunk, constIndex(chunkTiles));
  Value tileEnd = arith::MinUIOp::create(
      b, loc, kTiles,
      arith::AddIOp::create(b, loc, tileBegin, constIndex(chunkTiles)));
  auto tileLoop = scf::ForOp::create(b, loc, tileBegin, tileEnd, constIndex(1),
                                     {zeros, it});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(tileLoop.getBody());
    Value tile = tileLoop.getInductionVar();
    Value tileIt = tileLoop.getRegionIterArg(1);
    auto [stage, parity] = stageOf(tileIt, /*producer=*/false);
    nvgpu::MBarrierTryWaitParityOp::create(b, loc, barriers, parity, ticks,
                                           stage);
    Value stageOffset =
        arith::MulIOp::create(b, loc, stage, constIndex(stageBytes()));
    Value addressB = arith::AddIOp::create(b, loc, firstB, stageOffset);
    Value addressA = arith::AddIOp::create(b, loc, firstA, stageOffset);
    // k-steps of 16 that start before K; a tile's later ones are never
    // issued (a partial step reads the zeros TMA filled in).
    Value left = arith::SubIOp::create(
        b, loc, extentK,
        arith::MulIOp::create(b, loc, tile, constIndex(kTileK)));
    Value steps = arith::MinUIOp::create(
        b, loc, arith::CeilDivUIOp::create(b, loc, left, constIndex(16)),
        constIndex(kTileK / 16));
    Value firstTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            tile, tileBegin);
    auto stepLoop =
        scf::ForOp::create(b, loc, constIndex(0), steps, constIndex(1),
                           {tileLoop.getRegionIterArg(0)});
    {
      OpBuilder::InsertionGuard innermost(b);
      b.setInsertionPointToStart(stepLoop.getBody());
      Value step = stepLoop.getInductionVar();
      Value shift = arith::MulIOp::create(b, loc, step, constIndex(32));
      Value descriptorB =
          descriptor(arith::AddIOp::create(b, loc, addressB, shift));
      Value descriptorA =
          descriptor(arith::AddIOp::create(b, loc, addressA, shift));
      // The chunk's first k-step starts from zero: scale-d = 0.
      Value fresh = arith::AndIOp::create(
          b, loc, firstTile,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, step,
                                constIndex(0)));
      Value acc = stepLoop.getRegionIterArg(0);
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      auto ifFresh = scf::IfOp::create(b, loc, TypeRange{accType}, fresh,
                                       /*withElse=*/true);
      b.setInsertionPointToStart(ifFresh.thenBlock());
      scf::YieldOp::create(
          b, loc, emitWgmma(acc, descriptorB, descriptorA, /*fresh=*/true));
      b.setInsertionPointToStart(ifFresh.elseBlock());
      scf::YieldOp::create(
          b, loc, emitWgmma(acc, descriptorB, descriptorA, /*fresh=*/false));
      b.setInsertionPointAfter(ifFresh);
      scf::YieldOp::create(b, loc, ifFresh.getResults());
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    // The stage is free again once every consumer warp has read it.
    auto release = scf::IfOp::create(b, loc, isLane0, /*withElse=*/false);
    {
      OpBuilder::InsertionGuard innermost(b);
      b.setInsertionPointToStart(release.thenBlock());
      nvgpu::MBarrierArriveOp::create(
          b, loc, nvgpu::MBarrierTokenType::get(b.getContext()), barriers,
          arith::AddIOp::create(b, loc, stage, constIndex(schedule.stages)));
    }
    scf::YieldOp::create(
        b, loc,
        ValueRange{stepLoop.getResult(0),
                   arith::AddIOp::create(b, loc, tileIt, constIndex(1))});
  }
  return {tileLoop.getResult(0), tileLoop.getResult(1)};
}

std::pair<Value, Value> WgmmaMatmulLowering::emitChunks(Value it,
                                                        Value consumer,
                                                        Value lane,
                                                        Value unitChunk) {
  Value zeros = LLVM::ZeroOp::create(b, loc, accType);
  Value isLane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                        constIndex(0));
  // This consumer's 64 rows of the B tile, and the A tile, in stage 0.
  Value firstB = arith::AddIOp::create(
      b, loc, stagesAddress,
      arith::MulIOp::create(b, loc, consumer, constIndex(64 * kRowBytes)));
  Value firstA = arith::AddIOp::create(b, loc, stagesAddress,
                                       constIndex(schedule.blockN * kRowBytes));

  auto chunkLoop = scf::ForOp::create(b, loc, constIndex(0), chunks,
                                      constIndex(1), {zeros, it});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(chunkLoop.getBody());
  Value chunk = chunkLoop.getInductionVar();
  if (schedule.splitChunks) {
    // Every chunk in order (the loop's bounds follow from K alone), the
    // work done for this unit's own only: which CTA runs a chunk never
    // reaches the order of an accumulation.
    Value isMine = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         chunk, unitChunk);
    auto mine = scf::IfOp::create(b, loc, TypeRange{accType, b.getIndexType()},
                                  isMine, /*withElse=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(mine.thenBlock());
      auto [partial, next] = emitChunkTiles(
          chunk, chunkLoop.getRegionIterArg(1), firstB, firstA, isLane0);
      scf::YieldOp::create(b, loc, ValueRange{partial, next});
      b.setInsertionPointToStart(mine.elseBlock());
      scf::YieldOp::create(b, loc, chunkLoop.getRegionIterArgs());
    }
    scf::YieldOp::create(b, loc, mine.getResults());
    return {chunkLoop.getResult(0), chunkLoop.getResult(1)};
  }
  auto [partial, next] = emitChunkTiles(chunk, chunkLoop.getRegionIterArg(1),
                                        firstB, firstA, isLane0);
  // Chunk partials left to right, starting from the first.
  Value isFirstChunk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             chunk, constIndex(0));
  auto combine = scf::IfOp::create(b, loc, TypeRange{accType}, isFirstChunk,
                                   /*withElse=*/true);
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(combine.thenBlock());
    scf::YieldOp::create(b, loc, partial);
    b.setInsertionPointToStart(combine.elseBlock());
    Value total = chunkLoop.getRegionIterArg(0);
    Value sum = total;
    for (int64_t i = 0; i < schedule.blockM / 2; ++i) {
      Value added = arith::AddFOp::create(
          b, loc, LLVM::ExtractValueOp::create(b, loc, total, i),
          LLVM::ExtractValueOp::create(b, loc, partial, i));
      sum = LLVM::InsertValueOp::create(b, loc, sum, added, i);
    }
    scf::YieldOp::create(b, loc, sum);
  }
  scf::YieldOp::create(b, loc, ValueRange{combine.getResult(0), next});
  return {chunkLoop.getResult(0), chunkLoop.getResult(1)};
}

std::pair<Value, Value> WgmmaMatmulLowering::fragmentBases(Value n0, Value m0,
                                                           Value consumer,
                                                           Value lane,
                                                           Value warp) {
  // Accumulator layout of m64nNk16: register i of lane l in warp w holds
  // row 16w + l/4 + 8((i/2)%2) of the B tile (a column n of C) and column
  // 8(i/4) + 2(l%4) + i%2 of the A tile (a row m of C).
  Value nBase = arith::AddIOp::create(
      b, loc,
      arith::AddIOp::create(
          b, loc, n0, arith::MulIOp::create(b, loc, consumer, constIndex(64))),
      arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, warp, constIndex(16)),
          arith::DivUIOp::create(b, loc, lane, constIndex(4))));
  Value mBase = arith::AddIOp::create(
      b, loc, m0,
      arith::MulIOp::create(b, loc,
                            arith::RemUIOp::create(b, loc, lane, constIndex(4)),
                            constIndex(2)));
  return {nBase, mBase};
}

std::pair<Value, Value> WgmmaMatmulLowering::elementOf(Value nBase, Value mBase,
                                                       int64_t i) {
  Value n = arith::AddIOp::create(b, loc, nBase, constIndex(8 * ((i / 2) % 2)));
  Value m =
      arith::AddIOp::create(b, loc, mBase, constIndex(8 * (i / 4) + i % 2));
  return {m, n};
}

scf::IfOp WgmmaMatmulLowering::ifInsideOutput(Value m, Value n) {
  Value inside = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, m, extentM),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, n, extentN));
  return scf::IfOp::create(b, loc, inside, /*withElse=*/false);
}

void WgmmaMatmulLowering::emitEpilogue(Value total, Value n0, Value m0,
                                       Value consumer, Value lane, Value warp) {
  auto [nBase, mBase] = fragmentBases(n0, m0, consumer, lane, warp);
  for (int64_t i = 0; i < schedule.blockM / 2; ++i) {
    auto [m, n] = elementOf(nBase, mBase, i);
    auto ifInside = ifInsideOutput(m, n);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifInside.thenBlock());
    Value v = buildMatmulEpilogue(
        b, loc, matmul, LLVM::ExtractValueOp::create(b, loc, total, i), m, n,
        extentN, param(Bias), param(Residual));
    buildMatmulStore(b, loc, matmul, v, m, n, extentN, param(C));
  }
}

void WgmmaMatmulLowering::emitSplitCombine(Value partial, Value tile,
                                           Value unitChunk, Value n0, Value m0,
                                           Value consumer, Value lane,
                                           Value warp) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), i64 = b.getI64Type();
  auto globalAt = [&](Param p, Type element, Value index) -> Value {
    return LLVM::GEPOp::create(
        b, loc, param(p).getType(), element, param(p),
        ValueRange{arith::IndexCastOp::create(b, loc, i64, index)});
  };
  auto [nBase, mBase] = fragmentBases(n0, m0, consumer, lane, warp);
  Value size = arith::MulIOp::create(b, loc, extentM, extentN);
  // Barrier 1: the consumer warpgroups only (the producer never joins).
  auto consumerSync = [&] {
    NVVM::BarrierOp::create(
        b, loc, TypeRange{},
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1)),
        arith::ConstantOp::create(
            b, loc, b.getI32IntegerAttr(128 * schedule.consumers())),
        NVVM::BarrierReductionAttr(), Value());
  };
  Value several = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                        chunks, constIndex(1));
  auto combine = scf::IfOp::create(b, loc, TypeRange{accType, b.getI1Type()},
                                   several, /*withElse=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(combine.thenBlock());
    // Publish this chunk's partial.
    Value chunkBase = arith::MulIOp::create(b, loc, unitChunk, size);
    for (int64_t i = 0; i < schedule.blockM / 2; ++i) {
      auto [m, n] = elementOf(nBase, mBase, i);
      auto ifInside = ifInsideOutput(m, n);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(ifInside.thenBlock());
      Value index = arith::AddIOp::create(
          b, loc, chunkBase,
          arith::AddIOp::create(b, loc,
                                arith::MulIOp::create(b, loc, m, extentN), n));
      LLVM::StoreOp::create(b, loc,
                            LLVM::ExtractValueOp::create(b, loc, partial, i),
                            globalAt(Partials, f32, index), 4);
    }
    // Every consumer's stores before one thread's fence and count (release
    // is cumulative); the counter elects who adds, never the order.
    consumerSync();
    Value counting = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           threadX, constIndex(128));
    auto count = scf::IfOp::create(b, loc, counting, /*withElse=*/false);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(count.thenBlock());
      NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
      Value counter = globalAt(Counters, i32, tile);
      Value seen = LLVM::AtomicRMWOp::create(
          b, loc, LLVM::AtomicBinOp::add, counter,
          arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1)),
          LLVM::AtomicOrdering::monotonic);
      Value last = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::IndexCastUIOp::create(b, loc, b.getIndexType(), seen),
          arith::SubIOp::create(b, loc, chunks, constIndex(1)));
      auto reset = scf::IfOp::create(b, loc, last, /*withElse=*/false);
      {
        OpBuilder::InsertionGuard innermost(b);
        b.setInsertionPointToStart(reset.thenBlock());
        // Ready for the next launch.
        LLVM::StoreOp::create(
            b, loc, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)),
            counter, 4);
      }
      memref::StoreOp::create(b, loc, arith::ExtUIOp::create(b, loc, i32, last),
                              lastFlag, ValueRange{constIndex(0)});
    }
    consumerSync();
    Value store = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        memref::LoadOp::create(b, loc, lastFlag, ValueRange{constIndex(0)}),
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)));
    auto add = scf::IfOp::create(b, loc, TypeRange{accType}, store,
                                 /*withElse=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(add.thenBlock());
      NVVM::MembarOp::create(b, loc, NVVM::MemScopeKind::GPU);
      // Every chunk's partial from the workspace (this CTA's own too: the
      // same bits), added to -0 in chunk order: -0 + x is x bit for bit.
      // Rows and columns past C read a clamped (valid) address; they are
      // never stored.
      Value sum = LLVM::UndefOp::create(b, loc, accType);
      Value negativeZero =
          arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-0.0f));
      for (int64_t i = 0; i < schedule.blockM / 2; ++i)
        sum = LLVM::InsertValueOp::create(b, loc, sum, negativeZero, i);
      Value lastM = arith::SubIOp::create(b, loc, extentM, constIndex(1));
      Value lastN = arith::SubIOp::create(b, loc, extentN, constIndex(1));
      auto chunkLoop = scf::ForOp::create(b, loc, constIndex(0), chunks,
                                          constIndex(1), {sum});
      {
        OpBuilder::InsertionGuard innermost(b);
        b.setInsertionPointToStart(chunkLoop.getBody());
        Value base =
            arith::MulIOp::create(b, loc, chunkLoop.getInductionVar(), size);
        Value total = chunkLoop.getRegionIterArg(0);
        for (int64_t i = 0; i < schedule.blockM / 2; ++i) {
          auto [m, n] = elementOf(nBase, mBase, i);
          Value index = arith::AddIOp::create(
              b, loc, base,
              arith::AddIOp::create(
                  b, loc,
                  arith::MulIOp::create(
                      b, loc, arith::MinUIOp::create(b, loc, m, lastM),
                      extentN),
                  arith::MinUIOp::create(b, loc, n, lastN)));
          // Volatile: past L1, which may hold stale lines of other CTAs'
          // partials.
          Value part = LLVM::LoadOp::create(b, loc, f32,
                                            globalAt(Partials, f32, index), 4,
                                            /*isVolatile=*/true);
          Value added = arith::AddFOp::create(
              b, loc, LLVM::ExtractValueOp::create(b, loc, total, i), part);
          total = LLVM::InsertValueOp::create(b, loc, total, added, i);
        }
        scf::YieldOp::create(b, loc, total);
      }
      scf::YieldOp::create(b, loc, chunkLoop.getResults());
      b.setInsertionPointToStart(add.elseBlock());
      scf::YieldOp::create(b, loc, partial);
    }
    scf::YieldOp::create(b, loc, ValueRange{add.getResult(0), store});
    // One chunk (K within it): the partial is the total.
    b.setInsertionPointToStart(combine.elseBlock());
    scf::YieldOp::create(b, loc,
                         ValueRange{partial, arith::ConstantOp::create(
                                                 b, loc, b.getBoolAttr(true))});
  }
  auto ifStore =
      scf::IfOp::create(b, loc, combine.getResult(1), /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifStore.thenBlock());
  emitEpilogue(combine.getResult(0), n0, m0, consumer, lane, warp);
}

void WgmmaMatmulLowering::emitConsumer() {
  NVVM::SetMaxRegisterOp::create(b, loc, schedule.consumerRegisters(),
                                 NVVM::SetMaxRegisterAction::increase);
  Value consumer = arith::SubIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, threadX, constIndex(128)),
      constIndex(1));
  Value lane = arith::RemUIOp::create(b, loc, threadX, constIndex(32));
  Value warp = arith::RemUIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, threadX, constIndex(32)),
      constIndex(4));
  auto unitLoop =
      scf::ForOp::create(b, loc, blockX, units, gridX, {constIndex(0)});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(unitLoop.getBody());
  auto [tile, unitChunk] = tileAndChunk(unitLoop.getInductionVar());
  auto [n0, m0] = tileOrigin(tile);
  auto [total, it] =
      emitChunks(unitLoop.getRegionIterArg(0), consumer, lane, unitChunk);
  if (schedule.splitChunks)
    emitSplitCombine(total, tile, unitChunk, n0, m0, consumer, lane, warp);
  else
    emitEpilogue(total, n0, m0, consumer, lane, warp);
  scf::YieldOp::create(b, loc, it);
}

LogicalResult WgmmaMatmulLowering::run() {
  MLIRContext *ctx = b.getContext();
  input = getBufferElementType(matmul.getA());
  accType = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(schedule.blockM / 2, b.getF32Type()));
  chunkTiles = getGemmSemantics(matmul).chunk / kTileK;
  buildSignature();

  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto tensorMap = [&](int64_t rows) {
    return nvgpu::TensorMapDescriptorType::get(
        ctx,
        MemRefType::get({rows, kTileK}, input, MemRefLayoutAttrInterface(),
                        workgroup),
        nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
        nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  };
  // The parameters are generic pointers to the by-value tensor maps; nvgpu
  // sees them through its descriptor type (the casts fold away once nvgpu
  // is converted).
  mapA = UnrealizedConversionCastOp::create(b, loc, tensorMap(schedule.blockM),
                                            param(MapA))
             .getResult(0);
  mapB = UnrealizedConversionCastOp::create(b, loc, tensorMap(schedule.blockN),
                                            param(MapB))
             .getResult(0);

  threadX = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  blockX = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  gridX = gpu::GridDimOp::create(b, loc, gpu::Dimension::x);
  extentM = indexParam(M);
  extentN = indexParam(N);
  extentK = indexParam(K);
  kTiles = arith::CeilDivUIOp::create(b, loc, extentK, constIndex(kTileK));
  chunks = arith::CeilDivUIOp::create(b, loc, kTiles, constIndex(chunkTiles));
  tilesN =
      arith::CeilDivUIOp::create(b, loc, extentN, constIndex(schedule.blockN));
  Value tilesM =
      arith::CeilDivUIOp::create(b, loc, extentM, constIndex(schedule.blockM));
  // Output tiles (times their chunks for split schedules), visited by a
  // persistent grid: while the consumers finish one, the producer already
  // loads the next.
  units = arith::MulIOp::create(b, loc, tilesN, tilesM);
  if (schedule.splitChunks)
    units = arith::MulIOp::create(b, loc, units, chunks);

  // Full barriers (TMA bytes landed) then empty ones (consumers done).
  barriers = nvgpu::MBarrierCreateOp::create(
      b, loc,
      nvgpu::MBarrierGroupType::get(ctx, workgroup, 2 * schedule.stages));
  // TMA's 128-byte swizzle repeats every 1024 bytes: the stages start at the
  // first 1024-byte boundary of the dynamic shared memory.
  Value shared = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, shared);
  stagesAddress = arith::MulIOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, base, constIndex(1024)),
      constIndex(1024));
  Value pad = arith::SubIOp::create(b, loc, stagesAddress, base);
  stages = memref::ViewOp::create(
      b, loc,
      MemRefType::get({schedule.stages * stageBytes()}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup),
      shared, pad, ValueRange{});
  // Split schedules' "this CTA adds the tile" flag, after the stages (in
  // the bytes GemmSchedule::pipelineBytes reserves beyond them).
  if (schedule.splitChunks)
    lastFlag = memref::ViewOp::create(
        b, loc,
        MemRefType::get({1}, b.getI32Type(), MemRefLayoutAttrInterface(),
                        workgroup),
        shared,
        arith::AddIOp::create(b, loc, pad,
                              constIndex(schedule.stages * stageBytes())),
        ValueRange{});

  Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        threadX, constIndex(0));
  auto init = scf::IfOp::create(b, loc, isFirst, /*withElse=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(init.thenBlock());
    for (int64_t s = 0; s < schedule.stages; ++s) {
      nvgpu::MBarrierInitOp::create(b, loc, barriers, constIndex(1),
                                    constIndex(s), Value());
      // One arrival per consumer warp.
      nvgpu::MBarrierInitOp::create(b, loc, barriers,
                                    constIndex(4 * schedule.consumers()),
                                    constIndex(schedule.stages + s), Value());
    }
    NVVM::FenceMbarrierInitOp::create(b, loc);
  }
  gpu::BarrierOp::create(b, loc);

  Value isProducer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           threadX, constIndex(128));
  auto roles = scf::IfOp::create(b, loc, isProducer, /*withElse=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(roles.thenBlock());
    emitProducer();
    b.setInsertionPointToStart(roles.elseBlock());
    emitConsumer();
  }
  gpu::ReturnOp::create(b, loc);
  return success();
}

LogicalResult mlir::bi::lowerWgmmaMatmul(KernelOp kernel, MatmulOp matmul,
                                         const ::bi::GemmSchedule &schedule) {
  return WgmmaMatmulLowering(kernel, matmul, schedule).run();
}
