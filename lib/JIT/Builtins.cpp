//===- Builtins.cpp - the built-in kernel sources -------------------------===//
//
// The sources of lib/Kernels/*.mlir, embedded at build time so that an
// engine needs nothing but the library.
//
//===----------------------------------------------------------------------===//
#include "bi/JIT.h"
#include <map>

using namespace bi;

static const std::map<std::string, std::string> &builtins() {
  static const std::map<std::string, std::string> sources = {
#include "JIT/BuiltinKernels.inc"
  };
  return sources;
}

std::vector<std::string> Compiler::builtinNames() {
  std::vector<std::string> names;
  for (const auto &[name, source] : builtins())
    names.push_back(name);
  return names;
}

const std::string &Compiler::builtinSource(const std::string &name) {
  auto it = builtins().find(name);
  if (it == builtins().end()) {
    std::string known;
    for (const auto &[builtin, source] : builtins())
      known += (known.empty() ? "" : ", ") + builtin;
    throw Error("unknown built-in kernel '" + name + "'; built-ins: " + known);
  }
  return it->second;
}
