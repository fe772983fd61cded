// RUN: not bi-opt %s -split-input-file 2>&1 | FileCheck %s
// RUN: not bi-opt %S/Inputs/empty.mlir --bi-export-binary 2>&1 | FileCheck %s --check-prefix=NOBINARY
// RUN: not bi-opt %kernels/rms_norm.mlir --bi-lower-to-ptx --bi-export-binary="dir=/proc/bi-cannot-write" 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: not bi-opt %kernels/rms_norm.mlir --bi-lower-to-gpu 2>&1 | FileCheck %s --check-prefix=UNSCHEDULED
//
// Malformed input is reported with a location, never a crash (`not` fails
// on a crash).

// CHECK: bad-input.mlir:[[@LINE+1]]:{{[0-9]+}}: error: custom op 'bi.map_rows' expected 'over'
bi.map_rows %r "M"

// -----

// CHECK: bad-input.mlir:[[@LINE+1]]:{{[0-9]+}}: error: unknown order-contract key 'lane'
#o = #bi.order<lane = 4>

// -----

// CHECK: bad-input.mlir:[[@LINE+1]]:{{[0-9]+}}: error: expected a keyword for 'combine'
#o = #bi.order<lanes = 4, combine = 3>

// -----

// CHECK: bad-input.mlir:[[@LINE+1]]:{{[0-9]+}}: error: expected ':'
#d = #bi.dim<"M" batch>

// -----

// CHECK: error: 'bi.kernel' op requires one region
"bi.kernel"() <{dims = [], function_type = () -> (), sym_name = "k"}> : () -> ()

// NOBINARY: error: no gpu.binary to export; run the bi-lower-to-ptx pipeline first
// NODIR: error: cannot create output directory '/proc/bi-cannot-write'
// UNSCHEDULED: error: 'bi.map_rows' op has no schedule; run --bi-schedule before --bi-lower-to-gpu
