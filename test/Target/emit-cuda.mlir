// RUN: bi-opt %kernels/rms_norm.mlir --bi-specialize="dims=H=4096" --bi-schedule --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=RMS
// RUN: bi-opt %kernels/rms_norm.mlir --bi-schedule="threads=64 rows=2" --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=RMS64
// RUN: bi-opt %kernels/softmax.mlir --bi-specialize="dims=N=4096" --bi-schedule --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=SOFTMAX
// RUN: bi-opt %kernels/row_sum.mlir --bi-specialize="dims=H=4096" --bi-schedule --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=SUM
// RUN: rm -rf %t && bi-opt %kernels/row_mean.mlir --bi-schedule --bi-emit-cuda="dir=%t" -o /dev/null
// RUN: FileCheck %s --check-prefix=FILE --input-file=%t/row_mean.cu
// RUN: bi-opt %s -split-input-file -verify-diagnostics --bi-emit-cuda -o /dev/null | FileCheck %s --check-prefix=FAST
// RUN: not bi-opt %kernels/row_sum.mlir --bi-schedule --bi-emit-cuda="cubin" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: env BI_CUDA_PATH=%t/no-cuda-here not bi-opt %kernels/row_sum.mlir --bi-schedule --bi-emit-cuda="dir=%t cubin" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOCUDA
//
// bi-emit-cuda writes the NVVM path's kernel as CUDA C++: the same ABI, the
// same lanes per thread, the same fold and combine trees, every operation
// pinned to the instruction the NVVM path uses.

// RMSNorm: the sum of squares folds each lane's vectors with fused
// multiply-adds, then combines as a tree: shuffles within a warp, shared
// memory across the 8 warps.
// RMS-LABEL: // CUDA C++ for bi.kernel @rms_norm
// RMS: Schedule: 256 threads per row, 1 row(s) per block. Math: fma = on, fn = portable.
// RMS: #include <cuda_bf16.h>
// RMS: __device__ __forceinline__ float bi_rsqrt_rn(float x) {
// RMS-NEXT: return __fdiv_rn(1.0f, __fsqrt_rn(x));
// RMS: //   ptr bf16 arg0 [M, H]
// RMS-NEXT: //   ptr bf16 arg1 [H]
// RMS-NEXT: //   ptr bf16 arg2 [M, H]
// RMS-NEXT: //   f32 arg3
// RMS-NEXT: //   i64 extent M
// RMS-NEXT: //   i64 row_stride arg0
// RMS-NEXT: //   i64 row_stride arg2
// RMS-NEXT: extern "C" __global__ void __launch_bounds__(256)
// RMS-NEXT: rms_norm(const __nv_bfloat16 *arg0,
// RMS-NEXT: const __nv_bfloat16 *arg1,
// RMS-NEXT: __nv_bfloat16 *arg2,
// RMS-NEXT: float arg3,
// RMS-NEXT: long long extent_M,
// RMS-NEXT: long long row_stride_arg0,
// RMS-NEXT: long long row_stride_arg2) {
// RMS: const bool row_valid = (unsigned long long)row_unclamped < (unsigned long long)extent_M;
// RMS: const long long row = row_valid ? row_unclamped : 0;
// RMS: float sum_lane[1];
// RMS: const long long num_vectors = 4096 / 8;
// RMS-NEXT: const long long rounds = (num_vectors + 255) / 256;
// RMS: const long long v = r * 256 + thread * 1 + slot;
// RMS: bi_load_vector([[X:[a-z0-9_]+]], arg0 + (row * row_stride_arg0 + first));
// RMS: [[XF:[a-z0-9_]+]][j] = __bfloat162float([[X]][j]);
// RMS: sum_lane[slot] = __fmaf_rn([[XF]][j], [[XF]][j], sum_lane[slot]);
// RMS: float sum = sum_lane[0];
// RMS-NEXT: sum = __fadd_rn(sum, __shfl_xor_sync(0xffffffffu, sum, 1, 32));
// RMS-NEXT: sum = __fadd_rn(sum, __shfl_xor_sync(0xffffffffu, sum, 2, 32));
// RMS-NEXT: sum = __fadd_rn(sum, __shfl_xor_sync(0xffffffffu, sum, 4, 32));
// RMS-NEXT: sum = __fadd_rn(sum, __shfl_xor_sync(0xffffffffu, sum, 8, 32));
// RMS-NEXT: sum = __fadd_rn(sum, __shfl_xor_sync(0xffffffffu, sum, 16, 32));
// RMS-NEXT: __shared__ float sum_warps[1][8];
// RMS-NEXT: if (thread % 32 == 0)
// RMS-NEXT: sum_warps[threadIdx.y][thread / 32] = sum;
// RMS-NEXT: __syncthreads();
// RMS-NEXT: const float [[W01:[a-z0-9_]+]] = __fadd_rn(sum_warps[threadIdx.y][0], sum_warps[threadIdx.y][1]);
// RMS-NEXT: const float [[W23:[a-z0-9_]+]] = __fadd_rn(sum_warps[threadIdx.y][2], sum_warps[threadIdx.y][3]);
// RMS-NEXT: const float [[W45:[a-z0-9_]+]] = __fadd_rn(sum_warps[threadIdx.y][4], sum_warps[threadIdx.y][5]);
// RMS-NEXT: const float [[W67:[a-z0-9_]+]] = __fadd_rn(sum_warps[threadIdx.y][6], sum_warps[threadIdx.y][7]);
// RMS-NEXT: const float [[W03:[a-z0-9_]+]] = __fadd_rn([[W01]], [[W23]]);
// RMS-NEXT: const float [[W47:[a-z0-9_]+]] = __fadd_rn([[W45]], [[W67]]);
// RMS-NEXT: const float [[W07:[a-z0-9_]+]] = __fadd_rn([[W03]], [[W47]]);
// RMS-NEXT: sum = [[W07]];
// RMS-NEXT: const float [[MEAN:[a-z0-9_]+]] = __fdiv_rn(sum, 4096.0f);
// RMS-NEXT: const float [[MS:[a-z0-9_]+]] = __fadd_rn([[MEAN]], arg3);
// RMS-NEXT: const float [[INV:[a-z0-9_]+]] = bi_rsqrt_rn([[MS]]);
// RMS: if (row_valid && v < num_vectors) {
// RMS: = __fmul_rn({{.*}}[j], [[INV]]);
// RMS: = __float2bfloat16_rn(
// RMS: bi_store_vector(arg2 + (row * row_stride_arg2 + first),
// RMS-NOT: atomic

