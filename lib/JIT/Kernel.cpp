//===- Kernel.cpp - a compiled kernel: launch, reference, storage ---------===//
//
// Every launch argument is checked against the kernel's signature before
// anything reaches the driver: a wrong dtype, shape, stride, alignment or a
// null pointer is an error, never a wrong result.
//
//===----------------------------------------------------------------------===//
#include "JIT/CompilerImpl.h"
#include "JIT/GemmLaunch.h"
#include "JIT/KernelData.h"
#include "Reference/Interpreter.h"
#include "Target/HopperGemm.h"
#include "bi/IR/BiOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include <cstring>
#include <numeric>
#include <sstream>

using namespace bi;

const char *bi::toString(DType dtype) {
  switch (dtype) {
  case DType::bf16:
    return "bf16";
  case DType::f16:
    return "f16";
  case DType::f32:
    return "f32";
  case DType::f64:
    return "f64";
  case DType::i32:
    return "i32";
  case DType::i64:
    return "i64";
  }
  return "?";
}

int64_t bi::byteSize(DType dtype) {
  switch (dtype) {
  case DType::bf16:
  case DType::f16:
    return 2;
  case DType::f32:
  case DType::i32:
    return 4;
  case DType::f64:
  case DType::i64:
    return 8;
  }
  return 0;
}

Arg Arg::buffer(const void *data, DType dtype, std::vector<int64_t> shape,
                std::vector<int64_t> strides) {
  Arg arg;
  arg.kind = Kind::Buffer;
  arg.data = data;
  arg.dtype = dtype;
  arg.shape = std::move(shape);
  arg.strides = std::move(strides);
  return arg;
}

Arg Arg::f32(float value) {
  Arg arg;
  arg.kind = Kind::Float;
  arg.dtype = DType::f32;
  arg.floatValue = value;
  return arg;
}

Arg Arg::i64(int64_t value) {
  Arg arg;
  arg.kind = Kind::Int;
  arg.dtype = DType::i64;
  arg.intValue = value;
  return arg;
}

Kernel::Kernel(std::unique_ptr<Data> data) : data_(std::move(data)) {
  // Resolve axis names to dimension indices once, not on every launch.
  for (const Param &param : data_->params) {
    std::vector<int> axisDims;
    for (const std::string &axis : param.axes)
      for (size_t d = 0; d < data_->dims.size(); ++d)
        if (data_->dims[d].name == axis)
          axisDims.push_back(int(d));
    data_->paramAxisDims.push_back(axisDims);
  }
}
Kernel::~Kernel() = default;
const std::string &Kernel::name() const { return data_->name; }
const std::string &Kernel::fingerprint() const { return data_->fingerprint; }
const std::string &Kernel::code() const { return data_->code; }
const std::vector<Param> &Kernel::params() const { return data_->params; }
const std::vector<Dim> &Kernel::dims() const { return data_->dims; }
int64_t Kernel::threadsPerRow() const { return data_->threads; }
int64_t Kernel::rowsPerBlock() const { return data_->rows; }
Backend Kernel::backend() const { return data_->backend; }
bool Kernel::fromDiskCache() const { return data_->fromDiskCache; }
std::vector<std::string> Kernel::schedules() const {
  return gemmScheduleNames(*data_);
}

std::vector<std::string> Kernel::prepare(const std::vector<int64_t> &rows,
                                         int threads) const {
  if (data_->gemm.empty())
    return {};
  return prepareGemm(*data_, rows, threads);
}

//===----------------------------------------------------------------------===//
// Argument checking
//===----------------------------------------------------------------------===//

