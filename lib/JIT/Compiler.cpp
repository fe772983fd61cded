//===- Compiler.cpp - compiling kernels in-process ------------------------===//
//
// Parse → specialise → the prepare half of bi-lower-to-ptx (invariance,
// fingerprint, schedule) → read the scheduled kernel's signature → the
// codegen half (NVVM) or the CUDA C++ emitters (NVRTC) → cubin. The same
// pipeline functions as bi-opt's registered pipeline, so the PTX is the
// same. Row kernels and the CUDA-core GEMM take either backend, with one
// launch ABI. The wgmma GEMM is the CUDA generator's (one source per
// schedule, compiled on first launch) unless its source pins a schedule:
// then the NVVM backend compiles the bi-lower-to-gpu kernel for it here.
// compileWgmmaSchedule builds that kernel for any serial or split schedule
// from a compiled GEMM's scheduled source (the quick first launch).
//
//===----------------------------------------------------------------------===//
#include "Analysis/Fingerprint.h"
#include "JIT/CompilerImpl.h"
#include "JIT/KernelCache.h"
#include "JIT/KernelData.h"
#include "Pipeline/Pipeline.h"
#include "Target/CudaToolkit.h"
#include "Target/EmitCUDA.h"
#include "Target/HopperGemm.h"
#include "Target/MatmulSemantics.h"
#include "Target/Nvrtc.h"
#include "Transforms/Passes.h"
#include "bi/JIT.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include <dlfcn.h>
#include <mutex>
#include <numeric>
#include <sys/stat.h>

using namespace mlir;