// Four lanes per thread: an in-register pairwise tree before the shuffles;
// the dynamic extent H becomes a parameter after M.
// RMS64-LABEL: // CUDA C++ for bi.kernel @rms_norm
// RMS64: extern "C" __global__ void __launch_bounds__(128)
// RMS64: long long extent_M,
// RMS64-NEXT: long long extent_H,
// RMS64: const long long row_unclamped = (long long)blockIdx.x * 2 + threadIdx.y;
// RMS64: float sum_lane[4];
// RMS64: const long long num_vectors = extent_H / 8;
// RMS64: const long long v = r * 256 + thread * 4 + slot;
// RMS64: const float [[P01:[a-z0-9_]+]] = __fadd_rn(sum_lane[0], sum_lane[1]);
// RMS64-NEXT: const float [[P23:[a-z0-9_]+]] = __fadd_rn(sum_lane[2], sum_lane[3]);
// RMS64-NEXT: const float [[P03:[a-z0-9_]+]] = __fadd_rn([[P01]], [[P23]]);
// RMS64-NEXT: float sum = [[P03]];
// RMS64-COUNT-5: __shfl_xor_sync
// RMS64-NEXT: __shared__ float sum_warps[2][2];
// RMS64: __ull2float_rn(
// RMS64: const long long rounds = (num_vectors + 63) / 64;

