//===- HopperGemmCompileTest.cpp - every Hopper schedule through NVRTC ----===//
//
// Compiles every schedule of the Hopper GEMM generator for sm_90a with NVRTC
// (no GPU needed): b in both layouts, 16-bit and f32 outputs (staged and
// direct stores), with an epilogue. ptxas must not report that it
// serialises the wgmmas (remarks C7520, C7515, ...), which costs the mainloop
// its overlap, nor that it uses local memory; a generator change that brings
// either back fails here rather than only in the GPU benchmark.
//
//===----------------------------------------------------------------------===//
#include "Target/HopperGemm.h"
#include "Target/Nvrtc.h"
#include "gtest/gtest.h"
#include <cstdlib>

namespace {

/// The stack frame ptxas reports (--warn-on-local-memory-usage) in `log`,
/// 0 when it reports none.
int stackFrameBytes(const std::string &log) {
  const std::string marker = "size of stack frame: ";
  size_t at = log.find(marker);
  return at == std::string::npos ? 0
                                 : std::atoi(log.c_str() + at + marker.size());
}

/// Compiles `schedule` for b in both layouts and expects its wgmmas not to
/// be serialised. False when NVRTC is missing (the caller skips).
bool expectPipelined(const bi::GemmSchedule &schedule) {
  for (bool nnLinear : {true, false}) {
    // Swapped roles take nn.Linear b only (hopperGemmLayoutTwin).
    if (schedule.swapRoles && !nnLinear)
      continue;
    bi::GemmSemantics semantics;
    semantics.chunk = 2048;
    semantics.nnLinear = nnLinear;
    // K-major b: bf16 in and out (staged stores); [K, N] b: f16 in, f32
    // out (direct stores) with bias, relu and residual.
    if (!nnLinear) {
      semantics.input = bi::GemmSemantics::Type::f16;
      semantics.output = bi::GemmSemantics::Type::f32;
      semantics.hasBias = semantics.hasResidual = true;
      semantics.activation = bi::GemmSemantics::Activation::relu;
    }
    std::string what =
        schedule.name() + (nnLinear ? " (b [N, K])" : " (b [K, N])");
    std::string log;
    llvm::Expected<std::string> cubin = mlir::bi::compileCUDA(
        bi::emitHopperGemm(semantics, schedule), what, "sm_90a", &log);
    if (!cubin) {
      std::string error = llvm::toString(cubin.takeError());
      if (error.find("libnvrtc") != std::string::npos)
        return false;
      ADD_FAILURE() << what << ": " << error;
      continue;
    }
    EXPECT_FALSE(cubin->empty()) << what;
    // Every remark of serialised wgmmas: C7520 (a barrier on a divergent
    // path), C7515 (accumulators written between wgmmas of a stage, as a
    // split combine writing its sums into acc did in a multi-chunk loop).
    EXPECT_EQ(log.find("wgmma.mma_async instructions are serialized"),
              std::string::npos)
        << what << ":\n"
        << log;
    // C7517: ptxas waits for wgmmas in flight where the source does not.
    // One before the unit loop's closing branch, hoisted over the whole
    // epilogue, kept the K tiles issued ahead of the store from
    // overlapping it.
    EXPECT_EQ(log.find("warpgroup.wait is injected"), std::string::npos)
        << what << ":\n"
        << log;
    // Local memory: an accumulator array indexed at run time turns every
    // access into a memory round trip (a 256-byte stack frame, when NVVM
    // kept the staged epilogue's loop over the staging, whose trip count it
    // knew only after unrolling the loop around it).
    // A few spilled registers are tolerated: the cluster schedules and the
    // f32 epilogue of three consumers with bias and residual spill 8-24
    // bytes today.
    EXPECT_LE(stackFrameBytes(log), 32) << what << ":\n" << log;
  }
  return true;
}

TEST(HopperGemmCompile, EverySchedulePipelinesItsWgmmas) {
  for (const bi::GemmSchedule &schedule : bi::hopperGemmSchedules())
    if (!expectPipelined(schedule))
      GTEST_SKIP() << "no NVRTC here";
}

} // namespace
