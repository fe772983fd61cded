//===- Invariance.cpp - batch-invariance analysis -------------------------===//
//
// Works on any level the pipeline produces. A loop that carries a floating-
// point value accumulates in the order of its iterations, so everything that
// decides its iterations (bounds, step, exit condition) must be a function
// of reduction extents and constants. Thread indices are allowed: they pick
// the lane a thread plays, never how many lanes there are. Everything the
// schedule or the load decides is rejected: batch extents, block and grid
// sizes, block indices, unannotated arguments, memory.
//
//===----------------------------------------------------------------------===//
#include "Analysis/Invariance.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace {

/// A float, a vector or tensor of floats, or an LLVM aggregate holding one:
/// wgmma keeps its accumulator fragment in a struct of f32 registers.
bool isFloatLike(Type type) {
  if (auto aggregate = dyn_cast<LLVM::LLVMStructType>(type))
    return llvm::any_of(aggregate.getBody(), isFloatLike);
  if (auto array = dyn_cast<LLVM::LLVMArrayType>(type))
    return isFloatLike(array.getElementType());
  return isa<FloatType>(getElementTypeOrSelf(type));
}

/// The verdict on one source value reached from a loop's control.
struct Offence {
  std::string what;  // e.g. "batch extent 'M'", "grid size"
  std::string chain; // hops from the loop control to the source
};

/// The dimension kind and name an argument carries, from its `bi.dim_kind`
/// and `bi.dim` attributes or, after conversion to LLVM, from the function's
/// `bi.arg_dims` list ("kind:name" per argument).
std::pair<std::string, std::string> getArgumentDim(FunctionOpInterface func,
                                                   unsigned index) {
  if (auto kind = func.getArgAttrOfType<StringAttr>(index, "bi.dim_kind")) {
    auto name = func.getArgAttrOfType<StringAttr>(index, "bi.dim");
    return {kind.getValue().str(), name ? name.getValue().str() : ""};
  }
  if (auto dims = func->getAttrOfType<ArrayAttr>("bi.arg_dims"))
    if (index < dims.size())
      if (auto entry = dyn_cast<StringAttr>(dims[index])) {
        auto [kind, name] = entry.getValue().split(':');
        return {kind.str(), name.str()};
      }
  return {"", ""};
}

class ControlTracer {
public:
  /// Returns the first forbidden source `value` derives from, if any.
  std::optional<Offence> trace(Value value) {
    path.clear();
    visited.clear();
    return visit(value);
  }

private:
  std::optional<Offence> fail(std::string what) {
    std::string chain;
    llvm::raw_string_ostream os(chain);
    llvm::interleave(path, os, " <- ");
    return Offence{std::move(what), chain};
  }

  std::optional<Offence> visitArgument(BlockArgument arg) {
    Block *block = arg.getOwner();
    Operation *parent = block->getParentOp();
    // Function arguments: allowed only when marked as a reduction extent.
    if (block->isEntryBlock() && isa<FunctionOpInterface>(parent)) {
      auto [kind, name] =
          getArgumentDim(cast<FunctionOpInterface>(parent), arg.getArgNumber());
      if (kind == "reduction")
        return std::nullopt;
      if (kind == "batch")
        return fail("batch extent '" + name + "'");
      return fail("kernel argument #" + std::to_string(arg.getArgNumber()) +
                  " (not marked as a reduction extent)");
    }
    // scf.for: the induction variable follows from bounds and step; an
    // iteration argument from its init and yielded values.
    if (auto loop = dyn_cast<scf::ForOp>(parent)) {
      if (arg == loop.getInductionVar()) {
        for (Value v :
             {loop.getLowerBound(), loop.getUpperBound(), loop.getStep()})
          if (auto offence = visit(v))
            return offence;
        return std::nullopt;
      }
      unsigned index = arg.getArgNumber() - 1;
      if (auto offence = visit(loop.getInitArgs()[index]))
        return offence;
      return visit(loop.getYieldedValues()[index]);
    }
    if (auto loop = dyn_cast<scf::WhileOp>(parent)) {
      unsigned index = arg.getArgNumber();
      if (block == &loop.getBefore().front()) {
        if (auto offence = visit(loop.getInits()[index]))
          return offence;
        return visit(loop.getYieldOp().getOperand(index));
      }
      return visit(loop.getConditionOp().getArgs()[index]);
    }
    // A CFG block argument: whatever any predecessor passes in.
    for (auto it = block->pred_begin(); it != block->pred_end(); ++it) {
      auto branch = dyn_cast<BranchOpInterface>((*it)->getTerminator());
      if (!branch)
        return fail("block argument with an unknown predecessor");
      for (unsigned s = 0; s < branch->getNumSuccessors(); ++s) {
        if (branch->getSuccessor(s) != block)
          continue;
        SuccessorOperands operands = branch.getSuccessorOperands(s);
        if (Value incoming = operands[arg.getArgNumber()])
          if (auto offence = visit(incoming))
            return offence;
      }
    }
    return std::nullopt;
  }