// Softmax: a NaN-propagating max (max.NaN.f32, as the NVVM path), then the
// sum of bi's portable exp, which mirrors PortableMath.cpp op by op.
// SOFTMAX-LABEL: // CUDA C++ for bi.kernel @softmax
// SOFTMAX: __device__ __forceinline__ float bi_max_nan(float a, float b) {
// SOFTMAX: asm("max.NaN.f32 %0, %1, %2;" : "=f"(result) : "f"(a), "f"(b));
// SOFTMAX: __device__ __forceinline__ float bi_exp_portable(float x) {
// SOFTMAX-NEXT: const float [[T:[a-z0-9_]+]] = __fmul_rn(x, 1.442695f);
// SOFTMAX-NEXT: const float [[HALF:[a-z0-9_]+]] = copysignf(0.5f, [[T]]);
// SOFTMAX-NEXT: const float [[TH:[a-z0-9_]+]] = __fadd_rn([[T]], [[HALF]]);
// SOFTMAX-NEXT: const int [[K:[a-z0-9_]+]] = __float2int_rz([[TH]]);
// SOFTMAX-NEXT: const float [[KF:[a-z0-9_]+]] = __int2float_rn([[K]]);
// SOFTMAX-NEXT: const float [[NK:[a-z0-9_]+]] = -[[KF]];
// SOFTMAX-NEXT: const float [[R0:[a-z0-9_]+]] = __fmaf_rn([[NK]], 0.69314575f, x);
// SOFTMAX-NEXT: const float [[R:[a-z0-9_]+]] = __fmaf_rn([[NK]], 1.4286068e-06f, [[R0]]);
// SOFTMAX-NEXT: const float [[P1:[a-z0-9_]+]] = __fmaf_rn(0.0001984127f, [[R]], 0.0013888889f);
// SOFTMAX-COUNT-6: __fmaf_rn({{[a-z0-9_]+}}, [[R]],
// SOFTMAX: __int_as_float(
// SOFTMAX: (x > 88.72284f)
// SOFTMAX: (x < -103.97208f)
// SOFTMAX: isnan(x)
// SOFTMAX: __uint_as_float(0x7f800000u) /* inf */
// SOFTMAX: extern "C" __global__ void __launch_bounds__(256)
// SOFTMAX-NEXT: softmax(const __nv_bfloat16 *arg0,
// SOFTMAX: [[MAX:[a-z0-9_]+]]_lane[slot] = __uint_as_float(0xff800000u) /* -inf */;
// SOFTMAX: [[MAX]]_lane[slot] = bi_max_nan([[MAX]]_lane[slot], {{.*}}[j]);
// SOFTMAX: [[MAX]] = bi_max_nan([[MAX]], __shfl_xor_sync(0xffffffffu, [[MAX]], 16, 32));
// SOFTMAX: __syncthreads();
// SOFTMAX: = __fsub_rn({{.*}}[j], [[MAX]]);
// SOFTMAX: = bi_exp_portable(
// SOFTMAX: sum_lane[slot] = __fadd_rn(sum_lane[slot], {{.*}}[j]);
// SOFTMAX: __shared__ float sum_warps[1][8];
// SOFTMAX: = __fdiv_rn({{.*}}[j], sum);
// SOFTMAX-NOT: expf
// SOFTMAX-NOT: ex2.approx

// Row sum: a sequential combine gathers all 128 lanes in shared memory and
// folds them left to right; no shuffles.
// SUM-LABEL: // CUDA C++ for bi.kernel @row_sum
// SUM: row_sum(const __nv_bfloat16 *arg0,
// SUM-NEXT: float *arg1,
// SUM: sum_lane[slot] = __fadd_rn(sum_lane[slot], __bfloat162float({{.*}}[j]));
// SUM: __shared__ float sum_lanes[1][128];
// SUM-NEXT: for (int slot = 0; slot < 1; ++slot)
// SUM-NEXT: sum_lanes[threadIdx.y][thread * 1 + slot] = sum_lane[slot];
// SUM-NEXT: __syncthreads();
// SUM-NEXT: float sum = sum_lanes[threadIdx.y][0];
// SUM-NEXT: for (int lane = 1; lane < 128; ++lane)
// SUM-NEXT: sum = __fadd_rn(sum, sum_lanes[threadIdx.y][lane]);
// SUM: if (row_valid && thread == 0)
// SUM-NEXT: arg1[row] = sum;
// SUM-NOT: __shfl

// With `dir`, the source goes to <dir>/<kernel>.cu.
// FILE-LABEL: // CUDA C++ for bi.kernel @row_mean
// FILE: extern "C" __global__ void __launch_bounds__(256)
// FILE-NEXT: row_mean(const float *arg0,
// FILE-NEXT: float *arg1,
// FILE-NEXT: long long extent_M,
// FILE-NEXT: long long extent_H,
// FILE-NEXT: long long row_stride_arg0) {
// FILE: = __fdiv_rn(sum,

// NODIR: error: bi-emit-cuda: 'cubin' needs an output 'dir'
// NOCUDA: error: cannot compile the CUDA C++ of 'row_sum' with NVRTC: cannot load libnvrtc.so.13 from the CUDA toolkit; tried:
// NOCUDA: no-cuda-here/lib64/libnvrtc.so.13