namespace bi {
namespace {
/// Collects diagnostics with their locations while it lives.
class DiagnosticLog {
public:
  DiagnosticLog(MLIRContext &context, llvm::SourceMgr &sources)
      : stream(text), handler(sources, &context, stream) {}
  std::string take() { return text; }

private:
  std::string text;
  llvm::raw_string_ostream stream;
  SourceMgrDiagnosticHandler handler;
};

DType toDType(Type type) {
  if (type.isBF16())
    return DType::bf16;
  if (type.isF16())
    return DType::f16;
  if (type.isF32())
    return DType::f32;
  if (type.isF64())
    return DType::f64;
  if (type.isInteger(32))
    return DType::i32;
  if (type.isInteger(64) || type.isIndex())
    return DType::i64;
  throw Error("unsupported element type in kernel signature");
}

/// Identifies this build of the compiler in cache keys: the file holding
/// this code with its size and modification time, so that any rebuild
/// stops reusing kernels that an older compiler produced.
const std::string &buildId() {
  static const std::string id = [] {
    Dl_info info;
    std::string text = "unknown-build";
    if (dladdr(reinterpret_cast<void *>(&buildId), &info) && info.dli_fname) {
      struct stat status;
      text = info.dli_fname;
      if (stat(info.dli_fname, &status) == 0)
        text += " " + std::to_string(status.st_size) + " " +
                std::to_string(status.st_mtime);
    }
    return text;
  }();
  return id;
}

/// Fills the GEMM part of `data` from the kernel's bi.matmul: what the CUDA
/// generator needs, which argument plays which role and which backend
/// builds the code. The generator's Hopper schedules are generated here for
/// inspection and compile on first use (GemmLaunch.cpp); the caller compiles
/// the rest, through NVVM or the generator and NVRTC.
void prepareGemm(mlir::bi::KernelOp kernel, mlir::bi::MatmulOp matmul,
                 const Specialization &spec, Kernel::Data &data) {
  auto fail = [&](const std::string &message) {
    return Error("kernel '" + data.name + "': " + message);
  };
  if (llvm::range_size(kernel.getOps<mlir::bi::MatmulOp>()) != 1 ||
      !kernel.getOps<mlir::bi::MapRowsOp>().empty())
    throw fail("a kernel with a bi.matmul must hold exactly that one "
               "operation (fusing row programs into a GEMM is not supported)");
  GemmSemantics semantics = mlir::bi::getGemmSemantics(matmul);
  mlir::bi::ReductionOrderAttr order = matmul.getOrderAttr();
  data.gemmHopper = order.getUnit() == mlir::bi::HardwareUnit::wgmma_m64nNk16;
  FailureOr<std::string> helpers = mlir::bi::getGemmHelpers(matmul);
  if (failed(helpers))
    throw fail("cannot emit the device functions of its epilogue");
  data.gemmHelpers = std::move(*helpers);
  // A wgmma product goes through bi-lower-to-gpu only when its source pins
  // a schedule: that kernel has one schedule, where the CUDA generator's
  // is chosen per launch (split schedules included).
  bool loweredWgmma = data.gemmHopper && spec.backend == Backend::NVVM &&
                      matmul.getScheduleAttr() && spec.schedule.empty();
  data.backend =
      data.gemmHopper && !loweredWgmma ? Backend::NVRTC : spec.backend;

  auto argIndex = [&](Value value) {
    return int(cast<BlockArgument>(value).getArgNumber());
  };
  data.gemmRoles[0] = argIndex(matmul.getA());
  data.gemmRoles[1] = argIndex(matmul.getB());
  data.gemmRoles[2] = argIndex(matmul.getC());
  if (Value bias = matmul.getBias())
    data.gemmRoles[3] = argIndex(bias);
  if (Value residual = matmul.getResidual())
    data.gemmRoles[4] = argIndex(residual);
  data.gemm = semantics.serialize();
  data.gemmChunk = semantics.chunk;
  data.gemmNnLinear = semantics.nnLinear;
  data.threads = data.rows = 1;

  if (data.gemmHopper) {
    if (spec.chip != "sm_90a")
      throw fail("the wgmma contract needs chip sm_90a (got " + spec.chip +
                 ")");
    if (!spec.schedule.empty() && findHopperGemmSchedule(spec.schedule) < 0) {
      std::string names;
      for (const GemmSchedule &s : hopperGemmSchedules())
        names += " " + s.name();
      throw fail("unknown schedule '" + spec.schedule + "'; one of:" + names);
    }
    // A schedule forced by the specialisation, else one pinned in the
    // source, is used by every launch; the launcher must know it.
    std::string forced = spec.schedule;
    if (mlir::bi::MatmulScheduleAttr attr = matmul.getScheduleAttr();
        attr && forced.empty()) {
      forced = mlir::bi::toHopperSchedule(attr).name();
      if (findHopperGemmSchedule(forced) < 0)
        throw fail("the pinned schedule " + forced +
                   " is not one of the launcher's (see Kernel::schedules())");
    }
    data.gemmForcedSchedule = forced;
    // bi-lower-to-gpu builds the pinned schedule, compiled by the caller
    // (bi-check-lowerable refuses one it cannot build).
    if (loweredWgmma)
      return;
    // The source of the schedule used, or of the large-batch one, for
    // inspection; each schedule is generated and compiled when a launch
    // first needs it.
    data.code =
        data.gemmHelpers +
        emitHopperGemm(
            semantics,
            forced.empty()
                ? representativeHopperGemmSchedule(semantics.chunk)
                : hopperGemmSchedules()[findHopperGemmSchedule(forced)]);
    return;
  }
  if (!spec.schedule.empty())
    throw fail("schedule '" + spec.schedule +
               "' names a Hopper schedule, but this contract has no wgmma "
               "unit (CUDA-core variant: one schedule)");
}

/// Compiles CUDA C++ `code` into `data.cubin` with NVRTC.
void compileWithNVRTC(std::string code, const Specialization &spec,
                      Kernel::Data &data) {
  data.code = std::move(code);
  llvm::Expected<std::string> cubin =
      mlir::bi::compileCUDA(data.code, data.name, spec.chip);
  if (!cubin)
    throw Error("NVRTC failed to compile kernel '" + data.name + "'",
                llvm::toString(cubin.takeError()));
  data.cubin = std::move(*cubin);
}

std::string canonicalText(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().printGenericOpForm().assumeVerified());
  return text;
}

/// The launch-time multiple a dynamic dimension's extent must be: the
/// lowering reads rows in vectors (the contracts' vector widths, 16-byte
/// stores).
int64_t requiredMultiple(mlir::bi::KernelOp kernel, StringRef dim) {
  int64_t multiple = 1;
  kernel.walk([&](mlir::bi::MapRowsOp rows) {
    if (rows.getRow() != dim)
      return;
    multiple = 8;
    rows.walk([&](mlir::bi::ReduceOp reduce) {
      if (auto order = reduce.getOrderAttr())
        multiple = std::lcm(multiple, order.getVector());
    });
  });
  return multiple;
}
} // namespace

