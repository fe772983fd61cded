//===- GemmLaunch.cpp - launching bi.matmul kernels -----------------------===//
//
// A Hopper GEMM kernel is one set of semantics and many schedules. The
// schedule is picked per launch from M, N and K (or forced by the
// specialisation); each schedule is generated, compiled with NVRTC and
// cached (memory and disk) on first use, so a process pays only for the
// shape classes it meets. Until NVRTC has built it (on a background
// thread), a schedule's launches run bi-lower-to-gpu's kernel of it, which
// is quicker to build and gives the same bits (quickGemmFirstLaunch). The
// launcher builds the TMA tensor maps of a and b, sizes the persistent grid
// from the occupancy and hands split schedules a workspace for the chunk
// partials and the per-tile counters that elect the CTA adding them. One
// launch per product.
//
//===----------------------------------------------------------------------===//
#include "JIT/GemmLaunch.h"
#include "JIT/CompilerImpl.h"
#include "JIT/KernelCache.h"
#include "Target/HopperGemm.h"
#include "Target/Nvrtc.h"
#include "llvm/Support/Error.h"
#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <exception>
#include <thread>
#include <tuple>

using namespace bi;

struct Kernel::Data::GemmVariant {
  GemmSchedule schedule;
  std::string cubin;
  struct Loaded {
    cuda::Function main = nullptr;
    int ctas = 0; // persistent grid size
  };
  std::map<cuda::Context, Loaded> loaded;
};

