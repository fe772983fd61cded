//===- CompilerImpl.h - the state behind bi::Compiler ------------*- C++
//-*-===//
#ifndef BI_JIT_COMPILERIMPL_H
#define BI_JIT_COMPILERIMPL_H

#include "JIT/KernelCache.h"
#include "Pipeline/Pipeline.h"
#include "Target/HopperGemm.h"
#include "bi/JIT.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include <iostream>
#include <map>
#include <mutex>
#include <set>

namespace bi {

/// Everything that must outlive a compile: the MLIR context (not
/// thread-safe, hence the mutex), the caches and the once-only warnings.
class CompilerImpl {
public:
  explicit CompilerImpl(const CompilerOptions &options)
      : disk(chooseCacheDir(options)),
        useMemoryCache(options.useMemoryCache && !DiskCache::disabledByEnv()),
        quickGemmFirstLaunch(options.quickGemmFirstLaunch) {
    mlir::DialectRegistry registry;
    mlir::bi::registerBiDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    context.disableMultithreading();
  }

  static std::string chooseCacheDir(const CompilerOptions &options) {
    if (!options.useDiskCache || DiskCache::disabledByEnv())
      return "";
    return options.cacheDir.empty() ? DiskCache::defaultDir()
                                    : options.cacheDir;
  }

  std::shared_ptr<const Kernel>
  compile(const std::string &source, const std::string &bufferName,
          const Specialization &spec,
          const std::shared_ptr<CompilerImpl> &self);

  /// The cubin of bi-lower-to-gpu's kernel for one serial or split Hopper
  /// schedule of a GEMM kernel, from its scheduled source (MLIR, PTX and
  /// nvJitLink: no NVRTC).
  std::string compileWgmmaSchedule(const std::string &scheduledSource,
                                   const std::string &kernelName,
                                   const GemmSchedule &schedule,
                                   const std::string &chip);

  /// Prints `message` to stderr the first time it is seen.
  void warnOnce(const std::string &message) {
    if (warned.insert(message).second)
      std::cerr << "bi: warning: " << message << "\n";
  }

  mlir::MLIRContext context;
  std::mutex mutex;
  DiskCache disk;
  bool useMemoryCache;
  std::map<std::string, std::shared_ptr<const Kernel>> memory;
  std::set<std::string> warned;
  CacheStats stats;
  /// CompilerOptions::quickGemmFirstLaunch.
  bool quickGemmFirstLaunch;
};

} // namespace bi

#endif // BI_JIT_COMPILERIMPL_H