std::shared_ptr<const Kernel>
CompilerImpl::compile(const std::string &source, const std::string &bufferName,
                      const Specialization &spec,
                      const std::shared_ptr<CompilerImpl> &self) {
  std::lock_guard<std::mutex> lock(mutex);
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), SMLoc());
  DiagnosticLog log(context, sources);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sources, &context);
  if (!module)
    throw Error("cannot parse kernel source '" + bufferName + "'", log.take());
  auto kernels = llvm::to_vector(module->getOps<mlir::bi::KernelOp>());
  if (kernels.size() != 1)
    throw Error("kernel source '" + bufferName +
                "' must hold exactly one "
                "bi.kernel, found " +
                std::to_string(kernels.size()));

  // The cache key: compiler build, canonical IR, target and options.
  std::string keyText =
      buildId() + "\n" + mlir::bi::kSemanticsVersion + "\n" +
      canonicalText(*module) + "\n" + spec.chip + "\n" +
      std::to_string(spec.threads) + "x" + std::to_string(spec.rows) + "\n" +
      spec.schedule + "\n" + (spec.backend == Backend::NVVM ? "nvvm" : "nvrtc");
  for (const auto &[name, extent] : spec.dims)
    keyText += "\n" + name + "=" + std::to_string(extent);
  std::string key = sha256Hex(keyText);

  if (useMemoryCache)
    if (auto it = memory.find(key); it != memory.end()) {
      ++stats.memoryHits;
      return it->second;
    }
  std::string corrupt;
  if (std::optional<std::string> bytes = disk.load(key, corrupt)) {
    auto data = std::make_unique<Kernel::Data>();
    std::string why;
    if (deserializeKernel(*bytes, *data, why)) {
      data->fromDiskCache = true;
      data->compiler = self;
      data->cacheKey = key; // GEMM schedule variants extend it
      auto kernel = std::make_shared<const Kernel>(std::move(data));
      ++stats.diskHits;
      if (useMemoryCache)
        memory[key] = kernel;
      return kernel;
    }
    corrupt =
        "unreadable kernel cache entry " + disk.pathFor(key) + " (" + why + ")";
  }
  if (!corrupt.empty()) {
    ++stats.corruptEntries;
    warnOnce(corrupt + "; recompiling");
  }

  // Specialise and prepare: invariance, fingerprint, schedule.
  mlir::bi::LowerToPTXOptions options;
  options.chip = spec.chip;
  options.threads = spec.threads;
  options.rows = spec.rows;
  PassManager prepare(&context);
  mlir::bi::BiSpecializeOptions specialize;
  for (const auto &[name, extent] : spec.dims)
    specialize.dims.push_back(name + "=" + std::to_string(extent));
  prepare.addPass(mlir::bi::createBiSpecialize(specialize));
  mlir::bi::buildPreparePipeline(prepare, options);
  if (failed(prepare.run(*module)))
    throw Error("kernel '" + bufferName + "' failed verification", log.take());

  auto data = std::make_unique<Kernel::Data>();
  mlir::bi::KernelOp kernel = *module->getOps<mlir::bi::KernelOp>().begin();
  data->name = kernel.getSymName().str();
  if (auto fp = kernel->getAttrOfType<StringAttr>("bi.fingerprint"))
    data->fingerprint = fp.getValue().str();
  for (auto [index, type] : llvm::enumerate(kernel.getArgumentTypes())) {
    Param param;
    param.name = "arg" + std::to_string(index);
    if (auto memref = dyn_cast<MemRefType>(type)) {
      param.isBuffer = true;
      param.dtype = toDType(memref.getElementType());
      for (StringRef axis : kernel.getArgAxes(index))
        param.axes.push_back(axis.str());
      Value buffer = kernel.getBody().getArgument(index);
      param.isOutput = llvm::any_of(buffer.getUses(), [](OpOperand &use) {
        Operation *user = use.getOwner();
        if (auto matmul = dyn_cast<mlir::bi::MatmulOp>(user))
          return use.get() == matmul.getC();
        return isa<mlir::bi::StoreRowOp, mlir::bi::StoreScalarOp>(user);
      });
    } else {
      param.dtype = toDType(type);
    }
    data->params.push_back(param);
  }
  for (Attribute attr : kernel.getDims()) {
    auto dim = cast<mlir::bi::DimAttr>(attr);
    Dim info;
    info.name = dim.getName().str();
    info.kind = mlir::bi::stringifyDimKind(dim.getKind()).str();
    info.extent = dim.getSize().value_or(-1);
    info.multipleOf = requiredMultiple(kernel, dim.getName());
    data->dims.push_back(info);
  }
  for (auto rows : kernel.getOps<mlir::bi::MapRowsOp>())
    if (auto schedule = rows.getScheduleAttr()) {
      data->threads = schedule.getThreads();
      data->rows = schedule.getRows();
    }
  {
    llvm::raw_string_ostream os(data->scheduledSource);
    module->print(os);
  }
  data->backend = spec.backend;
  data->cacheKey = key;

  auto matmuls = kernel.getOps<mlir::bi::MatmulOp>();
  if (!matmuls.empty())
    prepareGemm(kernel, *matmuls.begin(), spec, *data);
  if (data->gemmHopper && data->backend == Backend::NVRTC) {
    // Each schedule compiles when a launch first needs it.
  } else if (data->backend == Backend::NVVM) {
    PassManager codegen(&context);
    mlir::bi::buildCodegenPipeline(codegen, options);
    if (failed(codegen.run(*module)))
      throw Error("kernel '" + data->name + "' failed to lower to PTX",
                  log.take());
    for (auto binary : module->getOps<gpu::BinaryOp>())
      for (Attribute attr : binary.getObjects())
        if (auto object = dyn_cast<gpu::ObjectAttr>(attr))
          data->code = object.getObject().getValue().str();
    llvm::Expected<std::string> cubin =
        ::bi::assembleCubin(data->code, spec.chip);
    if (!cubin)
      throw Error("cannot assemble kernel '" + data->name + "' into a cubin",
                  llvm::toString(cubin.takeError()));
    data->cubin = std::move(*cubin);
  } else if (!matmuls.empty()) {
    compileWithNVRTC(
        data->gemmHelpers +
            emitCudaCoreGemm(mlir::bi::getGemmSemantics(*matmuls.begin())),
        spec, *data);
  } else {
    FailureOr<std::string> cuda = mlir::bi::emitCUDA(kernel);
    if (failed(cuda))
      throw Error("cannot emit CUDA C++ for kernel '" + data->name + "'",
                  log.take());
    compileWithNVRTC(std::move(*cuda), spec, *data);
  }
  ++stats.compiles;

  if (std::optional<std::string> problem =
          disk.store(key, serializeKernel(*data)))
    warnOnce(*problem);
  data->compiler = self;
  auto compiled = std::make_shared<const Kernel>(std::move(data));
  if (useMemoryCache)
    memory[key] = compiled;
  return compiled;
}