namespace {
enum Role { A = 0, B = 1, C = 2, Bias = 3, Residual = 4 };

int64_t rowStrideOf(const Arg &arg) {
  return arg.strides.empty() ? arg.shape[1] : arg.strides[0];
}

/// The disk cache key of the generator's kernel of `schedule`.
std::string variantKey(const Kernel::Data &d, const GemmSchedule &schedule) {
  return sha256Hex(d.cacheKey + "\nschedule " + schedule.name());
}

/// The variant for schedule `index` from the disk cache, or null. The
/// compiler's cache and counters are used under its mutex.
std::shared_ptr<Kernel::Data::GemmVariant>
variantFromDisk(const Kernel::Data &d, int index) {
  const GemmSchedule &schedule = hopperGemmSchedules()[index];
  CompilerImpl &compiler = *d.compiler;
  std::string key = variantKey(d, schedule);
  std::lock_guard<std::mutex> lock(compiler.mutex);
  std::string corrupt;
  if (std::optional<std::string> bytes = compiler.disk.load(key, corrupt)) {
    auto variant = std::make_shared<Kernel::Data::GemmVariant>();
    variant->schedule = schedule;
    variant->cubin = std::move(*bytes);
    ++compiler.stats.diskHits;
    return variant;
  }
  if (!corrupt.empty()) {
    ++compiler.stats.corruptEntries;
    compiler.warnOnce(corrupt + "; recompiling");
  }
  return nullptr;
}

/// The variant for schedule `index` from the disk cache or NVRTC (which
/// may run on several threads at once: nothing of `d` but its constant
/// description is read, the compiler's cache and counters under its mutex).
std::shared_ptr<Kernel::Data::GemmVariant> buildVariant(const Kernel::Data &d,
                                                        int index) {
  const GemmSchedule &schedule = hopperGemmSchedules()[index];
  std::string name = schedule.name();
  if (d.backend == Backend::NVVM) {
    // Compiled with the kernel, for its one (forced) schedule.
    auto variant = std::make_shared<Kernel::Data::GemmVariant>();
    variant->schedule = schedule;
    variant->cubin = d.cubin;
    return variant;
  }
  if (auto variant = variantFromDisk(d, index))
    return variant;
  std::optional<GemmSemantics> semantics = GemmSemantics::parse(d.gemm);
  if (!semantics)
    throw Error(d.name + ": corrupt GEMM description '" + d.gemm + "'");
  std::string source = d.gemmHelpers + emitHopperGemm(*semantics, schedule);
  llvm::Expected<std::string> cubin =
      mlir::bi::compileCUDA(source, d.name + "_" + name, "sm_90a");
  if (!cubin)
    throw Error(d.name + ": NVRTC failed on schedule " + name,
                llvm::toString(cubin.takeError()));
  auto variant = std::make_shared<Kernel::Data::GemmVariant>();
  variant->schedule = schedule;
  variant->cubin = std::move(*cubin);
  CompilerImpl &compiler = *d.compiler;
  std::lock_guard<std::mutex> lock(compiler.mutex);
  ++compiler.stats.compiles;
  std::string key = variantKey(d, schedule);
  if (std::optional<std::string> problem =
          compiler.disk.store(key, variant->cubin))
    compiler.warnOnce(*problem);
  return variant;
}

/// The compiled variant for schedule `index`, from memory, disk or NVRTC
/// (under loadMutex).
std::shared_ptr<Kernel::Data::GemmVariant> variantFor(const Kernel::Data &d,
                                                      int index) {
  if (d.gemmVariants.empty())
    d.gemmVariants.resize(hopperGemmSchedules().size());
  if (!d.gemmVariants[index])
    d.gemmVariants[index] = buildVariant(d, index);
  return d.gemmVariants[index];
}

/// The quick first launch (CompilerOptions::quickGemmFirstLaunch): when
/// the generator's kernel of schedule `index` is neither compiled nor on
/// disk, the MLIR kernel of it (of its split twin for a cluster schedule)
/// for now; startGeneratorCompile then builds the generator's for later
/// launches. Returns the schedule index to launch and its variant, or
/// {-1, null} when the generator's is there or bi-lower-to-gpu cannot
/// build this kernel (then the launch waits for NVRTC); `built` says
/// whether this call built the quick kernel. Under loadMutex.
std::pair<int, std::shared_ptr<Kernel::Data::GemmVariant>>
quickVariantFor(const Kernel::Data &d, int index, bool &built) {
  built = false;
  if (!d.compiler->quickGemmFirstLaunch || d.backend != Backend::NVRTC ||
      !d.gemmForcedSchedule.empty() || d.gemmQuickUnavailable)
    return {-1, nullptr};
  if (d.gemmVariants.empty())
    d.gemmVariants.resize(hopperGemmSchedules().size());
  if (d.gemmVariants[index])
    return {-1, nullptr};
  // (With the roles swapped: the 128 x 128 schedule of its kind.)
  // (bi-lower-to-gpu keeps every running total in registers: the twin of
  // a schedule that keeps them in shared memory has other tiles.)
  GemmSchedule quick = hopperGemmSchedules()[hopperGemmRegisterTotalTwin(
      hopperGemmLayoutTwin(index, false))];
  quick.clusterChunks = false; // the split twin: bi-lower-to-gpu builds it
  quick.rangePairs = false;    // the serial twin (the same bits)
  quick.pairTiles = false;     // the serial twin too
  const int quickIndex = findHopperGemmSchedule(quick);
  if (quickIndex < 0)
    return {-1, nullptr};
  if (d.gemmQuickVariants.empty())
    d.gemmQuickVariants.resize(hopperGemmSchedules().size());
  // The disk is looked at once per schedule, not on every launch that
  // waits for the background compile.
  if (!d.gemmBackground.count(index) && !d.gemmQuickVariants[quickIndex])
    if (auto cached = variantFromDisk(d, index)) {
      d.gemmVariants[index] = cached;
      return {-1, nullptr};
    }
  if (!d.gemmQuickVariants[quickIndex]) {
    auto variant = std::make_shared<Kernel::Data::GemmVariant>();
    variant->schedule = quick;
    try {
      variant->cubin = d.compiler->compileWgmmaSchedule(
          d.scheduledSource, d.name, quick, "sm_90a");
    } catch (const Error &) {
      // Not a product bi-lower-to-gpu builds (b in [K, N], say): every
      // launch of this kernel waits for the generator's.
      d.gemmQuickUnavailable = true;
      return {-1, nullptr};
    }
    d.gemmQuickVariants[quickIndex] = variant;
    built = true;
  }
  return {quickIndex, d.gemmQuickVariants[quickIndex]};
}

/// The generator's kernel of range schedule `twin`, for a launch's tail
/// pairs, when it is at hand: compiled, on disk, or (without the quick
/// first launch) compiled now. Else null, with `toCompile` set to `twin` so
/// that the launch starts a background compile of it and runs its tail
/// serially this time (same bits). Under loadMutex.
std::shared_ptr<Kernel::Data::GemmVariant>
tailTwinVariant(const Kernel::Data &d, int twin, int &toCompile) {
  if (d.gemmVariants[twin])
    return d.gemmVariants[twin];
  if (!d.compiler->quickGemmFirstLaunch || d.backend != Backend::NVRTC)
    return variantFor(d, twin);
  if (d.gemmBackground.count(twin))
    return nullptr; // compiling
  if (auto cached = variantFromDisk(d, twin))
    return d.gemmVariants[twin] = cached;
  toCompile = twin;
  return nullptr;
}

/// Compiles the generator's kernel of schedule `index` on a background
/// thread, once, and puts it in place for later launches; a failure leaves
/// the quick kernel in use (same bits) and says why once. Started by the
/// launch after the one that built the quick kernel, so that the first
/// call does not share the machine with NVRTC starting up.
void startGeneratorCompile(const Kernel::Data &d, int index) {
  std::lock_guard<std::mutex> lock(d.loadMutex);
  if (!d.gemmBackground.insert(index).second)
    return;
  d.gemmCompiles.emplace_back([&d, index] {
    std::shared_ptr<Kernel::Data::GemmVariant> built;
    try {
      built = buildVariant(d, index);
    } catch (const std::exception &error) {
      std::lock_guard<std::mutex> lock(d.compiler->mutex);
      d.compiler->warnOnce(std::string(error.what()) +
                           "; launches keep bi-lower-to-gpu's kernel");
      return;
    }
    std::lock_guard<std::mutex> lock(d.loadMutex);
    if (!d.gemmVariants[index])
      d.gemmVariants[index] = built;
  });
}

int multiprocessorCount();

/// The schedule (index in hopperGemmSchedules()) a launch with M x N x K
/// runs: the forced one or the scheduler's choice, and `tiles`, its output
/// tiles. Cluster schedules run a tile's chunks on one thread-block
/// cluster, whose CTAs add their partials in shared memory; one whose
/// cluster does not fit runs as the split schedule of the same tiles.
int launchedSchedule(const Kernel::Data &d, int64_t M, int64_t N, int64_t K,
                     int64_t &tiles) {
  int index = -1;
  if (!d.gemmForcedSchedule.empty()) {
    index = findHopperGemmSchedule(d.gemmForcedSchedule);
    if (index < 0)
      throw Error(d.name + ": unknown schedule '" + d.gemmForcedSchedule + "'");
  } else {
    index =
        chooseHopperGemmSchedule(M, N, K, d.gemmChunk, multiprocessorCount());
  }
  // b in [K, N]: the roles as usual (same bits).
  index = hopperGemmLayoutTwin(index, d.gemmNnLinear);
  const GemmSchedule &asked = hopperGemmSchedules()[index];
  tiles = ((N + asked.blockN - 1) / asked.blockN) *
          ((M + asked.blockM - 1) / asked.blockM);
  const int64_t chunks = (K + d.gemmChunk - 1) / d.gemmChunk;
  return runnableHopperGemmSchedule(index, chunks, tiles);
}

int multiprocessorCount() {
  static int count = [] {
    const cuda::Driver &driver = cuda::getDriver();
    int device = 0, sms = 0;
    cuda::check(driver.ctxGetDevice(&device), "cuCtxGetDevice");
    cuda::check(driver.deviceGetAttribute(
                    &sms, cuda::kDeviceAttributeMultiprocessorCount, device),
                "querying the multiprocessor count");
    return sms;
  }();
  return count;
}

/// Dynamic shared memory a non-cluster launch of `s` reserves: its own, or
/// more than half of a multiprocessor's, so that one CTA runs per
/// multiprocessor. The kernels are written for that (warp-specialised, with
/// setmaxnreg moving registers from the producer to the consumers). The
/// generator's get it from their registers (__launch_bounds__(threads, 1)
/// sizes them for it); nvJitLink drops setmaxnreg from the MLIR ones, which
/// then used fewer registers, and two of their CTAs on one multiprocessor
/// failed (an illegal instruction in an mbarrier wait, on the H200).
int launchSharedBytes(const GemmSchedule &s) {
  return std::max(s.sharedBytes(), GemmSchedule::kMaxSharedBytes / 2 + 1024);
}

const Kernel::Data::GemmVariant::Loaded &
loadVariant(Kernel::Data::GemmVariant &variant, cuda::Context context,
            const std::string &kernelName) {
  if (auto it = variant.loaded.find(context); it != variant.loaded.end())
    return it->second;
  const cuda::Driver &driver = cuda::getDriver();
  const GemmSchedule &s = variant.schedule;
  std::string what = kernelName + " (schedule " + s.name() + ")";
  Kernel::Data::GemmVariant::Loaded loaded;
  cuda::Module module = nullptr;
  cuda::check(driver.moduleLoadData(&module, variant.cubin.data()),
              "loading the cubin of " + what);
  cuda::check(driver.moduleGetFunction(&loaded.main, module, kGemmMainFunction),
              "finding the main kernel of " + what);
  // Cluster schedules add slots for earlier partials per launch.
  const int reserved =
      s.clusterChunks ? GemmSchedule::kMaxSharedBytes : launchSharedBytes(s);
  cuda::check(driver.funcSetAttribute(loaded.main,
                                      cuda::kFuncAttributeMaxDynamicSharedBytes,
                                      reserved),
              "reserving " + std::to_string(reserved) +
                  " bytes of shared memory for " + what);
  int perSM = 0;
  cuda::check(driver.occupancyMaxActiveBlocksPerMultiprocessor(
                  &perSM, loaded.main, s.threads(), launchSharedBytes(s)),
              "querying the occupancy of " + what);
  if (perSM < 1)
    throw Error(what + " does not fit on a multiprocessor of this GPU");
  loaded.ctas = perSM * multiprocessorCount();
  return variant.loaded[context] = loaded;
}

/// A tensor map over `rows` rows of `cols` elements, `stride` elements
/// apart, read or written in boxes of 64 columns x `boxRows` rows with the
/// 128-byte swizzle; out-of-range elements read as zero and are never
/// written. Reuses the last map built for the same role.
const uint64_t *tensorMap(const std::string &kernel, const char *role,
                          Kernel::Data::TensorMapCache &cache, const Arg &arg,
                          int64_t rows, int64_t cols, int64_t stride,
                          int boxRows) {
  if (cache.data == arg.data && cache.rows == rows && cache.cols == cols &&
      cache.stride == stride && cache.box == boxRows)
    return cache.map;
  uint64_t dims[2] = {uint64_t(cols), uint64_t(rows)};
  uint64_t strides[1] = {uint64_t(stride) * 2};
  unsigned box[2] = {64, unsigned(boxRows)};
  unsigned elementStrides[2] = {1, 1};
  unsigned type = arg.dtype == DType::f16 ? cuda::kTensorMapFloat16
                                          : cuda::kTensorMapBFloat16;
  cache.data = nullptr;
  cuda::Result rc = cuda::getDriver().tensorMapEncodeTiled(
      cache.map, type, 2, const_cast<void *>(arg.data), dims, strides, box,
      elementStrides, 0, cuda::kTensorMapSwizzle128B,
      cuda::kTensorMapL2Promotion256B, 0);
  if (rc)
    cuda::check(rc, kernel + ": building the TMA descriptor of " + role +
                        " (rows " + std::to_string(rows) + ", columns " +
                        std::to_string(cols) + ", row stride " +
                        std::to_string(stride) + ")");
  cache.data = arg.data;
  cache.rows = rows;
  cache.cols = cols;
  cache.stride = stride;
  cache.box = boxRows;
  return cache.map;
}
} // namespace