namespace {
/// What checking the arguments found: the extent of every dimension (by
/// index in Data::dims) and the row stride of every buffer with a leading
/// batch axis. Small vectors: this runs on every launch.
struct Bound {
  llvm::SmallVector<int64_t, 4> extents;    // -1: not given yet
  llvm::SmallVector<int, 4> boundBy;        // argument that gave the extent
  llvm::SmallVector<int64_t, 8> rowStrides; // per param; 0: not applicable
  int64_t batch = 0;
};

/// The strides of `arg` in elements (dense row-major when none are given).
llvm::SmallVector<int64_t, 4> stridesOf(const Arg &arg) {
  if (!arg.strides.empty())
    return llvm::SmallVector<int64_t, 4>(arg.strides.begin(),
                                         arg.strides.end());
  llvm::SmallVector<int64_t, 4> strides(arg.shape.size(), 1);
  for (int64_t d = int64_t(arg.shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * arg.shape[d + 1];
  return strides;
}

/// The bytes [begin, end) a buffer argument spans.
std::pair<uintptr_t, uintptr_t> spanOf(const Arg &arg) {
  llvm::SmallVector<int64_t, 4> strides = stridesOf(arg);
  int64_t last = 0;
  for (size_t d = 0; d < arg.shape.size(); ++d)
    last += (arg.shape[d] - 1) * strides[d];
  uintptr_t begin = reinterpret_cast<uintptr_t>(arg.data);
  return {begin, begin + uintptr_t((last + 1) * byteSize(arg.dtype))};
}

bool isEmpty(const Arg &arg) {
  return llvm::any_of(arg.shape, [](int64_t extent) { return extent == 0; });
}

Bound bindArguments(const Kernel::Data &kernel, const std::vector<Arg> &args,
                    bool onDevice) {
  // Messages are only built on failure.
  auto fail = [&](const std::string &message) -> Error {
    return Error(kernel.name + ": " + message);
  };
  if (args.size() != kernel.params.size())
    throw fail("expects " + std::to_string(kernel.params.size()) +
               " arguments, got " + std::to_string(args.size()));

  Bound bound;
  bound.extents.assign(kernel.dims.size(), -1);
  bound.boundBy.assign(kernel.dims.size(), -1);
  bound.rowStrides.assign(args.size(), 0);
  for (size_t i = 0; i < args.size(); ++i) {
    const Param &param = kernel.params[i];
    const Arg &arg = args[i];
    auto where = [i](int index = -1) {
      return "argument #" + std::to_string(index < 0 ? i : size_t(index));
    };
    if (!param.isBuffer) {
      if (arg.kind == Arg::Kind::Buffer)
        throw fail(where() + " must be a scalar " + toString(param.dtype) +
                   ", got a buffer");
      bool isFloat = param.dtype == DType::f32 || param.dtype == DType::f64;
      if (isFloat != (arg.kind == Arg::Kind::Float))
        throw fail(where() + " must be a " + toString(param.dtype) +
                   " scalar, got a" +
                   (arg.kind == Arg::Kind::Float ? " float" : "n integer"));
      continue;
    }
    if (arg.kind != Arg::Kind::Buffer)
      throw fail(where() + " must be a " + toString(param.dtype) +
                 " buffer, got a scalar");
    if (arg.dtype != param.dtype)
      throw fail(where() + " must have dtype " + toString(param.dtype) +
                 ", got " + toString(arg.dtype));
    if (arg.shape.size() != param.axes.size())
      throw fail(where() + " must have rank " +
                 std::to_string(param.axes.size()) + ", got rank " +
                 std::to_string(arg.shape.size()));
    if (!arg.data)
      throw fail(where() + " is a null pointer");
    if (!arg.strides.empty() && arg.strides.size() != arg.shape.size())
      throw fail(where() + " has " + std::to_string(arg.strides.size()) +
                 " strides for rank " + std::to_string(arg.shape.size()));
    llvm::SmallVector<int64_t, 4> strides = stridesOf(arg);
    if (!strides.empty() && strides.back() != 1)
      throw fail(where() + " must be contiguous along its last axis (stride " +
                 std::to_string(strides.back()) + ", expected 1)");
    const std::vector<int> &axisDims = kernel.paramAxisDims[i];
    for (size_t d = 0; d < arg.shape.size(); ++d) {
      const Dim &dim = kernel.dims[axisDims[d]];
      int64_t extent = arg.shape[d];
      if (extent < 0)
        throw fail(where() + " has a negative extent");
      if (dim.extent >= 0 && dim.extent != extent)
        throw fail(where() + " axis " + std::to_string(d) + " ('" + dim.name +
                   "') must be " + std::to_string(dim.extent) + ", got " +
                   std::to_string(extent));
      if (dim.extent < 0 && extent % dim.multipleOf != 0)
        throw fail(where() + " axis " + std::to_string(d) + " ('" + dim.name +
                   "') must be a multiple of " +
                   std::to_string(dim.multipleOf) + ", got " +
                   std::to_string(extent));
      int64_t &known = bound.extents[axisDims[d]];
      if (known >= 0 && known != extent)
        throw fail("dimension '" + dim.name + "' is " + std::to_string(known) +
                   " from " + where(bound.boundBy[axisDims[d]]) + " but " +
                   std::to_string(extent) + " from " + where());
      if (known < 0) {
        known = extent;
        bound.boundBy[axisDims[d]] = int(i);
      }
      if (dim.kind == "batch")
        bound.batch = extent;
    }
    bool hasBatchAxis =
        !axisDims.empty() && kernel.dims[axisDims.front()].kind == "batch";
    bool hasRowAxis =
        !axisDims.empty() && kernel.dims[axisDims.back()].kind != "batch";
    int64_t bytes = byteSize(arg.dtype);
    if (hasBatchAxis && axisDims.size() == 2) {
      int64_t rowStride = strides[0];
      if (rowStride < arg.shape[1])
        throw fail(where() + " row stride " + std::to_string(rowStride) +
                   " is smaller than its row length " +
                   std::to_string(arg.shape[1]));
      // GEMM kernels store c element by element and check a and b
      // themselves (TMA rules, GemmLaunch.cpp).
      if (onDevice && kernel.gemm.empty() && (rowStride * bytes) % 16 != 0)
        throw fail(where() + " row stride of " + std::to_string(rowStride) +
                   " elements is not a multiple of 16 bytes (rows are read "
                   "in 16-byte vectors)");
      bound.rowStrides[i] = rowStride;
    }
    uintptr_t address = reinterpret_cast<uintptr_t>(arg.data);
    int64_t alignment =
        onDevice && hasRowAxis && kernel.gemm.empty() ? 16 : bytes;
    if (address % alignment != 0)
      throw fail(where() + " is not " + std::to_string(alignment) +
                 "-byte aligned (address " + std::to_string(address) + ")");
  }
  // Outputs must not overlap any other buffer: the kernel re-reads inputs
  // after writing outputs, so in-place updates would change the bits.
  for (size_t i = 0; i < args.size(); ++i) {
    if (!kernel.params[i].isOutput || isEmpty(args[i]))
      continue;
    auto [begin, end] = spanOf(args[i]);
    for (size_t j = 0; j < args.size(); ++j) {
      if (j == i || !kernel.params[j].isBuffer || isEmpty(args[j]))
        continue;
      auto [otherBegin, otherEnd] = spanOf(args[j]);
      if (begin < otherEnd && otherBegin < end)
        throw fail("output argument #" + std::to_string(i) +
                   " overlaps argument #" + std::to_string(j) +
                   "; bi kernels do not update buffers in place");
    }
  }
  for (size_t d = 0; d < kernel.dims.size(); ++d)
    if (bound.extents[d] < 0)
      throw fail("no argument gives the extent of dimension '" +
                 kernel.dims[d].name + "'");
  return bound;
}
} // namespace

//===----------------------------------------------------------------------===//
// Launch
//===----------------------------------------------------------------------===//

cuda::Function bi::loadedFunction(const Kernel::Data &d, cuda::Context context,
                                  const char *entry) {
  std::lock_guard<std::mutex> lock(d.loadMutex);
  auto it = d.functions.find(context);
  if (it != d.functions.end())
    return it->second;
  const cuda::Driver &driver = cuda::getDriver();
  cuda::Module module = nullptr;
  cuda::Function function = nullptr;
  cuda::check(driver.moduleLoadData(&module, d.cubin.data()),
              "loading the cubin of " + d.name);
  cuda::check(driver.moduleGetFunction(&function, module, entry),
              "finding kernel " + d.name);
  return d.functions[context] = function;
}

void Kernel::launch(const std::vector<Arg> &args, void *stream) const {
  const Data &d = *data_;
  Bound bound = bindArguments(d, args, /*onDevice=*/true);
  if (!d.gemm.empty()) {
    checkGemmArguments(d, args);
    launchGemm(d, args, stream);
    return;
  }
  const cuda::Driver &driver = cuda::getDriver();
  cuda::Function function =
      loadedFunction(d, cuda::ensureContext(), d.name.c_str());
  if (bound.batch == 0)
    return; // Nothing to compute.

  // The ABI of bi-lower-to-gpu: pointers and scalars in order, dynamic
  // extents (batch dimensions first), row strides.
  llvm::SmallVector<uint64_t, 16> storage;
  for (size_t i = 0; i < args.size(); ++i) {
    const Arg &arg = args[i];
    uint64_t slot = 0;
    if (arg.kind == Arg::Kind::Buffer) {
      slot = reinterpret_cast<uintptr_t>(arg.data);
    } else if (d.params[i].dtype == DType::f32) {
      float value = float(arg.floatValue);
      std::memcpy(&slot, &value, sizeof value);
    } else if (d.params[i].dtype == DType::f64) {
      std::memcpy(&slot, &arg.floatValue, sizeof arg.floatValue);
    } else if (d.params[i].dtype == DType::i32) {
      int32_t value = int32_t(arg.intValue);
      std::memcpy(&slot, &value, sizeof value);
    } else {
      std::memcpy(&slot, &arg.intValue, sizeof arg.intValue);
    }
    storage.push_back(slot);
  }
  for (bool batchPass : {true, false})
    for (size_t dim = 0; dim < d.dims.size(); ++dim)
      if (d.dims[dim].extent < 0 && (d.dims[dim].kind == "batch") == batchPass)
        storage.push_back(uint64_t(bound.extents[dim]));
  for (size_t i = 0; i < args.size(); ++i)
    if (d.params[i].isBuffer && d.params[i].axes.size() == 2 &&
        bound.rowStrides[i] != 0)
      storage.push_back(uint64_t(bound.rowStrides[i]));
  llvm::SmallVector<void *, 16> pointers;
  for (uint64_t &slot : storage)
    pointers.push_back(&slot);

  int64_t blocks = (bound.batch + d.rows - 1) / d.rows;
  if (blocks > 0x7fffffff)
    throw Error(d.name + ": batch of " + std::to_string(bound.batch) +
                " rows needs more blocks than a grid holds");
  if (cuda::Result rc = driver.launchKernel(
          function, unsigned(blocks), 1, 1, unsigned(d.threads),
          unsigned(d.rows), 1, 0, stream, pointers.data(), nullptr))
    cuda::check(rc, "launching " + d.name);
}

//===----------------------------------------------------------------------===//
// CPU reference
//===----------------------------------------------------------------------===//

void Kernel::runReference(const std::vector<Arg> &args) const {
  const Data &d = *data_;
  Bound bound = bindArguments(d, args, /*onDevice=*/false);
  CompilerImpl &compiler = *d.compiler;
  std::lock_guard<std::mutex> lock(compiler.mutex);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(d.scheduledSource,
                                              &compiler.context);
  if (!module)
    throw Error(d.name + ": cannot re-read the scheduled kernel");
  auto kernel = *module->getOps<mlir::bi::KernelOp>().begin();
  std::vector<mlir::bi::reference::Argument> refArgs(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    refArgs[i].data = const_cast<void *>(args[i].data);
    refArgs[i].rowStride = bound.rowStrides[i];
    refArgs[i].scalar = args[i].kind == Arg::Kind::Int
                            ? double(args[i].intValue)
                            : args[i].floatValue;
  }
  llvm::StringMap<int64_t> extents;
  for (size_t dim = 0; dim < d.dims.size(); ++dim)
    if (d.dims[dim].kind != "batch")
      extents[d.dims[dim].name] = bound.extents[dim];
  if (llvm::Error error =
          mlir::bi::reference::run(kernel, refArgs, bound.batch, extents))
    throw Error(d.name + ": the CPU reference failed: " +
                llvm::toString(std::move(error)));
}

//===----------------------------------------------------------------------===//
// Cache entries
//===----------------------------------------------------------------------===//

namespace {
void put(std::string &out, const std::string &field) {
  uint64_t size = field.size();
  out.append(reinterpret_cast<const char *>(&size), 8);
  out += field;
}

bool get(const std::string &in, size_t &offset, std::string &field) {
  uint64_t size = 0;
  if (offset + 8 > in.size())
    return false;
  std::memcpy(&size, in.data() + offset, 8);
  offset += 8;
  if (size > in.size() - offset)
    return false;
  field.assign(in, offset, size);
  offset += size;
  return true;
}
} // namespace

std::string bi::serializeKernel(const Kernel::Data &data) {
  std::string out;
  for (const std::string *field : {&data.name, &data.fingerprint, &data.code,
                                   &data.cubin, &data.scheduledSource})
    put(out, *field);
  put(out, std::to_string(data.threads) + " " + std::to_string(data.rows) +
               " " + std::to_string(int(data.backend)));
  std::string params;
  for (const Param &p : data.params) {
    params += p.name + " " + std::to_string(p.isBuffer) + " " +
              std::to_string(p.isOutput) + " " + std::to_string(int(p.dtype));
    for (const std::string &axis : p.axes)
      params += " " + axis;
    params += "\n";
  }
  put(out, params);
  std::string dims;
  for (const Dim &dim : data.dims)
    dims += dim.name + " " + dim.kind + " " + std::to_string(dim.extent) + " " +
            std::to_string(dim.multipleOf) + "\n";
  put(out, dims);
  std::string gemm = data.gemm.empty() ? "" : data.gemm + "\n";
  if (!data.gemm.empty()) {
    for (int role : data.gemmRoles)
      gemm += std::to_string(role) + " ";
    gemm += std::to_string(data.gemmHopper) + "\n" + data.gemmForcedSchedule;
  }
  put(out, gemm);
  put(out, data.gemmHelpers);
  return out;
}

bool bi::deserializeKernel(const std::string &bytes, Kernel::Data &data,
                           std::string &why) {
  size_t offset = 0;
  std::string shape, params, dims, gemm;
  for (std::string *field : {&data.name, &data.fingerprint, &data.code,
                             &data.cubin, &data.scheduledSource, &shape,
                             &params, &dims, &gemm, &data.gemmHelpers})
    if (!get(bytes, offset, *field)) {
      why = "truncated field";
      return false;
    }
  int backend = 0;
  std::istringstream shapeIn(shape);
  if (!(shapeIn >> data.threads >> data.rows >> backend) || data.threads <= 0 ||
      data.rows <= 0) {
    why = "bad launch shape";
    return false;
  }
  data.backend = backend ? Backend::NVRTC : Backend::NVVM;
  std::istringstream paramsIn(params);
  for (std::string line; std::getline(paramsIn, line);) {
    std::istringstream in(line);
    Param p;
    int isBuffer = 0, isOutput = 0, dtype = 0;
    if (!(in >> p.name >> isBuffer >> isOutput >> dtype)) {
      why = "bad parameter list";
      return false;
    }
    p.isBuffer = isBuffer;
    p.isOutput = isOutput;
    p.dtype = DType(dtype);
    for (std::string axis; in >> axis;)
      p.axes.push_back(axis);
    data.params.push_back(p);
  }
  std::istringstream dimsIn(dims);
  for (std::string line; std::getline(dimsIn, line);) {
    std::istringstream in(line);
    Dim dim;
    if (!(in >> dim.name >> dim.kind >> dim.extent >> dim.multipleOf)) {
      why = "bad dimension list";
      return false;
    }
    data.dims.push_back(dim);
  }
  if (!gemm.empty()) {
    std::istringstream gemmIn(gemm);
    int hopper = 0;
    if (!std::getline(gemmIn, data.gemm) ||
        !(gemmIn >> data.gemmRoles[0] >> data.gemmRoles[1] >>
          data.gemmRoles[2] >> data.gemmRoles[3] >> data.gemmRoles[4] >>
          hopper)) {
      why = "bad GEMM description";
      return false;
    }
    data.gemmHopper = hopper;
    gemmIn >> data.gemmForcedSchedule;
    std::optional<GemmSemantics> semantics = GemmSemantics::parse(data.gemm);
    if (!semantics) {
      why = "bad GEMM semantics";
      return false;
    }
    data.gemmChunk = semantics->chunk;
    data.gemmNnLinear = semantics->nnLinear;
    for (int role : data.gemmRoles)
      if (role < -1 || role >= int(data.params.size())) {
        why = "bad GEMM argument roles";
        return false;
      }
  }
  if ((data.cubin.empty() && !data.gemmHopper) || data.name.empty()) {
    why = "empty kernel";
    return false;
  }
  return true;
}
