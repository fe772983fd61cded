"""ctypes binding of bi's C API (include/bi/bi_c.h) for the GPU check.

Only what the check and the benchmark need: compile, launch on a torch
stream, run the CPU reference, read cache counters.
"""
import ctypes
import os

BUFFER, FLOAT, INT = 0, 1, 2
NVVM, NVRTC = 0, 1
DTYPES = {"bfloat16": 0, "float16": 1, "float32": 2, "float64": 3, "int32": 4, "int64": 5}


class BiArg(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int32),
        ("dtype", ctypes.c_int32),
        ("data", ctypes.c_void_p),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * 4),
        ("strides", ctypes.c_int64 * 4),
        ("float_value", ctypes.c_double),
        ("int_value", ctypes.c_int64),
    ]


class BiError(RuntimeError):
    pass


class Library:
    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        lib = self.lib
        lib.bi_last_error.restype = ctypes.c_char_p
        for name in ("bi_kernel_name", "bi_kernel_fingerprint", "bi_kernel_code"):
            getattr(lib, name).restype = ctypes.c_char_p
            getattr(lib, name).argtypes = [ctypes.c_void_p]
        lib.bi_compiler_create.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
        lib.bi_compiler_stats.argtypes = [ctypes.c_void_p, ctypes.c_int64 * 4]
        lib.bi_compile_builtin.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int64,
                                           ctypes.c_int64, ctypes.c_int32, ctypes.POINTER(ctypes.c_void_p)]
        lib.bi_compile_builtin_scheduled.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                                     ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.bi_compile_source.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int64,
                                          ctypes.c_int64, ctypes.c_int32, ctypes.POINTER(ctypes.c_void_p)]
        lib.bi_compile_source_scheduled.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                                    ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.bi_kernel_schedules.restype = ctypes.c_char_p
        lib.bi_kernel_schedules.argtypes = [ctypes.c_void_p]
        lib.bi_kernel_prepare.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_int32,
                                          ctypes.c_int32]
        lib.bi_kernel_launch.argtypes = [ctypes.c_void_p, ctypes.POINTER(BiArg), ctypes.c_int32, ctypes.c_void_p]
        lib.bi_kernel_run_reference.argtypes = [ctypes.c_void_p, ctypes.POINTER(BiArg), ctypes.c_int32]
        lib.bi_kernel_from_disk_cache.argtypes = [ctypes.c_void_p]
        lib.bi_compiler_destroy.argtypes = [ctypes.c_void_p]
        lib.bi_kernel_destroy.argtypes = [ctypes.c_void_p]

    def check(self, rc):
        if rc != 0:
            raise BiError(self.lib.bi_last_error().decode())


class Compiler:
    def __init__(self, lib, cache_dir=None, use_cache=True):
        self.lib = lib
        handle = ctypes.c_void_p()
        lib.check(lib.lib.bi_compiler_create(cache_dir.encode() if cache_dir else None, int(use_cache),
                                             ctypes.byref(handle)))
        self.handle = handle

    def compile(self, name, dims, threads=0, rows=0, backend=NVVM):
        handle = ctypes.c_void_p()
        dims_text = ",".join(f"{k}={v}" for k, v in dims.items())
        self.lib.check(self.lib.lib.bi_compile_builtin(self.handle, name.encode(), dims_text.encode(), threads, rows,
                                                       backend, ctypes.byref(handle)))
        return Kernel(self.lib, handle)

    def compile_scheduled(self, name, dims, schedule):
        """A GEMM kernel with its schedule forced (empty: chosen per launch)."""
        handle = ctypes.c_void_p()
        dims_text = ",".join(f"{k}={v}" for k, v in dims.items())
        self.lib.check(self.lib.lib.bi_compile_builtin_scheduled(self.handle, name.encode(), dims_text.encode(),
                                                                 schedule.encode(), ctypes.byref(handle)))
        return Kernel(self.lib, handle)

    def compile_source(self, source, dims, schedule="", backend=NVVM):
        """A kernel from MLIR text; GEMMs may force a schedule (which then
        picks the backend as compile_scheduled does)."""
        handle = ctypes.c_void_p()
        dims_text = ",".join(f"{k}={v}" for k, v in dims.items())
        if schedule:
            rc = self.lib.lib.bi_compile_source_scheduled(self.handle, source.encode(), dims_text.encode(),
                                                          schedule.encode(), ctypes.byref(handle))
        else:
            rc = self.lib.lib.bi_compile_source(self.handle, source.encode(), dims_text.encode(), 0, 0, backend,
                                                ctypes.byref(handle))
        self.lib.check(rc)
        return Kernel(self.lib, handle)

    def close(self):
        """Destroys the compiler (its cached kernels go with it)."""
        if self.handle:
            self.lib.lib.bi_compiler_destroy(self.handle)
            self.handle = None

    def stats(self):
        out = (ctypes.c_int64 * 4)()
        self.lib.check(self.lib.lib.bi_compiler_stats(self.handle, out))
        return dict(zip(("memory_hits", "disk_hits", "compiles", "corrupt"), list(out)))


def make_args(values):
    """Tensors become buffer arguments (their data pointers); floats/ints scalars."""
    args = (BiArg * len(values))()
    for i, v in enumerate(values):
        a = args[i]
        if isinstance(v, float):
            a.kind, a.float_value = FLOAT, v
        elif isinstance(v, int):
            a.kind, a.int_value = INT, v
        else:
            a.kind = BUFFER
            a.dtype = DTYPES[str(v.dtype).replace("torch.", "")]
            a.data = v.data_ptr()
            a.rank = v.dim()
            for d in range(v.dim()):
                a.shape[d] = v.shape[d]
                a.strides[d] = v.stride(d)
    return args


class Kernel:
    def __init__(self, lib, handle):
        self.lib = lib
        self.handle = handle
        self.name = lib.lib.bi_kernel_name(handle).decode()
        self.fingerprint = lib.lib.bi_kernel_fingerprint(handle).decode()
        self.from_disk_cache = bool(lib.lib.bi_kernel_from_disk_cache(handle))

    def close(self):
        """Destroys the kernel handle."""
        if self.handle:
            self.lib.lib.bi_kernel_destroy(self.handle)
            self.handle = None

    def schedules(self):
        text = self.lib.lib.bi_kernel_schedules(self.handle).decode()
        return text.split(",") if text else []

    def compile_schedules(self, rows=(), threads=0):
        """Kernel::prepare: compiles now, on `threads` threads (0: all), the
        schedules launches with these numbers of rows would run (every one
        when `rows` is empty)."""
        values = (ctypes.c_int64 * max(1, len(rows)))(*rows)
        self.lib.check(self.lib.lib.bi_kernel_prepare(self.handle, values, len(rows), threads))

    def prepare(self, values):
        return make_args(values)

    def launch_prepared(self, args, stream):
        self.lib.check(self.lib.lib.bi_kernel_launch(self.handle, args, len(args), ctypes.c_void_p(stream)))

    def launch(self, values, stream):
        self.launch_prepared(make_args(values), stream)

    def reference(self, values):
        args = make_args(values)
        self.lib.check(self.lib.lib.bi_kernel_run_reference(self.handle, args, len(args)))
