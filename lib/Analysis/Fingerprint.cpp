//===- Fingerprint.cpp - what decides a kernel's bits ---------------------===//
//
// The fingerprint hashes the kernel's semantics and nothing else: renaming a
// kernel, moving it in the file or changing its schedule keeps it; changing
// a contract, a type, the math mode or any operation changes it.
//
//===----------------------------------------------------------------------===//
#include "Analysis/Fingerprint.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::bi;

std::string mlir::bi::getFingerprintText(KernelOp kernel) {
  OwningOpRef<KernelOp> copy(cast<KernelOp>(kernel->clone()));
  KernelOp clone = *copy;
  clone.setSymName("kernel");
  clone->removeAttr("bi.fingerprint");
  clone.setMathAttr(clone.getEffectiveMath());
  // Schedules never decide bits.
  clone.walk([](Operation *op) {
    if (auto rows = dyn_cast<MapRowsOp>(op))
      rows.removeScheduleAttr();
    else if (auto matmul = dyn_cast<MatmulOp>(op))
      matmul.removeScheduleAttr();
  });
  // Locations never decide bits.
  Location unknown = UnknownLoc::get(kernel.getContext());
  clone->walk([&](Operation *op) {
    op->setLoc(unknown);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setLoc(unknown);
  });
  std::string text;
  llvm::raw_string_ostream os(text);
  os << kSemanticsVersion << "\n";
  clone->print(os, OpPrintingFlags().printGenericOpForm().assumeVerified());
  return text;
}

std::string mlir::bi::computeFingerprint(KernelOp kernel) {
  std::string text = getFingerprintText(kernel);
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  std::string hex;
  llvm::raw_string_ostream os(hex);
  for (int i = 0; i < 8; ++i)
    os << llvm::format_hex_no_prefix(digest[i], 2);
  return hex;
}
