#!/usr/bin/env bash
# bi's own host cost per GEMM launch, without a GPU: host_overhead.cpp
# against a do-nothing libcuda.so.1 (fake_libcuda.cpp). One JSON line per M.
#   bash bench/host_overhead/run.sh [dir of libbi.so, default build/lib]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
c++ -O2 -std=c++17 -shared -fPIC -I"$root/lib" -o "$work/libcuda.so.1" \
  "$here/fake_libcuda.cpp"
c++ -O2 -std=c++17 "$here/host_overhead.cpp" -I"$root/include" -L"$lib" -lbi \
  -Wl,-rpath,"$lib" -o "$work/host_overhead"
LD_LIBRARY_PATH="$work" BI_CACHE_DIR="$work/cache" "$work/host_overhead"
