#!/usr/bin/env bash
# bi's own host cost per GEMM launch, without a GPU: host_overhead.cpp
# against a do-nothing libcuda.so.1 (fake_libcuda.c). One JSON line per M.
#   bash bench/host_overhead/run.sh [dir of libbi.so, default build/lib]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -shared -fPIC -o "$work/libcuda.so.1" "$here/fake_libcuda.c"
c++ -O2 -std=c++17 "$here/host_overhead.cpp" -I"$root/include" -L"$lib" -lbi \
  -Wl,-rpath,"$lib" -o "$work/host_overhead"
LD_LIBRARY_PATH="$work" BI_CACHE_DIR="$work/cache" "$work/host_overhead"
