//===- bi/JIT.h - embedding the bi compiler ----------------------*- C++
//-*-===//
//
// The public C++ API for engines: compile a batch-invariant kernel from DSL
// source or a built-in name into a loaded CUDA function, and launch it on the
// caller's stream. No MLIR type appears here; link with `bi::bi`
// (find_package(bi)).
//
//   bi::Compiler compiler;
//   bi::Specialization spec;
//   spec.dims["H"] = 4096;
//   auto rmsNorm = compiler.compileBuiltin("rms_norm", spec);
//   rmsNorm->launch({bi::Arg::buffer(x, bi::DType::bf16, {m, 4096}),
//                    bi::Arg::buffer(w, bi::DType::bf16, {4096}),
//                    bi::Arg::buffer(y, bi::DType::bf16, {m, 4096}),
//                    bi::Arg::f32(1e-6f)},
//                   stream);
//
//===----------------------------------------------------------------------===//
#ifndef BI_JIT_H
#define BI_JIT_H

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace bi {

enum class DType { bf16, f16, f32, f64, i32, i64 };
const char *toString(DType dtype);
int64_t byteSize(DType dtype);

/// Which code generator produces the cubin. Both implement the same
/// contracts and must agree bit for bit.
enum class Backend { NVVM, NVRTC };

/// Every failure: a source that does not verify (the diagnostics, with
/// locations, are in log()), a bad launch argument (checked before anything
/// is launched), a missing toolkit, driver or GPU.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string &message, std::string log = "")
      : std::runtime_error(message), log_(std::move(log)) {}
  /// The full compiler or driver log, when there is one.
  const std::string &log() const { return log_; }

private:
  std::string log_;
};

/// What a compiled kernel is specialised for.
struct Specialization {
  /// Static extents of non-batch dimensions, e.g. {"H", 4096}.
  std::map<std::string, int64_t> dims;
  std::string chip = "sm_90a";
  /// Force a schedule (0: the scheduler's choice). Never changes bits.
  int64_t threads = 0;
  int64_t rows = 0;
  /// GEMM kernels: force a Hopper schedule by name (see
  /// Kernel::schedules()); empty: chosen per launch from M, N and K.
  std::string schedule;
  Backend backend = Backend::NVVM;
};

/// One launch argument: a buffer (pointer, shape and strides in elements)
/// or a scalar.
struct Arg {
  enum class Kind { Buffer, Float, Int };
  Kind kind = Kind::Buffer;
  const void *data = nullptr;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides; // empty: dense row-major
  double floatValue = 0;
  int64_t intValue = 0;

  static Arg buffer(const void *data, DType dtype, std::vector<int64_t> shape,
                    std::vector<int64_t> strides = {});
  static Arg f32(float value);
  static Arg i64(int64_t value);
};

/// A kernel parameter as the kernel declares it.
struct Param {
  std::string name;
  bool isBuffer = false;
  DType dtype = DType::f32;
  std::vector<std::string> axes; // dimension names, buffers only
  bool isOutput = false;         // the kernel writes this buffer
};

/// A dimension as the kernel declares it (after specialisation).
struct Dim {
  std::string name;
  std::string kind;    // "batch", "parallel" or "reduction"
  int64_t extent = -1; // -1: given at launch
  /// A launch-time extent must be a multiple of this (vector width).
  int64_t multipleOf = 1;
};

class CompilerImpl;

/// A compiled kernel. Thread-safe; loads its module into the current CUDA
/// context on first launch.
class Kernel {
public:
  ~Kernel();
  const std::string &name() const;
  /// Hash of everything that decides the kernel's bits.
  const std::string &fingerprint() const;
  /// The PTX (NVVM backend) or the CUDA C++ source (NVRTC backend).
  const std::string &code() const;
  const std::vector<Param> &params() const;
  const std::vector<Dim> &dims() const;
  int64_t threadsPerRow() const;
  int64_t rowsPerBlock() const;
  Backend backend() const;
  /// True if this kernel came from the disk cache rather than a compile.
  bool fromDiskCache() const;
  /// GEMM kernels with a wgmma contract: every schedule the compiler can
  /// choose (each gives the same bits). Empty for other kernels.
  std::vector<std::string> schedules() const;
  /// GEMM kernels: compiles now the schedules that launches with these
  /// numbers of rows M would run (each schedule compiles on its first
  /// launch otherwise, 0.2-1.5 s of NVRTC), on up to `threads` threads at
  /// once (0: one per hardware thread), so that an engine pays for them at
  /// start-up instead of on the serving path. Empty `rows`, or N or K not
  /// fixed by the specialisation: every schedule the kernel can run. Uses
  /// and fills the disk cache; loading into a context stays with the first
  /// launch (about a millisecond). With `rows`, it needs the GPU (the
  /// choice depends on its multiprocessor count). Returns the schedules'
  /// names; empty for other kernels, whose code compiled with them.
  std::vector<std::string> prepare(const std::vector<int64_t> &rows = {},
                                   int threads = 0) const;

  /// Validates `args` against the signature, then launches on `stream` (a
  /// CUstream; nullptr: the legacy default stream). Device pointers.
  void launch(const std::vector<Arg> &args, void *stream = nullptr) const;

  /// Runs the same kernel on the CPU reference executor, in exactly its
  /// declared order, on host pointers. Portable math only.
  void runReference(const std::vector<Arg> &args) const;

  struct Data;
  explicit Kernel(std::unique_ptr<Data> data);

private:
  std::unique_ptr<Data> data_;
};

struct CompilerOptions {
  /// Disk cache directory; empty: $BI_CACHE_DIR, else $XDG_CACHE_HOME/bi,
  /// else $HOME/.cache/bi. $BI_DISABLE_CACHE=1 turns caching off.
  std::string cacheDir;
  bool useDiskCache = true;
  bool useMemoryCache = true;
  /// GEMM kernels: when a launch needs a schedule that is neither compiled
  /// nor in the disk cache, run bi-lower-to-gpu's kernel of it (MLIR and
  /// nvJitLink, a few hundred milliseconds faster to build than NVRTC's
  /// start-up and compile; a cluster schedule runs as its split twin); the
  /// next launch starts compiling the generator's on a background thread,
  /// which later launches use once it is there. Same bits either way;
  /// false: every launch waits for the generator's kernel.
  bool quickGemmFirstLaunch = true;
};

struct CacheStats {
  int64_t memoryHits = 0;
  int64_t diskHits = 0;
  int64_t compiles = 0;
  int64_t corruptEntries = 0;
};

/// Compiles kernels through the same registered pipeline as
/// `bi-opt --bi-lower-to-ptx`. Thread-safe.
class Compiler {
public:
  explicit Compiler(CompilerOptions options = {});
  ~Compiler();
  Compiler(const Compiler &) = delete;
  Compiler &operator=(const Compiler &) = delete;

  std::shared_ptr<const Kernel> compileSource(const std::string &source,
                                              const Specialization &spec);
  std::shared_ptr<const Kernel> compileBuiltin(const std::string &name,
                                               const Specialization &spec);

  static std::vector<std::string> builtinNames();
  static const std::string &builtinSource(const std::string &name);

  CacheStats cacheStats() const;
  /// The directory in use for the disk cache, empty if disabled.
  std::string cacheDir() const;

private:
  std::shared_ptr<CompilerImpl> impl_;
};

} // namespace bi

#endif // BI_JIT_H
