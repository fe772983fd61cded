//===- Nvrtc.cpp - CUDA C++ to cubin with NVRTC ---------------------------===//
//
// NVRTC is opened with dlopen, like nvJitLink (CudaToolkit.cpp): bi builds
// and runs without CUDA, and only this step needs the toolkit.
//
//===----------------------------------------------------------------------===//
#include "Target/Nvrtc.h"
#include "Target/CudaToolkit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include <climits>
#include <dlfcn.h>
#include <vector>

namespace {
using Program = void *;
using ErrorStringFn = const char *(*)(int);
using CreateFn = int (*)(Program *, const char *, const char *, int,
                         const char *const *, const char *const *);
using CompileFn = int (*)(Program, int, const char *const *);
using SizeFn = int (*)(Program, size_t *);
using GetFn = int (*)(Program, char *);
using DestroyFn = int (*)(Program *);
} // namespace

/// The toolkit's include directory, which holds cuda_bf16.h and
/// cuda_fp16.h: next to the directory NVRTC was loaded from, else under a
/// toolkit candidate. Empty when none has them.
static std::string findIncludeDir(void *library) {
  std::vector<std::string> candidates;
  char origin[PATH_MAX] = {0};
  if (dlinfo(library, RTLD_DI_ORIGIN, origin) == 0) {
    llvm::SmallString<256> dir(origin);
    llvm::sys::path::append(dir, "..", "include");
    candidates.push_back(std::string(dir));
  }
  for (const std::string &root : ::bi::getCudaToolkitCandidates()) {
    for (const char *sub : {"include", "targets/x86_64-linux/include"}) {
      llvm::SmallString<256> dir(root);
      llvm::sys::path::append(dir, sub);
      candidates.push_back(std::string(dir));
    }
  }
  for (const std::string &dir : candidates) {
    llvm::SmallString<256> header(dir);
    llvm::sys::path::append(header, "cuda_bf16.h");
    if (llvm::sys::fs::exists(header))
      return dir;
  }
  return "";
}

llvm::Expected<std::string> mlir::bi::compileCUDA(llvm::StringRef source,
                                                  llvm::StringRef name,
                                                  llvm::StringRef chip,
                                                  std::string *log) {
  llvm::Expected<void *> library = ::bi::openToolkitLibrary("libnvrtc.so.13");
  if (!library)
    return library.takeError();
  auto sym = [&](const char *symbol) { return dlsym(*library, symbol); };
  auto errorString =
      reinterpret_cast<ErrorStringFn>(sym("nvrtcGetErrorString"));
  auto create = reinterpret_cast<CreateFn>(sym("nvrtcCreateProgram"));
  auto compile = reinterpret_cast<CompileFn>(sym("nvrtcCompileProgram"));
  auto logSize = reinterpret_cast<SizeFn>(sym("nvrtcGetProgramLogSize"));
  auto getLog = reinterpret_cast<GetFn>(sym("nvrtcGetProgramLog"));
  auto cubinSize = reinterpret_cast<SizeFn>(sym("nvrtcGetCUBINSize"));
  auto getCubin = reinterpret_cast<GetFn>(sym("nvrtcGetCUBIN"));
  auto destroy = reinterpret_cast<DestroyFn>(sym("nvrtcDestroyProgram"));
  if (!errorString || !create || !compile || !logSize || !getLog ||
      !cubinSize || !getCubin || !destroy)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "libnvrtc.so.13 lacks the NVRTC API; is it a CUDA 13 toolkit?");

  std::string text = source.str(), file = name.str();
  Program program = nullptr;
  if (int rc =
          create(&program, text.c_str(), file.c_str(), 0, nullptr, nullptr))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("nvrtcCreateProgram({0}) failed: {1}", name,
                      errorString(rc))
            .str());
  auto readLog = [&]() {
    size_t size = 0;
    std::string log;
    if (logSize(program, &size) == 0 && size > 1) {
      log.resize(size);
      getLog(program, log.data());
      log.resize(size - 1);
    }
    return log;
  };
  auto fail = [&](llvm::StringRef step, int rc) -> llvm::Error {
    std::string log = readLog();
    destroy(&program);
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("NVRTC {0} of '{1}' failed: {2}\n{3}", step, name,
                      errorString(rc), log)
            .str());
  };

  // No contraction and IEEE division, square root and denormals: the source
  // pins most operations with intrinsics already, these options make sure
  // that nothing it leaves open is decided differently from the NVVM path.
  // ptxas also warns in the log when a kernel uses local memory (the tests
  // look for it: an array spilled there is a silent slowdown otherwise).
  std::vector<std::string> options = {
      "--gpu-architecture=" + chip.str(),
      "--fmad=false",
      "--ftz=false",
      "--prec-div=true",
      "--prec-sqrt=true",
      "-default-device",
      "--std=c++17",
      "--ptxas-options=--warn-on-local-memory-usage"};
  std::string include = findIncludeDir(*library);
  if (!include.empty())
    options.push_back("--include-path=" + include);
  std::vector<const char *> argv;
  for (const std::string &option : options)
    argv.push_back(option.c_str());
  if (int rc = compile(program, static_cast<int>(argv.size()), argv.data()))
    return fail("compilation", rc);
  size_t size = 0;
  if (int rc = cubinSize(program, &size))
    return fail("cubin size query", rc);
  std::string cubin(size, '\0');
  if (int rc = getCubin(program, cubin.data()))
    return fail("cubin copy", rc);
  if (log)
    *log = readLog();
  destroy(&program);
  return cubin;
}
