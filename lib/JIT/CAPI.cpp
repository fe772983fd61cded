//===- CAPI.cpp - the C API over bi/JIT.h ---------------------------------===//
#include "bi/JIT.h"
#include "bi/bi_c.h"
#include <cerrno>
#include <cstdlib>
#include <sstream>

struct bi_compiler {
  bi::Compiler compiler;
  explicit bi_compiler(bi::CompilerOptions options) : compiler(options) {}
};
struct bi_kernel {
  std::shared_ptr<const bi::Kernel> kernel;
  std::string schedules; // comma-separated, built on first request
};

namespace {
thread_local std::string lastError;

template <typename Fn> int guarded(Fn fn) {
  try {
    fn();
    return 0;
  } catch (const bi::Error &error) {
    lastError = error.what();
    if (!error.log().empty())
      lastError += "\n" + error.log();
  } catch (const std::exception &error) {
    lastError = error.what();
  }
  return 1;
}

/// `pointer`, or an error naming the parameter a caller passed as NULL.
template <typename T>
T *required(T *pointer, const char *function, const char *parameter) {
  if (!pointer)
    throw bi::Error(std::string(function) + ": " + parameter + " is NULL");
  return pointer;
}

bi::Specialization parseSpec(const char *dims, int64_t threads, int64_t rows,
                             int32_t backend) {
  bi::Specialization spec;
  spec.threads = threads;
  spec.rows = rows;
  if (backend != BI_NVVM && backend != BI_NVRTC)
    throw bi::Error("backend " + std::to_string(backend) +
                    " is neither BI_NVVM (0) nor BI_NVRTC (1)");
  spec.backend = backend == BI_NVRTC ? bi::Backend::NVRTC : bi::Backend::NVVM;
  std::istringstream in(dims ? dims : "");
  for (std::string entry; std::getline(in, entry, ',');) {
    if (entry.empty())
      continue;
    size_t eq = entry.find('=');
    std::string extent = eq == std::string::npos ? "" : entry.substr(eq + 1);
    char *end = nullptr;
    errno = 0;
    long long value = std::strtoll(extent.c_str(), &end, 10);
    if (eq == 0 || extent.empty() || *end != '\0' || errno == ERANGE)
      throw bi::Error("bad dims entry '" + entry +
                      "'; expected NAME=EXTENT with an integer extent, e.g. "
                      "\"H=4096,N=128\"");
    spec.dims[entry.substr(0, eq)] = value;
  }
  return spec;
}

/// A GEMM's specialisation with its schedule forced (NULL or "": chosen per
/// launch).
bi::Specialization scheduledSpec(const char *dims, const char *schedule) {
  bi::Specialization spec = parseSpec(dims, 0, 0, BI_NVVM);
  spec.schedule = schedule ? schedule : "";
  return spec;
}

std::vector<bi::Arg> toArgs(const bi_arg *args, int32_t count) {
  if (count < 0 || (count > 0 && !args))
    throw bi::Error("args must point at num_args >= 0 arguments");
  std::vector<bi::Arg> out;
  for (int32_t i = 0; i < count; ++i) {
    const bi_arg &a = args[i];
    if (a.kind < BI_ARG_BUFFER || a.kind > BI_ARG_INT)
      throw bi::Error("argument #" + std::to_string(i) + " has kind " +
                      std::to_string(a.kind) +
                      "; expected BI_ARG_BUFFER, BI_ARG_FLOAT or BI_ARG_INT");
    if (a.kind == BI_ARG_FLOAT) {
      out.push_back(bi::Arg::f32(float(a.float_value)));
      out.back().floatValue = a.float_value;
    } else if (a.kind == BI_ARG_INT) {
      out.push_back(bi::Arg::i64(a.int_value));
    } else {
      if (a.dtype < BI_BF16 || a.dtype > BI_I64)
        throw bi::Error("argument #" + std::to_string(i) + " has dtype " +
                        std::to_string(a.dtype) + "; not an enum bi_dtype");
      if (a.rank < 0 || a.rank > 4)
        throw bi::Error("argument #" + std::to_string(i) + " has rank " +
                        std::to_string(a.rank) + "; at most 4");
      std::vector<int64_t> shape(a.shape, a.shape + a.rank);
      std::vector<int64_t> strides(a.strides, a.strides + a.rank);
      bool dense = true;
      for (int64_t s : strides)
        dense = dense && s == 0;
      if (dense)
        strides.clear();
      out.push_back(
          bi::Arg::buffer(a.data, bi::DType(a.dtype), shape, strides));
    }
  }
  return out;
}
} // namespace