bi::Kernel::Data::~Data() {
  // Background compiles read this kernel's description.
  for (std::thread &compile : gemmCompiles)
    if (compile.joinable())
      compile.join();
  if (workspaces.empty())
    return;
  try {
    const cuda::Driver &driver = cuda::getDriver();
    // Errors are ignored: at process exit the contexts may be gone, and
    // their memory with them.
    for (auto &[where, workspace] : workspaces)
      if (workspace.pointer)
        driver.memFree(workspace.pointer);
  } catch (...) {
  }
}

namespace {
/// The split schedules' workspace on `stream`: the tile counters (zero
/// between launches: each launch leaves them as it found them), then the
/// chunk partials. Returns {counters, partials}. The counters keep the
/// largest count any launch asked for, and the partials always start after
/// all of them: a launch with fewer tiles must not write its partials over
/// counters a later launch with more tiles counts on.
std::pair<uint64_t, uint64_t> workspaceFor(const Kernel::Data &d,
                                           cuda::Context context,
                                           cuda::Stream stream, int64_t tiles,
                                           size_t partialBytes) {
  Kernel::Data::Workspace &slot = d.workspaces[{context, stream}];
  const size_t counterBytes =
      std::max((size_t(tiles) * 4 + 255) / 256 * 256, slot.counterBytes);
  if (slot.counterBytes == counterBytes &&
      slot.bytes >= counterBytes + partialBytes)
    return {slot.pointer, slot.pointer + counterBytes};
  const size_t bytes = std::max(counterBytes + partialBytes, slot.bytes);
  const cuda::Driver &driver = cuda::getDriver();
  if (slot.pointer) {
    // Earlier launches on this stream may still use the old buffer.
    cuda::check(driver.streamSynchronize(stream),
                "waiting for the stream before growing the workspace");
    cuda::check(driver.memFree(slot.pointer), "freeing the GEMM workspace");
    slot = {};
  }
  uint64_t pointer = 0;
  cuda::check(driver.memAlloc(&pointer, bytes), "allocating " +
                                                    std::to_string(bytes) +
                                                    " bytes of GEMM workspace");
  // In stream order, before the first launch that counts on them.
  cuda::check(driver.memsetD32Async(pointer, 0, counterBytes / 4, stream),
              "clearing the GEMM tile counters");
  slot = {pointer, bytes, counterBytes};
  return {pointer, pointer + counterBytes};
}
} // namespace

