//===- bi-jit.cpp - compile a kernel through the embedding API ------------===//
//
// The JIT from the command line, through the public API only: what an engine
// gets for a kernel, printed. Lit tests use it to check that the JIT and
// bi-opt produce the same PTX.
//
//   bi-jit <builtin-name | file.mlir> [--dims H=4096,...] [--backend
//   nvvm|nvrtc]
//          [--threads N] [--rows R] [--print code|fingerprint|signature]
//
//===----------------------------------------------------------------------===//
#include "bi/JIT.h"
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

static int usage() {
  std::cerr << "usage: bi-jit <builtin-name | file.mlir> [--dims H=4096,...] "
               "[--backend nvvm|nvrtc] [--threads N] [--rows R] "
               "[--print code|fingerprint|signature]\n";
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage();
  std::string input = argv[1], print = "signature";
  bi::Specialization spec;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc)
      return usage();
    std::string value = argv[++i];
    if (flag == "--dims") {
      std::istringstream in(value);
      for (std::string entry; std::getline(in, entry, ',');) {
        size_t eq = entry.find('=');
        if (eq == std::string::npos)
          return usage();
        spec.dims[entry.substr(0, eq)] = std::stoll(entry.substr(eq + 1));
      }
    } else if (flag == "--backend") {
      spec.backend = value == "nvrtc" ? bi::Backend::NVRTC : bi::Backend::NVVM;
    } else if (flag == "--threads") {
      spec.threads = std::stoll(value);
    } else if (flag == "--rows") {
      spec.rows = std::stoll(value);
    } else if (flag == "--print") {
      print = value;
    } else {
      return usage();
    }
  }
  try {
    bi::CompilerOptions options;
    options.useDiskCache = false;
    bi::Compiler compiler(options);
    std::shared_ptr<const bi::Kernel> kernel;
    if (input.size() > 5 && input.substr(input.size() - 5) == ".mlir") {
      std::ifstream file(input);
      if (!file) {
        std::cerr << "bi-jit: cannot read " << input << "\n";
        return 1;
      }
      std::stringstream text;
      text << file.rdbuf();
      kernel = compiler.compileSource(text.str(), spec);
    } else {
      kernel = compiler.compileBuiltin(input, spec);
    }
    if (print == "code") {
      std::cout << kernel->code();
    } else if (print == "fingerprint") {
      std::cout << kernel->fingerprint() << "\n";
    } else {
      std::cout << "kernel " << kernel->name() << " fingerprint "
                << kernel->fingerprint() << " block " << kernel->threadsPerRow()
                << "x" << kernel->rowsPerBlock() << "\n";
      for (const bi::Param &p : kernel->params()) {
        std::cout << "  " << p.name << ": " << (p.isBuffer ? "buffer " : "")
                  << bi::toString(p.dtype);
        for (const std::string &axis : p.axes)
          std::cout << " " << axis;
        std::cout << (p.isOutput ? " (output)" : "") << "\n";
      }
      for (const bi::Dim &d : kernel->dims())
        std::cout << "  dim " << d.name << " " << d.kind << " "
                  << (d.extent < 0 ? std::string("dynamic")
                                   : std::to_string(d.extent))
                  << "\n";
    }
    return 0;
  } catch (const bi::Error &error) {
    std::cerr << "bi-jit: error: " << error.what() << "\n" << error.log();
    return 1;
  }
}
