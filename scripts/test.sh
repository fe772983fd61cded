#!/usr/bin/env bash
# Runs the whole test suite (installing and building first if needed): the
# lit/FileCheck suite, the C++ unit tests (CTest) and the embedding example.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BI_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
ninja -C "$build"

log=$(mktemp)
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" | tee "$log" || status=$?
passed=$(awk '/Passed *:/ {print $2}' "$log"); passed=${passed:-0}
failed=$(awk '/Failed *:/ {print $2}' "$log"); failed=${failed:-0}
skipped=$(awk '/Unsupported *:/ {print $2}' "$log"); skipped=${skipped:-0}
rm -f "$log"
echo "lit: $passed passed, $failed failed, $skipped skipped"

ctest_log=$(mktemp)
(cd "$build" && ctest --output-on-failure) | tee "$ctest_log" || status=$?
unit_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$ctest_log" | tail -1)
unit_failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$ctest_log" | tail -1)
unit_total=${unit_total:-0}; unit_failed=${unit_failed:-0}
rm -f "$ctest_log"

echo "== example (CPU reference; the GPU part runs where there is a GPU)"
cuda=${BI_CUDA_PATH:-${CUDA_HOME:-/usr/local/cuda}}
if [ -e "$cuda/lib64/libnvJitLink.so.13" ]; then
  "$build/examples/rms_norm/bi-rms-norm-example" || status=$?
else
  echo "skipped: no CUDA 13 toolkit at $cuda (the example compiles to a cubin)"
fi

echo "== the example builds standalone against the bi CMake package"
standalone=$(mktemp -d)
if cmake -G Ninja -S "$root/examples/rms_norm" -B "$standalone" \
     -Dbi_DIR="$build/lib/cmake/bi" >/dev/null &&
   ninja -C "$standalone" >/dev/null; then
  echo "find_package(bi): ok"
else
  echo "find_package(bi): FAILED"
  status=1
fi
rm -rf "$standalone"

echo "suite: $((passed + unit_total - unit_failed)) passed, $((failed + unit_failed)) failed, $skipped skipped"
exit $status