void bi::checkGemmArguments(const Kernel::Data &d,
                            const std::vector<Arg> &args) {
  const int *roles = d.gemmRoles;
  const Arg &c = args[roles[C]];
  auto fail = [&](const std::string &message) {
    return Error(d.name + ": " + message);
  };
  int64_t cStride = rowStrideOf(c);
  if (c.shape[1] > 0 && cStride != c.shape[1])
    throw fail("argument #" + std::to_string(roles[C]) +
               " (c) must be dense: row stride " + std::to_string(cStride) +
               ", expected " + std::to_string(c.shape[1]));
  if (!d.gemmHopper)
    return;
  const Arg &a = args[roles[A]];
  if (a.shape[1] == 0 && a.shape[0] > 0 && c.shape[1] > 0)
    throw fail("K is 0: the wgmma schedules need at least one k-step (the "
               "empty product is the epilogue applied to +0; compute it "
               "without the GEMM, or use the CUDA-core contract)");
  // TMA: 16-byte aligned bases and row strides.
  for (Role role : {A, B}) {
    const Arg &arg = args[roles[role]];
    const char *name = role == A ? "a" : "b";
    if (reinterpret_cast<uintptr_t>(arg.data) % 16 != 0)
      throw fail("argument #" + std::to_string(roles[role]) + " (" + name +
                 ") must be 16-byte aligned for TMA loads (address " +
                 std::to_string(reinterpret_cast<uintptr_t>(arg.data)) + ")");
    int64_t stride = rowStrideOf(arg);
    if ((stride * 2) % 16 != 0)
      throw fail(
          "argument #" + std::to_string(roles[role]) + " (" + name +
          ") has a row stride of " + std::to_string(stride) +
          " elements; TMA needs a multiple of 8 (16 bytes). " +
          (role == B && !d.gemmNnLinear
               ? "Give b [K, N] with rows padded to a multiple of 8 "
                 "elements (a strided view of the padded buffer): the "
                 "padding is never read, the bits stay the same"
               : "Pad K to a multiple of 8 with zero columns in both a and "
                 "b: the k-steps stay the same, so do the bits"));
  }
}