// Fast math: the hardware approximations as inline PTX, exactly as
// bi-lower-math writes them; 8 threads per row need no shared memory.
// FAST-LABEL: // CUDA C++ for bi.kernel @fast
// FAST: asm("min.NaN.f32 %0, %1, %2;"
// FAST: asm("rsqrt.approx.f32 %0, %1;"
// FAST: asm("sqrt.approx.f32 %0, %1;"
// FAST: asm("div.full.f32 %0, %1, %2;"
// FAST: asm("ex2.approx.f32 %0, %1;"
// FAST: return bi_ex2_approx(__fmul_rn(x, 1.442695f));
// FAST: extern "C" __global__ void __launch_bounds__(32)
// FAST: float minimum_lane[4];
// FAST: minimum = bi_min_nan(minimum, __shfl_xor_sync(0xffffffffu, minimum, 4, 32));
// FAST-NEXT: const float [[INV:[a-z0-9_]+]] = bi_rsqrt_approx(minimum);
// FAST: = bi_div_full({{.*}}[j], [[INV]]);
// FAST: arg2[row] = minimum;
// FAST-NOT: __syncthreads
// FAST-NOT: bi_exp_portable
bi.kernel @fast(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %y: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %m: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 64>]
    math #bi.math<fma = off, fn = fast> {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 8, rows = 4> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %e = math.exp %v : tensor<?xf32>
    %s = math.sqrt %e : tensor<?xf32>
    %t = bi.reduce min %s : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 32, vector = 2, combine = tree>
    %r = math.rsqrt %t : f32
    %rb = bi.broadcast %r : f32 -> tensor<?xf32>
    %q = arith.divf %e, %rb : tensor<?xf32>
    bi.store_row %q, %y[%row] : tensor<?xf32>, memref<?x?xf32>
    bi.store_scalar %t, %m[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

bi.kernel @unscheduled(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                       %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 64>] {
  // expected-error @+1 {{has no schedule; run --bi-schedule before --bi-emit-cuda}}
  bi.map_rows %row over "M" row "H" {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = 32, combine = tree>
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

bi.kernel @dynamic_param(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                         %s: memref<?xf32> {bi.axes = ["M"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    %h = bi.dim "H" : index
    %c64 = arith.constant 64 : index
    %l = arith.divui %h, %c64 : index
    // expected-error @+1 {{has contract parameters written '?'; specialise the kernel (--bi-specialize)}}
    %t = bi.reduce add %v : tensor<?xf32> -> f32 over "H"
        order #bi.order<lanes = ?, combine = seq> (%l)
    bi.store_scalar %t, %s[%row] : f32, memref<?xf32>
  }
  bi.return
}

// -----

bi.kernel @tanh(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %y: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel = 64>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 8, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{'math.tanh' op has no batch-invariant GPU lowering}}
    %t = math.tanh %v : tensor<?xf32>
    bi.store_row %t, %y[%row] : tensor<?xf32>, memref<?x?xf32>
  }
  bi.return
}

// -----

// LLVM may rewrite under fast-math flags; C++ cannot say what it will do.
bi.kernel @nnan(%x: memref<?x?xf32> {bi.axes = ["M", "H"]},
                %y: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel = 64>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 8, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf32> -> tensor<?xf32>
    // expected-error @+1 {{'arith.mulf' op has fast-math flags; the CUDA emitter cannot match what LLVM does with them bit for bit}}
    %t = arith.mulf %v, %v fastmath<nnan> : tensor<?xf32>
    bi.store_row %t, %y[%row] : tensor<?xf32>, memref<?x?xf32>
  }
  bi.return
}

// -----

// expected-error @+1 {{argument 0 has element type 'f64', which the CUDA emitter does not handle}}
bi.kernel @f64(%x: memref<?x?xf64> {bi.axes = ["M", "H"]},
               %y: memref<?x?xf64> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : parallel = 64>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 8, rows = 1> {
    %v = bi.load_row %x[%row] : memref<?x?xf64> -> tensor<?xf64>
    bi.store_row %v, %y[%row] : tensor<?xf64>, memref<?x?xf64>
  }
  bi.return
}

// -----

// expected-error @+1 {{has 2 row programs; the CUDA emitter takes exactly one per kernel}}
bi.kernel @two(%x: memref<?x?xf32> {bi.axes = ["M", "H"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"H" : reduction = 64>] {
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
  }
  bi.map_rows %row over "M" row "H" schedule #bi.schedule<threads = 32, rows = 1> {
  }
  bi.return
}
