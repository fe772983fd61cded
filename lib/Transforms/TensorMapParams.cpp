//===- TensorMapParams.cpp - TMA tensor maps as by-value parameters -------===//
//
// TMA reads its tensor map through an address. CUDA passes one as a
// `const __grid_constant__ CUtensorMap` parameter: 128 bytes, 64-byte
// aligned, in parameter space, whose generic address the kernel may take.
// In LLVM that is a `byval` pointer argument marked `nvvm.grid_constant`.
// A gpu.func cannot carry those through convert-gpu-to-nvvm, so
// bi-lower-to-gpu lists the parameters in `bi.tensor_map_params` and this
// pass marks them on the converted llvm.func.
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::bi {
#define GEN_PASS_DEF_BITENSORMAPPARAMS
#include "Transforms/Passes.h.inc"
} // namespace mlir::bi

using namespace mlir;

namespace {
/// sizeof(CUtensorMap) and its alignment.
constexpr int64_t kTensorMapWords = 16;
constexpr int64_t kTensorMapAlignment = 64;

struct BiTensorMapParamsPass
    : public mlir::bi::impl::BiTensorMapParamsBase<BiTensorMapParamsPass> {
  void runOnOperation() override {
    WalkResult walk = getOperation()->walk([](LLVM::LLVMFuncOp func) {
      auto params =
          func->getAttrOfType<DenseI64ArrayAttr>("bi.tensor_map_params");
      if (!params)
        return WalkResult::advance();
      if (!func->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName())) {
        func.emitOpError() << "has bi.tensor_map_params but is not a kernel; "
                              "run convert-gpu-to-nvvm first";
        return WalkResult::interrupt();
      }
      Builder b(func.getContext());
      Type tensorMap =
          LLVM::LLVMArrayType::get(b.getI64Type(), kTensorMapWords);
      for (int64_t index : params.asArrayRef()) {
        if (index >= func.getNumArguments() ||
            !isa<LLVM::LLVMPointerType>(func.getArgument(index).getType())) {
          func.emitOpError() << "bi.tensor_map_params names parameter #"
                             << index << ", which is not a pointer";
          return WalkResult::interrupt();
        }
        func.setArgAttr(index, LLVM::LLVMDialect::getByValAttrName(),
                        TypeAttr::get(tensorMap));
        func.setArgAttr(index, LLVM::LLVMDialect::getAlignAttrName(),
                        b.getI64IntegerAttr(kTensorMapAlignment));
        func.setArgAttr(index, NVVM::NVVMDialect::getGridConstantAttrName(),
                        b.getUnitAttr());
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