namespace {
/// Launches `function` as clusters of `perCluster` CTAs, `ctas` in all.
cuda::Result launchClusters(const cuda::Driver &driver, cuda::Function function,
                            int64_t ctas, int perCluster, int threads,
                            int sharedBytes, cuda::Stream stream,
                            void **params) {
  cuda::LaunchAttribute cluster{};
  cluster.id = cuda::kLaunchAttributeClusterDimension;
  cluster.value.clusterDim = {unsigned(perCluster), 1, 1};
  cuda::LaunchConfig config{};
  config.gridDimX = unsigned(ctas);
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = unsigned(threads);
  config.blockDimY = config.blockDimZ = 1;
  config.sharedMemBytes = unsigned(sharedBytes);
  config.stream = stream;
  config.attrs = &cluster;
  config.numAttrs = 1;
  return driver.launchKernelEx(&config, function, params, nullptr);
}
} // namespace

void bi::launchGemm(const Kernel::Data &d, const std::vector<Arg> &args,
                    void *stream) {
  const int *roles = d.gemmRoles;
  const Arg &a = args[roles[A]], &b = args[roles[B]], &c = args[roles[C]];
  int64_t M = a.shape[0], K = a.shape[1];
  int64_t N = c.shape[1];
  if (M == 0 || N == 0)
    return;
  if (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX)
    throw Error(d.name + ": extents above 2^31 - 1 are not supported");
  const cuda::Driver &driver = cuda::getDriver();
  cuda::Context context = cuda::ensureContext();
  const void *bias = roles[Bias] >= 0 ? args[roles[Bias]].data : nullptr;
  const void *residual =
      roles[Residual] >= 0 ? args[roles[Residual]].data : nullptr;
  int m32 = int(M), n32 = int(N), k32 = int(K);

  if (!d.gemmHopper) {
    cuda::Function function = loadedFunction(d, context, kGemmFmaFunction);
    long long lda = rowStrideOf(a), ldb = rowStrideOf(b);
    const void *aData = a.data, *bData = b.data;
    void *cData = const_cast<void *>(c.data);
    void *params[] = {&aData, &bData, &cData, &bias, &residual,
                      &m32,   &n32,   &k32,   &lda,  &ldb};
    unsigned blocksN = unsigned((N + kGemmFmaThreads - 1) / kGemmFmaThreads);
    if (M > 65535 * 1024LL)
      throw Error(d.name + ": M too large for the CUDA-core variant");
    if (cuda::Result rc = driver.launchKernel(function, blocksN, unsigned(M), 1,
                                              kGemmFmaThreads, 1, 1, 0, stream,
                                              params, nullptr))
      cuda::check(rc, "launching " + d.name);
    return;
  }

  const int64_t chunks = (K + d.gemmChunk - 1) / d.gemmChunk;
  const bool nnLinear = d.gemmNnLinear;
  const GemmSchedule *schedule = nullptr;
  const Kernel::Data::GemmVariant::Loaded *loaded = nullptr;
  uint64_t counters = 0, partials = 0;
  int64_t tiles = 0;           // output tiles of the schedule
  int clusterSize = 0;         // CTAs per tile in a cluster launch, else 0
  int generatorToCompile = -1; // after a quick launch: the schedule to build
  // Tail pairs (hopperGemmTailPairTiles): the last tailTiles tiles run as
  // range pairs of the twin schedule in a second launch.
  int64_t tailTiles = 0;
  const GemmSchedule *twin = nullptr;
  const Kernel::Data::GemmVariant::Loaded *twinLoaded = nullptr;
  uint64_t twinCounters = 0, twinPartials = 0;
  int twinToCompile = -1;
  // Parameter values: the tensor maps are copied here under the lock, as
  // the cache they come from may change once it is released.
  alignas(64) uint64_t mapA[16], mapB[16], twinMapB[16], mapC[16] = {};
  int64_t rowTiles = 0; // of the launched schedule
  {
    std::lock_guard<std::mutex> lock(d.loadMutex);
    int index = launchedSchedule(d, M, N, K, tiles);
    bool quickBuilt = false;
    auto [quickIndex, variant] = quickVariantFor(d, index, quickBuilt);
    if (quickIndex >= 0) {
      // Not on the launch that built the quick kernel, and only until the
      // background compile has started (no second lock per launch after).
      if (!quickBuilt && !d.gemmBackground.count(index))
        generatorToCompile = index;
      index = quickIndex; // the same bits (its own tiles)
    } else {
      variant = variantFor(d, index);
    }
    schedule = &hopperGemmSchedules()[index];
    rowTiles = (M + schedule->blockM - 1) / schedule->blockM;
    // The launched schedule's tiles (a quick twin may tile differently).
    tiles = (N + schedule->blockN - 1) / schedule->blockN * rowTiles;
    if (schedule->clusterChunks && chunks > 1)
      clusterSize = schedule->clusterSize(chunks);
    loaded = &loadVariant(*variant, context, d.name);
    // The scheduler's choice only (a forced schedule runs as it is), with
    // the generator's kernel (not the quick one).
    if (d.gemmForcedSchedule.empty() && quickIndex < 0)
      tailTiles =
          hopperGemmTailPairTiles(index, chunks, tiles, rowTiles, loaded->ctas);
    if (tailTiles > 0) {
      const int twinIndex = hopperGemmRangeTwin(index);
      if (auto twinVariant = tailTwinVariant(d, twinIndex, twinToCompile)) {
        twin = &hopperGemmSchedules()[twinIndex];
        twinLoaded = &loadVariant(*twinVariant, context, d.name);
        std::tie(twinCounters, twinPartials) = workspaceFor(
            d, context, stream, tiles, twin->partialBytes(M, N, chunks));
      } else {
        tailTiles = 0;
      }
    }
    if ((schedule->splitChunks && chunks > 1 && clusterSize == 0) ||
        (schedule->rangePairs && chunks > 1)) {
      std::tie(counters, partials) = workspaceFor(
          d, context, stream, tiles, schedule->partialBytes(M, N, chunks));
    }
    std::memcpy(mapA,
                tensorMap(d.name, "a", d.tensorMaps[0], a, M, K, rowStrideOf(a),
                          schedule->activationBoxRows()),
                sizeof mapA);
    // b: N rows of K (nn.Linear), or K rows of N read in 64-column boxes.
    // Each CTA of a tile pair loads half of a box: half of the weight rows,
    // or 32 of the 64 k.
    auto weightMap = [&](Kernel::Data::TensorMapCache &cache, int halves) {
      return nnLinear ? tensorMap(d.name, "b", cache, b, N, K, rowStrideOf(b),
                                  schedule->blockN / halves)
                      : tensorMap(d.name, "b", cache, b, K, N, rowStrideOf(b),
                                  64 / halves);
    };
    std::memcpy(mapB, weightMap(d.tensorMaps[1], schedule->pairTiles ? 2 : 1),
                sizeof mapB);
    // The tail's range pairs (after tile pairs: in whole boxes).
    if (tailTiles > 0)
      std::memcpy(twinMapB,
                  schedule->pairTiles ? weightMap(d.tensorMaps[2], 1) : mapB,
                  sizeof twinMapB);
    // c for the TMA stores of the schedules that stage a 16-bit output,
    // which read it when TMA can take c (the kernel tests the same); else
    // it stays zero, never read.
    const bool staged =
        schedule->stagesOutput() || (tailTiles > 0 && twin->stagesOutput());
    if (staged && (c.dtype == DType::bf16 || c.dtype == DType::f16) &&
        N % 8 == 0 && reinterpret_cast<uintptr_t>(c.data) % 16 == 0)
      std::memcpy(mapC,
                  tensorMap(d.name, "c", d.tensorMaps[3], c, M, N, N,
                            kGemmStoreBoxRows),
                  sizeof mapC);
  }
  const GemmSchedule &scheduleRef = *schedule;
  void *cData = const_cast<void *>(c.data);
  // Output tiles [tileBegin, tileEnd) of the tile order.
  int tileBegin = 0,
      tileEnd = int(std::min<int64_t>(tiles - tailTiles, INT32_MAX));
  void *params[] = {mapA,       mapB,      &cData, &bias, &residual,
                    &partials,  &counters, &m32,   &n32,  &k32,
                    &tileBegin, &tileEnd,  mapC};
  int64_t units = (tiles - tailTiles) * (scheduleRef.splitChunks ? chunks : 1);
  // Messages are built only on failure: this is the per-launch path.
  // Clusters, one tile each: a cluster schedule's CTAs (the kernel checks:
  // a persistent grid would reuse the shared memory the partials are read
  // from), or a range pair (the kernel checks too: each CTA passes one
  // cluster barrier per tile).
  const int perTile = clusterSize > 0          ? clusterSize
                      : scheduleRef.rangePairs ? 2
                                               : 0;
  if (perTile > 0) {
    if (tiles > INT32_MAX / perTile)
      throw Error(d.name + ": schedule " + scheduleRef.name() + " runs " +
                  std::to_string(perTile) + " CTAs per tile, and " +
                  std::to_string(tiles) +
                  " tiles need more than a grid holds; force a serial "
                  "schedule for this size");
    if (cuda::Result rc = launchClusters(
            driver, loaded->main, tiles * perTile, perTile,
            scheduleRef.threads(),
            clusterSize > 0
                ? scheduleRef.clusterSharedBytes(chunks, clusterSize)
                : launchSharedBytes(scheduleRef),
            stream, params))
      cuda::check(rc, "launching " + d.name + " (schedule " +
                          scheduleRef.name() + ", clusters of " +
                          std::to_string(perTile) + ")");
    return;
  }
  if (scheduleRef.pairTiles) {
    // Persistent clusters of two, a pair of row tiles of the same columns
    // at a time.
    const int64_t pairs = tiles / rowTiles * ((rowTiles + 1) / 2);
    if (pairs > INT32_MAX)
      throw Error(d.name + ": schedule " + scheduleRef.name() + " has " +
                  std::to_string(pairs) +
                  " tile pairs, more than the kernel counts; force a serial "
                  "schedule for this size");
    // Tail pairs take whole tile groups of both row tiles: the pairs' first
    // units are the tiles before them.
    tileEnd = int(pairs - tailTiles / 2);
    const int64_t clusters =
        std::max<int64_t>(1, std::min<int64_t>(tileEnd, loaded->ctas / 2));
    if (cuda::Result rc = launchClusters(
            driver, loaded->main, 2 * clusters, 2, scheduleRef.threads(),
            launchSharedBytes(scheduleRef), stream, params))
      cuda::check(rc, "launching " + d.name + " (schedule " +
                          scheduleRef.name() + ", clusters of 2)");
    tileEnd = int(tiles - tailTiles);
  } else {
    unsigned grid = unsigned(std::min<int64_t>(units, loaded->ctas));
    if (cuda::Result rc = driver.launchKernel(
            loaded->main, grid, 1, 1, unsigned(scheduleRef.threads()), 1, 1,
            unsigned(launchSharedBytes(scheduleRef)), stream, params, nullptr))
      cuda::check(rc, "launching " + d.name + " (schedule " +
                          scheduleRef.name() + ")");
  }
  if (tailTiles > 0) {
    // The last wave's tiles, a cluster of two CTAs each (tailTiles is at
    // most half the persistent grid).
    tileBegin = tileEnd;
    tileEnd = int(tiles);
    void *tailParams[] = {mapA,      twinMapB,      &cData,        &bias,
                          &residual, &twinPartials, &twinCounters, &m32,
                          &n32,      &k32,          &tileBegin,    &tileEnd,
                          mapC};
    if (cuda::Result rc = launchClusters(
            driver, twinLoaded->main, 2 * tailTiles, 2, twin->threads(),
            launchSharedBytes(*twin), stream, tailParams))
      cuda::check(rc, "launching " + d.name + " (schedule " + twin->name() +
                          " on the last " + std::to_string(tailTiles) +
                          " tiles)");
  }
  if (twinToCompile >= 0)
    startGeneratorCompile(d, twinToCompile);

  // A quick launch runs a split or serial schedule, never a cluster one.
  if (generatorToCompile >= 0)
    startGeneratorCompile(d, generatorToCompile);
}

