/*===- bi/bi_c.h - C API of the bi JIT ----------------------------*- C -*-===*
 *
 * A C view of bi/JIT.h for FFI users (Python ctypes, other languages).
 * Every function returns 0 on success; on failure it returns non-zero and
 * bi_last_error() gives the message and the full log of this thread's last
 * failure. A NULL where an object, a name, a source or an output pointer is
 * required, a malformed dims string and an out-of-range enum are such
 * failures, not crashes; the accessors (bi_kernel_name, ...) read a NULL
 * kernel as empty.
 *
 *===----------------------------------------------------------------------===*/
#ifndef BI_C_H
#define BI_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bi_compiler bi_compiler;
typedef struct bi_kernel bi_kernel;

enum bi_dtype { BI_BF16 = 0, BI_F16, BI_F32, BI_F64, BI_I32, BI_I64 };
enum bi_arg_kind { BI_ARG_BUFFER = 0, BI_ARG_FLOAT, BI_ARG_INT };
enum bi_backend { BI_NVVM = 0, BI_NVRTC = 1 };

typedef struct bi_arg {
  int32_t kind;  /* enum bi_arg_kind */
  int32_t dtype; /* enum bi_dtype */
  const void *data;
  int32_t rank;
  int64_t shape[4];
  int64_t strides[4]; /* elements; all zero: dense */
  double float_value;
  int64_t int_value;
} bi_arg;

/* The message (and log) of this thread's last failure. */
const char *bi_last_error(void);

/* cache_dir may be NULL (default); use_cache 0 disables the disk cache. */
int bi_compiler_create(const char *cache_dir, int use_cache, bi_compiler **out);
void bi_compiler_destroy(bi_compiler *compiler);
/* Cache counters: memory hits, disk hits, compiles, corrupt entries. */
int bi_compiler_stats(bi_compiler *compiler, int64_t out[4]);

/* dims: "H=4096,N=128" (may be NULL); threads/rows 0: scheduler's choice. */
int bi_compile_builtin(bi_compiler *compiler, const char *name,
                       const char *dims, int64_t threads, int64_t rows,
                       int32_t backend, bi_kernel **out);
int bi_compile_source(bi_compiler *compiler, const char *source,
                      const char *dims, int64_t threads, int64_t rows,
                      int32_t backend, bi_kernel **out);
/* GEMM kernels: force a schedule by name (NULL or "": chosen per launch). */
int bi_compile_builtin_scheduled(bi_compiler *compiler, const char *name,
                                 const char *dims, const char *schedule,
                                 bi_kernel **out);
int bi_compile_source_scheduled(bi_compiler *compiler, const char *source,
                                const char *dims, const char *schedule,
                                bi_kernel **out);
void bi_kernel_destroy(bi_kernel *kernel);
/* GEMM kernels: the schedules the compiler can choose, comma-separated
   (empty for other kernels). Valid while the kernel lives. */
const char *bi_kernel_schedules(bi_kernel *kernel);
/* GEMM kernels: compile now the schedules that launches with these numbers
   of rows would run (num_rows 0: every schedule), on up to `threads`
   threads (0: one per hardware thread); see bi::Kernel::prepare. */
int bi_kernel_prepare(const bi_kernel *kernel, const int64_t *rows,
                      int32_t num_rows, int32_t threads);

const char *bi_kernel_name(const bi_kernel *kernel);
const char *bi_kernel_fingerprint(const bi_kernel *kernel);
const char *bi_kernel_code(const bi_kernel *kernel);
int bi_kernel_from_disk_cache(const bi_kernel *kernel);

int bi_kernel_launch(const bi_kernel *kernel, const bi_arg *args,
                     int32_t num_args, void *stream);
int bi_kernel_run_reference(const bi_kernel *kernel, const bi_arg *args,
                            int32_t num_args);

#ifdef __cplusplus
}
#endif

#endif /* BI_C_H */