  std::optional<Offence> visitOp(Operation *op) {
    // Sources decided by the launch configuration or the machine.
    if (auto id = dyn_cast<gpu::BlockIdOp>(op))
      return fail("block index (decided by the grid)");
    if (isa<gpu::GridDimOp>(op))
      return fail("grid size");
    if (isa<gpu::BlockDimOp>(op))
      return fail("block size (a schedule choice)");
    if (isa<gpu::ClusterIdOp, gpu::ClusterDimOp, gpu::ClusterBlockIdOp,
            gpu::ClusterDimBlocksOp, gpu::NumSubgroupsOp>(op))
      return fail("cluster or subgroup count");
    StringRef name = op->getName().getStringRef();
    if (name.starts_with("nvvm.read.ptx.sreg.")) {
      StringRef reg = name.drop_front(strlen("nvvm.read.ptx.sreg."));
      if (reg.starts_with("tid.") || reg == "laneid")
        return std::nullopt;
      return fail("special register '" + reg.str() +
                  "' (decided by the launch or the machine)");
    }
    if (isa<gpu::ThreadIdOp, gpu::LaneIdOp>(op))
      return std::nullopt;
    if (op->hasTrait<OpTrait::ConstantLike>())
      return std::nullopt;
    if (!isMemoryEffectFree(op))
      return fail("a value read from memory by '" + name.str() + "'");
    for (Value operand : op->getOperands())
      if (auto offence = visit(operand))
        return offence;
    return std::nullopt;
  }

  std::optional<Offence> visit(Value value) {
    if (!visited.insert(value))
      return std::nullopt;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      path.push_back("block argument #" + std::to_string(arg.getArgNumber()));
      auto result = visitArgument(arg);
      path.pop_back();
      return result;
    }
    Operation *op = value.getDefiningOp();
    path.push_back("'" + op->getName().getStringRef().str() + "'");
    auto result = visitOp(op);
    path.pop_back();
    return result;
  }

  SmallVector<std::string> path;
  llvm::SetVector<Value> visited;
};

void report(Operation *loop, StringRef control, const Offence &offence) {
  loop->emitError() << "floating-point accumulation whose " << control
                    << " depends on " << offence.what << " (via "
                    << offence.chain
                    << "); rule: accumulation order may depend only on "
                       "reduction extents and constants";
}

/// Blocks of the natural loop with header `header` and latch `latch`.
llvm::SetVector<Block *> collectLoop(Block *header, Block *latch) {
  llvm::SetVector<Block *> blocks;
  blocks.insert(header);
  SmallVector<Block *> work{latch};
  while (!work.empty()) {
    Block *block = work.pop_back_val();
    if (!blocks.insert(block))
      continue;
    for (Block *pred : block->getPredecessors())
      work.push_back(pred);
  }
  return blocks;
}

} // namespace

LogicalResult mlir::bi::verifyBatchInvariance(Operation *root) {
  bool failedAny = false;
  ControlTracer tracer;

  root->walk([&](Operation *op) {
    // Structured loops.
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (!llvm::any_of(loop.getInitArgs().getTypes(), isFloatLike))
        return;
      for (auto [control, value] :
           {std::pair<StringRef, Value>{"lower bound", loop.getLowerBound()},
            {"upper bound", loop.getUpperBound()},
            {"step", loop.getStep()}})
        if (auto offence = tracer.trace(value)) {
          report(op, control, *offence);
          failedAny = true;
        }
      return;
    }
    if (auto loop = dyn_cast<scf::WhileOp>(op)) {
      if (!llvm::any_of(loop.getInits().getTypes(), isFloatLike))
        return;
      if (auto offence = tracer.trace(loop.getConditionOp().getCondition())) {
        report(op, "exit condition", *offence);
        failedAny = true;
      }
      return;
    }
    // Order decided by arrival: atomics and unordered hardware reductions.
    if (auto atomic = dyn_cast<memref::AtomicRMWOp>(op)) {
      if (isFloatLike(atomic.getValue().getType())) {
        op->emitError() << "floating-point atomic read-modify-write: its "
                           "accumulation order is decided by arrival; rule: "
                           "reductions combine in contract order, never "
                           "through atomics";
        failedAny = true;
      }
      return;
    }
    if (auto atomic = dyn_cast<LLVM::AtomicRMWOp>(op)) {
      if (isFloatLike(atomic.getVal().getType())) {
        op->emitError() << "floating-point atomic read-modify-write: its "
                           "accumulation order is decided by arrival; rule: "
                           "reductions combine in contract order, never "
                           "through atomics";
        failedAny = true;
      }
      return;
    }
    if (isa<gpu::AllReduceOp, gpu::SubgroupReduceOp>(op) &&
        isFloatLike(op->getResult(0).getType())) {
      op->emitError() << "'" << op->getName()
                      << "' leaves the floating-point combine order to the "
                         "implementation; rule: use a bi.reduce contract";
      failedAny = true;
      return;
    }
    // CFG loops (after scf-to-cf): a header with a float block argument
    // reached by a back edge.
    auto func = dyn_cast<FunctionOpInterface>(op);
    if (!func || func.isExternal())
      return;
    Region &body = *func.getCallableRegion();
    if (body.hasOneBlock())
      return;
    DominanceInfo dominance(op);
    for (Block &header : body) {
      if (!llvm::any_of(header.getArgumentTypes(), isFloatLike))
        continue;
      for (Block *latch : header.getPredecessors()) {
        if (!dominance.dominates(&header, latch))
          continue; // Not a back edge.
        llvm::SetVector<Block *> loop = collectLoop(&header, latch);
        for (Block *block : loop) {
          auto branch = dyn_cast<LLVM::CondBrOp>(block->getTerminator());
          Value condition;
          if (branch)
            condition = branch.getCondition();
          else if (auto cf = block->getTerminator();
                   cf->getName().getStringRef() == "cf.cond_br")
            condition = cf->getOperand(0);
          if (!condition)
            continue;
          bool exits = llvm::any_of(block->getSuccessors(), [&](Block *s) {
            return !loop.contains(s);
          });
          if (!exits)
            continue;
          if (auto offence = tracer.trace(condition)) {
            report(block->getTerminator(), "exit condition", *offence);
            failedAny = true;
          }
        }
      }
    }
  });
  return failure(failedAny);
}
