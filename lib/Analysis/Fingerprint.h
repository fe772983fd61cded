//===- Fingerprint.h - what decides a kernel's bits --------------*- C++
//-*-===//
#ifndef BI_ANALYSIS_FINGERPRINT_H
#define BI_ANALYSIS_FINGERPRINT_H

#include "bi/IR/BiOps.h"
#include <string>

namespace mlir::bi {
/// Version of the lowering semantics (exp polynomial, fold conventions).
/// Bump it whenever a change to the compiler can change a kernel's bits.
inline constexpr const char *kSemanticsVersion = "bi-semantics-1";

/// The canonical text that the fingerprint hashes: the kernel in generic
/// form without name, schedules and locations, with its math mode explicit.
std::string getFingerprintText(KernelOp kernel);

/// A stable hash (16 hex digits of SHA-256) of getFingerprintText.
std::string computeFingerprint(KernelOp kernel);
} // namespace mlir::bi

#endif // BI_ANALYSIS_FINGERPRINT_H
