// One bf16 wgmma GEMM per serial Hopper schedule (hopperGemmSchedules()),
// chunks of 1024, with every epilogue stage: bias, relu, residual.
bi.kernel @gemm_n64m64s6(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 64, stages = 6, chunks = serial>
  bi.return
}
bi.kernel @gemm_n128m64s6(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 128, stages = 6, chunks = serial>
  bi.return
}
bi.kernel @gemm_n64m128s8(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 128, block_n = 64, stages = 8, chunks = serial>
  bi.return
}
bi.kernel @gemm_n128m128s5(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 128, block_n = 128, stages = 5, chunks = serial>
  bi.return
}
bi.kernel @gemm_n128m128s6(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 128, block_n = 128, stages = 6, chunks = serial>
  bi.return
}
bi.kernel @gemm_n128m192s4(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 192, block_n = 128, stages = 4, chunks = serial>
  bi.return
}
bi.kernel @gemm_n192m128s5(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 128, block_n = 192, stages = 5, chunks = serial>
  bi.return
}
bi.kernel @gemm_n64m8s14(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 8, block_n = 64, stages = 14, chunks = serial>
  bi.return
}
bi.kernel @gemm_n64m16s14(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 16, block_n = 64, stages = 14, chunks = serial>
  bi.return
}
bi.kernel @gemm_n64m32s14(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 32, block_n = 64, stages = 14, chunks = serial>
  bi.return
}
bi.kernel @gemm_n64m64s12(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 64, block_n = 64, stages = 12, chunks = serial>
  bi.return
}
bi.kernel @gemm_n128m16s12(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 16, block_n = 128, stages = 12, chunks = serial>
  bi.return
}
bi.kernel @gemm_n128m96s6(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
    %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
    %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
    %bias: memref<?xbf16> {bi.axes = ["N"]},
    %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>, #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 1024, chunk_combine = seq, step = 16, unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = 96, block_n = 128, stages = 6, chunks = serial>
  bi.return
}
