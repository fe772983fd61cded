//===- CudaToolkit.cpp - finding and loading the CUDA toolkit -------------===//
//
// The toolkit is opened with dlopen, never linked: bi builds, parses,
// verifies and lowers to PTX on machines without CUDA, and says clearly what
// is missing when a step needs it.
//
//===----------------------------------------------------------------------===//
#include "Target/CudaToolkit.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>

#ifndef BI_DEFAULT_CUDA_ROOT
#define BI_DEFAULT_CUDA_ROOT "/usr/local/cuda"
#endif

std::vector<std::string> bi::getCudaToolkitCandidates() {
  // An explicit BI_CUDA_PATH is the only place looked at: a user who names
  // a toolkit wants that one, and tests rely on it.
  if (const char *value = std::getenv("BI_CUDA_PATH"); value && *value)
    return {value};
  std::vector<std::string> dirs;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(var); value && *value)
      dirs.push_back(value);
  dirs.push_back(BI_DEFAULT_CUDA_ROOT);
  return dirs;
}

llvm::Expected<void *> bi::openToolkitLibrary(llvm::StringRef soname) {
  std::string tried;
  std::vector<std::string> dirs = getCudaToolkitCandidates();
  for (const std::string &dir : dirs) {
    for (const char *sub : {"lib64", "lib", "targets/x86_64-linux/lib"}) {
      llvm::SmallString<256> path(dir);
      llvm::sys::path::append(path, sub, soname);
      if (void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))
        return handle;
      tried += "\n  " + std::string(path.str());
    }
  }
  bool explicitPath =
      std::getenv("BI_CUDA_PATH") && *std::getenv("BI_CUDA_PATH");
  if (!explicitPath) {
    if (void *handle = dlopen(soname.str().c_str(), RTLD_NOW | RTLD_LOCAL))
      return handle;
    tried += "\n  " + soname.str() + " (loader search path)";
  }
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv("cannot load {0} from the CUDA toolkit; tried:{1}\n"
                    "install the CUDA 13 toolkit or point BI_CUDA_PATH at it",
                    soname, tried)
          .str());
}

namespace {
using Handle = void *;
using CreateFn = int (*)(Handle *, uint32_t, const char **);
using AddDataFn = int (*)(Handle, int, const void *, size_t, const char *);
using CompleteFn = int (*)(Handle);
using SizeFn = int (*)(Handle, size_t *);
using GetFn = int (*)(Handle, void *);
using LogFn = int (*)(Handle, char *);
using DestroyFn = int (*)(Handle *);
constexpr int kInputPtx = 2; // NVJITLINK_INPUT_PTX
} // namespace

llvm::Expected<std::string> bi::assembleCubin(llvm::StringRef ptx,
                                              llvm::StringRef chip) {
  llvm::Expected<void *> library = openToolkitLibrary("libnvJitLink.so.13");
  if (!library)
    return library.takeError();
  auto sym = [&](const char *name) { return dlsym(*library, name); };
  auto create = reinterpret_cast<CreateFn>(sym("nvJitLinkCreate"));
  auto addData = reinterpret_cast<AddDataFn>(sym("nvJitLinkAddData"));
  auto complete = reinterpret_cast<CompleteFn>(sym("nvJitLinkComplete"));
  auto cubinSize = reinterpret_cast<SizeFn>(sym("nvJitLinkGetLinkedCubinSize"));
  auto getCubin = reinterpret_cast<GetFn>(sym("nvJitLinkGetLinkedCubin"));
  auto logSize = reinterpret_cast<SizeFn>(sym("nvJitLinkGetErrorLogSize"));
  auto getLog = reinterpret_cast<LogFn>(sym("nvJitLinkGetErrorLog"));
  auto destroy = reinterpret_cast<DestroyFn>(sym("nvJitLinkDestroy"));
  if (!create || !addData || !complete || !cubinSize || !getCubin || !logSize ||
      !getLog || !destroy)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "libnvJitLink.so.13 lacks the nvJitLink API; is it a CUDA 13 toolkit?");

  std::string arch = "-arch=" + chip.str();
  const char *options[] = {arch.c_str(), "-O3"};
  Handle handle = nullptr;
  if (int rc = create(&handle, 2, options))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("nvJitLinkCreate({0}) failed with code {1}", arch, rc)
            .str());
  auto fail = [&](llvm::StringRef step, int rc) -> llvm::Error {
    size_t size = 0;
    std::string log;
    if (logSize(handle, &size) == 0 && size > 1) {
      log.resize(size);
      getLog(handle, log.data());
      log.resize(size - 1);
    }
    destroy(&handle);
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("nvJitLink {0} failed with code {1}:\n{2}", step, rc, log)
            .str());
  };
  std::string source = ptx.str(); // nvJitLink wants a terminating NUL.
  if (int rc = addData(handle, kInputPtx, source.c_str(), source.size() + 1,
                       "bi.ptx"))
    return fail("add PTX", rc);
  if (int rc = complete(handle))
    return fail("link", rc);
  size_t size = 0;
  if (int rc = cubinSize(handle, &size))
    return fail("size query", rc);
  std::string cubin(size, '\0');
  if (int rc = getCubin(handle, cubin.data()))
    return fail("cubin copy", rc);
  destroy(&handle);
  return cubin;
}