std::vector<std::string> bi::prepareGemm(const Kernel::Data &d,
                                         const std::vector<int64_t> &rows,
                                         int threads) {
  if (!d.gemmHopper)
    return {}; // the CUDA-core variant was compiled with the kernel
  for (int64_t M : rows)
    if (M <= 0 || M > INT32_MAX)
      throw Error(d.name +
                  ": prepare() takes numbers of rows in [1, 2^31 - "
                  "1], got " +
                  std::to_string(M));
  // N and K, when the specialisation fixed them (the schedule depends on
  // both); else every schedule.
  const int *roles = d.gemmRoles;
  const int64_t N = d.dims[d.paramAxisDims[roles[C]][1]].extent;
  const int64_t K = d.dims[d.paramAxisDims[roles[A]][1]].extent;
  std::vector<int> wanted;
  if (rows.empty() || N <= 0 || K <= 0) {
    if (!d.gemmForcedSchedule.empty()) {
      int64_t unused = 0;
      wanted.push_back(launchedSchedule(d, 1, 1, 1, unused));
      // A forced cluster schedule may run as its split twin.
      GemmSchedule twin = hopperGemmSchedules()[wanted[0]];
      if (twin.clusterChunks) {
        twin.clusterChunks = false;
        wanted.push_back(findHopperGemmSchedule(twin));
      }
    } else {
      for (size_t i = 0; i < hopperGemmSchedules().size(); ++i)
        wanted.push_back(int(i));
    }
  } else {
    // The scheduler's choice depends on the GPU's multiprocessor count.
    if (d.gemmForcedSchedule.empty())
      cuda::ensureContext();
    const int64_t chunks = (K + d.gemmChunk - 1) / d.gemmChunk;
    for (int64_t M : rows) {
      int64_t tiles = 0;
      const int index = launchedSchedule(d, M, N, K, tiles);
      wanted.push_back(index);
      // The second launch of tail pairs (one CTA per SM: see
      // launchSharedBytes).
      const int blockM = hopperGemmSchedules()[index].blockM;
      if (d.gemmForcedSchedule.empty() &&
          hopperGemmTailPairTiles(index, chunks, tiles,
                                  (M + blockM - 1) / blockM,
                                  multiprocessorCount()) > 0)
        wanted.push_back(hopperGemmRangeTwin(index));
    }
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  std::vector<int> missing;
  {
    std::lock_guard<std::mutex> lock(d.loadMutex);
    if (d.gemmVariants.empty())
      d.gemmVariants.resize(hopperGemmSchedules().size());
    for (int index : wanted)
      if (!d.gemmVariants[index])
        missing.push_back(index);
  }
  // NVRTC compiles different programs on different threads at once; each
  // thread takes the next schedule left.
  std::vector<std::shared_ptr<Kernel::Data::GemmVariant>> built(missing.size());
  std::vector<std::exception_ptr> failures(missing.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < missing.size(); i = next++) {
      try {
        built[i] = buildVariant(d, missing[i]);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  unsigned count = threads > 0
                       ? unsigned(threads)
                       : std::max(1u, std::thread::hardware_concurrency());
  count = std::min<unsigned>(count, unsigned(missing.size()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread &thread : pool)
    thread.join();
  {
    std::lock_guard<std::mutex> lock(d.loadMutex);
    for (size_t i = 0; i < missing.size(); ++i)
      if (built[i] && !d.gemmVariants[missing[i]])
        d.gemmVariants[missing[i]] = built[i];
  }
  for (const std::exception_ptr &failure : failures)
    if (failure)
      std::rethrow_exception(failure);
  std::vector<std::string> names;
  for (int index : wanted)
    names.push_back(hopperGemmSchedules()[index].name());
  return names;
}

std::vector<std::string> bi::gemmScheduleNames(const Kernel::Data &d) {
  std::vector<std::string> names;
  if (d.gemmHopper && d.backend == Backend::NVVM)
    names.push_back(d.gemmForcedSchedule);
  else if (d.gemmHopper)
    for (const GemmSchedule &s : hopperGemmSchedules())
      names.push_back(s.name());
  return names;
}
