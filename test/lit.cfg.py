# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "BI"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.bi_obj_root, "test")

config.environment["FILECHECK_OPTS"] = "--enable-var-scope"
llvm_config.with_system_environment(["HOME", "TMPDIR", "CUDA_HOME"])
llvm_config.use_default_substitutions()

config.substitutions.append(("%bi_src_root", config.bi_src_root))
config.substitutions.append(("%kernels", os.path.join(config.bi_src_root, "lib", "Kernels")))

tool_dirs = [config.bi_tools_dir, config.llvm_tools_dir]
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["bi-opt", "bi-jit", "not", "FileCheck", "split-file"], tool_dirs)

# Tests that assemble cubins need the CUDA toolkit's nvJitLink.
cuda = os.environ.get("BI_CUDA_PATH") or "/usr/local/cuda"
if os.path.exists(os.path.join(cuda, "lib64", "libnvJitLink.so.13")):
    config.available_features.add("cuda-toolkit")
