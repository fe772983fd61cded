//===- GemmLaunch.h - launching bi.matmul kernels -----------------*- C++
//-*-===//
#ifndef BI_JIT_GEMMLAUNCH_H
#define BI_JIT_GEMMLAUNCH_H

#include "JIT/KernelData.h"

namespace bi {
/// The GEMM-specific launch rules on top of the signature checks: a dense
/// c; for the Hopper schedules, 16-byte aligned a and b with row strides
/// of a multiple of 16 bytes (TMA).
void checkGemmArguments(const Kernel::Data &data, const std::vector<Arg> &args);

/// Picks (or takes the forced) schedule, compiles it on first use, builds
/// the tensor maps and launches on `stream`. Arguments already checked.
void launchGemm(const Kernel::Data &data, const std::vector<Arg> &args,
                void *stream);

/// Compiles (or loads from the disk cache) the schedules that launches
/// with these numbers of rows would run, every schedule when `rows` is
/// empty or N or K is not fixed, on up to `threads` threads (0: one per
/// hardware thread); returns their names (empty for kernels without
/// schedules). See Kernel::prepare.
std::vector<std::string> prepareGemm(const Kernel::Data &data,
                                     const std::vector<int64_t> &rows,
                                     int threads);

/// The Hopper schedules a GEMM kernel can run (empty for other kernels).
std::vector<std::string> gemmScheduleNames(const Kernel::Data &data);
} // namespace bi

#endif // BI_JIT_GEMMLAUNCH_H