std::string CompilerImpl::compileWgmmaSchedule(
    const std::string &scheduledSource, const std::string &kernelName,
    const GemmSchedule &schedule, const std::string &chip) {
  std::lock_guard<std::mutex> lock(mutex);
  llvm::SourceMgr sources;
  DiagnosticLog log(context, sources);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(scheduledSource, &context);
  if (!module)
    throw Error(kernelName + ": cannot parse its scheduled source", log.take());
  mlir::bi::MatmulOp matmul;
  for (mlir::bi::KernelOp kernel : module->getOps<mlir::bi::KernelOp>())
    for (auto op : kernel.getOps<mlir::bi::MatmulOp>())
      matmul = op;
  if (!matmul)
    throw Error(kernelName + ": no bi.matmul in its scheduled source");
  matmul.setScheduleAttr(mlir::bi::MatmulScheduleAttr::get(
      &context, schedule.blockM, schedule.blockN, schedule.stages,
      schedule.splitChunks ? mlir::bi::ChunkPlacement::split
                           : mlir::bi::ChunkPlacement::serial));
  mlir::bi::LowerToPTXOptions options;
  options.chip = chip;
  PassManager codegen(&context);
  mlir::bi::buildCodegenPipeline(codegen, options);
  if (failed(codegen.run(*module)))
    throw Error(kernelName + ": schedule " + schedule.name() +
                    " failed to lower to PTX",
                log.take());
  std::string ptx;
  for (auto binary : module->getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects())
      if (auto object = dyn_cast<gpu::ObjectAttr>(attr))
        ptx = object.getObject().getValue().str();
  llvm::Expected<std::string> cubin = ::bi::assembleCubin(ptx, chip);
  if (!cubin)
    throw Error(kernelName + ": cannot assemble schedule " + schedule.name() +
                    " into a cubin",
                llvm::toString(cubin.takeError()));
  ++stats.compiles;
  return std::move(*cubin);
}

Compiler::Compiler(CompilerOptions options)
    : impl_(std::make_shared<CompilerImpl>(options)) {}

Compiler::~Compiler() {
  // Cached kernels keep the implementation alive (for reference runs and
  // schedule variants), so the cache must let go of them here: kernels the
  // caller still holds live on, the rest (and their GEMM workspaces) go.
  std::map<std::string, std::shared_ptr<const Kernel>> cached;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    cached.swap(impl_->memory);
  }
}

std::shared_ptr<const Kernel>
Compiler::compileSource(const std::string &source, const Specialization &spec) {
  return impl_->compile(source, "<source>", spec, impl_);
}

std::shared_ptr<const Kernel>
Compiler::compileBuiltin(const std::string &name, const Specialization &spec) {
  return impl_->compile(builtinSource(name), name + ".mlir", spec, impl_);
}

CacheStats Compiler::cacheStats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

std::string Compiler::cacheDir() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->disk.dir();
}
} // namespace bi
