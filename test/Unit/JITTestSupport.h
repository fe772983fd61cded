//===- JITTestSupport.h - what the API tests share ------------------------===//
//
// Temporary directories and the probes for the CUDA toolkit and driver that
// decide which tests can run here (the others skip and say why).
//
//===----------------------------------------------------------------------===//
#ifndef BI_TEST_UNIT_JITTESTSUPPORT_H
#define BI_TEST_UNIT_JITTESTSUPPORT_H

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace bi::test {

/// A fresh, empty directory under the test's temp dir.
inline std::string freshDir(const std::string &name) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("bi-jit-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

/// Compiling to a cubin needs the CUDA toolkit's nvJitLink; without it
/// these tests skip (and say so) instead of failing.
inline bool toolkitPresent() {
  namespace fs = std::filesystem;
  auto has = [](const char *dir) {
    return fs::exists(fs::path(dir) / "lib64" / "libnvJitLink.so.13");
  };
  // Mirrors the library's search: BI_CUDA_PATH alone when it is set.
  if (const char *dir = std::getenv("BI_CUDA_PATH"); dir && *dir)
    return has(dir);
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *dir = std::getenv(var); dir && *dir && has(dir))
      return true;
  return has("/usr/local/cuda");
}

/// The NVRTC side path (and the GEMM schedules) need libnvrtc.
inline bool nvrtcPresent() {
  return std::filesystem::exists("/usr/local/cuda/lib64/libnvrtc.so.13") ||
         std::getenv("BI_CUDA_PATH");
}

/// Whether a CUDA driver loads and initialises (a GPU is there).
inline bool driverWorks() {
  void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return false;
  auto init = reinterpret_cast<int (*)(unsigned)>(dlsym(handle, "cuInit"));
  return init && init(0) == 0;
}

} // namespace bi::test

#endif // BI_TEST_UNIT_JITTESTSUPPORT_H