extern "C" {
const char *bi_last_error(void) { return lastError.c_str(); }

int bi_compiler_create(const char *cacheDir, int useCache, bi_compiler **out) {
  return guarded([&] {
    required(out, "bi_compiler_create", "out");
    bi::CompilerOptions options;
    if (cacheDir)
      options.cacheDir = cacheDir;
    options.useDiskCache = useCache != 0;
    *out = new bi_compiler(options);
  });
}

void bi_compiler_destroy(bi_compiler *compiler) { delete compiler; }

int bi_compiler_stats(bi_compiler *compiler, int64_t out[4]) {
  return guarded([&] {
    required(out, "bi_compiler_stats", "out");
    bi::CacheStats stats = required(compiler, "bi_compiler_stats", "compiler")
                               ->compiler.cacheStats();
    out[0] = stats.memoryHits;
    out[1] = stats.diskHits;
    out[2] = stats.compiles;
    out[3] = stats.corruptEntries;
  });
}

int bi_compile_builtin(bi_compiler *compiler, const char *name,
                       const char *dims, int64_t threads, int64_t rows,
                       int32_t backend, bi_kernel **out) {
  return guarded([&] {
    required(out, "bi_compile_builtin", "out");
    auto kernel = required(compiler, "bi_compile_builtin", "compiler")
                      ->compiler.compileBuiltin(
                          required(name, "bi_compile_builtin", "name"),
                          parseSpec(dims, threads, rows, backend));
    *out = new bi_kernel{kernel};
  });
}

int bi_compile_source(bi_compiler *compiler, const char *source,
                      const char *dims, int64_t threads, int64_t rows,
                      int32_t backend, bi_kernel **out) {
  return guarded([&] {
    required(out, "bi_compile_source", "out");
    auto kernel = required(compiler, "bi_compile_source", "compiler")
                      ->compiler.compileSource(
                          required(source, "bi_compile_source", "source"),
                          parseSpec(dims, threads, rows, backend));
    *out = new bi_kernel{kernel};
  });
}

int bi_compile_builtin_scheduled(bi_compiler *compiler, const char *name,
                                 const char *dims, const char *schedule,
                                 bi_kernel **out) {
  return guarded([&] {
    const char *fn = "bi_compile_builtin_scheduled";
    required(out, fn, "out");
    auto kernel = required(compiler, fn, "compiler")
                      ->compiler.compileBuiltin(required(name, fn, "name"),
                                                scheduledSpec(dims, schedule));
    *out = new bi_kernel{kernel};
  });
}
int bi_compile_source_scheduled(bi_compiler *compiler, const char *source,
                                const char *dims, const char *schedule,
                                bi_kernel **out) {
  return guarded([&] {
    const char *fn = "bi_compile_source_scheduled";
    required(out, fn, "out");
    auto kernel = required(compiler, fn, "compiler")
                      ->compiler.compileSource(required(source, fn, "source"),
                                               scheduledSpec(dims, schedule));
    *out = new bi_kernel{kernel};
  });
}
const char *bi_kernel_schedules(bi_kernel *k) {
  if (!k)
    return "";
  if (k->schedules.empty())
    for (const std::string &name : k->kernel->schedules())
      k->schedules += (k->schedules.empty() ? "" : ",") + name;
  return k->schedules.c_str();
}
int bi_kernel_prepare(const bi_kernel *kernel, const int64_t *rows,
                      int32_t numRows, int32_t threads) {
  return guarded([&] {
    if (numRows < 0 || (numRows > 0 && !rows))
      throw bi::Error("bi_kernel_prepare: rows must point at num_rows >= 0 "
                      "values");
    required(kernel, "bi_kernel_prepare", "kernel")
        ->kernel->prepare(std::vector<int64_t>(rows, rows + numRows), threads);
  });
}
void bi_kernel_destroy(bi_kernel *kernel) { delete kernel; }
// The accessors have no status to return: a NULL kernel reads as empty.
const char *bi_kernel_name(const bi_kernel *k) {
  return k ? k->kernel->name().c_str() : "";
}
const char *bi_kernel_fingerprint(const bi_kernel *k) {
  return k ? k->kernel->fingerprint().c_str() : "";
}
const char *bi_kernel_code(const bi_kernel *k) {
  return k ? k->kernel->code().c_str() : "";
}
int bi_kernel_from_disk_cache(const bi_kernel *k) {
  return k ? k->kernel->fromDiskCache() : 0;
}

int bi_kernel_launch(const bi_kernel *kernel, const bi_arg *args,
                     int32_t numArgs, void *stream) {
  return guarded([&] {
    required(kernel, "bi_kernel_launch", "kernel")
        ->kernel->launch(toArgs(args, numArgs), stream);
  });
}

int bi_kernel_run_reference(const bi_kernel *kernel, const bi_arg *args,
                            int32_t numArgs) {
  return guarded([&] {
    required(kernel, "bi_kernel_run_reference", "kernel")
        ->kernel->runReference(toArgs(args, numArgs));
  });
}
}
