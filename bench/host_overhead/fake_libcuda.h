//===- fake_libcuda.h - what the do-nothing driver recorded -------*- C++
//-*-===//
//
// The recording side of fake_libcuda.cpp, for the tests that load it as
// libcuda.so.1 (test/Unit/LaunchTest.cpp looks these up with dlsym).
//
//===----------------------------------------------------------------------===//
#ifndef BI_BENCH_FAKE_LIBCUDA_H
#define BI_BENCH_FAKE_LIBCUDA_H

/// What one launch asked for: CTAs, threads per CTA, CTAs per cluster (0:
/// a plain launch) and dynamic shared memory.
struct BiFakeLaunch {
  unsigned grid, block, cluster, shared;
};

extern "C" {
/// Forgets the launches and allocations recorded so far.
void bi_fake_reset();
/// Launches since the last reset (also those past the record's capacity).
int bi_fake_launch_count();
/// Launch `index` since the last reset, or null past the record.
const BiFakeLaunch *bi_fake_launch(int index);
/// Device allocations since the last reset.
int bi_fake_allocations();
}

#endif // BI_BENCH_FAKE_LIBCUDA_H
